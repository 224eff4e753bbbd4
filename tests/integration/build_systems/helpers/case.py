"""One case: where and how it is built (`Build`), and what it installed (`Installed`, one
`Output` per ELF file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .greet import Greet
from .run import clean_env, system_path


@dataclass
class Build:
    """Where and how one case is built."""

    greet: Greet
    linker: str  # bfd | lld | mold
    ldwrap: bool  # drop-ins first on PATH, or not on PATH at all
    dropins: Path
    work: Path  # a fresh directory for sources, build trees, install prefixes, temp files
    shrink: bool = False  # LDWRAP_SHRINK=1: ldwrap trims the entries it added that go unused

    def env(self, **extra: str) -> dict[str, str]:
        tmp = self.work / "tmp"
        tmp.mkdir(exist_ok=True)
        path = system_path()
        env = clean_env(
            PATH=f"{self.dropins}:{path}" if self.ldwrap else path,
            PKG_CONFIG_PATH=self.greet.pkg_config_path,
            TMPDIR=str(tmp),
            XDG_CACHE_HOME=str(self.work / "cache"),
            PIP_NO_CACHE_DIR="1",
            PIP_DISABLE_PIP_VERSION_CHECK="1",
            CARGO_HOME=str(self.work / "cargo-home"),
            CARGO_TERM_COLOR="never",
            CARGO_NET_OFFLINE="true",
            LC_ALL="C",
        )
        if self.greet.store is not None:
            env["NIX_STORE"] = str(self.greet.store)
        if self.shrink:
            env["LDWRAP_SHRINK"] = "1"
        env.update(extra)
        return env

    @property
    def fuse_ld(self) -> str:
        return f"-fuse-ld={self.linker}"


@dataclass(frozen=True)
class Output:
    """One installed ELF file."""

    path: Path
    kind: str  # "exe": run it; "lib": dlopen it; "pyext": import it
    own: tuple[str, ...] = ()  # RUNPATH entries the build system itself installs
    starts: bool = True  # False: by the build system's design it cannot start there
    stdout: str = ""  # what it prints when it starts (exe), or the import prints (pyext)
    why_not: str = ""  # why it cannot start, when starts is False
    unused: bool = False  # links libunused.so, which --as-needed leaves out of DT_NEEDED
    # RUNPATH entries ldwrap adds for the project's own install directory (it links a library
    # from the build tree): with ldwrap, outside a store (a store has no build trees), the
    # output also starts where the build system's design alone would not let it.
    self_entries: tuple[str, ...] = ()


@dataclass
class Installed:
    case: str
    build: Build
    roots: list[Path]  # the install prefixes
    outputs: list[Output]
    build_trees: list[Path] = field(default_factory=list)
    # Directories the build system itself passes with -rpath at build time, as it spells them
    # (those inside its build trees and those with `$` tokens aside): never ldwrap's.
    build_rpath: tuple[str, ...] = ()
