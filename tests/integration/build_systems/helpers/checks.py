"""The checks every case shares, and what they prove.

A case builds one fixture project from `projects/` (copied into a fresh temporary directory)
with the real build system, routes every link through ldwrap's drop-ins (or not), installs it
into a fresh prefix and describes what it installed: one `Output` per ELF file, with the
RUNPATH entries the build system itself writes and whether the file can start or load there.

What a case must show, with ldwrap in front:
- every installed program starts (the extension imports, the library loads) without
  LD_LIBRARY_PATH, in a working directory that holds nothing;
- every installed ELF file's RUNPATH is exactly libgreet's directory plus what the build
  system itself installs (compared with trailing slashes stripped: ldwrap may spell its own
  copy of a directory the caller also passed as `/x/lib/`), plus libunused's directory for
  the programs that link it (--as-needed drops the library, not the directory) unless
  LDWRAP_SHRINK=1 trimmed it, plus, in every mode, ldwrap's `$ORIGIN/../lib/` for a
  program that links the project's own library from the build tree (then it starts too),
  with no empty element, no directory named twice and no directory of a build tree;
and without ldwrap: the same RUNPATH minus libgreet's directory, and a program that does not
start ("cannot open shared object file"), unless the build system's own rpath covers it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import which_linker

from .case import Installed, Output
from .elf import elf_files, empty_elements, normalised, raw_runpath
from .greet import Greet
from .run import clean_env


def start(out: Output, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Start a program, dlopen a library, or import an extension: no LD_LIBRARY_PATH."""
    env = clean_env(LC_ALL="C")
    if out.kind == "exe":
        argv = [str(out.path)]
    elif out.kind == "lib":
        argv = [sys.executable, "-c", "import ctypes, sys; ctypes.CDLL(sys.argv[1])", str(out.path)]
    else:
        name = out.path.name.split(".")[0]
        argv = [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, sys.argv[1]); import {name}; print({name}.version())",
            str(out.path.parent),
        ]
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def empty_dir(base: Path, name: str = "empty-cwd") -> Path:
    d = base / name
    d.mkdir(exist_ok=True)
    return d


def expected_runpath(
    out: Output, greet: Greet, with_ldwrap: bool, shrink: bool = False
) -> list[str]:
    """own, plus with ldwrap libgreet's directory and, unless LDWRAP_SHRINK trimmed it,
    libunused's (which --as-needed left out of DT_NEEDED)."""
    want = [e.rstrip("/") or e for e in out.own]
    if with_ldwrap:
        want += [e.rstrip("/") or e for e in out.self_entries]
        want.append(str(greet.libdir))
        if out.unused and not shrink:
            want.append(str(greet.unused_libdir))
    return sorted(set(want))


def runpath_problems(inst: Installed, with_ldwrap: bool) -> list[str]:
    """Every RUNPATH problem of every installed ELF file, as readable lines."""
    problems = []
    declared = {o.path for o in inst.outputs}
    for root in inst.roots:
        for f in elf_files(root):
            if f not in declared:
                problems.append(f"{f}: an installed ELF file the case does not describe")
    trees = [str(t) for t in inst.build_trees]
    for out in inst.outputs:
        if not out.path.exists():
            problems.append(f"{out.path}: not installed")
            continue
        rp = raw_runpath(out.path)
        if rp is not None and empty_elements(rp):
            problems.append(f"{out.path.name}: RUNPATH {rp!r} has an empty element (= cwd)")
        twice = named_twice(rp, {*out.own, *inst.build_rpath})
        if twice:
            problems.append(f"{out.path.name}: RUNPATH {rp!r} names {twice} twice")
        for e in (rp or "").split(":") if rp else []:
            if any(e == t or e.startswith(t + "/") for t in trees):
                problems.append(f"{out.path.name}: RUNPATH {rp!r} names a build tree: {e}")
        got = sorted(set(normalised(rp)) - {""})
        want = expected_runpath(out, inst.build.greet, with_ldwrap, inst.build.shrink)
        if got != want:
            problems.append(f"{out.path.name}: RUNPATH {rp!r}: directories {got} != {want}")
    return problems


def named_twice(runpath: str | None, theirs: set[str]) -> list[str]:
    """The directories a RUNPATH names more than once (trailing slashes aside), but for a
    build system that names one twice itself (libtool, some interpreters' LDSHARED): those
    are for `ldwrap fixup --shrink` to clean up, not ldwrap's doing."""
    spellings: dict[str, list[str]] = {}
    for e in (runpath or "").split(":") if runpath else []:
        spellings.setdefault(e.rstrip("/") or e, []).append(e)
    return [d for d, es in spellings.items() if len(es) > 1 and not set(es) <= theirs]


def linker_problems(inst: Installed) -> list[str]:
    """Each output was linked by the linker the case asked for (lld and mold mark .comment;
    a bfd link must carry neither mark)."""
    out = []
    for o in inst.outputs:
        if o.path.exists() and which_linker(o.path) != inst.build.linker:
            out.append(f"{o.path.name}: linked by {which_linker(o.path)}, not {inst.build.linker}")
    return out


def start_problems(inst: Installed, cwd: Path) -> list[str]:
    """With ldwrap: every output that starts by design or through ldwrap's own entries."""
    problems = []
    for out in inst.outputs:
        if not out.starts and not out.self_entries:
            continue
        p = start(out, cwd)
        if p.returncode != 0:
            problems.append(
                f"{out.path.name}: did not start ({p.returncode}): {p.stderr.strip()[-400:]}"
            )
        elif out.kind != "lib" and p.stdout != out.stdout:
            problems.append(f"{out.path.name}: printed {p.stdout!r}, expected {out.stdout!r}")
    return problems


def check_with_ldwrap(inst: Installed) -> None:
    """The installed tree works and its RUNPATHs are exactly right."""
    problems = linker_problems(inst) + runpath_problems(inst, True)
    problems += start_problems(inst, empty_dir(inst.build.work))
    assert not problems, "\n".join([f"{inst.case}:", *problems, *describe(inst)])


def check_without_ldwrap(inst: Installed, starts_anyway: bool = False) -> None:
    """The same build without ldwrap: the build system's own RUNPATH only, and the programs
    that use libgreet do not start ("cannot open shared object file"), unless starts_anyway
    (the build system's own install rpath covers libgreet's directory)."""
    problems = runpath_problems(inst, False)
    cwd = empty_dir(inst.build.work)
    tried = 0
    for out in inst.outputs:
        if not out.starts:
            continue
        tried += 1
        p = start(out, cwd)
        if starts_anyway:
            if p.returncode != 0:
                problems.append(f"{out.path.name}: expected to start without ldwrap: {p.stderr}")
        elif p.returncode == 0 or "cannot open shared object file" not in p.stderr:
            problems.append(
                f"{out.path.name}: without ldwrap expected 'cannot open shared object file', "
                f"got rc={p.returncode} stdout={p.stdout!r} stderr={p.stderr.strip()[-300:]!r}"
            )
    assert tried, "nothing to start: the check would prove nothing"
    assert not problems, "\n".join([f"{inst.case} (no ldwrap):", *problems, *describe(inst)])


def describe(inst: Installed) -> list[str]:
    lines = ["installed RUNPATHs:"]
    for out in inst.outputs:
        if out.path.exists():
            lines.append(f"  {out.path}: {raw_runpath(out.path)!r}")
    return lines
