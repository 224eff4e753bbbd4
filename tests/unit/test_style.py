"""The house rules hold: `ruff check`, `ruff format --check` and `mypy --strict` are clean
over src, tests, benchmarks and scripts; no function in src/ runs over 60 lines."""

import ast
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
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_clean(command: list[str]) -> None:
    # `mypy` alone is strict over the trees that pyproject.toml's [tool.mypy] lists: TREES.
    run = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr


MAX_FUNCTION_LINES = 60


def test_no_function_in_src_runs_over_60_lines() -> None:
    """A longer function is several steps, each of which can be named."""
    long = []
    for path in sorted((ROOT / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}: {node.name} ({lines} lines)")
    assert long == []
