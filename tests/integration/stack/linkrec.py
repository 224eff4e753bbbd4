"""The link recorder: a script under each linker name that gcc finds first (through
COMPILER_PATH), which saves the linker's command line, working directory and response files,
then runs the drop-in of the same name (or, in a build without ldwrap, the real linker).

With the caller's arguments on record, each RUNPATH entry of an installed file can be told
apart: the build system's (an `-rpath` of the link) or ldwrap's (one it added).
"""

from __future__ import annotations

import os
import shlex
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from helpers.libiberty import buildargv

from .layout import Layout

NAMES = ("ld", "ld.bfd", "ld.gold", "ld.lld", "ld.mold", "mold")

_SCRIPT = """#!/bin/sh
# Records this link (see linkrec.py), then runs {target}.
log={log}
if [ -d "$log" ]; then
  d="$log/$$"; n=0
  while ! mkdir "$d.$n" 2>/dev/null; do
    n=$((n+1)); [ "$n" -lt 100 ] || break
  done
  d="$d.$n"
  if [ -d "$d" ]; then
    pwd > "$d/cwd"
    echo {name} > "$d/name"
    printf '%s\\0' "$@" > "$d/argv"
    i=0
    for a; do
      case $a in @*) [ -f "${{a#@}}" ] && cat "${{a#@}}" > "$d/rsp$i";; esac
      i=$((i+1))
    done
  fi
fi
exec {target} "$@"
"""


def write_recorder(layout: Layout, dropins: Path | None) -> Path:
    """The recorder scripts in <root>/tools/rec (written through the host path)."""
    rec = layout.host_path(layout.tools / "rec")
    rec.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        if dropins is not None:
            target = str(dropins / name)
        else:
            found = shutil.which(name, path="/usr/bin:/bin")
            if found is None:
                continue
            target = found
        script = _SCRIPT.format(
            name=name, target=shlex.quote(target), log=shlex.quote(str(layout.links))
        )
        f = rec / name
        f.write_text(script)
        f.chmod(0o755)
    return layout.tools / "rec"


@dataclass(frozen=True)
class LinkRecord:
    name: str  # the linker name gcc ran (ld, ld.lld, ...)
    cwd: str
    argv: tuple[str, ...]  # response files expanded
    output: str  # the -o argument, absolute
    rpaths: tuple[str, ...] = field(default=())  # every -rpath/-R value, split at ':'

    @property
    def command(self) -> str:
        return " ".join(shlex.quote(a) for a in self.argv)


def _expand(raw: list[str], rsp: dict[int, bytes]) -> list[str]:
    out: list[str] = []
    for i, a in enumerate(raw):
        if i in rsp:
            out += [w.decode("utf-8", "surrogateescape") for w in buildargv(rsp[i])]
        else:
            out.append(a)
    return out


def _output(argv: list[str], cwd: str) -> str:
    out = "a.out"
    for i, a in enumerate(argv):
        if a == "-o" and i + 1 < len(argv):
            out = argv[i + 1]
        elif a.startswith("-o") and len(a) > 2 and not a.startswith("-output"):
            out = a[2:]
        elif a.startswith("--output="):
            out = a.split("=", 1)[1]
    return os.path.normpath(out if out.startswith("/") else os.path.join(cwd, out))


def _rpaths(argv: list[str]) -> list[str]:
    """The values of -rpath, --rpath, -R (each also with `=` or joined), split at ':'."""
    vals: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-rpath", "--rpath", "-R") and i + 1 < len(argv):
            vals.append(argv[i + 1])
            i += 2
            continue
        if a.startswith(("-rpath=", "--rpath=")):
            vals.append(a.split("=", 1)[1])
        elif a.startswith("-R") and len(a) > 2:
            vals.append(a[2:])
        i += 1
    return [e for v in vals for e in v.split(":")]


def read_records(layout: Layout) -> list[LinkRecord]:
    """Every link recorded in this build, in the order they ran."""
    base = layout.host_path(layout.links)
    out: list[tuple[float, LinkRecord]] = []
    for d in base.iterdir() if base.is_dir() else []:
        argv_file = d / "argv"
        if not argv_file.is_file():
            continue
        raw = argv_file.read_bytes().split(b"\0")[:-1]
        args = [a.decode("utf-8", "surrogateescape") for a in raw]
        rsp = {int(f.name[3:]): f.read_bytes() for f in d.glob("rsp*") if f.name[3:].isdigit()}
        argv = _expand(args, rsp)
        cwd = (d / "cwd").read_text().strip()
        name = (d / "name").read_text().strip() if (d / "name").is_file() else ""
        rec = LinkRecord(name, cwd, tuple(argv), _output(argv, cwd), tuple(_rpaths(argv)))
        out.append((argv_file.stat().st_mtime, rec))
    return [r for _, r in sorted(out, key=lambda t: t[0])]
