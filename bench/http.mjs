// HTTP benchmark of `compono serve` (issue 5): wrk at 64 connections against
// examples/http-hello-c served by Compono and, in the same run, against a
// node `http` hello server; plus the cold start (a fresh instance for one
// request) from Compono's access log. Writes (or replaces) the "HTTP
// serving" section of bench/RESULTS.md between the http markers.
//   node bench/http.mjs BUILD
// Environment: BENCH_HTTP_SECONDS (default 10) per wrk run, BENCH_HTTP_ROUNDS
// (default 3: alternating compono, node), BENCH_OUT (the report path).
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const build = path.resolve(process.argv[2] || 'build');
const seconds = Number(process.env.BENCH_HTTP_SECONDS || 10);
const rounds = Number(process.env.BENCH_HTTP_ROUNDS || 3);
const outPath = process.env.BENCH_OUT || path.join(here, 'RESULTS.md');
const compono = path.join(build, 'src/cli/compono');
const hello = path.join(build, 'examples/http-hello.wasm');
const connections = 64;

function fail(msg) {
  console.error(`bench http: ${msg}`);
  process.exit(1);
}
const log = (msg) => console.error(`bench http: ${msg}`);
for (const [f, what] of [[compono, 'the compono binary'], [hello, 'examples/http-hello.wasm']]) {
  if (!fs.existsSync(f)) fail(`${what} is missing (${f}); build first`);
}
try { execFileSync('wrk', ['--version'], { stdio: 'ignore' }); } catch (e) {
  if (e.code === 'ENOENT') fail('wrk is needed (apt-get install wrk)');
}

// Starts `compono serve`; resolves with {proc, port, stderr()}.
function startCompono(extra = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(compono, ['serve', hello, '--listen', '127.0.0.1:0', '--tier', 'aot',
      '--threads', '2', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /on http:\/\/([^/]+)\//.exec(err);
      if (m && !proc.port) {
        proc.port = Number(m[1].split(':').pop());
        resolve({ proc, port: proc.port, stderr: () => err });
      }
    });
    proc.on('exit', (code) => { if (!proc.port) reject(new Error(`compono serve exited ${code}: ${err}`)); });
  });
}

function stop(proc) {
  return new Promise((resolve) => { proc.on('exit', (code) => resolve(code)); proc.kill('SIGTERM'); });
}

// The node peer: a `http` hello server in a child process (its own core).
function startNode() {
  const src = `const http = require('node:http');
const s = http.createServer((req, res) => { res.writeHead(200, {'content-type': 'text/plain'}); res.end('Hello from node!\\n'); });
s.keepAliveTimeout = 30000;
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['-e', src], { stdio: ['ignore', 'pipe', 'inherit'] });
    proc.stdout.once('data', (d) => resolve({ proc, port: Number(String(d).trim()) }));
    proc.on('error', reject);
  });
}

function get(port, p = '/') {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

// wrk -c64; returns {rps, p99ms, p50ms, errors}.
function wrk(port) {
  const out = execFileSync('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency',
    `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  const unit = (v, u) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[u]);
  const p = (q) => { const m = new RegExp(`\\s${q}%\\s+([\\d.]+)(us|ms|s)`).exec(out); return m ? unit(m[1], m[2]) : NaN; };
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const sockErr = /Socket errors:.*/.exec(out);
  return { rps, p50ms: p(50), p99ms: p(99), errors: (non2xx ? Number(non2xx[1]) : 0), socket: sockErr ? sockErr[0] : '', raw: out };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const load = () => os.loadavg()[0].toFixed(2);

const started = new Date();
const loadStart = load();
log(`compono serve (aot tier) and node http, wrk -c${connections} ${seconds}s x ${rounds} rounds`);

// Warm the AOT cache once (compiling is not serving).
{
  const c = await startCompono(['--quiet']);
  const r = await get(c.port);
  if (r.status !== 200 || !/Hello/.test(r.body)) fail(`unexpected answer from compono: ${r.status} ${r.body}`);
  await stop(c.proc);
}

// Cold start: the access log's inst_us is the time to make a fresh instance
// (new Store, link, instantiate the core modules) for one request.
const instUs = [];
const totalUs = [];
{
  const c = await startCompono();
  for (let i = 0; i < 200; i++) await get(c.port);
  await stop(c.proc);
  for (const m of c.stderr().matchAll(/total_us=(\d+) inst_us=(\d+)/g)) {
    totalUs.push(Number(m[1]));
    instUs.push(Number(m[2]));
  }
  if (instUs.length < 200) fail(`expected 200 access log lines, got ${instUs.length}`);
}

