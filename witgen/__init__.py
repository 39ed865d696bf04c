"""witgen: typed Python host bindings for WebAssembly components, from WIT."""

__version__ = "0.1.0"
