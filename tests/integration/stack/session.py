"""The builds of one test session, each made once on first use and shared by every test:
the three modes (every package and consumer through the drop-ins), the builds without
ldwrap, and the cross build."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .build import build_stack
from .buildenv import MODES, Toolchain
from .drivers import PYTHON
from .hiding import Hiding, make_hiding
from .layout import Layout
from .pipeline import Audited, audit_stack, write_data
from .recipes import CONSUMERS, RECIPES, all_sonames
from .runner import Runner
from .sources import CACHE_VAR, Source, fetch, local_sources
from .summary import summary

EVERYTHING = tuple(r.name for r in (*RECIPES, *CONSUMERS))
# Built without ldwrap: packages whose build systems leave their programs no way to their
# libraries (CMake, a hand-written Makefile) and a consumer.
WITHOUT_LDWRAP = ("zstd", "brotli", "lz4", "stackprobe-small")
# Built for aarch64, run under qemu-user.
TRIPLE = "aarch64-linux-gnu"
CROSS = ("zlib", "libpng", "stackprobe-png")
CROSS_MODES = MODES
CROSS_ROOT = Path("/usr/aarch64-linux-gnu")
# Where qemu-aarch64 -L /usr/aarch64-linux-gnu lets the aarch64 loader find libraries.
CROSS_DIRS = tuple(
    Path(d)
    for d in ("/usr/aarch64-linux-gnu/lib", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu")
)
QEMU = ("qemu-aarch64", "-L", str(CROSS_ROOT))
CROSS_LOADER = (*QEMU, str(CROSS_ROOT / "lib" / "ld-linux-aarch64.so.1"))


def cache_dir(default: Path) -> Path:
    """$LDWRAP_STACK_CACHE (persistent, for development), else default (this session's)."""
    env = os.environ.get(CACHE_VAR)
    return Path(env) if env else default


@dataclass(repr=False)
class StackSession:
    cache: Path  # sources, ccache, and the fixed root every build is bound on
    work: Path  # this session's builds
    dropins: Path
    _sources: dict[str, Source] | None = None
    _hiding: Hiding | None = None
    _python_hiding: Hiding | None = None
    _cross_hiding: Hiding | None = None
    _built: dict[str, Audited | BaseException] = field(default_factory=dict)

    def __repr__(self) -> str:  # pytest prints fixtures in tracebacks: keep it short
        return f"StackSession(work={self.work}, cache={self.cache})"

    @property
    def root(self) -> Path:
        return self.cache / "root"

    @property
    def sources(self) -> dict[str, Source]:
        if self._sources is None:
            packages = sorted({r.source for r in RECIPES})
            self._sources = {**fetch(packages, self.cache), **local_sources()}
        return self._sources

    @property
    def hiding(self) -> Hiding:
        if self._hiding is None:
            self._hiding = make_hiding(self.work / "hiding", all_sonames())
        return self._hiding

    @property
    def hidden_trees(self) -> tuple[Path, ...]:
        return (self.cache / "src", self.cache / "debs")

    def layout(self, name: str) -> Layout:
        return Layout(self.root, self.work / name)

    def runner(self, layout: Layout, hiding: Hiding | None = None) -> Runner:
        return Runner(layout, hiding or self.hiding, self.work / "ns", self.hidden_trees)

    def toolchain(self, with_ldwrap: bool, host: str | None = None) -> Toolchain:
        return Toolchain(self.dropins if with_ldwrap else None, self.cache / "ccache", host=host)

    @property
    def cross_hiding(self) -> Hiding:
        """Any aarch64 copy of the stack's libraries where qemu's loader would look (this
        machine has none: libc6-arm64-cross brings only glibc and gcc's libraries)."""
        if self._cross_hiding is None:
            dirs = [d for d in CROSS_DIRS if d.is_dir()]
            self._cross_hiding = make_hiding(self.work / "hiding-aarch64", all_sonames(), dirs)
        return self._cross_hiding

    def _once(self, name: str, make: Callable[[], Audited]) -> Audited:
        if name not in self._built:
            try:
                self._built[name] = make()
            except Exception as e:  # a failed build fails every test that uses it
                self._built[name] = e
        got = self._built[name]
        if isinstance(got, BaseException):
            raise got
        return got

    def build(
        self,
        name: str,
        mode: str,
        packages: Sequence[str],
        with_ldwrap: bool = True,
        host: str | None = None,
    ) -> Audited:
        """packages (and their dependencies) built in mode, audited; once a session."""

        def make() -> Audited:
            t0 = time.monotonic()
            layout = self.layout(name)
            stack = build_stack(
                name,
                mode,
                layout,
                self.toolchain(with_ldwrap, host),
                self.sources,
                packages,
                self.work / "ns",
            )
            hiding = self.cross_hiding if host else self.hiding
            runner = self.runner(layout, hiding)
            write_data(stack, runner)
            if host:
                audited = audit_stack(
                    stack, runner, hiding, self.hidden_trees, CROSS_DIRS, CROSS_LOADER
                )
            else:
                audited = audit_stack(stack, runner, hiding, self.hidden_trees)
            record(audited, time.monotonic() - t0)
            # Audited: the copied sources and the build trees (650 MB a mode) are not needed
            # any more; the logs and the link records stay.
            for tree in ("src", "build"):
                shutil.rmtree(layout.host / tree, ignore_errors=True)
                (layout.host / tree).mkdir()
            return audited

        return self._once(name, make)

    def without_ldwrap(self) -> Audited:
        return self.build("without-ldwrap", "default", WITHOUT_LDWRAP, with_ldwrap=False)

    def cross(self, mode: str) -> Audited:
        return self.build(f"cross-{mode}", mode, CROSS, host=TRIPLE)

    @property
    def python_hiding(self) -> Hiding:
        """The hiding for Python: every stack library but those the interpreter loads itself
        (Debian's python3 needs libz and libexpat)."""
        if self._python_hiding is None:
            keep = python_needs(PYTHON)
            self._python_hiding = make_hiding(self.work / "hiding-python", all_sonames() - keep)
        return self._python_hiding

    def mode(self, mode: str) -> Audited:
        return self.build(mode, mode, EVERYTHING)


def record(audited: Audited, seconds: float) -> None:
    s = summary(audited.stack.name)
    results = audited.stack.results
    s.packages, s.built, s.seconds = len(results), sum(r.ok for r in results.values()), seconds
    s.package_seconds = {n: r.seconds for n, r in results.items()}
    for files in audited.files.values():
        for f in files:
            s.files += 1
            s.add_findings(f.before, f.after)
            s.loader_missing += len(f.loader)


def python_needs(python: str) -> frozenset[str]:
    """The libraries this Python interpreter loads itself (ld.so --list), by file name."""
    import subprocess

    p = subprocess.run(
        ["/lib64/ld-linux-x86-64.so.2", "--list", os.path.realpath(python)],
        capture_output=True,
        text=True,
        check=True,
    )
    return frozenset(line.split()[0] for line in p.stdout.splitlines() if "=>" in line)
