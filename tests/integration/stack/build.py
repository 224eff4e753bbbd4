"""Building a stack: each package of a list, in dependency order, into its own prefix, every
command in the build's mount namespace; after each install, a snapshot of the installed
ELF files and `ldwrap fixup --shrink` over the prefix (as nixpkgs' fixup phase would, before
the next package builds against it)."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import drivers, elfread
from .buildenv import Toolchain, build_env
from .layout import Layout
from .linkrec import write_recorder
from .namespace import Namespace, bind
from .proc import run
from .recipes import BY_NAME, Recipe, closure
from .sources import Source


@dataclass
class PackageResult:
    recipe: Recipe
    prefix: Path  # as the build sees it
    version: str
    ok: bool = False
    error: str = ""
    seconds: float = 0.0
    before: dict[str, elfread.ElfInfo] = field(default_factory=dict)  # file -> before fixup
    fixup_output: str = ""
    fixup_status: int | None = None  # None: not run


@dataclass
class Stack:
    """One build of a list of packages (a mode, or a build without ldwrap)."""

    name: str
    mode: str
    layout: Layout
    tools: Toolchain
    namespaces: Path  # where fstab files go
    results: dict[str, PackageResult] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def suffix(self) -> str:
        """Of a store name: `-aarch64-linux-gnu` in a cross build."""
        return f"-{self.tools.host}" if self.tools.host else ""

    @property
    def ns(self) -> Namespace:
        """The build's namespace: its files on the fixed root."""
        return Namespace((bind(self.layout.host, self.layout.root),), self.namespaces)

    def log(self, name: str) -> Path:
        return self.layout.host_path(self.layout.logs / f"{name}.log")

    def prefix_of(self, name: str) -> Path:
        return self.results[name].prefix

    def env(self, recipe: Recipe, **extra: str) -> dict[str, str]:
        deps = [self.prefix_of(d) for d in closure(recipe.deps) if d != recipe.name]
        return build_env(
            self.layout, self.mode, self.tools, recipe.linker, deps, **dict(recipe.env), **extra
        )

    def run_logged(
        self, name: str, argv: Sequence[str], cwd: Path, env: dict[str, str], timeout: float
    ) -> tuple[int, str]:
        """argv in the build's namespace; its command and output appended to the log."""
        t0 = time.monotonic()
        p = run(self.ns.command(argv, cwd), env, timeout=timeout)
        took = time.monotonic() - t0
        with open(self.log(name), "a", encoding="utf-8", errors="replace") as f:
            f.write(f"$ {' '.join(argv)}\n  (in {cwd}, {took:.1f} s, status {p.returncode})\n")
            f.write(p.stdout)
            f.write(p.stderr)
            f.write("\n")
        return p.returncode, p.stdout + p.stderr


def ldwrap_command() -> str:
    found = shutil.which("ldwrap", path=str(Path(sys.executable).parent))
    assert found, f"no ldwrap next to {sys.executable}"
    return found


def fixup_env(stack: Stack, result: PackageResult) -> dict[str, str]:
    """`ldwrap fixup` as a fixup phase runs it: in store mode, inside a (pretend) Nix build
    whose one output is the prefix, so that the store guard lets it edit that output."""
    from .buildenv import clean_env

    env = clean_env(LC_ALL="C")
    if stack.mode == "store" and stack.tools.with_ldwrap:
        env.update(
            NIX_STORE=str(stack.layout.store),
            NIX_BUILD_TOP=str(stack.layout.build / result.recipe.name),
            out=str(result.prefix),
            outputs="out",
        )
    return env


def snapshot(layout: Layout, prefix: Path) -> dict[str, elfread.ElfInfo]:
    host = layout.host_path(prefix)
    return {str(layout.root_path(f)): elfread.read(f) for f in elfread.elf_files(host)}


def build_package(stack: Stack, recipe: Recipe, source: Source, fixup: bool) -> PackageResult:
    layout = stack.layout
    version = source.upstream_version
    result = PackageResult(recipe, layout.prefix(recipe.name + stack.suffix, version), version)
    stack.results[recipe.name] = result
    t0 = time.monotonic()
    broken = [d for d in closure(recipe.deps) if d != recipe.name and not stack.results[d].ok]
    if broken:
        result.error = f"not built: its dependencies {', '.join(broken)} failed to build"
        return result
    pkg = drivers.Package(
        recipe,
        result.prefix,
        layout.src / recipe.name,
        layout.build / recipe.name,
        {d: stack.prefix_of(d) for d in closure(recipe.deps) if d != recipe.name},
        stack.tools.host,
    )
    src_host = layout.host_path(pkg.src)
    if src_host.exists():
        shutil.rmtree(src_host)
    shutil.copytree(
        source.tree, src_host, symlinks=True, ignore=shutil.ignore_patterns(".unpacked")
    )
    build_host = layout.host_path(pkg.build)
    if build_host.exists():
        shutil.rmtree(build_host)
    build_host.mkdir(parents=True)
    stack.log(recipe.name).write_text(f"# {recipe.name} {version} ({stack.name})\n")
    env = stack.env(recipe)
    for step in drivers.steps(pkg):
        status, out = stack.run_logged(
            recipe.name, step.argv, step.cwd, {**env, **step.env}, timeout=2400
        )
        if status != 0:
            result.error = (
                f"{recipe.name}: `{' '.join(step.argv)}` (in {step.cwd}) failed with status "
                f"{status}; log: {stack.log(recipe.name)}\n{out[-3000:]}"
            )
            result.seconds = time.monotonic() - t0
            return result
    result.before = snapshot(layout, result.prefix)
    if fixup and stack.tools.with_ldwrap:
        fx = [ldwrap_command(), "fixup", "--shrink", str(result.prefix)]
        status, out = stack.run_logged(
            recipe.name, fx, layout.root, fixup_env(stack, result), timeout=600
        )
        result.fixup_output, result.fixup_status = out, status
    result.ok = True
    result.seconds = time.monotonic() - t0
    return result


def build_stack(
    name: str,
    mode: str,
    layout: Layout,
    tools: Toolchain,
    sources: dict[str, Source],
    packages: Sequence[str],
    namespaces: Path,
    fixup: bool = True,
) -> Stack:
    """Build packages (and what they depend on) in one layout."""
    layout.create()
    write_recorder(layout, tools.dropins)
    stack = Stack(name, mode, layout, tools, namespaces)
    t0 = time.monotonic()
    for n in closure(packages):
        r = BY_NAME[n]
        build_package(stack, r, sources[r.source], fixup)
    stack.seconds = time.monotonic() - t0
    return stack
