// The benchmark driver behind `make bench` (bench/run.sh builds the tools,
// then runs this): times the four workloads natively (gcc -O2), on Compono's
// two tiers and on node/V8, alternating in one invocation; measures native
// compile time and memory per module size, whole-process start-up and
// in-process instantiation; writes bench/RESULTS.md.
//
//   node bench/bench.mjs BUILD_DIR
//
// Environment: BENCH_RUNS (default 5) timed runs per cell; BENCH_LARGE=1 adds
// the 12 MiB core module of calc-js.wasm to the compile table (minutes);
// BENCH_QUICK=1 divides every workload by 20 and runs 2 rounds (a smoke test
// of this script, never for published numbers); BENCH_OUT: the report path
// (default bench/RESULTS.md); BENCH_COMMAND: the command line to print in it.
//
// Every run's output must equal the native build's at the same argument, or
// this script stops with an error naming the cell.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const build = path.resolve(process.argv[2] || 'build');
const runs = Number(process.env.BENCH_RUNS || 5);
const quick = process.env.BENCH_QUICK === '1';
const large = process.env.BENCH_LARGE === '1';
const outPath = process.env.BENCH_OUT || path.join(here, 'RESULTS.md');
const rounds = quick ? 2 : runs;
if (!quick && runs < 5) fail(`BENCH_RUNS=${runs}: published medians need at least 5 runs`);

const bin = {
  compono: path.join(build, 'src/cli/compono'),
  measure: path.join(build, 'bench/measure'),
  extract: path.join(build, 'bench/extract_core'),
  instantiate: path.join(build, 'bench/instantiate_bench'),
  node: process.execPath,
  runner: path.join(here, 'node_wasi_run.mjs'),
};
const work = path.join(build, 'bench/work');
const cacheDir = path.join(build, 'bench/cache');
const workloadsDir = path.resolve(repo, '../shared/bench/workloads');
const componentPath = path.resolve(repo, '../shared/fixtures/components/calc-js.wasm');

// Full arguments are the workloads' defaults (../shared/bench/workloads/README.md).
// The interpreter runs 1/scale of the work (scaled back up, see interpTime).
const workloads = [
  { name: 'fib', arg: 600, interpScale: 150 },       // reps; 4 reps = one of each fib(30..33)
  { name: 'sha256', arg: 300, interpScale: 300 },    // reps over a 1 MiB buffer
  { name: 'nbody', arg: 15000000, interpScale: 500 },  // steps
  { name: 'hashmap', arg: 12, interpScale: 12 },     // rounds
];
if (quick) {
  const q = { fib: [40, 10], sha256: [15, 15], nbody: [750000, 50], hashmap: [1, 1] };
  for (const w of workloads) [w.arg, w.interpScale] = q[w.name];
}
for (const w of workloads) {
  w.native = path.join(build, 'bench/native', w.name);
  w.wasm = path.join(build, 'bench/wasm', `${w.name}.wasm`);
  w.interpArg = Math.round(w.arg / w.interpScale);
  if (w.interpArg * w.interpScale !== w.arg) fail(`${w.name}: ${w.arg} is not divisible by ${w.interpScale}`);
}

