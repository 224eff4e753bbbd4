"""Where a build of the stack lives.

Every build (each mode, the builds without ldwrap, the cross builds) sees its files under one
fixed path, `root`, bound in a private mount namespace onto a directory of its own (`host`),
so the commands of every build are the same byte for byte (ccache reuses the compiles of the
first) and their outputs can be compared path for path. Outside a namespace, `host_path`
turns a path under `root` into the file that holds it.

    <root>/store/<32-char hash>-<name>-<version>   one prefix per package (Nix-style)
    <root>/src/<package>                           the upstream tree, copied per build
    <root>/build/<package>                         build trees (out-of-tree builds)
    <root>/tmp                                     TMPDIR of the builds
    <root>/tools                                   the link recorder
    <root>/links/<package>/...                     one record per link
    <root>/logs/<package>.log                      each command and its output
    <root>/data                                    inputs of the programs' runs
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from helpers import store_hash

SUBDIRS = ("store", "src", "build", "tmp", "tools", "links", "logs", "data")


@dataclass(frozen=True)
class Layout:
    root: Path  # the path every build sees (a mount point outside the namespace)
    host: Path  # this build's files, outside the namespace

    def create(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        for d in SUBDIRS:
            (self.host / d).mkdir(parents=True, exist_ok=True)

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def src(self) -> Path:
        return self.root / "src"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def tmp(self) -> Path:
        return self.root / "tmp"

    @property
    def tools(self) -> Path:
        return self.root / "tools"

    @property
    def links(self) -> Path:
        return self.root / "links"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def prefix(self, name: str, version: str) -> Path:
        """The package's store path: the same in every mode (the hash hashes the name and
        version only), like a Nix store path of the same derivation."""
        return self.store / f"{store_hash(f'{name}-{version}')}-{name}-{version}"

    def inside(self, path: str | Path) -> bool:
        return _under(PurePosixPath(path), PurePosixPath(self.root))

    def host_path(self, path: str | Path) -> Path:
        """The file outside the namespace that holds path (as the build sees it)."""
        p = PurePosixPath(path)
        if not _under(p, PurePosixPath(self.root)):
            return Path(p)
        return self.host / p.relative_to(self.root)

    def root_path(self, path: str | Path) -> Path:
        """The inverse of host_path: how a build sees a file of host."""
        p = PurePosixPath(path)
        if not _under(p, PurePosixPath(self.host)):
            return Path(p)
        return self.root / p.relative_to(self.host)


def _under(p: PurePosixPath, d: PurePosixPath) -> bool:
    return p == d or d in p.parents
