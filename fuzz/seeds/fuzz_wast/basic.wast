(module (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 0x7fff_ffff))))
;; a comment
(; block (; nested ;) comment ;)
(assert_return (invoke "f" (i32.const -1)) (i32.const 0x7ffffffe))
(assert_return (invoke "g" (f32.const 0x1.fffffep127) (f64.const -nan:0x8000000000001)) (f32.const nan:canonical))
(module binary "\00asm" "\01\00\00\00")
(assert_malformed (module quote "(func (result i32) (i32.const 1)") "unexpected token")
