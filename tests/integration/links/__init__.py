"""Real links through the shim with the real compilers and linkers: programs linked against
libraries in a store-like prefix start without LD_LIBRARY_PATH and the same link without
ldwrap fails; GNU ld scripts as libraries; response files as each linker reads them; the shim
as a process in front of the real lld; 64 links at once."""
