"""ldwrap.fixup (`ldwrap fixup --shrink`): which files it walks, what it reports, its exit
status, and the paths in a Nix store it refuses. The files are built by hand (helpers/elf.py's
build_elf); the real linkers' files are in tests/integration/shrink/test_elf_files.py, a real
store in tests/integration/nix_store/test_fixup.py. The first tests call in through the
command, as a user does (tests/unit/cli/test_fixup.py has what the command itself decides);
the rest call the module's functions."""

from __future__ import annotations

import errno
import io
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import Store
from helpers.elf import build_elf
from ldwrap import fixup as fx
from ldwrap.cli import cli
from ldwrap.link.elfdyn import read_dynamic
from ldwrap.link.trim import ERROR, NO_RUNPATH, NOT_ELF, SHRUNK


def runpath(path: Path) -> str | None:
    info = read_dynamic(str(path))
    assert info is not None
    return info.runpath


def test_a_missing_path_is_exit_2_and_the_others_are_fixed(prog: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["fixup", "--shrink", str(tmp_path / "nope"), str(prog)])
    assert r.exit_code == 2
    assert f"ldwrap fixup: error: {tmp_path}/nope: no such file or directory" in r.output
    assert runpath(prog) == f"{tmp_path}/a"


def test_an_unsafe_edit_is_exit_1(tmp_path: Path) -> None:
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "libc.so.6").write_text("/* GNU ld script */\n")  # not ELF: counts as provided
    f = build_elf(tmp_path / "lib.so", runpath=f"{keep}:/x/puts", symbols=(), tail_symbol="puts")
    before = f.read_bytes()
    r = CliRunner().invoke(cli, ["fixup", "--shrink", str(f)])
    assert r.exit_code == 1
    assert f"{f}: skipped: unsafe to edit DT_RUNPATH: symbol name 'puts'" in r.output
    assert f.read_bytes() == before


# A store-like prefix: NIX_STORE names a directory of tmp_path (the real store is in
# tests/integration/nix_store/test_fixup.py).
@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path)
    for name in ("foo", "out", "lib"):
        lib = Path(s.lib(name))
        (lib / "libc.so.6").write_text("/* GNU ld script */\n")
        build_elf(lib / "libx.so", needed=("libc.so.6",), runpath=f"{lib}:{tmp_path}/gone")
    return s


def invoke_fixup(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["fixup", "--shrink", *args], env=env)
    return r.exit_code, r.stdout, r.stderr


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
@pytest.mark.parametrize(
    ("given", "named"),
    [
        ("{foo}/lib/libx.so", "in the Nix store {s}"),
        ("{foo}", "in the Nix store {s}"),
        ("{s}", "is the Nix store {s}"),
        ("{top}", "holds the Nix store {s}"),
        # A `result` symlink points into the store: followed before judging.
        ("result", "in the Nix store {s}"),
        ("result/lib/libx.so", "in the Nix store {s}"),
    ],
)
def test_a_store_path_is_refused_and_left_byte_identical(
    store: Store, tmp_path: Path, given: str, named: str, dry_run: list[str]
) -> None:
    (tmp_path / "result").symlink_to(store.path("foo"))
    files = sorted(store.root.rglob("libx.so"))
    before = {f: f.read_bytes() for f in files}
    stat_before = {f: f.stat() for f in files}
    path = str(tmp_path / given.format(foo=store.path("foo"), s=store.root, top=tmp_path))
    code, out, err = invoke_fixup([*dry_run, path], store.env())
    assert code == 2
    reason = named.format(s=store.root)
    assert err == f"ldwrap fixup: error: {path}: {reason}; store files are never edited\n"
    assert out == ""
    assert {f: f.read_bytes() for f in files} == before
    assert {f: f.stat() for f in files} == stat_before  # not even replaced by a copy


def test_a_store_path_is_refused_the_others_are_fixed(
    store: Store, prog: Path, tmp_path: Path
) -> None:
    lib = store.libdir("foo") / "libx.so"
    before = lib.read_bytes()
    code, out, err = invoke_fixup([str(lib), str(prog)], store.env())
    assert code == 2
    assert err == (
        f"ldwrap fixup: error: {lib}: in the Nix store {store.root}; store files are never edited\n"
    )
    assert out == f"{prog}: removed {tmp_path}/gone\n"
    assert lib.read_bytes() == before


