"""Running the stack's programs for real: in a private mount namespace where the build's
files are on the fixed root, its source, build and temporary trees are empty (tmpfs), the
system's copies of the stack's libraries are gone (hiding.py), and the working directory is
an empty tmpfs. Only the program's RUNPATH (and its libraries') can lead to the stack."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .hiding import Hiding
from .layout import Layout
from .namespace import Namespace, bind, tmpfs
from .proc import run

LOADER = "/lib64/ld-linux-x86-64.so.2"
# The trees of a build that no program may use at run time.
HIDDEN_SUBDIRS = ("src", "build", "tmp", "links", "tools", "logs")


@dataclass(frozen=True)
class Runner:
    layout: Layout
    hiding: Hiding
    work: Path  # outside every hidden tree: fstab files, the empty working directory
    hidden_trees: tuple[Path, ...] = ()  # more directories to empty (the sources' cache)

    @property
    def empty(self) -> Path:
        return self.work / "cwd"

    def namespace(self) -> Namespace:
        self.empty.mkdir(parents=True, exist_ok=True)
        # The mount points must exist (a build's trees are removed once it is audited).
        for t in (*(self.layout.host / d for d in HIDDEN_SUBDIRS), *self.hidden_trees):
            t.mkdir(parents=True, exist_ok=True)
        mounts = [bind(self.layout.host, self.layout.root)]
        mounts += [tmpfs(self.layout.root / d) for d in HIDDEN_SUBDIRS]
        mounts += [tmpfs(t) for t in self.hidden_trees]
        mounts.append(tmpfs(self.empty))
        mounts += self.hiding.mounts  # last: they take away what `mount` itself loads
        return Namespace(tuple(mounts), self.work / "fstabs")

    def env(self, **extra: str) -> dict[str, str]:
        return {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": str(self.empty), **extra}

    def sh(self, script: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
        """script run by /bin/sh -e in the namespace, from the empty directory."""
        argv = self.namespace().command(["/bin/sh", "-ec", script], self.empty)
        return run(argv, self.env(**env), timeout=timeout)

    def argv(
        self, argv: Sequence[str | Path], timeout: float = 300, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return run(self.namespace().command(argv, self.empty), self.env(**env), timeout=timeout)


_LIST = 'for f; do echo "@@@ $f"; "$LOADER" --list "$f" 2>&1 || echo "@@@ status $?"; done\n'


def loader_missing(
    runner: Runner, files: Sequence[str], loader: Sequence[str] = (LOADER,)
) -> dict[str, list[str]]:
    """The libraries the real loader does not find for each file (as the build sees it),
    listed in the namespace with `ld.so --list` (for a program and a library alike).

    loader: the loader's command (qemu-aarch64 and the cross loader for aarch64 files)."""
    out: dict[str, list[str]] = {f: [] for f in files}
    if not files:
        return out
    script = _LIST.replace('"$LOADER"', " ".join(_q(a) for a in loader))
    p = runner.argv(["/bin/sh", "-c", script, "sh", *files], timeout=600)
    current = None
    for line in p.stdout.splitlines():
        if line.startswith("@@@ status"):
            continue
        if line.startswith("@@@ "):
            current = line[4:]
            continue
        if current is None:
            continue
        s = line.strip()
        if s.endswith("=> not found"):
            out[current].append(s.split()[0])
        elif "error while loading shared libraries:" in s:
            name = s.split("error while loading shared libraries:", 1)[1].split(":")[0].strip()
            if name not in out[current]:
                out[current].append(name)
    return out


def _q(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"
