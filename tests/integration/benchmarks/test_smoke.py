"""The benchmark runs end to end with tiny sizes and prints its tables.

Not a timing test: speed is measured by `benchmarks/run.py` and reported, never asserted here.
It uses the real compilers and linkers (gcc, ld.bfd, ld.lld, mold, rustc) like the full run.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]
RESULTS = ROOT / "docs" / "performance-results.md"
MODES = ("Nix store (NIX_STORE)", "prefixes (LDWRAP_RPATH_PREFIXES)", "default (/etc/ld.so.conf)")


def _stamp(path: Path) -> tuple[bool, int]:
    return (path.exists(), path.stat().st_mtime_ns if path.exists() else 0)


def _run_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_benchmark_prints_every_table(tmp_path: Path) -> None:
    work = tmp_path / "work"
    out_file = tmp_path / "results.md"
    before = _stamp(RESULTS)
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--work",
            str(work),
            "--out",
            str(out_file),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for heading in (
        "# ldwrap benchmark results",
        "### Start-up by prefix mode",
        "### Start-up:",
        "### Scaling",
        "### Real links",
        "### Floors",
    ):
        assert heading in out
    # The header says when and where the numbers were taken.
    for line in (
        "Written by `benchmarks/run.py --quick` on ",
        "- CPU: ",
        "- Python: CPython ",
        "- ldwrap: ",
        "- GNU ld: GNU ld",
        "- lld: ",
        "- mold: mold",
    ):
        assert line in out
    for mode in MODES:
        assert f"| {mode} | " in out
        assert f"| gcc-style drop-in <= 1.2x interpreter start-up, {mode} | " in out
    assert "| gcc -fuse-ld=lld: " in out
    assert "| rustc (via cc -fuse-ld=lld): " in out
    assert "| 100 -L (10 files each) + 100 -l |" in out
    assert "| @file with 1,000 arguments |" in out
    assert "| C: 5 objects" in out
    assert "| Rust: std + a small program |" in out
    # --out gets exactly what was printed; the docs page is left alone by --quick.
    assert out_file.read_text() == out
    assert _stamp(RESULTS) == before
    # The drop-ins were written by `ldwrap install`, and the shim really ran: the benchmark
    # checks the mode and rpath of every start-up case and the RUNPATH of every real link
    # itself, and fails when the shim was bypassed.
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
    for label in (
        "#!python -IS   median",
        "#!/bin/sh      median",
        "sh - python",
        "the sh hop alone",
    ):
        assert label in proc.stdout


@pytest.mark.parametrize(
    ("quick", "out", "expected"),
    [
        (False, None, str(RESULTS)),  # a full run writes the docs page
        (True, None, None),  # a quick one writes nowhere
        (True, "x.md", "x.md"),
        (False, "x.md", "x.md"),
    ],
)
def test_report_destination(quick: bool, out: str | None, expected: str | None) -> None:
    assert _run_module().out_path(quick, out) == expected


def test_profile_lists_the_shim_imports(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "profile_startup.py"),
            "--runs",
            "1",
            "--top",
            "40",
            "--rounds",
            "2",
            "--work",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "| `ldwrap.link.shim` | " in proc.stdout
    for row in ("launcher up to `main()`", "whole drop-in, nix", "whole drop-in, prefixes"):
        assert f"| {row}" in proc.stdout
