"""The fast tier needs nothing from the machine: it passes in a sandbox (sandbox.py: a private
mount and network namespace, as root) that takes away the linkers, compilers, cross
toolchains, Nix, git and the network, with a PATH of basic POSIX tools only. A unit test that
starts needing one of them fails here, in CI."""
