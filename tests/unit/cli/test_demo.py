"""`ldwrap demo` through click: its option and its exit status, which are demo.run_demo's.
The demo itself links with every linker (tests/integration/cli/test_links.py); here run_demo
is replaced by one that records how it was asked, except on a machine without a compiler,
which the command meets for real."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ldwrap import demo
from ldwrap.cli import cli


@pytest.mark.parametrize(("args", "keep"), [([], False), (["--keep"], True)])
@pytest.mark.parametrize("status", [0, 1, 2])
def test_the_exit_status_is_the_demos(
    monkeypatch: pytest.MonkeyPatch, args: list[str], keep: bool, status: int
) -> None:
    asked: list[bool] = []

    def run_demo(keep: bool = False) -> int:
        asked.append(keep)
        return status

    monkeypatch.setattr(demo, "run_demo", run_demo)
    r = CliRunner().invoke(cli, ["demo", *args])
    assert (r.exit_code, asked) == (status, [keep])


def test_without_a_compiler(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["demo"], env={"PATH": str(tmp_path)})
    assert r.exit_code == 2
    assert r.stderr == "ldwrap demo: no C compiler (cc or gcc) on PATH\n"


def test_an_unknown_option_is_a_usage_error() -> None:
    r = CliRunner().invoke(cli, ["demo", "--fast"])
    assert r.exit_code == 2
    assert "--fast" in r.stderr
