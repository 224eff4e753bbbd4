"""The fast tier passes in the sandbox, every test of it: what a unit test needs from the
machine makes it an integration test. And the sandbox takes away what it says it does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from . import sandbox

ROOT = Path(__file__).resolve().parents[3]
FAST_TIER = ["-m", "not integration"]

# What the sandbox must take away, each present outside it (.ci/run installs them).
PROGRAMS = ["gcc", "cc", "ld", "ld.bfd", "ld.gold", "ld.lld", "mold", "aarch64-linux-gnu-gcc"]
CROSS_SYSROOT = "/usr/aarch64-linux-gnu"

PROBE = """
import errno, json, os, shutil, socket, sys
programs, absolute, cross = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
s = socket.socket()
try:
    s.connect(("192.0.2.1", 9))  # TEST-NET-1: no route in a namespace without a network
    net = "connected"
except OSError as e:
    net = errno.errorcode.get(e.errno, str(e.errno))
print(json.dumps({
    "on_path": [p for p in programs if shutil.which(p)],
    "runnable": [p for p in absolute if os.access(p, os.X_OK)],
    "cross": os.listdir(cross),
    "nix": os.listdir("/nix") if os.path.isdir("/nix") else [],
    "home": os.listdir(os.environ["HOME"]),
    "network": net,
}))
"""


def _sandboxed(argv: list[str], work: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        sandbox.command(argv, work),
        env=sandbox.environment(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_the_sandbox_takes_the_tools_away(tmp_path: Path) -> None:
    absolute = [shutil.which(p) for p in PROGRAMS]
    assert all(absolute), dict(zip(PROGRAMS, absolute))  # outside: all there
    assert os.listdir(CROSS_SYSROOT)
    probe = [sys.executable, "-c", PROBE, json.dumps(PROGRAMS), json.dumps(absolute), CROSS_SYSROOT]
    p = _sandboxed(probe, tmp_path, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {
        "on_path": [],
        "runnable": [],
        "cross": [],
        "nix": [],
        "home": [],
        "network": "ENETUNREACH",
    }


def _collected() -> int:
    """How many tests the fast tier has, counted outside the sandbox."""
    args = ["-p", "no:cacheprovider", "-q", "--collect-only", *FAST_TIER]
    p = subprocess.run(
        [sys.executable, "-m", "pytest", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return sum("::" in line for line in p.stdout.splitlines())


def test_the_fast_tier_needs_nothing_from_the_machine() -> None:
    expected = _collected()
    assert expected > 1000  # the fast tier was found
    # Its temporary files as near the root as a run of its own puts them: some unit tests
    # write a shebang that must stay short.
    with tempfile.TemporaryDirectory(prefix="ldwrap-ft-") as tmp:
        work = Path(tmp)
        report = work / "junit.xml"
        # Two workers (pytest-xdist), as the fast tier is run by hand.
        argv = sandbox.pytest_argv(work, "-q", "-rfE", "-n", "2", f"--junitxml={report}")
        p = _sandboxed(argv + FAST_TIER, work, timeout=1800)
        assert p.returncode == 0, p.stdout[-6000:] + p.stderr[-2000:]
        suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    counts = {k: int(suite.get(k, "-1")) for k in ("tests", "failures", "errors", "skipped")}
    # Every test ran and passed: none skipped, none missing.
    assert counts == {"tests": expected, "failures": 0, "errors": 0, "skipped": 0}