const results = { compono: [], node: [] };
for (let r = 0; r < rounds; r++) {
  const c = await startCompono(['--quiet']);
  results.compono.push(wrk(c.port));
  const code = await stop(c.proc);
  if (code !== 0) fail(`compono serve exited ${code} after SIGTERM`);
  const n = await startNode();
  results.node.push(wrk(n.port));
  n.proc.kill();
  log(`round ${r + 1}: compono ${results.compono.at(-1).rps.toFixed(0)} req/s p99 ${results.compono.at(-1).p99ms} ms; ` +
      `node ${results.node.at(-1).rps.toFixed(0)} req/s p99 ${results.node.at(-1).p99ms} ms`);
}
for (const [k, rs] of Object.entries(results)) {
  for (const x of rs) if (x.errors || x.socket) log(`${k}: ${x.errors} non-2xx; ${x.socket}`);
}

const med = (k, f) => median(results[k].map((x) => x[f]));
const cRps = med('compono', 'rps'), nRps = med('node', 'rps');
const cP99 = med('compono', 'p99ms'), nP99 = med('node', 'p99ms');
const cold = median(instUs) / 1000;
const yes = (b) => (b ? '**met**' : '**not met**');
let commit = '';
try { commit = execFileSync('git', ['-C', root, 'rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }

const L = [];
L.push('<!-- http:begin (written by bench/http.mjs) -->', '## HTTP serving (`compono serve`)', '');
L.push(`Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC by \`bench/http.mjs\` (\`BENCH_ONLY=http make bench\` runs only this part), ` +
  `commit ${commit}. wrk 4.1 (\`-t2 -c${connections} -d${seconds}s --latency\`) on loopback, ${rounds} rounds alternating the two servers, median per cell. ` +
  `Compono serves \`examples/http-hello-c\` (C, \`compono bindgen c\` + clang + \`compono componentize\`) on the aot tier with 2 worker threads, ` +
  `a fresh instance per request, the access log off (\`--quiet\`); node ${process.version} serves the same hello text with \`http.createServer\` ` +
  `(one thread). wrk itself shares the 2 cores with the server. Load average (1 min): ${loadStart} at start, ${load()} at end.`, '');
L.push('| goal | measured | |', '|---|---|---|');
L.push(`| requests/s >= node's, same run | ${cRps.toFixed(0)} vs ${nRps.toFixed(0)} (${(cRps / nRps).toFixed(2)}x) | ${yes(cRps >= nRps)} |`);
L.push(`| p99 latency < 5 ms at 64 connections | ${cP99.toFixed(2)} ms (node ${nP99.toFixed(2)} ms) | ${yes(cP99 < 5)} |`);
L.push(`| cold start (fresh instance for one request) < 0.5 ms | ${cold.toFixed(3)} ms median of ${instUs.length} (p90 ${(instUs.sort((a, b) => a - b)[Math.floor(instUs.length * 0.9)] / 1000).toFixed(3)} ms) | ${yes(cold < 0.5)} |`);
L.push('');
L.push('| round | compono req/s | compono p50 / p99 | node req/s | node p50 / p99 |', '|---|---|---|---|---|');
for (let r = 0; r < rounds; r++) {
  const c = results.compono[r], n = results.node[r];
  L.push(`| ${r + 1} | ${c.rps.toFixed(0)} | ${c.p50ms.toFixed(2)} / ${c.p99ms.toFixed(2)} ms | ${n.rps.toFixed(0)} | ${n.p50ms.toFixed(2)} / ${n.p99ms.toFixed(2)} ms |`);
}
L.push('');
L.push(`Cold start is the \`inst_us\` field of the access log: a new \`engine::Store\` and a new instance made from the worker ` +
  `thread's \`component::InstancePre\` (imports resolved and types evaluated once at start-up; the component's core modules, canon ` +
  `functions and handle tables made anew), for each of ${instUs.length} sequential requests (median whole-request handling time ` +
  `\`total_us\`: ${(median(totalUs) / 1000).toFixed(3)} ms). Where the rest of the time goes (perf, one worker): instantiation ` +
  `~35% (a third of it the engine instantiating the 3 core modules), the guest's handler ~23% (mostly lifting and lowering ` +
  `the ~10 wasi:http host calls it makes), the socket ~15%, dropping the Store ~5%.`);
L.push('<!-- http:end -->');
const section = L.join('\n');

let report = fs.existsSync(outPath) ? fs.readFileSync(outPath, 'utf8') : '# Benchmark results\n';
const re = /<!-- http:begin[\s\S]*?<!-- http:end -->/;
report = re.test(report) ? report.replace(re, section) : report.trimEnd() + '\n\n' + section + '\n';
fs.writeFileSync(outPath, report);
log(`wrote the HTTP section of ${outPath}`);
console.log(section);
