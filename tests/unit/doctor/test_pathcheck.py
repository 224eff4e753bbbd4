"""doctor's look at the drop-ins first on PATH (doctor/pathcheck.py): a stale hot-path
bundle is one note per directory, with the fix."""

from __future__ import annotations

from pathlib import Path

from ldwrap import doctor
from ldwrap.bundle import FILE_NAME, FORMAT, SNAPSHOT, dumps, read
from ldwrap.link.sysdirs import conf_snapshot

from .conftest import doctor_env


def _bundle_findings(report: doctor.Report) -> list[doctor.Finding]:
    return [f for f in report.findings if ".ldwrap-shim.bundle" in f.text]


def test_a_current_bundle_is_no_finding(tmp_path: Path, linkers: Path, dropins: Path) -> None:
    report = doctor.diagnose(doctor_env(tmp_path, f"{dropins}:{linkers}"), compilers=False)
    assert _bundle_findings(report) == []
    # What a link makes of it, asked of each drop-in.
    assert {e.name: e.bundle for e in report.path if e.is_ldwrap} == {
        "ld": "used",
        "ld.lld": "used",
        "ld.mold": "used",
    }
    assert "           bundle: used" in doctor.render(report).splitlines()


def test_a_stale_bundle_is_one_note_with_the_fix(
    tmp_path: Path, linkers: Path, own_dropins: Path
) -> None:
    path = own_dropins / FILE_NAME
    _, loader, entries = read(str(path))
    path.write_bytes(dumps((FORMAT, "another Python"), loader, entries))
    report = doctor.diagnose(doctor_env(tmp_path, f"{own_dropins}:{linkers}"), compilers=False)
    assert {e.bundle for e in report.path if e.is_ldwrap} == {
        "not used: written by another Python or ldwrap"
    }
    # One note for the directory, not one per drop-in: links still work, only slower.
    assert _bundle_findings(report) == [
        doctor.Finding(
            False,
            f"{path} was written by another Python or ldwrap: links through {own_dropins} "
            "import ldwrap the slower way",
            f"run `ldwrap install {own_dropins}` again",
        )
    ]


def test_a_stale_ld_so_conf_snapshot_is_one_note_with_the_fix(
    tmp_path: Path, linkers: Path, own_dropins: Path
) -> None:
    conf = tmp_path / "ld.so.conf"
    conf.write_text("/opt/a/lib\n")
    path = own_dropins / FILE_NAME
    head, loader, entries = read(str(path))
    assert isinstance(head, tuple)
    code = compile(f"LD_SO_CONF = {conf_snapshot(str(conf))!r}\n", "<snapshot>", "exec")
    entries = [(*e[:5], code) if e[0] == SNAPSHOT else e for e in entries]
    path.write_bytes(dumps(head, loader, entries))
    report = doctor.diagnose(doctor_env(tmp_path, f"{own_dropins}:{linkers}"), compilers=False)
    assert _bundle_findings(report) == []
    conf.write_text("/opt/b/lib\n")
    report = doctor.diagnose(doctor_env(tmp_path, f"{own_dropins}:{linkers}"), compilers=False)
    assert [f for f in report.findings if str(conf) in f.text] == [
        doctor.Finding(
            False,
            f"{conf} or a file it includes changed after {path} was written: "
            f"default-mode links through {own_dropins} read it on every link",
            f"run `ldwrap install {own_dropins}` again",
        )
    ]
