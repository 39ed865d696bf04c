;; A hand-written guest for host resources, in component-model text:
;; it imports `ns:pkg/r` with resource `bowl` (constructor, method, static
;; with two borrows) and exports functions that construct, borrow, drop and
;; pass bad handles, and take several bowls in one call. No WASI imports.
(component
  (import "ns:pkg/r" (instance $h
    (export "bowl" (type $b (sub resource)))
    (export "[constructor]bowl" (func (param "n" u32) (result (own $b))))
    (export "[method]bowl.weigh" (func (param "self" (borrow $b)) (result u32)))
    (export "[static]bowl.merge" (func (param "a" (borrow $b)) (param "b" (borrow $b)) (result (own $b))))
  ))
  (alias export $h "bowl" (type $bowl))
  (core func $ctor (canon lower (func $h "[constructor]bowl")))
  (core func $weigh (canon lower (func $h "[method]bowl.weigh")))
  (core func $merge (canon lower (func $h "[static]bowl.merge")))
  (core func $drop (canon resource.drop $bowl))
  (core module $m
    (import "" "ctor" (func $ctor (param i32) (result i32)))
    (import "" "weigh" (func $weigh (param i32) (result i32)))
    (import "" "merge" (func $merge (param i32 i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (func (export "run") (param i32) (result i32)
      (local $a i32) (local $b i32) (local $c i32) (local $r i32)
      local.get 0 call $ctor local.set $a
      i32.const 5 call $ctor local.set $b
      local.get $a local.get $b call $merge local.set $c
      local.get $c call $weigh local.set $r
      local.get $a call $drop
      local.get $b call $drop
      local.get $c call $drop
      local.get $r)
    (func (export "weigh_bad") (result i32) i32.const 99 call $weigh)
    (func (export "take") (param i32) (result i32) (local $r i32)
      local.get 0 call $weigh local.set $r local.get 0 call $drop local.get $r)
    (func (export "make") (param i32) (result i32) local.get 0 call $ctor)
    (func (export "peek") (param i32) (result i32) (local $r i32) local.get 0 call $weigh local.set $r local.get 0 call $drop local.get $r)
    ;; (own, u32): the weight plus n.
    (func (export "take2") (param i32 i32) (result i32) (local $r i32)
      local.get 0 call $weigh local.set $r local.get 0 call $drop local.get $r local.get 1 i32.add)
    ;; Two handles (any kinds): both weights added; drops both.
    (func (export "both") (param i32 i32) (result i32) (local $r i32)
      local.get 0 call $weigh local.get 1 call $weigh i32.add local.set $r
      local.get 0 call $drop local.get 1 call $drop local.get $r)
  )
  (core instance $i (instantiate $m (with "" (instance
     (export "ctor" (func $ctor)) (export "weigh" (func $weigh)) (export "merge" (func $merge)) (export "drop" (func $drop))))))
  (func (export "run") (param "n" u32) (result u32) (canon lift (core func $i "run")))
  (func (export "weigh-bad") (result u32) (canon lift (core func $i "weigh_bad")))
  (func (export "take") (param "b" (own $bowl)) (result u32) (canon lift (core func $i "take")))
  (func (export "make") (param "n" u32) (result (own $bowl)) (canon lift (core func $i "make")))
  (func (export "peek") (param "b" (borrow $bowl)) (result u32) (canon lift (core func $i "peek")))
  (func (export "take2") (param "b" (own $bowl)) (param "n" u32) (result u32) (canon lift (core func $i "take2")))
  (func (export "take-both") (param "a" (own $bowl)) (param "b" (own $bowl)) (result u32) (canon lift (core func $i "both")))
  (func (export "peek-take") (param "a" (borrow $bowl)) (param "b" (own $bowl)) (result u32) (canon lift (core func $i "both")))
)
