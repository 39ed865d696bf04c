from .plugin import engine, guest, wasi_linker, wasi_store  # noqa: F401
