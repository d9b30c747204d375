;; The smallest useful WASI command: one page of memory, a _start that
;; returns at once, and a `nop` export for call-overhead measurements.
;; No imports: what remains is the engine's own cost.
(module
  (memory (export "memory") 1)
  (func (export "_start"))
  (func (export "nop")))
