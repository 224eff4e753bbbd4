"""verify_output's module: importing it stays cheap (the checks themselves run on real binaries
in tests/integration/loader/test_verify.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import ldwrap.loader.verify


def test_import_is_cheap() -> None:
    """No pyelftools and none of the loader emulation: only the package and the module itself
    (it moved into ldwrap.loader, so those two are in sys.modules by construction)."""
    code = (
        "import sys, ldwrap.loader.verify; "
        "print(sorted(m for m in sys.modules if m.startswith(('elftools', 'ldwrap.loader'))"
        " and m not in ('ldwrap.loader', 'ldwrap.loader.verify')))"
    )
    src = os.path.dirname(os.path.dirname(os.path.dirname(ldwrap.loader.verify.__file__)))
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src},
    )
    assert out.stdout.strip() == "[]"
