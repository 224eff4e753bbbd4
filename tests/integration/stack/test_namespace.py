"""The namespace the programs run in takes away what it should: the system's copies of the
stack's libraries (the real loader fails on a system program that needs one, with the very
message a missing library gives), the build and source trees, and anything in the working
directory."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from . import elfread
from .session import StackSession

LOADER = "/lib64/ld-linux-x86-64.so.2"
CANNOT_OPEN = re.compile(
    r"error while loading shared libraries: (\S+): cannot open shared object file: "
    r"No such file or directory"
)


def system_programs_needing(sonames: frozenset[str], limit: int = 3) -> list[tuple[Path, str]]:
    """A few of the machine's own programs that need one of sonames, with that soname."""
    out: list[tuple[Path, str]] = []
    for p in sorted(Path("/usr/bin").iterdir()):
        if not elfread.is_elf(p):
            continue
        try:
            needed = elfread.read(p).needed
        except Exception:
            continue
        hit = [n for n in needed if n in sonames]
        if hit:
            out.append((p, hit[0]))
            if len(out) == limit:
                break
    return out


def test_system_copies_are_gone(stacks: StackSession) -> None:
    hiding = stacks.hiding
    programs = system_programs_needing(hiding.sonames)
    assert programs, "no program of this machine needs a library of the stack"
    runner = stacks.runner(stacks.layout("namespace-check"))
    stacks.layout("namespace-check").create()
    for program, soname in programs:
        p = runner.argv([str(program), "--version"])
        assert p.returncode != 0, f"{program} started with {soname} hidden:\n{p.stdout}"
        m = CANNOT_OPEN.search(p.stderr)
        assert m and m.group(1) in hiding.sonames, f"{program}: {p.stderr}"
        # Outside the namespace the same program finds everything.
        outside = subprocess.run([LOADER, "--list", str(program)], capture_output=True, text=True)
        assert outside.returncode == 0 and "not found" not in outside.stdout, outside.stdout


def test_trees_and_working_directory_are_empty(stacks: StackSession) -> None:
    layout = stacks.layout("namespace-check")
    layout.create()
    (layout.host / "src" / "left-over").write_text("a source file\n")
    runner = stacks.runner(layout)
    script = (
        f"for f in {layout.src}/* {layout.build}/* {stacks.cache}/src/* ./* ./.[!.]*; do\n"
        '  if [ -e "$f" ]; then echo "visible: $f"; fi\n'
        "done\n"
        "echo done\n"
    )
    p = runner.sh(script)
    assert p.returncode == 0 and p.stdout == "done\n", p.stdout + p.stderr
