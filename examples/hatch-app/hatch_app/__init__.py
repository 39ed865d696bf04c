"""A host for the calculator component in calc.wat, through bindings that
witgen generates into calc_bindings/ when this project is built."""
