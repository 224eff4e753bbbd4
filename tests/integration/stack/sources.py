"""Debian's source packages: fetched with `apt-get source --download-only`, unpacked with
`dpkg-source -x --skip-debianization` (the upstream tree, without Debian's packaging), once
per cache directory.

The cache is `$LDWRAP_STACK_CACHE` when set (a persistent directory for development), else a
directory of the test session. Nothing but Debian's archive is reached, through apt's own
configuration: the deb-src entry `.ci/run` adds.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .proc import run_checked

CACHE_VAR = "LDWRAP_STACK_CACHE"
_OK = ".unpacked"


@dataclass(frozen=True)
class Source:
    package: str  # the Debian source package, e.g. libzstd
    debian_version: str  # e.g. 1.5.4+dfsg2-5
    tree: Path  # the unpacked upstream tree

    @property
    def upstream_version(self) -> str:
        """The version without epoch and Debian revision: 1.5.4+dfsg2."""
        v = self.debian_version.split(":", 1)[-1]
        return v.rsplit("-", 1)[0] if "-" in v else v


def candidate_version(package: str) -> str:
    """The version apt would fetch: the highest in `apt-cache showsrc` (one suite here)."""
    p = subprocess.run(
        ["apt-cache", "showsrc", "--only-source", package],
        capture_output=True,
        text=True,
        check=False,
    )
    versions = re.findall(r"^Version: (\S+)$", p.stdout, re.M)
    if not versions:
        raise RuntimeError(
            f"apt knows no source package {package!r}: a deb-src entry for Debian 12 "
            "(bookworm, main) is missing or `apt-get update` has not run since it was "
            f"added (`.ci/run` does both)\n{p.stderr.strip()}"
        )
    best: str = versions[0]
    for v in versions[1:]:
        newer = subprocess.run(["dpkg", "--compare-versions", v, "gt", best], check=False)
        if newer.returncode == 0:
            best = v
    return best


def _dsc_name(package: str, version: str) -> str:
    return f"{package}_{version.split(':', 1)[-1]}.dsc"


def fetch(packages: Iterable[str], cache: Path) -> dict[str, Source]:
    """Each package's upstream tree in cache/src, downloading only what is not there yet."""
    downloads, trees = cache / "debs", cache / "src"
    downloads.mkdir(parents=True, exist_ok=True)
    trees.mkdir(parents=True, exist_ok=True)
    wanted = {p: candidate_version(p) for p in packages}
    missing = [p for p, v in wanted.items() if not (downloads / _dsc_name(p, v)).is_file()]
    if missing:
        # apt-get checks the hashes of files already there and downloads the others.
        run_checked(
            [
                "apt-get",
                "source",
                "--download-only",
                "--only-source",
                "-q",
                *(f"{p}={wanted[p]}" for p in missing),
            ],
            cwd=downloads,
            timeout=900,
        )
    out: dict[str, Source] = {}
    for package, version in wanted.items():
        dsc = downloads / _dsc_name(package, version)
        if not dsc.is_file():
            raise RuntimeError(f"apt-get source left no {dsc.name} in {downloads}")
        src = Source(package, version, trees / f"{package}-{version.split(':', 1)[-1]}")
        if not (src.tree / _OK).is_file():
            if src.tree.exists():
                run_checked(["rm", "-rf", str(src.tree)])
            run_checked(
                ["dpkg-source", "-x", "--skip-debianization", str(dsc), str(src.tree)],
                cwd=downloads,
                timeout=600,
            )
            (src.tree / _OK).write_text(version + "\n")
            for f in trees.iterdir():  # dpkg-source copies the tarballs beside the tree
                if f.is_file() and not f.is_symlink():
                    f.unlink()
        out[package] = src
    return out


CONSUMERS_DIR = Path(__file__).resolve().parent / "consumers"


def local_sources() -> dict[str, Source]:
    """Our own consumers (consumers/<dir>), as sources named `local:<dir>`, version 1.0."""
    return {
        f"local:{d.name}": Source(f"local:{d.name}", "1.0", d)
        for d in sorted(CONSUMERS_DIR.iterdir())
        if d.is_dir()
    }
