"""`link.trim` and `ldwrap fixup --shrink` on real ELF files from each linker, and
LDWRAP_SHRINK in the shim: a library --as-needed left out loses the directory ldwrap added."""
