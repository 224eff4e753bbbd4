"""Benchmark ``ldwrap check DIR``, the tree audit, on whole directories.

Usage: python benchmarks/bench_audit.py [--runs N] [DIR ...]
       (default DIR: /usr/lib/x86_64-linux-gnu and /usr/bin, each alone, then together)

For each set of directories it prints the files walked, the ELF files judged, the median wall
time of the command itself (a fresh `ldwrap check DIR` process, interpreter start and
click included), files and ELF files per second, and what the audit found there, per kind.
Then the same audit in one process, once with ELF files read by the struct reader and once
by pyelftools alone (what every file cost before), to show what the reader is worth.

Nothing here is asserted: speed is measured, never tested.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from unittest import mock

from ldwrap.loader import elf
from ldwrap.loader.resolve import Options, Resolver
from ldwrap.loader.tree import TreeAudit

DEFAULT = [["/usr/lib/x86_64-linux-gnu"], ["/usr/bin"], ["/usr/lib/x86_64-linux-gnu", "/usr/bin"]]


def _ldwrap() -> list[str]:
    exe = shutil.which("ldwrap", path=os.path.dirname(sys.executable))
    return [exe] if exe else [sys.executable, "-m", "ldwrap.entry"]


def command_runs(dirs: Sequence[str], runs: int) -> tuple[list[float], dict[str, object]]:
    """Wall times of `ldwrap check --json DIR...` and its last JSON output."""
    times = []
    out: dict[str, object] = {}
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [*_ldwrap(), "check", "--json", *dirs], capture_output=True, text=True, check=False
        )
        times.append(time.perf_counter() - t0)
        out = json.loads(proc.stdout)
    return times, out


def in_process(dirs: Sequence[str], reader: str) -> tuple[float, int]:
    """Seconds for one audit in this process (loader discovery warmed first), and the
    number of ELF files judged; reader "struct" (read_elf) or "pyelftools"."""
    Resolver(Options()).load(sys.executable)  # the loader's directories, asked once
    resolver = Resolver(Options())  # nothing else shared with the warm-up
    read = elf.read_elf_pyelftools if reader == "pyelftools" else elf.read_elf
    with mock.patch("ldwrap.loader.fs.read_elf", read):
        audit = TreeAudit(resolver, None, os.environ, lambda _: None)
        t0 = time.perf_counter()
        for _ in audit.run([(d, True) for d in dirs]):
            pass
        return time.perf_counter() - t0, audit.counts.judged


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5, help="command runs per set (median kept)")
    ap.add_argument("dirs", nargs="*")
    args = ap.parse_args()
    sets = [args.dirs] if args.dirs else DEFAULT
    for dirs in sets:
        times, out = command_runs(dirs, args.runs)
        s = out["summary"]
        assert isinstance(s, dict)
        wall = statistics.median(times)
        print(f"== ldwrap check {' '.join(dirs)}")
        print(
            f"   {s['files']} files, {s['elf_files']} ELF, {s['judged']} judged, "
            f"{s['symlinks']} symlinks not followed"
        )
        print(
            f"   command: median {wall:.2f} s of {len(times)} "
            f"(min {min(times):.2f}, max {max(times):.2f}); {s['files'] / wall:.0f} files/s, "
            f"{s['judged'] / wall:.0f} ELF files judged/s"
        )
        kinds: Counter[str] = Counter(s["kinds"])
        found = ", ".join(f"{k} {n}" for k, n in kinds.items()) or "nothing"
        print(f"   found: {s['errors']} error(s), {s['warnings']} warning(s) ({found})")
        for reader in ("struct", "pyelftools"):
            secs, judged = in_process(dirs, reader)
            print(
                f"   in process, {reader:10} reader: {secs:.2f} s, "
                f"{judged / secs:.0f} ELF files/s ({secs / judged * 1000:.2f} ms each)"
            )


if __name__ == "__main__":
    main()
