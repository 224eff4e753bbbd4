"""The shim as a process in front of the real /usr/bin/ld.lld (`--version` only): the other
process tests, with stand-in linkers, are in tests/unit/link/test_shim.py."""

from __future__ import annotations

from pathlib import Path

from helpers import base_env
from ldwrap.launcher import install
from unit.link.test_shim import _run, fake_linker


def test_a_wrapper_script_on_path_that_calls_the_shim_is_skipped_the_second_time(
    tmp_path: Path,
) -> None:
    shims = tmp_path / "a"
    install(str(shims))
    wrapper = fake_linker(tmp_path / "b" / "ld.lld", f'exec "{shims}/ld.lld" "$@"')
    env = base_env(PATH=f"{shims}:{wrapper.parent}:/usr/bin:/bin")
    p = _run([str(shims / "ld.lld"), "--version"], env)
    assert p.returncode == 0, p.stderr
    assert "LLD" in p.stdout  # the real /usr/bin/ld.lld answered


def test_relative_path_entries_never_searched_real_process(tmp_path: Path) -> None:
    shims = tmp_path / "shims"
    install(str(shims))
    marker = tmp_path / "planted-ran"
    for d in (tmp_path / "work", tmp_path / "work" / "bin"):
        fake_linker(d / "ld.lld", f'touch "{marker}"; exit 0')
    env = base_env(PATH="bin:.::/usr/bin:/bin")
    p = _run([str(shims / "ld.lld"), "--version"], env, cwd=tmp_path / "work")
    assert p.returncode == 0, p.stderr
    assert "LLD" in p.stdout
    assert not marker.exists()
