"""probe.py: asking another program a question. The program is this Python; a missing or
unrunnable program and one that does not answer in time give None, never an exception."""

from __future__ import annotations

import sys
from pathlib import Path

from ldwrap.probe import ask

PY = sys.executable


def test_the_finished_run_with_its_output_as_text() -> None:
    code = "import sys; print('out'); sys.stderr.write('err'); sys.exit(3)"
    run = ask([PY, "-c", code], {}, timeout=30)
    assert run is not None
    assert (run.returncode, run.stdout, run.stderr) == (3, "out\n", "err")


def test_the_environment_and_directory_are_the_ones_given(tmp_path: Path) -> None:
    code = "import os; print(os.environ.get('ASKED'), 'HOME' in os.environ, os.getcwd())"
    run = ask([PY, "-c", code], {"ASKED": "yes"}, timeout=30, cwd=str(tmp_path))
    assert run is not None
    assert run.stdout == f"yes False {tmp_path}\n"


def test_a_program_that_cannot_be_started_is_no_answer(tmp_path: Path) -> None:
    not_executable = tmp_path / "tool"
    not_executable.write_text("#!/bin/sh\n")
    assert ask([str(tmp_path / "missing")], {}, timeout=30) is None
    assert ask([str(not_executable)], {}, timeout=30) is None
    assert ask([PY], {}, timeout=30, cwd=str(tmp_path / "missing")) is None


def test_a_program_that_does_not_finish_in_time_is_no_answer() -> None:
    assert ask([PY, "-c", "import time; time.sleep(30)"], {}, timeout=0.5) is None