def test_the_running_builds_outputs_are_fixed(store: Store, tmp_path: Path) -> None:
    """Inside a Nix build, $out, $lib, ... (the names in $outputs) are not registered yet:
    they may be trimmed; every other store path stays refused."""
    env = store.env(
        NIX_BUILD_TOP=str(tmp_path / "build"),
        outputs="out lib",
        out=str(store.path("out")),
        lib=str(store.path("lib")),
    )
    other = store.libdir("foo") / "libx.so"
    before = other.read_bytes()
    code, out, err = invoke_fixup([env["out"], env["lib"], str(other)], env)
    assert code == 2
    assert (
        out
        == "".join(
            f"{store.path(name)}/lib/libx.so: removed {tmp_path}/gone\n" for name in ("out", "lib")
        )
        + "2 non-ELF files left alone\n"
    )  # the two libc.so.6 scripts
    assert err == (
        f"ldwrap fixup: error: {other}: in the Nix store {store.root}; "
        "store files are never edited\n"
    )
    assert other.read_bytes() == before
    for name in ("out", "lib"):
        assert runpath(store.libdir(name) / "libx.so") == f"{store.path(name)}/lib"
    # The same outputs outside a build (no NIX_BUILD_TOP) are refused.
    code, _, err = invoke_fixup(
        [env["out"]], {k: v for k, v in env.items() if k != "NIX_BUILD_TOP"}
    )
    assert code == 2 and "in the Nix store" in err


def test_the_default_store_is_refused_without_nix_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default store counts even when NIX_STORE is unset; nothing there is touched (the
    refusal comes before any file is read). A directory stands in for /nix/store, which this
    machine may not have (storeguard's own tests hold DEFAULT_STORE to /nix/store)."""
    store = Store(tmp_path).root
    lib = Store(tmp_path).libdir("foo")
    build_elf(lib / "libx.so", needed=("libc.so.6",), runpath=f"{tmp_path}/gone")
    monkeypatch.setattr("ldwrap.storeguard.DEFAULT_STORE", str(store))
    before = (lib / "libx.so").read_bytes()
    for given, named in ((store, "is the Nix store"), (lib / "libx.so", "in the Nix store")):
        code, out, err = invoke_fixup([str(given)], {})
        assert (code, out) == (2, "")
        assert err == (
            f"ldwrap fixup: error: {given}: {named} {store}; store files are never edited\n"
        )
    assert (lib / "libx.so").read_bytes() == before


# --- the module's functions -------------------------------------------------------------------


def _tree(tmp_path: Path) -> Path:
    """d/ holding a.so, sub/b.so, a symlink to a.so, a symlink to sub/, and a fifo."""
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "a.so").write_bytes(b"a")
    (d / "sub" / "b.so").write_bytes(b"b")
    (d / "link.so").symlink_to("a.so")
    (d / "linkdir").symlink_to("sub")
    os.mkfifo(d / "fifo")
    return d


def test_iter_files_walks_regular_files_in_order_and_counts_the_rest(tmp_path: Path) -> None:
    d = _tree(tmp_path)
    tally = fx.Tally()
    assert list(fx.iter_files(str(d), tally)) == [f"{d}/a.so", f"{d}/sub/b.so"]
    assert (tally.symlinks, tally.other, tally.non_elf, tally.failed) == (2, 1, 0, 0)


def test_iter_files_follows_a_symlink_named_on_the_command_line(tmp_path: Path) -> None:
    d = _tree(tmp_path)
    tally = fx.Tally()
    assert list(fx.iter_files(str(d / "link.so"), tally)) == [f"{d}/a.so"]
    assert list(fx.iter_files(str(d / "sub" / "b.so"), tally)) == [f"{d}/sub/b.so"]
    assert list(fx.iter_files(str(d / "fifo"), tally)) == []
    assert (tally.symlinks, tally.other) == (0, 1)


