"""A real Nix store (Debian's nix-bin, as root, in a private mount namespace): derivations built
by Nix through the drop-ins start and keep their references, which prefix rule applies on each
kind of machine, and `ldwrap fixup --shrink` on a store path."""
