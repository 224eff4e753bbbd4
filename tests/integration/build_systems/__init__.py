"""Real builds with CMake, Meson, autotools with libtool, setuptools, cargo and make, against a
library in a prefix and in a fake Nix store, with bfd, lld and mold: the installed programs
start, keep exactly their directories, carry no build-tree directory or empty element, and
LDWRAP_SHRINK and `ldwrap fixup --shrink` leave no unneeded entry (helpers/ builds and
inspects the cases)."""
