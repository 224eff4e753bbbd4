"""Loader configuration discovered from the real loader (it is run with --list and
--list-diagnostics); the pure rules are in tests/unit/loader/."""

from __future__ import annotations

import os
import subprocess

from ldwrap.link.targets import (
    ELFCLASS32,
    ELFDATA2LSB,
    EM_386,
)
from ldwrap.loader.config import discover
from ldwrap.loader.elf import (
    Target,
)
from unit.loader.test_elf import X64


def test_discovered_subdirs_match_loader_search_path() -> None:
    """The hwcaps and legacy subdirectories, in order, as LD_DEBUG=libs shows them."""
    cfg = discover("/lib64/ld-linux-x86-64.so.2", X64, None)
    out = subprocess.run(
        ["/lib64/ld-linux-x86-64.so.2", "--list", "/bin/true"],
        env={"LD_LIBRARY_PATH": "/nonexistent-ldwrap", "LD_DEBUG": "libs"},
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    line = next(x for x in out.splitlines() if "search path=" in x and "LD_LIBRARY_PATH" in x)
    dirs = line.split("search path=")[1].split()[0].split(":")
    ours = [f"glibc-hwcaps/{h}" for h in cfg.hwcaps] + list(cfg.legacy_subdirs) + [""]
    assert dirs == [("/nonexistent-ldwrap/" + s).rstrip("/") for s in ours]
    assert cfg.system_dirs[0] == "/lib/x86_64-linux-gnu/"
    assert cfg.source.endswith("--list-diagnostics")


def test_i386_loader_discovered_from_host() -> None:
    cfg = discover("/lib/ld-linux.so.2", Target(ELFCLASS32, ELFDATA2LSB, EM_386), None)
    assert os.path.exists("/lib/ld-linux.so.2")
    assert cfg.system_dirs == ("/lib32/", "/usr/lib32/", "/lib/", "/usr/lib/")
    assert cfg.lib == "lib32"
