"""Cross links for real: the aarch64 cross gcc and binutils, clang --target, lld and mold,
target-prefixed drop-ins called without `-m`, the default mode for a cross target, and
`ldwrap doctor` on cross compilers; the programs run under qemu-user with the cross loader."""
