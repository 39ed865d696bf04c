;; Resources for the value layer's tests and benchmark.
;; Host-defined: `ns:pkg/r` imports resource `bowl`, a method and a factory.
;; Guest-defined: `counter` (rep = the value it was made with).
(component
  (import "ns:pkg/r" (instance $h
    (export "bowl" (type $b (sub resource)))
    (export "[method]bowl.weigh" (func (param "self" (borrow $b)) (result u32)))
    (export "make-bowl" (func (param "n" u32) (result (own $b))))
  ))
  (alias export $h "bowl" (type $bowl))
  (core func $weigh (canon lower (func $h "[method]bowl.weigh")))
  (core func $mk (canon lower (func $h "make-bowl")))
  (core func $bdrop (canon resource.drop $bowl))
  (type $counter (resource (rep i32)))
  (core func $cnew (canon resource.new $counter))
  (core module $m
    (import "" "weigh" (func $weigh (param i32) (result i32)))
    (import "" "mk" (func $mk (param i32) (result i32)))
    (import "" "bdrop" (func $bdrop (param i32)))
    (import "" "cnew" (func $cnew (param i32) (result i32)))
    (func (export "peek") (param i32) (result i32) (local $r i32)
      local.get 0 call $weigh local.set $r local.get 0 call $bdrop local.get $r)
    (func (export "make") (param i32) (result i32) local.get 0 call $mk)
    (func (export "ctor") (param i32) (result i32) local.get 0 call $cnew)
    (func (export "get") (param i32) (result i32) local.get 0))
  (core instance $i (instantiate $m (with "" (instance
     (export "weigh" (func $weigh)) (export "mk" (func $mk)) (export "bdrop" (func $bdrop))
     (export "cnew" (func $cnew))))))
  (export $ce "counter" (type $counter))
  (alias core export $i "peek" (core func $peek))
  (alias core export $i "make" (core func $make))
  (alias core export $i "ctor" (core func $ctor))
  (alias core export $i "get" (core func $get))
  (func (export "peek") (param "b" (borrow $bowl)) (result u32) (canon lift (core func $peek)))
  (func (export "make") (param "n" u32) (result (own $bowl)) (canon lift (core func $make)))
  (func (export "new-counter") (param "n" u32) (result (own $ce)) (canon lift (core func $ctor)))
  (func (export "counter-get") (param "self" (borrow $ce)) (result u32) (canon lift (core func $get)))
)
