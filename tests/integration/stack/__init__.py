"""The real stack: Debian 12's upstream sources of about twenty libraries (zlib, xz, lz4,
zstd, brotli, libpng, expat, libxml2, freetype, fontconfig, sqlite, pcre2, json-c, snappy,
openssl, curl), each built with its own build system into a prefix of its own in a
Nix-style store, every link through ldwrap's drop-ins with LDWRAP_SHRINK=1, in the three
modes (default, LDWRAP_RPATH_PREFIXES, NIX_STORE); our C, C++, Rust and Python consumers on
top. Every program runs for real with the system's copies of the stack hidden, every
installed ELF file is audited (unresolved libraries, useless, doubled and empty entries,
build directories), the same packages built without ldwrap fail to start, and an aarch64
subset runs under qemu."""
