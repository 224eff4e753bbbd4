"""doctor's findings from the environment, through `diagnose` (no compiler probed)."""

from __future__ import annotations

from pathlib import Path

from ldwrap import doctor

from .conftest import doctor_env


def test_no_dropins_is_a_problem_without_a_wrapped_toolchain(tmp_path: Path, linkers: Path) -> None:
    report = doctor.diagnose(doctor_env(tmp_path, str(linkers)), compilers=False)
    [f] = [f for f in report.findings if "drop-ins" in f.text]
    assert f.problem and "ldwrap install" in f.advice
