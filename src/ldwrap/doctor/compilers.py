"""The C compilers on PATH, native and cross: which linker each runs for its default and
each -fuse-ld=."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Mapping

from ..compilers import cross_compilers
from ..launcher import launcher_problem
from ..link.linkers import (
    ALIASES,
    PER_TARGET_NAMES,
    LinkerError,
    find,
    is_nix_wrapper,
    is_shim,
    path_dirs,
    search_dirs,
    search_path,
    target_linker,
)
from .model import DEFAULT_DROPINS, Compiler, Finding, LinkerChoice, Report

# The C compilers doctor asks, first on PATH each, plus every versioned gcc-NN and clang-NN.
COMPILER_NAMES = ("gcc", "cc", "clang")
_VERSIONED = re.compile(r"(?:gcc|clang)-[0-9]+")
# A compiler's linker choices: its default, -fuse-ld=lld, -fuse-ld=mold; a cross compiler's
# gold too, which like its default comes from the compiler's own directories first.
FUSE_CHOICES = ("", "lld", "mold")
CROSS_CHOICES = ("", "gold", "lld", "mold")
PROBE_TIMEOUT = 30


def find_compilers(env: Mapping[str, str]) -> list[Compiler]:
    """gcc, cc, clang and every gcc-NN and clang-NN on PATH, one entry per program."""
    dirs = path_dirs(env)
    names = list(COMPILER_NAMES)
    versioned: set[str] = set()
    for d in dict.fromkeys(dirs):
        try:
            versioned.update(n for n in os.listdir(d) if _VERSIONED.fullmatch(n))
        except OSError:
            continue
    names += sorted(versioned, key=lambda n: (n.split("-")[0], int(n.split("-")[1])))
    found: dict[str, Compiler] = {}
    for name in names:
        path = search_dirs(name, dirs, shims=True)
        if path is None:
            continue
        real = os.path.realpath(path)
        base = os.path.basename(real)
        # ccache and the like stand for every compiler: only a compiler's own file is a key.
        key = real if ("gcc" in base or "clang" in base or base == "cc") else path
        if key in found:
            found[key].names.append(name)
            continue
        kind = "clang" if "clang" in name or "clang" in base else "gcc"
        found[key] = Compiler(path, [name], kind)
    for path, triple in cross_compilers(env):
        name = os.path.basename(path)
        kind = "clang" if "clang" in name else "gcc"
        found.setdefault(os.path.realpath(path), Compiler(path, [name], kind, triple, cross=True))
    return list(found.values())


def _probe_argv(cc: Compiler, choice: str, obj: str) -> list[str]:
    fuse = [f"-fuse-ld={choice}"] if choice else []
    if cc.kind == "clang":
        return [cc.path, *fuse, "-###", obj]  # clang prints the linker's command, runs nothing
    # gcc's -### stops at collect2; collect2 -v prints the linker it found, and --version
    # makes that linker (a shim under LDWRAP_DRY_RUN) print a line and link nothing.
    return [cc.path, *fuse, "-Wl,-v,--version", obj]


def parse_probe(cc: Compiler, lc: LinkerChoice, output: str) -> None:
    import shlex

    lines = output.splitlines()
    if cc.kind == "clang":
        for line in lines:
            if line.startswith("Target: "):
                cc.triple = line[len("Target: ") :].strip()
        commands = [ln for ln in lines if ln.startswith(' "')]
        if commands:
            try:
                lc.path = shlex.split(commands[-1])[0]
            except (ValueError, IndexError):
                pass
    else:
        for i, line in enumerate(lines[:-1]):
            if line.startswith("collect2 version"):
                first = lines[i + 1].split(" -", 1)[0]
                if not first.startswith("[cannot find"):
                    lc.path = first
                break
    if lc.path is None:
        errors = [ln for ln in lines if "error" in ln]
        lc.note = errors[0].strip() if errors else f"{cc.name} finds no {lc.linker_name}"


def probe_compilers(compilers: list[Compiler], env: Mapping[str, str]) -> None:
    """Ask each compiler which linker it runs for each -fuse-ld= choice, all at once."""
    child_env = {**env, "LDWRAP_DRY_RUN": "1"}
    with tempfile.TemporaryDirectory(prefix="ldwrap-doctor-") as tmp:
        obj = os.path.join(tmp, "probe.o")  # never read: clang and gcc only check it exists
        open(obj, "wb").close()
        running: list[tuple[Compiler, LinkerChoice, subprocess.Popen[str] | None]] = []
        for cc in compilers:
            for choice in CROSS_CHOICES if cc.cross else FUSE_CHOICES:
                lc = LinkerChoice(choice)
                cc.linkers.append(lc)
                try:
                    proc: subprocess.Popen[str] | None = subprocess.Popen(
                        _probe_argv(cc, choice, obj),
                        cwd=tmp,
                        env=child_env,
                        text=True,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        errors="replace",
                    )
                except OSError as e:
                    lc.note, proc = f"cannot run {cc.path}: {e.strerror}", None
                running.append((cc, lc, proc))
        for cc, lc, proc in running:
            if proc is None:
                continue
            try:
                out, _ = proc.communicate(timeout=PROBE_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                lc.note = f"{cc.name} did not answer in {PROBE_TIMEOUT}s"
                continue
            parse_probe(cc, lc, out)
    for cc in compilers:
        for lc in cc.linkers:
            describe(lc, env, cc.triple if cc.cross else "")


def describe(lc: LinkerChoice, env: Mapping[str, str], cross: str = "") -> None:
    """What the linker a compiler runs is; cross: the target of a cross compiler, whose
    plain ld or ld.gold drop-in runs that target's own linker."""
    if lc.path is None:
        return
    if is_shim(lc.path):
        lc.is_ldwrap = True
        explicit = env.get("LDWRAP_LINKER") or None
        name = lc.linker_name
        plain = os.path.basename(lc.path) == name
        if cross and not explicit and plain and name in PER_TARGET_NAMES:
            lc.resolves_to = target_linker(name, (cross,), env) or ""
            return
        try:
            real = find(name, lc.path, env, explicit)
            lc.resolves_to = " ".join((real.path, *real.lead))
        except LinkerError:
            lc.resolves_to = ""
    elif is_nix_wrapper(lc.path):
        lc.note = "nixpkgs' ld-wrapper"


