"""The command line against the real linkers and compilers: `dry-run` prints exactly what the
shim runs, `demo` compiles and links, and `ldwrap install DIR` first on PATH makes plain gcc
and clang link through ldwrap."""