def test_replace_bytes_changes_only_those_bytes_and_keeps_the_mode(tmp_path: Path) -> None:
    f = tmp_path / "lib.so"
    f.write_bytes(b"0123456789")
    f.chmod(0o751)
    fx.replace_bytes(str(f), 3, b"345", b"xy\0")
    assert f.read_bytes() == b"012xy\x006789"
    assert stat.S_IMODE(f.stat().st_mode) == 0o751
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib.so"]  # no temporary file left


def test_replace_bytes_refuses_a_file_that_changed(tmp_path: Path) -> None:
    f = tmp_path / "lib.so"
    f.write_bytes(b"0123456789")
    with pytest.raises(ValueError, match="changed while it was being fixed"):
        fx.replace_bytes(str(f), 3, b"xyz", b"abc")
    assert f.read_bytes() == b"0123456789"


def test_fixup_file_reports_each_status(prog: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not ELF\n")
    bare = build_elf(tmp_path / "bare.so", runpath=None)
    result, line = fx.fixup_file(str(text), dry_run=False)
    assert (result.status, line) == (NOT_ELF, None)
    result, line = fx.fixup_file(str(bare), dry_run=False)
    assert (result.status, line) == (NO_RUNPATH, f"{bare}: unchanged")
    before = prog.read_bytes()
    result, line = fx.fixup_file(str(prog), dry_run=True)
    assert (result.status, line) == (SHRUNK, f"{prog}: would remove {tmp_path}/gone")
    assert prog.read_bytes() == before
    result, line = fx.fixup_file(str(prog), dry_run=False)
    assert (result.status, line) == (SHRUNK, f"{prog}: removed {tmp_path}/gone")
    result, line = fx.fixup_file(str(prog), dry_run=False)  # nothing left to remove
    assert line == f"{prog}: unchanged"


def test_a_file_that_cannot_be_written_is_a_failure(
    prog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(path: str, offset: int, old: bytes, new: bytes) -> None:
        # Faked: root may write any file, and tests may run as root.
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(fx, "replace_bytes", denied)
    before = prog.read_bytes()
    result, line = fx.fixup_file(str(prog), dry_run=False)
    assert (result.status, result.failed) == (ERROR, True)
    assert line == f"{prog}: skipped: cannot write: Permission denied"
    out = io.StringIO()
    assert fx.fixup([str(prog)], False, out, io.StringIO(), {}) == 1
    assert out.getvalue() == f"{prog}: skipped: cannot write: Permission denied\n"
    assert prog.read_bytes() == before


def test_fixup_summarises_what_it_left_alone(tmp_path: Path) -> None:
    d = _tree(tmp_path)
    (d / "other.txt").write_text("x")
    out, err = io.StringIO(), io.StringIO()
    assert fx.fixup([str(d)], True, out, err, {}) == 0
    assert out.getvalue() == (
        "3 non-ELF files left alone\n"
        "2 symlinks not followed\n"
        "1 special file (fifo, socket, device) left alone\n"
    )
    assert err.getvalue() == ""
    out = io.StringIO()
    (d / "fifo").unlink()
    (d / "link.so").unlink()
    (d / "linkdir").unlink()
    (d / "sub" / "b.so").unlink()
    (d / "other.txt").unlink()
    assert fx.fixup([str(d)], True, out, err, {}) == 0
    assert out.getvalue() == "1 non-ELF file left alone\n"


def test_a_file_named_twice_is_fixed_once(prog: Path, tmp_path: Path) -> None:
    (tmp_path / "again").symlink_to(prog)
    out = io.StringIO()
    assert fx.fixup([str(prog), str(tmp_path / "again"), str(prog)], False, out, None, {}) == 0
    assert out.getvalue() == f"{prog}: removed {tmp_path}/gone\n"


def test_the_worst_status_wins(prog: Path, tmp_path: Path) -> None:
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "libc.so.6").write_text("/* GNU ld script */\n")
    unsafe = build_elf(tmp_path / "u.so", runpath=f"{keep}:/x/puts", symbols=(), tail_symbol="puts")
    out, err = io.StringIO(), io.StringIO()
    assert fx.fixup([str(unsafe), str(prog)], False, out, err, {}) == 1
    assert fx.fixup([str(tmp_path / "nope"), str(unsafe)], False, out, err, {}) == 2
    assert err.getvalue() == f"ldwrap fixup: error: {tmp_path}/nope: no such file or directory\n"
