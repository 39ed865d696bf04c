"""Guest components for witgen's end-to-end tests; see build.py."""
