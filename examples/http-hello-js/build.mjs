// Builds the component with the componentize-js JS API (the jco CLI wrapper of
// jco 1.35.0 cannot read WIT paths without a preopen workaround, see
// ../shared/fixtures/components/README.md). Run from the npm project that holds
// node_modules (CMake copies this file there).
//   node build.mjs SOURCE.js WIT-DIR WORLD OUT.wasm
import { componentize } from '@bytecodealliance/componentize-js';
import { writeFile } from 'node:fs/promises';

const [sourcePath, witPath, worldName, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node build.mjs SOURCE.js WIT-DIR WORLD OUT.wasm');
  process.exit(2);
}
try {
  // All default features: stdio (console, uncaught errors to stderr), random,
  // clocks, http (the Request/Response classes) and fetch-event (the handler).
  const { component } = await componentize({ sourcePath, witPath, worldName });
  await writeFile(out, component);
  console.log(`componentize-js: ${out} (${component.length} bytes)`);
} catch (e) {
  console.error(`componentize-js: ${sourcePath}: ${String(e.message ?? e).split('\n').join(' ')}`);
  process.exit(1);
}
