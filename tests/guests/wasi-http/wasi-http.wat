;; A hand-written guest that needs a store's WASI configuration: it imports
;; `wasi:http/types` (a `fields` resource) and `wasi:clocks/monotonic-clock`.
;; In a store without `set_wasi` / `set_wasi_http`, wasmtime 49's C API panics
;; when either is called and the process aborts.
(component
  (import "wasi:http/types@0.2.0" (instance $h
    (export "fields" (type $f (sub resource)))
    (export "[constructor]fields" (func (result (own $f))))
  ))
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance $c
    (export "now" (func (result u64)))
  ))
  (alias export $h "fields" (type $fields))
  (core func $new (canon lower (func $h "[constructor]fields")))
  (core func $drop (canon resource.drop $fields))
  (core func $now (canon lower (func $c "now")))
  (core module $m
    (import "" "new" (func $new (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "now" (func $now (result i64)))
    ;; Makes an empty `fields` and drops it; returns 1.
    (func (export "fields") (result i32) (local $f i32)
      call $new local.set $f local.get $f call $drop i32.const 1)
    (func (export "now") (result i64) call $now)
  )
  (core instance $i (instantiate $m (with "" (instance
     (export "new" (func $new)) (export "drop" (func $drop)) (export "now" (func $now))))))
  (func (export "fields") (result u32) (canon lift (core func $i "fields")))
  (func (export "now") (result u64) (canon lift (core func $i "now")))
)
