;; A hand-written guest for tests/e2e/test_names.py, in component-model
;; text: world `names:all/all` (names.wit), whose names are the ones the
;; generated code introduces itself. Each export folds its u32 arguments into
;; decimal digits (1, 2, 3 -> 123), so a call shows which argument went where;
;; the world-level exports call the imports. No WASI imports.
(component
  (import "names:all/linker" (instance $linker
    (export "get" (func (param "h" u32) (param "self" u32) (param "host" u32) (param "name" u32)
      (param "get" u32) (param "root" u32) (param "instance" u32) (result u32)))))
  (import "names:all/add-imports-to-linker" (instance $aitl (export "f" (func (result u32)))))
  (import "wasi" (instance $wasi (export "f" (func (result u32)))))
  (import "imports" (instance $imports (export "f" (func (result u32)))))
  (import "self" (func $self (param "store" u32) (result u32)))
  (core func $get (canon lower (func $linker "get")))
  (core func $aitl_f (canon lower (func $aitl "f")))
  (core func $wasi_f (canon lower (func $wasi "f")))
  (core func $imports_f (canon lower (func $imports "f")))
  (core func $self_f (canon lower (func $self)))
  (core module $m
    (import "" "get" (func $get (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
    (import "" "aitl" (func $aitl (result i32)))
    (import "" "wasi" (func $wasi (result i32)))
    (import "" "imports" (func $imports (result i32)))
    (import "" "self" (func $self (param i32) (result i32)))
    (func $d (param i32 i32) (result i32) local.get 0 i32.const 10 i32.mul local.get 1 i32.add)
    (func (export "instance") (result i32)
      (call $get (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5) (i32.const 6) (i32.const 7)))
    (func (export "instantiate") (result i32)
      (call $d (call $d (call $aitl) (call $wasi)) (call $imports)))
    (func (export "add-to-linker") (result i32) (call $self (i32.const 7)))
    (func (export "two") (param i32 i32) (result i32) (call $d (local.get 0) (local.get 1)))
    (func (export "four") (param i32 i32 i32 i32) (result i32)
      (call $d (call $d (call $d (local.get 0) (local.get 1)) (local.get 2)) (local.get 3)))
    (func (export "seven") (param i32 i32 i32 i32 i32 i32 i32) (result i32)
      (call $d (call $d (call $d (call $d (call $d (call $d (local.get 0) (local.get 1)) (local.get 2))
        (local.get 3)) (local.get 4)) (local.get 5)) (local.get 6)))
  )
  (core instance $i (instantiate $m (with "" (instance
    (export "get" (func $get)) (export "aitl" (func $aitl_f)) (export "wasi" (func $wasi_f))
    (export "imports" (func $imports_f)) (export "self" (func $self_f))))))

  (func (export "instance") (result u32) (canon lift (core func $i "instance")))
  (func (export "instantiate") (result u32) (canon lift (core func $i "instantiate")))
  (func (export "add-to-linker") (result u32) (canon lift (core func $i "add-to-linker")))
  (func (export "linker") (param "store" u32) (param "self" u32) (result u32) (canon lift (core func $i "two")))
  (func (export "result") (param "result" u32) (param "cls" u32) (result u32) (canon lift (core func $i "two")))

  ;; The exported interface, its types exported alongside its functions.
  (type $store (record (field "self" u32) (field "cls" u32) (field "type" u32) (field "value" u32)
    (field "name" u32) (field "from" u32)))
  (type $any (enum "name" "value" "none" "true"))
  (component $iface
    (import "store" (type $store' (eq $store)))
    (import "any" (type $any' (eq $any)))
    (import "instantiate" (func $instantiate (param "self" u32) (param "store" u32) (param "h" u32)
      (param "cls" u32) (param "result" u32) (param "instance" u32) (param "name" u32) (result u32)))
    (import "instance" (func $instance (param "list" u32) (param "type" u32) (param "from" u32)
      (param "match" u32) (result u32)))
    (import "add" (func $add (param "s" $store') (param "a" $any') (result u32)))
    (export $s "store" (type $store'))
    (export $a "any" (type $any'))
    (export "instantiate" (func $instantiate))
    (export "instance" (func $instance))
    (export "add" (func $add) (func (param "s" $s) (param "a" $a) (result u32)))
  )
  (func $instantiate (param "self" u32) (param "store" u32) (param "h" u32) (param "cls" u32)
    (param "result" u32) (param "instance" u32) (param "name" u32) (result u32) (canon lift (core func $i "seven")))
  (func $instance (param "list" u32) (param "type" u32) (param "from" u32) (param "match" u32) (result u32)
    (canon lift (core func $i "four")))
  ;; add(s, a): the record's six fields and the enum's index, seven digits.
  (func $add (param "s" $store) (param "a" $any) (result u32) (canon lift (core func $i "seven")))
  (instance $exported (instantiate $iface
    (with "store" (type $store)) (with "any" (type $any))
    (with "instantiate" (func $instantiate)) (with "instance" (func $instance)) (with "add" (func $add))))
  (export "names:all/instance" (instance $exported))
)
