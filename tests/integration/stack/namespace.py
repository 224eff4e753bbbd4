"""Commands in a private mount namespace (`unshare -m`, as root).

The mounts are written to an fstab of their own and made by one `mount -a` before the
command runs, in order: a later mount may hide what an earlier one needs (`mount` itself
loads libpcre2-8 through libselinux, which the hiding takes away), so no program of the
machine runs between them. Then the shell changes to the working directory and execs the
command.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# Status of the shell when the namespace could not be set up (mount or cd failed).
SETUP_FAILED = 125

_SHELL = (
    '/bin/mount -a -T "$0" || { echo "namespace: mount -a -T $0 failed" >&2; exit 125; }\n'
    'cd "$1" || { echo "namespace: cannot cd to $1" >&2; exit 125; }\n'
    "shift\n"
    'exec "$@"\n'
)


@dataclass(frozen=True)
class Mount:
    source: str
    target: Path
    fstype: str = "none"
    options: str = "bind"

    def line(self) -> str:
        for p in (self.source, str(self.target)):
            assert not any(c.isspace() for c in p), f"a path with blanks cannot be mounted: {p!r}"
        return f"{self.source} {self.target} {self.fstype} {self.options} 0 0\n"


def bind(source: Path, target: Path) -> Mount:
    return Mount(str(source), target)


def tmpfs(target: Path) -> Mount:
    return Mount("tmpfs", target, "tmpfs", "size=512m,mode=0755")


@dataclass(frozen=True)
class Namespace:
    mounts: tuple[Mount, ...]
    fstabs: Path  # where the fstab files are kept (outside every mounted directory)

    def command(self, argv: Sequence[str | Path], cwd: Path) -> list[str]:
        """argv run in a new mount namespace with these mounts, from cwd (as the namespace
        sees it)."""
        text = "".join(m.line() for m in self.mounts)
        self.fstabs.mkdir(parents=True, exist_ok=True)
        fstab = self.fstabs / f"fstab-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
        if not fstab.is_file():
            tmp = fstab.with_suffix(".tmp")
            tmp.write_text(text)
            tmp.replace(fstab)
        return [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "--",
            "/bin/sh",
            "-c",
            _SHELL,
            str(fstab),
            str(cwd),
            *(str(a) for a in argv),
        ]
