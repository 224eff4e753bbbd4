"""NIX_ENFORCE_PURITY with real links through the installed drop-ins (the rules themselves are
in tests/unit/link/test_purity.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import base_env, compile_c, read_runpath

STORE = "/nix/store"


# Real links through the installed drop-ins.


def _objects(tmp_path: Path) -> Path:
    return compile_c("int main(void){return 0;}\n", tmp_path / "m.o", "-c", "-fPIC")


def _link(
    dropins: Path, tmp_path: Path, name: str, args: list[str], **env: str
) -> subprocess.CompletedProcess[str]:
    e = base_env(NIX_ENFORCE_PURITY="1", NIX_STORE=STORE, TMPDIR=str(tmp_path / "tmp"), **env)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.run(
        [str(dropins / name), *args], env=e, cwd=tmp_path, capture_output=True, text=True
    )


@pytest.mark.parametrize("name", ["ld.bfd", "ld.gold", "ld.lld", "ld.mold"])
def test_real_link_with_rewritten_response_file(dropins: Path, tmp_path: Path, name: str) -> None:
    m = _objects(tmp_path)
    libc = "/lib/x86_64-linux-gnu/libc.so.6"
    rsp = tmp_path / "link.rsp"
    text = f"-L /usr/lib -rpath /opt/impure\n{m.name}\n-e main\n"
    rsp.write_text(text)
    # libc lives outside the store: a test-only allowance through NIX_BUILD_TOP.
    r = _link(
        dropins,
        tmp_path,
        name,
        [f"@{rsp}", libc, "-o", "out", "-rpath", "/tmp/ok"],
        NIX_BUILD_TOP=os.path.dirname(libc),
        NIX_DEBUG="1",
    )
    assert r.returncode == 0, r.stderr
    assert "skipping impure path /opt/impure" in r.stderr
    assert read_runpath(tmp_path / "out") == ["/tmp/ok"]
    assert rsp.read_text() == text
    assert list((tmp_path / "tmp").iterdir()) == []  # the temporary response file is gone


def test_real_refusal_exit_status(dropins: Path, tmp_path: Path) -> None:
    r = _link(dropins, tmp_path, "ld.lld", ["/usr/lib/x86_64-linux-gnu/crt1.o", "-o", "out"])
    assert (r.returncode, r.stderr) == (
        1,
        "ldwrap: impure path '/usr/lib/x86_64-linux-gnu/crt1.o' used in link\n",
    )
    assert not (tmp_path / "out").exists()


def test_tools_present() -> None:
    for tool in ("ld.bfd", "ld.gold", "ld.lld", "mold"):
        assert shutil.which(tool), tool
