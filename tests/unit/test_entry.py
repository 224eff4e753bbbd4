"""entry.py: the `ldwrap` console script is the shim under a linker's name and the command
line under any other. The two mains are recorded instead of run (the shim would exec)."""

from __future__ import annotations

import sys
from importlib.metadata import entry_points

import pytest

import ldwrap.cli
import ldwrap.link.shim
from ldwrap import entry


@pytest.mark.parametrize(
    ("argv0", "runs"),
    [
        ("ld", "shim"),
        ("/usr/local/bin/ld.lld", "shim"),
        ("ld.mold", "shim"),
        ("mold", "shim"),
        ("rust-lld", "shim"),
        ("/x/aarch64-linux-gnu-ld.bfd", "shim"),
        ("ldwrap", "cli"),
        ("/venv/bin/ldwrap", "cli"),
        ("gcc", "cli"),
        ("ld.lld.real", "cli"),
        ("/usr/bin/ld.lld/", "cli"),  # a directory's name: no basename
    ],
)
def test_the_invoked_name_chooses(monkeypatch: pytest.MonkeyPatch, argv0: str, runs: str) -> None:
    ran: list[str] = []
    monkeypatch.setattr(ldwrap.link.shim, "main", lambda: ran.append("shim"))
    monkeypatch.setattr(ldwrap.cli, "main", lambda: ran.append("cli"))
    monkeypatch.setattr(sys, "argv", [argv0, "-o", "x"])
    entry.main()
    assert ran == [runs]


def test_the_console_script_is_this_main() -> None:
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "ldwrap"]
    assert script.value == "ldwrap.entry:main"
    assert script.load() is entry.main
