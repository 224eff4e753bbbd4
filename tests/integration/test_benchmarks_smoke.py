"""The benchmark runs end to end with tiny sizes and prints its tables.

Not a timing test: speed is measured by `benchmarks/run.py` and reported, never asserted here.
It uses the real compilers and linkers (gcc, ld.bfd, ld.lld, mold, rustc) like the full run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_benchmark_prints_every_table(tmp_path: Path) -> None:
    work = tmp_path / "work"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--work", str(work)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for heading in ("### Start-up", "### Scaling", "### Real links", "### Floors"):
        assert heading in out
    assert "| gcc -fuse-ld=lld: " in out
    assert "| rustc (via cc -fuse-ld=lld): " in out
    assert "| 100 -L (10 files each) + 100 -l |" in out
    assert "| @file with 1,000 arguments |" in out
    assert "| C: 5 objects" in out
    assert "| Rust: std + a small program |" in out
    assert "gcc-style overhead" in out
    # The drop-ins were written by `ldwrap install`, and the shim really ran: the benchmark
    # checks the RUNPATH of every real link itself and fails when the shim was bypassed.
    launcher = (work / "shims" / "ld.lld").read_text()
    assert "ldwrap-shim" in launcher


def test_launcher_benchmark_runs() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "launcher_startup.py"), "--repeat", "10"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for label in ("#!python -IS   median", "#!/bin/sh      median", "sh - python",
                  "the sh hop alone"):
        assert label in proc.stdout