function fail(msg) {
  console.error(`bench: FAILED: ${msg}`);
  process.exit(1);
}
function log(msg) {
  console.log(`bench: ${msg}`);
}
function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts }).trim();
}
function tryOut(cmd, args) {
  try { return sh(cmd, args); } catch { return '?'; }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
const loads = [];
function noteLoad(when) {
  const l = loadavg();
  loads.push({ when, l });
  return l;
}

// Runs one command under `measure`; returns {wall, user, sys, maxrssKiB, status, stdout}.
let seq = 0;
function measure(argv, label) {
  const out = path.join(work, `out.${seq}`), err = path.join(work, `err.${seq}`);
  seq++;
  const r = spawnSync(bin.measure, ['--stdout', out, '--stderr', err, '--', ...argv], { encoding: 'utf8' });
  if (r.status !== 0) fail(`${label}: measure failed: ${r.stderr}`);
  const m = JSON.parse(r.stdout);
  m.stdout = fs.readFileSync(out, 'utf8').trim();
  m.stderr = fs.readFileSync(err, 'utf8').trim();
  fs.rmSync(out); fs.rmSync(err);
  return m;
}

// ---- preparation ---------------------------------------------------------------------------

for (const [k, p] of Object.entries(bin)) if (!fs.existsSync(p)) fail(`${k}: ${p} does not exist (run through \`make bench\`)`);
for (const w of workloads) for (const p of [w.native, w.wasm]) if (!fs.existsSync(p)) fail(`missing ${p}`);
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
fs.rmSync(cacheDir, { recursive: true, force: true });  // compile times below are real compiles
fs.mkdirSync(cacheDir, { recursive: true });

const started = new Date();
const startLoad = noteLoad('start');
if (startLoad[0] > 1.0) log(`WARNING: load average ${startLoad[0]} on ${os.cpus().length} cores: other work will inflate and scatter the timings`);
log(`build ${build}, ${rounds} rounds, load average ${startLoad.join(' ')}${quick ? ' (QUICK: not for publishing)' : ''}`);

const machine = {
  cpu: (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [, '?'])[1],
  cores: os.cpus().length,
  memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
  kernel: `${os.type()} ${os.release()}`,
  gcc: tryOut('gcc', ['--version']).split('\n')[0],
  cc: tryOut('cc', ['--version']).split('\n')[0],
  clang: tryOut('clang', ['--version']).split('\n')[0],
  node: process.version,
  wabt: tryOut('wasm2c', ['--version']),
  hyperfine: tryOut('hyperfine', ['--version']),
  compono: tryOut(bin.compono, ['--version']),
  commit: tryOut('git', ['-C', repo, 'rev-parse', '--short=12', 'HEAD']) +
    (tryOut('git', ['-C', repo, 'status', '--porcelain', '--untracked-files=no', '--', 'src', 'include']) ? ' (src/ or include/ modified)' : ''),
  buildType: (() => {
    try { return fs.readFileSync(path.join(build, 'CMakeCache.txt'), 'utf8').match(/CMAKE_BUILD_TYPE:STRING=(.*)/)[1]; } catch { return '?'; }
  })(),
};

// ---- 1. native compile time and memory per module size ----------------------------------------

function codeSectionBytes(file) {
  const info = JSON.parse(sh(bin.compono, ['inspect', '--json', file], { maxBuffer: 1 << 28 }));
  return (info.sections.find((s) => s.id === 10) || { size: 0 }).size;
}

const compileModules = workloads.map((w) => ({ label: `${w.name}.wasm`, file: w.wasm, reps: quick ? 1 : 3 }));
compileModules.push({ label: 'empty_main.wasm (wasi-libc main(){})', file: path.join(build, 'bench/guests/empty_main.wasm'), reps: quick ? 1 : 3 });
for (const f of fs.readdirSync(path.join(build, 'bench/guests')).filter((f) => /^synthetic_\d+\.wasm$/.test(f)).sort()) {
  compileModules.push({ label: `${f} (generated C, see gen_synthetic.mjs)`, file: path.join(build, 'bench/guests', f), reps: 1 });
}
if (large) {
  const core = path.join(work, 'calc-js.core.wasm');
  if (!fs.existsSync(componentPath)) fail(`BENCH_LARGE=1 but ${componentPath} is missing`);
  log(sh(bin.extract, [componentPath, core]));
  compileModules.push({ label: 'calc-js.wasm core module 0 (StarlingMonkey JS engine; BENCH_LARGE=1)', file: core, reps: 1, large: true });
}

const compileRows = [];
function compileRow(m) {
  const wasmBytes = fs.statSync(m.file).size;
  const codeBytes = codeSectionBytes(m.file);
  const samples = [], hits = [];
  for (let i = 0; i < m.reps; i++) {
    const dir = path.join(work, `compile-cache-${i}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const r = measure([bin.compono, 'compile', '--json', '--cache-dir', dir, m.file], `compile ${m.label}`);
    if (r.status !== 0) fail(`compile ${m.label}: exit ${r.status}: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    if (j.cached) fail(`compile ${m.label}: found in a fresh cache`);
    samples.push({ ...j, wall: r.wall, cpu: r.user + r.sys, processRssKiB: r.maxrssKiB });
    if (i === m.reps - 1) {
      // The cache-hit path in a fresh process: read + decode + validate the
      // module, derive the key, find and verify the artifact (no dlopen).
      for (let k = 0; k < 3; k++) {
        const h = measure([bin.compono, 'compile', '--json', '--cache-dir', dir, m.file], `cache hit ${m.label}`);
        if (h.status !== 0 || !JSON.parse(h.stdout).cached) fail(`compile ${m.label}: second compile was not a cache hit`);
        hits.push(h.wall);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    log(`compile ${m.label}: ${j.compileSeconds.toFixed(2)} s, ${j.units} unit(s), peak compiler ${(j.peakRssKiB / 1024).toFixed(0)} MiB`);
  }
  const pick = (k) => median(samples.map((s) => s[k]));
  compileRows.push({
    label: m.label, wasmBytes, codeBytes, reps: m.reps, seconds: pick('compileSeconds'), cpu: pick('cpu'),
    peakRssKiB: pick('peakRssKiB'), processRssKiB: pick('processRssKiB'), cBytes: samples[0].cBytes,
    units: samples[0].units, soBytes: samples[0].soBytes, large: !!m.large, hit: median(hits),
  });
}
// The large module (BENCH_LARGE=1) is compiled last, after every timing, so
// that its long, memory-hungry compile cannot disturb them.
for (const m of compileModules) if (!m.large) compileRow(m);
// The timed runs below use artifacts from the shared cache (built once here).
for (const w of workloads) {
  const j = JSON.parse(sh(bin.compono, ['compile', '--json', '--cache-dir', cacheDir, w.wasm]));
  if (j.cached) fail(`${w.name}: unexpectedly cached already`);
}
noteLoad('after compile');

// ---- 2. the workloads: native, aot, interp, node, alternating ----------------------------------

const engines = [
  { key: 'native', label: 'native gcc -O2', argv: (w, a) => [w.native, String(a)] },
  { key: 'aot', label: 'compono aot', argv: (w, a) => [bin.compono, 'run', '--tier', 'aot', '--cache-dir', cacheDir, w.wasm, String(a)] },
  { key: 'interp', label: 'compono interp', argv: (w, a) => [bin.compono, 'run', '--tier', 'interp', '--cache-dir', cacheDir, w.wasm, String(a)] },
  { key: 'node', label: `node ${process.version} (V8)`, argv: (w, a) => [bin.node, '--no-warnings', bin.runner, w.wasm, String(a)] },
];

// Reference outputs from the native build at every argument used.
const expected = new Map();
function reference(w, arg) {
  const k = `${w.name}:${arg}`;
  if (!expected.has(k)) {
    const r = measure([w.native, String(arg)], `native ${w.name} ${arg}`);
    if (r.status !== 0 || !r.stdout) fail(`native ${w.name} ${arg}: exit ${r.status}`);
    expected.set(k, r.stdout);
  }
  return expected.get(k);
}
function check(w, e, arg, r) {
  const want = reference(w, arg);
  if (r.status !== 0 || r.stdout !== want) {
    fail(`${w.name} on ${e.label} (arg ${arg}): exit ${r.status}, output\n  ${r.stdout.replace(/\n/g, '\n  ')}\n` +
      `expected (native)\n  ${want.replace(/\n/g, '\n  ')}\n${r.stderr}`);
  }
}

// Warm-up (untimed): every engine once at the interpreter's argument, which
// also checks each against native before the long runs start.
for (const w of workloads) {
  for (const e of engines) {
    if (e.key === 'interp') continue;
    check(w, e, w.interpArg, measure(e.argv(w, w.interpArg), `${w.name} ${e.key}`));
  }
}
log('warm-up done; every engine matches native');

const cells = {};  // `${w}:${e}` -> [{wall, cpu, rss}]
const push = (k, v) => (cells[k] ||= []).push(v);
const t0 = Date.now();
for (let r = 1; r <= rounds; r++) {
  for (const w of workloads) {
    for (const e of engines) {
      if (e.key === 'interp') {
        // Time at 1/scale of the work and at zero work (start-up and set-up,
        // e.g. sha256's buffer fill); the full run is zero + scale x (part - zero).
        const part = measure(e.argv(w, w.interpArg), `${w.name} interp`);
        check(w, e, w.interpArg, part);
        const zero = measure(e.argv(w, 0), `${w.name} interp 0`);
        check(w, e, 0, zero);
        const wall = zero.wall + w.interpScale * (part.wall - zero.wall);
        const cpu = (zero.user + zero.sys) + w.interpScale * (part.user + part.sys - zero.user - zero.sys);
        push(`${w.name}:interp`, { wall, cpu, rss: part.maxrssKiB, partWall: part.wall, zeroWall: zero.wall });
        log(`[${r}/${rounds}] ${w.name.padEnd(8)} interp  ${part.wall.toFixed(3)} s at 1/${w.interpScale} (0: ${zero.wall.toFixed(3)} s) -> ${wall.toFixed(1)} s  ok`);
        continue;
      }
      const m = measure(e.argv(w, w.arg), `${w.name} ${e.key}`);
      check(w, e, w.arg, m);
      push(`${w.name}:${e.key}`, { wall: m.wall, cpu: m.user + m.sys, rss: m.maxrssKiB });
      log(`[${r}/${rounds}] ${w.name.padEnd(8)} ${e.key.padEnd(7)} ${m.wall.toFixed(3)} s  ok`);
    }
  }
  noteLoad(`round ${r}`);
}
log(`timed runs took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
// The AOT runs must all have used cached artifacts (no compile inside a timed run).
const cacheList = JSON.parse(sh(bin.compono, ['cache', 'ls', '--json', '--cache-dir', cacheDir]));
const workloadEntries = cacheList.entries.filter((e) => workloads.some((w) => w.wasm === e.module || path.resolve(e.module) === w.wasm));
if (workloadEntries.length !== workloads.length) {
  fail(`the cache holds ${workloadEntries.length} artifacts of the workloads, expected ${workloads.length}: a timed run compiled`);
}

// ---- 3. whole-process start-up (hyperfine) ------------------------------------------------------

const trivial = path.join(build, 'bench/guests/trivial.wasm');
const emptyMain = path.join(build, 'bench/guests/empty_main.wasm');
const emptyNative = path.join(build, 'bench/guests/empty_main');
for (const f of [trivial, emptyMain]) sh(bin.compono, ['compile', '--cache-dir', cacheDir, f]);
const startup = [
  { label: 'native `main(){return 0;}` (gcc -O2)', cmd: [emptyNative] },
  { label: '`compono run --tier aot` trivial.wasm (no imports, cached)', cmd: [bin.compono, 'run', '--tier', 'aot', '--cache-dir', cacheDir, trivial], goal: true },
  { label: '`compono run --tier aot` empty_main.wasm (wasi-libc, cached)', cmd: [bin.compono, 'run', '--tier', 'aot', '--cache-dir', cacheDir, emptyMain], goal: true },
  { label: '`compono run --tier auto` empty_main.wasm (cached)', cmd: [bin.compono, 'run', '--cache-dir', cacheDir, emptyMain] },
  { label: '`compono run --tier interp` trivial.wasm', cmd: [bin.compono, 'run', '--tier', 'interp', '--cache-dir', cacheDir, trivial] },
  { label: '`compono run --tier interp` empty_main.wasm', cmd: [bin.compono, 'run', '--tier', 'interp', '--cache-dir', cacheDir, emptyMain] },
  { label: '`compono --version` (process start, no module)', cmd: [bin.compono, '--version'] },
  { label: 'node + node:wasi empty_main.wasm', cmd: [bin.node, '--no-warnings', bin.runner, emptyMain] },
];
const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const startupRows = [];
for (const s of startup) {
  const json = path.join(work, 'hyperfine.json');
  const r = spawnSync('hyperfine', ['-N', '--warmup', '10', '--runs', quick ? '20' : '100', '--export-json', json, s.cmd.map(quote).join(' ')],
    { encoding: 'utf8' });
  if (r.status !== 0) fail(`hyperfine ${s.label}: ${r.stderr}`);
  const h = JSON.parse(fs.readFileSync(json, 'utf8')).results[0];
  if (h.exit_codes.some((c) => c !== 0)) fail(`${s.label}: non-zero exit`);
  const rss = measure(s.cmd, s.label).maxrssKiB;
  startupRows.push({ ...s, median: h.median, mean: h.mean, stddev: h.stddev, min: h.min, rss });
  log(`start-up ${s.label}: median ${(h.median * 1e3).toFixed(2)} ms`);
}
noteLoad('after start-up');

// ---- 4. in-process instantiation (Google Benchmark) ---------------------------------------------

const gbJson = path.join(work, 'instantiate.json');
{
  const args = [`--cache-dir=${cacheDir}`, `--module=${trivial}`, `--module=${emptyMain}`, `--module=${workloads[0].wasm}`,
    `--benchmark_repetitions=${quick ? 2 : 5}`, '--benchmark_report_aggregates_only=true', '--benchmark_min_time=0.2',
    `--benchmark_out=${gbJson}`, '--benchmark_out_format=json'];
  log(`instantiate_bench ${args.join(' ')}`);
  const r = spawnSync(bin.instantiate, args, { encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) fail('instantiate_bench failed');
}
const gb = JSON.parse(fs.readFileSync(gbJson, 'utf8'));
const inproc = gb.benchmarks.filter((b) => b.aggregate_name === 'median').map((b) => {
  const stddev = gb.benchmarks.find((x) => x.run_name === b.run_name && x.aggregate_name === 'stddev');
  const toUs = { ns: 1e-3, us: 1, ms: 1e3, s: 1e6 }[b.time_unit];
  return { name: b.run_name, us: b.real_time * toUs, sd: stddev ? stddev.real_time * toUs : 0 };
});
// The large row is kept in bench/large-module.json, so that a default run can
// still show the last measurement (labelled with its date and load).
const largeJson = path.join(here, 'large-module.json');
for (const m of compileModules) {
  if (!m.large) continue;
  log(`compiling ${m.label}: this takes many minutes`);
  const before = loadavg()[0];
  compileRow(m);
  fs.writeFileSync(largeJson, JSON.stringify({
    measured: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC', commit: machine.commit,
    load: `${before} before, ${loadavg()[0]} after the compile`, row: compileRows[compileRows.length - 1],
  }, null, 2) + '\n');
}
if (!large && fs.existsSync(largeJson)) {
  const j = JSON.parse(fs.readFileSync(largeJson, 'utf8'));
  compileRows.push({ ...j.row, label: `${j.row.label.replace(/; BENCH_LARGE=1/, '')} — **not this run**: the last ` +
    `\`BENCH_LARGE=1\` run, ${j.measured}, commit ${j.commit}, load ${j.load}` });
}
const endLoad = noteLoad('end');

// ---- report ------------------------------------------------------------------------------------

const fmtS = (s) => (s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(2));
const fmtX = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) + 'x';
const kib = (b) => (b >= 10 * 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : `${(b / 1024).toFixed(1)} KiB`);
const med = (k, f = 'wall') => median(cells[k].map((c) => c[f]));
const spread = (k) => {
  const xs = cells[k].map((c) => c.wall);
  return `${fmtS(Math.min(...xs))}–${fmtS(Math.max(...xs))}`;
};

const ratios = { aot: [], interp: [], node: [], aotVsNode: [] };
const wlRows = workloads.map((w) => {
  const nat = med(`${w.name}:native`);
  const row = { w, nat };
  for (const e of ['aot', 'interp', 'node']) {
    row[e] = med(`${w.name}:${e}`);
    ratios[e].push(row[e] / nat);
  }
  ratios.aotVsNode.push(row.aot / row.node);
  return row;
});
const g = Object.fromEntries(Object.entries(ratios).map(([k, v]) => [k, geomean(v)]));
const trivialRun = startupRows.find((s) => s.label.includes('aot` trivial'));
const emptyRun = startupRows.find((s) => s.label.includes('aot` empty_main'));
const us = (n) => (inproc.find((b) => b.name === n) || { us: NaN }).us;
const instTrivial = us('instantiate/aot/trivial.wasm');
const instEmpty = us('instantiate/aot/empty_main.wasm');
const instFib = us('instantiate/aot/fib.wasm');
const met = (ok) => (ok ? '**met**' : '**not met**');
const maxLoad = Math.max(...loads.map((x) => x.l[0]));

const L = [];
L.push('# Benchmark results', '');
if (quick) L.push('> **BENCH_QUICK=1: a smoke test of the script with 1/20 of the work and 2 rounds. Not results.**', '');
L.push(`Written by \`bench/bench.mjs\` on ${started.toISOString().replace('T', ' ').slice(0, 16)} UTC ` +
  `(took ${((Date.now() - started.getTime()) / 60000).toFixed(1)} min). Command: \`${process.env.BENCH_COMMAND || `node bench/bench.mjs ${build}`}\`` +
  `${large ? ' with `BENCH_LARGE=1`' : ''}.`, '');
L.push('## Machine', '');
L.push('| | |', '|---|---|');
L.push(`| CPU | ${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB |`);
L.push(`| kernel | ${machine.kernel} |`);
L.push(`| native baseline | ${machine.gcc}, \`gcc -O2\` |`);
L.push(`| AOT tier's C compiler | ${machine.cc} (\`$CC\`, default \`cc\`), \`-O2\` |`);
L.push(`| guest compiler | ${machine.clang}, \`--target=wasm32-wasi -O2\` |`);
L.push(`| peer | node ${machine.node} (V8), \`node:wasi\` preview1 via \`bench/node_wasi_run.mjs\` |`);
L.push(`| wabt (interp tier, wasm2c) | ${machine.wabt} |`);
L.push(`| compono | ${machine.compono}, commit ${machine.commit}, ${machine.buildType} build |`);
L.push(`| load average (1 min) | ${startLoad[0]} at start, ${endLoad[0]} at end, ${maxLoad} at most between phases (2 cores: anything above ~0.5 means someone else was using the machine) |`);
L.push('');
L.push('## Headline against the goals', '');
L.push('| goal | measured | |', '|---|---|---|');
L.push(`| AOT geomean <= 1.05x native gcc -O2 | ${fmtX(g.aot)} | ${met(g.aot <= 1.05)} |`);
L.push(`| AOT geomean <= 0.7x node/V8, same run | ${fmtX(g.aotVsNode)} | ${met(g.aotVsNode <= 0.7)} |`);
L.push(`| \`compono run\` of a cached trivial module < 5 ms whole-process | ${(trivialRun.median * 1e3).toFixed(2)} ms (no imports), ${(emptyRun.median * 1e3).toFixed(2)} ms (wasi-libc \`main(){}\`) | ${met(trivialRun.median < 0.005)} / ${met(emptyRun.median < 0.005)} |`);
L.push(`| in-process instantiate of a cached module < 20 us | ${instTrivial.toFixed(1)} us (trivial), ${instEmpty.toFixed(1)} us (empty_main), ${instFib.toFixed(1)} us (fib) | ${met(instTrivial < 20)} / ${met(instEmpty < 20)} / ${met(instFib < 20)} |`);
L.push('');
L.push('## Workloads', '');
L.push(`Whole-process wall time, median of ${rounds} runs per cell; each round runs every workload on every engine in turn ` +
  '(native, aot, interp, node), so load from elsewhere hits all engines alike. Every run\'s output was checked against the native ' +
  'build\'s at the same argument. Ratios are to native (lower is better).', '');
L.push('| workload (arg) | native gcc -O2 | compono aot | compono interp ¹ | node/V8 | aot / node |', '|---|---|---|---|---|---|');
for (const r of wlRows) {
  const n = r.w.name;
  L.push(`| ${n} (${r.w.arg}) | ${fmtS(r.nat)} s | ${fmtS(r.aot)} s (${fmtX(r.aot / r.nat)}) | ` +
    `${fmtS(r.interp)} s (${fmtX(r.interp / r.nat)}) at 1/${r.w.interpScale} | ${fmtS(r.node)} s (${fmtX(r.node / r.nat)}) | ${fmtX(r.aot / r.node)} |`);
}
L.push(`| **geomean** | 1x | **${fmtX(g.aot)}** | **${fmtX(g.interp)}** | **${fmtX(g.node)}** | **${fmtX(g.aotVsNode)}** |`);
{
  // The same from user+system CPU time, which load from other processes disturbs less than wall time.
  const cpu = (e) => geomean(workloads.map((w) => med(`${w.name}:${e}`, 'cpu') / med(`${w.name}:native`, 'cpu')));
  const aotNodeCpu = geomean(workloads.map((w) => med(`${w.name}:aot`, 'cpu') / med(`${w.name}:node`, 'cpu')));
  L.push(`| geomean of CPU time (user+sys) | 1x | ${fmtX(cpu('aot'))} | ${fmtX(cpu('interp'))} | ${fmtX(cpu('node'))} | ${fmtX(aotNodeCpu)} |`);
}
L.push('');
L.push('¹ The interpreter runs 1/N of the work (the "at 1/N" column: arg / N) and once with arg 0 (start-up and set-up only, such as ' +
  'sha256\'s 1 MiB buffer fill); its full-run time is reported as T(0) + N x (T(arg/N) − T(0)). Both runs are checked against native.', '');
L.push('Spread (min–max wall seconds over the runs), CPU time and peak memory (median):', '');
L.push('| workload | engine | min–max s | CPU s | peak RSS |', '|---|---|---|---|---|');
for (const w of workloads) {
  for (const e of engines) {
    const k = `${w.name}:${e.key}`;
    L.push(`| ${w.name} | ${e.label}${e.key === 'interp' ? ' (scaled)' : ''} | ${spread(k)} | ${fmtS(med(k, 'cpu'))} | ${(med(k, 'rss') / 1024).toFixed(1)} MiB |`);
  }
}
L.push('');
L.push('## Native compile time and memory per module size', '');
L.push('`compono compile --json` into an empty cache: wasm2c (in-process, as one child) then `cc -O2` on the C split into translation units, ' +
  `at most ${machine.cores} at a time, then one link. Median of the runs shown. "per KiB" divides by the whole file (these wasi-libc ` +
  'modules are ~80% DWARF custom sections, which the compiler skips) and by the code section.', '');
L.push('| module | wasm (code section) | generated C | units | compile s | s per KiB wasm | s per KiB code | peak compiler RSS | peak RSS, whole `compono compile` | runs | cache hit ² |',
  '|---|---|---|---|---|---|---|---|---|---|---|');
for (const c of compileRows) {
  L.push(`| ${c.label} | ${kib(c.wasmBytes)} (${kib(c.codeBytes)}) | ${kib(c.cBytes)} | ${c.units} | ${fmtS(c.seconds)} | ` +
    `${(c.seconds / (c.wasmBytes / 1024) * 1e3).toFixed(1)} ms | ${(c.seconds / (c.codeBytes / 1024) * 1e3).toFixed(1)} ms | ` +
    `${(c.peakRssKiB / 1024).toFixed(0)} MiB | ${(c.processRssKiB / 1024).toFixed(0)} MiB | ${c.reps} | ${(c.hit * 1e3).toFixed(1)} ms |`);
}
L.push('', '² Whole-process wall time of `compono compile` when the artifact is already cached (median of 3): read, decode and validate ' +
  'the module, derive the cache key, find and verify the artifact. A cached `compono run` pays this plus `dlopen` and instantiation.');
if (!large) L.push('', 'The 12 MiB core module of `../shared/fixtures/components/calc-js.wasm` (the first core-module section, extracted by ' +
  '`bench/extract_core`) is left out by default: its native compile takes minutes and GBs. Run `BENCH_LARGE=1 make bench` for that row.');
L.push('');
L.push('## Whole-process start-up', '');
L.push(`hyperfine ${machine.hyperfine.replace('hyperfine ', '')}, \`-N\` (no shell), 10 warm-up runs, ${quick ? 20 : 100} timed runs; ` +
  'the native artifacts were already in the cache. Peak RSS from one extra run.', '');
L.push('| command | median | mean ± sd | min | peak RSS |', '|---|---|---|---|---|');
for (const s of startupRows) {
  L.push(`| ${s.label} | ${(s.median * 1e3).toFixed(2)} ms | ${(s.mean * 1e3).toFixed(2)} ± ${(s.stddev * 1e3).toFixed(2)} ms | ` +
    `${(s.min * 1e3).toFixed(2)} ms | ${(s.rss / 1024).toFixed(1)} MiB |`);
}
L.push('');
L.push('## In-process instantiation (Google Benchmark, `bench/instantiate_bench.cpp`)', '');
L.push('Median of 5 repetitions. `instantiate`: new Store + `Linker::instantiate` of a loaded module whose native code is already ' +
  'loaded + Store teardown (WASI functions already in the Linker). `instantiate_with_wasi`: the same plus a new `WasiCtx` and ' +
  'Linker (a per-request sandbox). `cold_instantiate`: new Engine + decode + first instantiation, i.e. disk-cache lookup and ' +
  '`dlopen` (what a fresh process pays, minus process start). `decode`: `Module::fromBinary` (decode, validate, SHA-256). ' +
  '`call_nop`: one call of an export that does nothing.', '');
L.push('| benchmark | median | stddev |', '|---|---|---|');
for (const b of inproc) L.push(`| ${b.name} | ${b.us >= 100 ? b.us.toFixed(0) : b.us.toFixed(2)} us | ${b.sd.toFixed(2)} us |`);
L.push('');
L.push('## Reproduce', '');
L.push('```sh', 'make bench                      # or: make bench BUILD=build-bench', 'BENCH_LARGE=1 make bench        # adds the 12 MiB calc-js core module to the compile table', '```', '');
L.push('Load average (1 min) through the run: ' + loads.map((x) => `${x.when} ${x.l[0]}`).join(', ') + '.');
fs.writeFileSync(outPath, L.join('\n') + '\n');
log(`wrote ${outPath}`);
log(`AOT ${fmtX(g.aot)} native, ${fmtX(g.aotVsNode)} node; trivial run ${(trivialRun.median * 1e3).toFixed(2)} ms; instantiate ${instTrivial.toFixed(1)} us`);
