"""loader/fs.py: the staging overlay (`check --destdir`): a path the staging directory holds
is read from there, any other from this machine, symlinks resolved component by component."""

from __future__ import annotations

from pathlib import Path

from ldwrap.loader.fs import FileSystem


def test_overlay_takes_the_staged_copy_first(tmp_path: Path) -> None:
    stage = tmp_path / "stage"
    host = tmp_path / "host"
    (stage / host.relative_to("/") / "lib").mkdir(parents=True)
    (host / "lib").mkdir(parents=True)
    (host / "lib" / "libsys.so").write_text("host")
    (host / "lib" / "libboth.so").write_text("host")
    staged_lib = stage / host.relative_to("/") / "lib"
    (staged_lib / "libboth.so").write_text("staged")
    (staged_lib / "libown.so.1").write_text("staged")
    (staged_lib / "libown.so").symlink_to("libown.so.1")  # relative, inside the stage
    (staged_lib / "libabs.so").symlink_to(host / "lib" / "libsys.so")  # absolute: installed
    fs = FileSystem(overlay=str(stage))
    lib = f"{host}/lib"
    assert fs.host(f"{lib}/libboth.so") == f"{staged_lib}/libboth.so"
    assert fs.host(f"{lib}/libsys.so") == f"{lib}/libsys.so"
    assert fs.host(f"{lib}/libown.so") == f"{staged_lib}/libown.so.1"
    assert fs.realpath(f"{lib}/libown.so") == f"{lib}/libown.so.1"  # an installed path
    assert fs.host(f"{lib}/libabs.so") == f"{lib}/libsys.so"
    assert fs.host(f"{lib}/missing.so") == f"{lib}/missing.so"
    assert fs.is_dir(lib)


def test_root_wins_over_overlay(tmp_path: Path) -> None:
    fs = FileSystem(root=str(tmp_path), overlay="/elsewhere")
    assert fs.overlay is None and fs.host("/x") == f"{tmp_path}/x"
