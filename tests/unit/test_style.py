"""The house rules hold: `ruff check`, `ruff format --check` and `mypy --strict` are clean."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TREES = ["src", "tests", "benchmarks", "scripts"]


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", *TREES],
        ["ruff", "format", "--check", *TREES],
        ["mypy"],
        ["mypy", "--strict", "tests/integration/stack"],
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict", "mypy-strict-stack-tier"],
)
def test_clean(command: list[str]) -> None:
    run = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
