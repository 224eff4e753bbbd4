"""What nixpkgs' ld-wrapper does, through real links: the flags ldwrap adds besides the rpath
(hardening, build id, dynamic linker, RPATH or RUNPATH), the cases where ldwrap follows
nixpkgs exactly, and NIX_ENFORCE_PURITY, with programs started."""
