"""ldwrap: a linker shim that writes the rpath a binary needs to find its libraries."""

__version__ = "0.1.0"