def dropin_dir(report: Report, name: str) -> str:
    """Where to suggest ldwrap's drop-in `name`: the first drop-in directory on PATH."""
    for d in report.ldwrap_dirs:
        if is_shim(os.path.join(d, name)):
            return d
    return report.ldwrap_dirs[0] if report.ldwrap_dirs else DEFAULT_DROPINS


def compiler_findings(report: Report, env: Mapping[str, str], flagged: set[str]) -> list[Finding]:
    """For each compiler, the -fuse-ld= choices that do not reach a working shim, with one
    fix per group of choices that share it.

    Only when some drop-in is on PATH (the user means to link through them); without any,
    the finding about the missing drop-ins says it once. Paths already flagged by the PATH
    checks (a linker before the drop-ins) are not repeated for gcc, which follows PATH.
    """
    if not report.ldwrap_dirs:
        return []
    found = []
    for cc in report.compilers:
        groups: dict[str, list[LinkerChoice]] = {}
        for lc in cc.linkers:
            if lc.path is None and cc.cross and _installed(lc.linker_name, env):
                # A cross gcc looks on PATH only for TRIPLE-ld.lld: without it, no link.
                groups.setdefault(_cross_fix(report, env, cc), []).append(lc)
                continue
            if lc.path is None or lc.note == "nixpkgs' ld-wrapper":
                continue
            if lc.is_ldwrap:
                problem = launcher_problem(lc.path)
                if problem and lc.path not in flagged:
                    flagged.add(lc.path)
                    found.append(
                        Finding(
                            True, problem, f"run `ldwrap install {os.path.dirname(lc.path)}` again"
                        )
                    )
                continue
            if cc.kind == "gcc" and lc.path in flagged:
                continue
            if cc.cross:
                key = _cross_fix(report, env, cc)
            else:
                key = "" if cc.kind == "clang" else _gcc_fix(report, env, cc, lc)
            groups.setdefault(key, []).append(lc)
        for advice, misses in groups.items():
            runs = ", ".join(
                f"{lc.path} ({lc.option})" if lc.path else f"nothing ({lc.option}: {lc.note})"
                for lc in misses
            )
            found.append(
                Finding(
                    True,
                    f"{cc.name} runs {runs}, not ldwrap",
                    advice or _clang_fix(report, cc, misses),
                )
            )
    return found


def _installed(name: str, env: Mapping[str, str]) -> bool:
    """Whether the real linker `name` (or its other name) is on PATH."""
    return any(search_path(n, env) for n in (name, *ALIASES.get(name, ())))


def _cross_fix(report: Report, env: Mapping[str, str], cc: Compiler) -> str:
    """A cross compiler takes ld and ld.gold from its own directories before PATH, and lld
    and mold from PATH only under its target's prefix; COMPILER_PATH comes before both (put
    first, when the user already keeps other directories there)."""
    dropins = dropin_dir(report, "ld")
    value = f"{dropins}:$COMPILER_PATH" if env.get("COMPILER_PATH") else dropins
    return (
        f"export COMPILER_PATH={value} (gcc and clang look there before their own "
        f"directories, for every target), or pass -B{dropins} to {cc.name}"
    )


def _gcc_fix(report: Report, env: Mapping[str, str], cc: Compiler, lc: LinkerChoice) -> str:
    """gcc (collect2) looks in its own directories, then PATH."""
    dropins = dropin_dir(report, lc.linker_name)
    here = os.path.dirname(lc.path or "")
    if os.path.realpath(here) in {os.path.realpath(d) for d in path_dirs(env)}:
        return f"put {dropins} before {here} on PATH, or pass -B{dropins} to {cc.name}"
    return f"pass -B{dropins} to {cc.name}: it finds {here}'s linkers before PATH"


def _clang_fix(report: Report, cc: Compiler, misses: list[LinkerChoice]) -> str:
    """clang looks for <triple>-ld.lld in its own directories, then on PATH, and only then
    for ld.lld, again in its own directories first: plain drop-ins on PATH lose."""
    names = [lc.linker_name for lc in misses]
    dropins = dropin_dir(report, names[0])
    triple = cc.triple or "TRIPLE"
    if len(names) == 1:
        prefixed, ld_path = f"{triple}-{names[0]}", f"{dropins}/{names[0]}"
    else:
        prefixed = f"{triple}-{names[0]} and the like"
        ld_path = f"{dropins}/NAME (NAME: {', '.join(names)})"
    return (
        f"run `ldwrap install --target {triple} {dropins}` (it writes {prefixed}, which "
        f"clang takes before its own) with {dropins} first on PATH, or pass "
        f"--ld-path={ld_path}"
    )
