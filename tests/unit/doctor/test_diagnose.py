"""doctor's findings from the environment, through `diagnose` (no compiler probed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ldwrap import doctor

from .conftest import doctor_env


@pytest.mark.parametrize(
    ("setting", "problem", "text", "advice"),
    [
        (
            "/nope/ld",
            True,
            "LDWRAP_LINKER=/nope/ld points nowhere (no executable file there)",
            "unset LDWRAP_LINKER, or point it at a linker",
        ),
        (
            "nope-ld",
            True,
            "LDWRAP_LINKER=nope-ld points nowhere (not on PATH)",
            "unset LDWRAP_LINKER, or point it at a linker",
        ),
        (
            "{dropins}/ld.lld",
            True,
            "LDWRAP_LINKER={dropins}/ld.lld is one of ldwrap's own launchers",
            "point it at the real linker",
        ),
        (
            "ld.lld",
            False,
            "LDWRAP_LINKER=ld.lld: every drop-in runs {sys}/ld.lld, whatever -fuse-ld= asked for",
            "unset LDWRAP_LINKER to let -fuse-ld= choose the linker",
        ),
    ],
)
def test_ldwrap_linker_is_one_finding(
    tmp_path: Path,
    linkers: Path,
    dropins: Path,
    setting: str,
    problem: bool,
    text: str,
    advice: str,
) -> None:
    fill = {"dropins": dropins, "sys": linkers}
    env = doctor_env(tmp_path, f"{dropins}:{linkers}", LDWRAP_LINKER=setting.format(**fill))
    report = doctor.diagnose(env, compilers=False)
    about = [f for f in report.findings if "LDWRAP_LINKER" in f.text]
    assert len(about) == 1, report.findings
    assert about[0].problem == problem
    assert about[0].text.startswith(text.format(**fill))
    assert advice in about[0].advice
    assert report.ok == (not problem)


def test_no_dropins_is_a_problem_without_a_wrapped_toolchain(tmp_path: Path, linkers: Path) -> None:
    report = doctor.diagnose(doctor_env(tmp_path, str(linkers)), compilers=False)
    [f] = [f for f in report.findings if "drop-ins" in f.text]
    assert f.problem and "ldwrap install" in f.advice
