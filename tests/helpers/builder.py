"""Build tiny real ELF programs and libraries with gcc, and ask the real loader about them."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from helpers.lddparse import parse_ldd

_LINK_BASE = ["-Wl,--no-as-needed", "-Wl,--allow-shlib-undefined"]


def _sym(name: str) -> str:
    return "f_" + "".join(c if c.isalnum() else "_" for c in name)


@dataclass
class RealRun:
    """What the real loader did: trace list, and whether the program started."""

    pairs: list[tuple[str, str | None]]
    trace_stderr: str
    returncode: int
    stderr: str


class Builder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.src = root / "src"
        self.src.mkdir()
        self._n = 0

    def _compile(self, out: Path, args: Sequence[str], code: str, m32: bool) -> Path:
        self._n += 1
        c = self.src / f"u{self._n}.c"
        c.write_text(code)
        out.parent.mkdir(parents=True, exist_ok=True)
        cmd = ["gcc", *(["-m32"] if m32 else []), "-o", str(out), str(c), *_LINK_BASE, *args]
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        return out

    @staticmethod
    def _link(deps: Sequence[Path]) -> list[str]:
        # -L/-l: DT_NEEDED is the SONAME, or the bare file name when there is none.
        return [arg for d in deps for arg in (f"-L{d.parent}", f"-l:{d.name}")]

    @staticmethod
    def _paths(rpath: str | None, runpath: str | None) -> list[str]:
        args = []
        if rpath is not None:
            args.append(f"-Wl,--disable-new-dtags,-rpath,{rpath}")
        if runpath is not None:
            args.append(f"-Wl,--enable-new-dtags,-rpath,{runpath}")
        return args

    def lib(
        self,
        path: str,
        soname: str | None = "",
        deps: Sequence[Path] = (),
        rpath: str | None = None,
        runpath: str | None = None,
        m32: bool = False,
        extra: Sequence[str] = (),
    ) -> Path:
        """A shared library at root/path; soname "" means its file name, None means none."""
        out = self.root / path
        name = out.name if soname == "" else soname
        args = ["-shared", "-fPIC", *(["-Wl,-soname," + name] if name else [])]
        args += self._link(deps) + self._paths(rpath, runpath) + list(extra)
        return self._compile(out, args, f"int {_sym(out.name)}(void) {{ return 1; }}\n", m32)

    def exe(
        self,
        path: str,
        deps: Sequence[Path] = (),
        rpath: str | None = None,
        runpath: str | None = None,
        m32: bool = False,
        extra: Sequence[str] = (),
    ) -> Path:
        out = self.root / path
        args = self._link(deps) + self._paths(rpath, runpath) + list(extra)
        code = '#include <stdio.h>\nint main(void) { puts("started"); return 0; }\n'
        return self._compile(out, args, code, m32)

    def file(self, path: str, data: bytes) -> Path:
        out = self.root / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        return out

    def symlink(self, path: str, target: Path) -> Path:
        out = self.root / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.symlink_to(target)
        return out


def real_loader(exe: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> RealRun:
    """Start ``exe`` for real, once in trace mode (the kernel starts it, so
    $ORIGIN is what the real loader uses) and once normally."""
    base = {"PATH": "/usr/bin:/bin", **(env or {})}
    trace = subprocess.run(
        [str(exe)],
        env={**base, "LD_TRACE_LOADED_OBJECTS": "1"},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    run = subprocess.run(
        [str(exe)], env=base, cwd=cwd, capture_output=True, text=True, timeout=30, check=False
    )
    pairs = parse_ldd(trace.stdout) or []
    return RealRun(pairs, trace.stderr, run.returncode, run.stderr)


def ensure_dir(p: Path) -> Path:
    os.makedirs(p, exist_ok=True)
    return p
