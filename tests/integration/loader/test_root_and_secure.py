"""--root emulation against a real chroot, and secure mode against a real set-user-ID start."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.builder import Builder
from helpers.lddparse import parse_ldd
from ldwrap.loader.resolve import INTERPRETER, Options, Resolver

MULTIARCH = "lib/x86_64-linux-gnu"


def test_root_emulation_matches_chroot(build: Builder) -> None:
    root = build.root / "sysroot"
    (root / "lib64").mkdir(parents=True)
    (root / MULTIARCH).mkdir(parents=True)
    (root / "etc").mkdir()
    shutil.copy("/lib64/ld-linux-x86-64.so.2", root / "lib64")
    shutil.copy(f"/{MULTIARCH}/libc.so.6", root / MULTIARCH)
    loc = build.lib("sysroot/usr/local/lib/libloc.so")
    (root / "etc/ld.so.conf").write_text("/usr/local/lib\n")
    subprocess.run(["ldconfig", "-X", "-r", str(root)], check=True, capture_output=True)
    late = build.lib(f"sysroot/usr/{MULTIARCH}/liblate.so")  # after ldconfig: not cached
    exe = build.exe("sysroot/bin/exe", deps=[loc, late])
    result = Resolver(Options(root=str(root))).load("/bin/exe")
    got = {e.name: (e.path, e.found_via) for e in result.edges if e.loaded or e.missing}
    assert got["libloc.so"] == ("/usr/local/lib/libloc.so", "ld_so_cache")
    assert got["liblate.so"] == (f"/usr/{MULTIARCH}/liblate.so", "default_dirs")
    # The trace variable must reach only the chrooted program, not unshare/chroot.
    code = (
        f"import os; os.chroot({str(root)!r}); os.chdir('/'); "
        "os.execve('/bin/exe', ['/bin/exe'], {'LD_TRACE_LOADED_OBJECTS': '1'})"
    )
    real = subprocess.run(
        ["unshare", "-r", sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    pairs = [(n, p) for n, p in parse_ldd(real.stdout) or [] if p != result.config.interp]
    predicted = [
        (e.name, e.path)
        for e in result.edges
        if e.found_via != INTERPRETER and (e.loaded or e.missing)
    ]
    assert predicted == pairs
    assert exe.exists()


@pytest.fixture
def world_readable_dir() -> Iterator[Path]:
    # The unprivileged user must reach the binary: pytest's tmp dirs are 0700.
    d = Path(tempfile.mkdtemp(prefix="ldwrap-secure-"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d)


def test_secure_mode_matches_setuid_start(world_readable_dir: Path) -> None:
    build = Builder(world_readable_dir)
    r = build.root
    lib = build.lib("lib/libs.so")
    origin_exe = build.exe("bin/origin", deps=[lib], rpath="$ORIGIN/../lib")
    abs_exe = build.exe("bin/abs", deps=[lib], rpath=f"{r}/lib")
    for p in [r, *r.rglob("*")]:
        p.chmod(0o755)
    for exe in (origin_exe, abs_exe):
        os.chmod(exe, 0o4755)  # set-user-ID root: AT_SECURE for another user
    results = {}
    for exe in (origin_exe, abs_exe):
        pred = Resolver(Options(secure=True, ld_library_path=f"{r}/lib")).load(str(exe))
        plain = Resolver(Options()).load(str(exe))
        real = subprocess.run(
            ["runuser", "-u", "nobody", "--", "env", f"LD_LIBRARY_PATH={r}/lib", str(exe)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert pred.ok == (real.returncode == 0), real.stderr
        results[exe.name] = (pred.ok, plain.ok)
    # $ORIGIN outside the trusted dirs is refused, LD_LIBRARY_PATH ignored;
    # an absolute RPATH still works.  Without --secure both would resolve.
    assert results == {"origin": (False, True), "abs": (True, True)}
