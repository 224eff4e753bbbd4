"""What doctor reports: the facts it gathers and its findings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .. import rustup as ru

# Where doctor suggests the drop-ins when none is on PATH.
DEFAULT_DROPINS = "~/.local/share/ldwrap/bin"


@dataclass
class Finding:
    problem: bool
    text: str
    advice: str = ""  # the fix of a problem, a hint for a note


@dataclass
class LinkerChoice:
    """The linker one compiler runs for one -fuse-ld= choice ("" for its default)."""

    choice: str
    path: str | None = None  # None: the compiler finds no such linker
    is_ldwrap: bool = False
    resolves_to: str = ""  # what the shim runs
    note: str = ""  # why there is no path, or what the linker is when not ldwrap

    @property
    def option(self) -> str:
        return f"-fuse-ld={self.choice}" if self.choice else "default"

    @property
    def linker_name(self) -> str:
        return f"ld.{self.choice}" if self.choice else "ld"


@dataclass
class Compiler:
    """A C compiler on PATH (one entry for all the names that run the same program)."""

    path: str
    names: list[str]
    kind: str  # "gcc" or "clang": how to ask it, and how it looks for its linker
    triple: str = ""  # its target: clang's from its -### output, a cross one's -dumpmachine
    linkers: list[LinkerChoice] = field(default_factory=list)
    cross: bool = False  # builds for another machine, whose own linker it needs

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass
class OnPath:
    """The first `name` on PATH and what it ends in."""

    name: str
    path: str | None = None
    is_ldwrap: bool = False
    resolves_to: str = ""  # the real linker (ldwrap) or the resolved file (anything else)
    note: str = ""
    bundle: str = ""  # an ldwrap launcher's bundle, as a link sees it: "used" or why not


@dataclass
class RustcInfo:
    program: str
    version: str | None = None
    sysroot: str | None = None
    linker_args: list[str] = field(default_factory=list)
    probe_error: str = ""
    host: str = ""  # the target triple rustc builds for by default
    cargo_args: list[str] = field(default_factory=list)  # what cargo adds: -Clinker=, rustflags
    cargo_from: list[str] = field(default_factory=list)  # "rustflags from <where>", ...
    cargo_problems: list[str] = field(default_factory=list)  # configuration cargo would refuse

    @property
    def own_lld(self) -> bool:
        """Whether rustc links through its own gcc-ld/ld.lld (the Rust >= 1.90 default)."""
        return self._lld_dir is not None and not self.routed

    @property
    def routed(self) -> bool:
        """Whether cc takes ld.lld from a gcc-ld directory outside rustc's sysroot (a route
        of `ldwrap rustup route`, given with -Clink-arg=-B)."""
        d = self._lld_dir
        if d is None or not self.sysroot:
            return False
        root = os.path.normpath(self.sysroot)
        return not os.path.normpath(d).startswith(root.rstrip("/") + "/")

    @property
    def _lld_dir(self) -> str | None:
        return self.gcc_ld_dir if self.fuse_ld == "lld" else None

    @property
    def gcc_ld_dir(self) -> str | None:
        """The first -B directory named gcc-ld: cc takes ld.lld from the first that has one."""
        dirs = self.gcc_ld_dirs
        return dirs[0] if dirs else None

    @property
    def gcc_ld_dirs(self) -> list[str]:
        return [
            a[2:]
            for a in self.linker_args
            if a.startswith("-B") and os.path.basename(a.rstrip("/")) == "gcc-ld"
        ]

    @property
    def fuse_ld(self) -> str | None:
        """The linker cc is told to use; the last -fuse-ld wins."""
        return self._last("-fuse-ld=")

    @property
    def ld_path(self) -> str | None:
        return self._last("--ld-path=")

    def _last(self, prefix: str) -> str | None:
        """The value of the last linker argument spelled prefix+value."""
        value = None
        for a in self.linker_args:
            if a.startswith(prefix):
                value = a[len(prefix) :]
        return value


@dataclass
class Report:
    path: list[OnPath] = field(default_factory=list)
    ldwrap_dirs: list[str] = field(default_factory=list)
    compilers: list[Compiler] = field(default_factory=list)
    rustc: RustcInfo | None = None
    toolchains: list[tuple[ru.Toolchain, ru.SlotStatus, bool]] = field(default_factory=list)
    policy: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.problem for f in self.findings)
