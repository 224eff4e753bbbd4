"""doctor's look at the drop-ins first on PATH (doctor/pathcheck.py): a stale hot-path
bundle is one note per directory, with the fix."""

from __future__ import annotations

from pathlib import Path

from ldwrap import doctor
from ldwrap.bundle import FILE_NAME, FORMAT, dumps, read

from .conftest import doctor_env


def _bundle_findings(report: doctor.Report) -> list[doctor.Finding]:
    return [f for f in report.findings if ".ldwrap-shim.bundle" in f.text]


def test_a_current_bundle_is_no_finding(tmp_path: Path, linkers: Path, dropins: Path) -> None:
    report = doctor.diagnose(doctor_env(tmp_path, f"{dropins}:{linkers}"), compilers=False)
    assert _bundle_findings(report) == []


def test_a_stale_bundle_is_one_note_with_the_fix(
    tmp_path: Path, linkers: Path, dropins: Path
) -> None:
    path = dropins / FILE_NAME
    _, loader, entries = read(str(path))
    path.write_bytes(dumps((FORMAT, "another Python"), loader, entries))
    report = doctor.diagnose(doctor_env(tmp_path, f"{dropins}:{linkers}"), compilers=False)
    # One note for the directory, not one per drop-in: links still work, only slower.
    assert _bundle_findings(report) == [
        doctor.Finding(
            False,
            f"{path} was written by another Python or ldwrap: links through {dropins} "
            "import ldwrap the slower way",
            f"run `ldwrap install {dropins}` again",
        )
    ]
