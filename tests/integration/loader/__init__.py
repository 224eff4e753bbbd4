"""`ldwrap check` and LDWRAP_VERIFY against the real loader: every search rule, ld.so.cache
against `ldconfig -p`, `ldd` over the system's binaries, secure mode and root, cross
binaries, a system copy standing in for a missing library, and the check after a link."""
