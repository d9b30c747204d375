// Runs a WASI preview 1 command under node's own WASI and V8:
//   node node_wasi_run.mjs FILE.wasm [ARGS...]
// The exit status is the guest's. Nothing is granted but argv and stdio.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
