// Writes a synthetic C program with FUNCS functions of mixed integer,
// floating-point, memory and call code, for measuring native compile time
// and memory against module size (not a speed workload: it runs briefly).
//   node gen_synthetic.mjs FUNCS > synthetic.c
// Deterministic: the same FUNCS always gives the same program.
const funcs = Number(process.argv[2] || 1000);
let seed = 12345;
const rand = (n) => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return (seed >>> 8) % n;
};
const out = [];
out.push('#include <stdint.h>', '#include <stdio.h>', '#include <math.h>', '',
  'static uint32_t mem[4096];', 'static double fmem[512];', '');
for (let i = 0; i < funcs; i++) {
  const body = [];
  body.push(`  uint32_t a = x ^ ${rand(1 << 30)}u, b = x * ${rand(1 << 20) | 1}u;`);
  body.push(`  double d = (double)(x & 1023) * ${(rand(1000) + 1) / 7};`);
  const stmts = 6 + rand(10);
  for (let s = 0; s < stmts; s++) {
    switch (rand(7)) {
      case 0: body.push(`  for (uint32_t k = 0; k < (x & 15u) + ${rand(8) + 1}u; k++) a += mem[(a + k * ${rand(97) + 1}u) & 4095u] ^ (b >> (k & 7u));`); break;
      case 1: body.push(`  if ((a ^ b) & ${1 << rand(16)}u) { b = (b << ${rand(31) + 1}) | (b >> ${rand(31) + 1}); } else { a -= b * ${rand(1000) + 3}u; }`); break;
      case 2: body.push(`  d = d * ${(rand(100) + 1) / 13} + sqrt(fabs(d) + ${rand(50) + 1}.0); fmem[a & 511u] += d;`); break;
      case 3: body.push(`  mem[b & 4095u] = a + (uint32_t)d; a = a / ((b & 255u) + 1u) + mem[(a >> 3) & 4095u];`); break;
      case 4: if (i > 0) { body.push(`  a += f${rand(i)}(a ^ ${rand(1 << 16)}u, depth + 1);`); break; } // fallthrough
      case 5: body.push(`  switch (a & 7u) { case 0: b += 3; break; case 1: b ^= a; break; case 2: b = ~b; break; case 3: b -= a >> 2; break; default: b += ${rand(1 << 12)}u; }`); break;
      default: body.push(`  { uint64_t w = (uint64_t)a * b + ${rand(1 << 30)}ull; a = (uint32_t)(w >> 17) ^ (uint32_t)w; }`); break;
    }
  }
  body.push('  return a + b + (uint32_t)d;');
  out.push(`__attribute__((noinline)) uint32_t f${i}(uint32_t x, int depth) {`,
    '  if (depth > 3) return x * 2654435761u;', ...body, '}', '');
}
out.push('int main(void) {', '  uint32_t sum = 0;',
  `  for (uint32_t i = 0; i < ${funcs}; i++) sum += i;`);
// Reference every function so none is dropped.
out.push('  uint32_t (*const table[])(uint32_t, int) = {');
for (let i = 0; i < funcs; i += 16) {
  out.push('    ' + Array.from({ length: Math.min(16, funcs - i) }, (_, k) => `f${i + k}`).join(', ') + ',');
}
out.push('  };', `  for (uint32_t i = 0; i < ${funcs}; i++) sum += table[i](sum, 0);`,
  '  printf("synthetic funcs=%u checksum=%u\\n", ' + `${funcs}u, sum);`, '  return 0;', '}');
process.stdout.write(out.join('\n') + '\n');
