"""A link run as another user (as Nix builds run, as its build users) through drop-ins whose
Python that user cannot reach fails with `execvp: Permission denied`; `ldwrap doctor` names
exactly the directory that shuts them out, and the same drop-ins with a reachable Python link.

Runs as root: the other user is `nobody` (setpriv). Everything lives in a directory made under
/tmp (mode 755) and removed afterwards, since pytest's own temporary root is mode 700 and would
shut the other user out of everything. The drop-ins run this machine's /usr/bin/python3 on a
copy of the package, so nothing of the test's own (possibly private) Python is involved.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import ldwrap
from helpers import base_env, compile_c
from ldwrap.doctor.permissions import blocked, launcher_findings
from ldwrap.launchertext import launcher_text

SYSTEM_PYTHON = "/usr/bin/python3"
AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


@pytest.fixture
def shared() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="ldwrap-other-users-", dir="/tmp"))
    d.chmod(0o755)
    try:
        yield d
    finally:
        shutil.rmtree(d)


def _dropins(root: Path, name: str, python: str, parent: Path) -> Path:
    d = root / name
    d.mkdir()
    (d / "ld").write_text(launcher_text(python, str(parent)))
    (d / "ld").chmod(0o755)
    return d


def test_a_python_other_users_cannot_reach(shared: Path) -> None:
    assert os.geteuid() == 0, "the suite runs as root, so that it can act as another user"
    assert blocked(str(shared), stat.S_IXOTH) == []
    pkg = shared / "pkg"
    shutil.copytree(Path(ldwrap.__file__).parent, pkg / "ldwrap")
    private = shared / "home"
    private.mkdir(mode=0o700)
    (private / "python").symlink_to(SYSTEM_PYTHON)
    shut = _dropins(shared, "shut", str(private / "python"), pkg)
    open_ = _dropins(shared, "open", SYSTEM_PYTHON, pkg)
    main_o = compile_c("int main(void) { return 0; }\n", shared / "main.o", "-c")
    main_o.chmod(0o644)
    out = shared / "out"
    out.mkdir(mode=0o777)
    out.chmod(0o777)

    # doctor's finding names the private directory and nothing else; none for the open ones.
    [finding] = launcher_findings([str(shut / "ld"), str(open_ / "ld")], "nogroup")
    assert finding.problem
    assert f"{shut}/ld: other users cannot run it, its Python ({private}/python)" in finding.text
    assert f": {private} shut them out." in finding.text
    assert finding.advice.startswith(f"chmod o+x {private}, or install ldwrap")

    def link(dropins: Path, prog: str) -> subprocess.CompletedProcess[str]:
        env = base_env(PATH="/usr/bin:/bin", LDWRAP_RPATH_PREFIXES=str(shared))
        return subprocess.run(
            [*AS_NOBODY, "gcc", f"-B{dropins}", str(main_o), "-o", str(out / prog)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    failed = link(shut, "shut")
    assert failed.returncode == 1
    assert "collect2: fatal error: execvp: Permission denied" in failed.stderr
    ok = link(open_, "open")
    assert ok.returncode == 0, ok.stderr
    assert (out / "open").stat().st_uid == 65534

    # The fix doctor names makes the same link work.
    private.chmod(0o701)
    assert launcher_findings([str(shut / "ld")], "nogroup") == []
    fixed = link(shut, "fixed")
    assert fixed.returncode == 0, fixed.stderr
