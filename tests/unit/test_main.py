"""ldwrap/__main__.py: `python -m ldwrap` is the command line. Run in this process with
runpy, as `-m` runs it."""

from __future__ import annotations

import runpy
import sys

import pytest

from ldwrap import __version__


@pytest.mark.parametrize(
    ("args", "status", "starts"),
    [
        (["--version"], 0, f"ldwrap, version {__version__}\n"),
        (["--help"], 0, "Usage: ldwrap [OPTIONS] [COMMAND] [ARGS]..."),
        (["no-such-command"], 2, ""),
    ],
)
def test_python_m_ldwrap_runs_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    status: int,
    starts: str,
) -> None:
    monkeypatch.setattr(sys, "argv", ["python -m ldwrap", *args])
    with pytest.raises(SystemExit) as e:
        runpy.run_module("ldwrap", run_name="__main__", alter_sys=True)
    assert e.value.code == status
    out, err = capsys.readouterr()
    assert out.startswith(starts)
    assert ("No such command 'no-such-command'" in err) == (status == 2)
