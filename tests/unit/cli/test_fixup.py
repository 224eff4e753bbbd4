"""`ldwrap fixup` through click: options, usage errors, exit status; the files are built by
hand (helpers/elf.py's build_elf), the real linkers' files are in
tests/integration/shrink/test_elf_files.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.elf import build_elf
from ldwrap.cli import cli
from ldwrap.link.elfdyn import read_dynamic


def runpath(path: Path) -> str | None:
    info = read_dynamic(str(path))
    assert info is not None
    return info.runpath


@pytest.fixture
def prog(tmp_path: Path) -> Path:
    """A RUNPATH of /a, which provides libc.so.6 (a GNU ld script: not ELF, so it counts),
    and /gone, which provides nothing."""
    a = tmp_path / "a"
    a.mkdir()
    (a / "libc.so.6").write_text("/* GNU ld script */\n")  # not ELF: counts as provided
    return build_elf(tmp_path / "prog", needed=("libc.so.6",), runpath=f"{a}:{tmp_path}/gone")


def test_shrink_removes_the_entry_that_provides_nothing(prog: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["fixup", "--shrink", str(prog)])
    assert r.exit_code == 0, r.output
    assert r.output == f"{prog}: removed {tmp_path}/gone\n"
    assert runpath(prog) == f"{tmp_path}/a"


def test_dry_run_changes_nothing(prog: Path, tmp_path: Path) -> None:
    before = prog.read_bytes()
    r = CliRunner().invoke(cli, ["fixup", "--shrink", "--dry-run", str(prog)])
    assert r.exit_code == 0, r.output
    assert r.output == f"{prog}: would remove {tmp_path}/gone\n"
    assert prog.read_bytes() == before


@pytest.mark.parametrize("args", [["PROG"], ["--dry-run", "PROG"]])
def test_without_shrink_is_a_usage_error_naming_it(prog: Path, args: list[str]) -> None:
    before = prog.read_bytes()
    r = CliRunner().invoke(cli, ["fixup", *(str(prog) if a == "PROG" else a for a in args)])
    assert r.exit_code == 2
    assert "--shrink" in r.output
    assert prog.read_bytes() == before


def test_no_path_is_a_usage_error() -> None:
    r = CliRunner().invoke(cli, ["fixup", "--shrink"])
    assert r.exit_code == 2
    assert "PATHS" in r.output


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


def test_fixup_is_listed_in_the_help() -> None:
    r = CliRunner().invoke(cli, ["--help"])
    assert r.exit_code == 0
    assert "fixup" in r.output


# A fake store: NIX_STORE names a directory of tmp_path (the real store is in
# tests/integration/nix_store/test_fixup.py).
@pytest.fixture
def store(tmp_path: Path) -> Path:
    s = tmp_path / "store"
    for name in ("aaa-foo", "bbb-out", "ccc-lib"):
        (s / name / "lib").mkdir(parents=True)
        (s / name / "lib" / "libc.so.6").write_text("/* GNU ld script */\n")
        lib = s / name / "lib"
        build_elf(lib / "libx.so", needed=("libc.so.6",), runpath=f"{lib}:{tmp_path}/gone")
    return s


def invoke_fixup(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["fixup", "--shrink", *args], env=env)
    return r.exit_code, r.stdout, r.stderr


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
@pytest.mark.parametrize(
    ("given", "named"),
    [
        ("store/aaa-foo/lib/libx.so", "in the Nix store {s}"),
        ("store/aaa-foo", "in the Nix store {s}"),
        ("store", "is the Nix store {s}"),
        (".", "holds the Nix store {s}"),
        # A `result` symlink points into the store: followed before judging.
        ("result", "in the Nix store {s}"),
        ("result/lib/libx.so", "in the Nix store {s}"),
    ],
)
def test_a_store_path_is_refused_and_left_byte_identical(
    store: Path, tmp_path: Path, given: str, named: str, dry_run: list[str]
) -> None:
    (tmp_path / "result").symlink_to(store / "aaa-foo")
    files = sorted(store.rglob("libx.so"))
    before = {f: f.read_bytes() for f in files}
    stat_before = {f: f.stat() for f in files}
    path = str(tmp_path / given)
    code, out, err = invoke_fixup([*dry_run, path], {"NIX_STORE": str(store)})
    assert code == 2
    reason = named.format(s=store)
    assert err == f"ldwrap fixup: error: {path}: {reason}; store files are never edited\n"
    assert out == ""
    assert {f: f.read_bytes() for f in files} == before
    assert {f: f.stat() for f in files} == stat_before  # not even replaced by a copy


def test_a_store_path_is_refused_the_others_are_fixed(
    store: Path, prog: Path, tmp_path: Path
) -> None:
    lib = store / "aaa-foo" / "lib" / "libx.so"
    before = lib.read_bytes()
    code, out, err = invoke_fixup([str(lib), str(prog)], {"NIX_STORE": str(store)})
    assert code == 2
    assert (
        err
        == f"ldwrap fixup: error: {lib}: in the Nix store {store}; store files are never edited\n"
    )
    assert out == f"{prog}: removed {tmp_path}/gone\n"
    assert lib.read_bytes() == before


def test_the_running_builds_outputs_are_fixed(store: Path, tmp_path: Path) -> None:
    """Inside a Nix build, $out, $lib, ... (the names in $outputs) are not registered yet:
    they may be trimmed; every other store path stays refused."""
    env = {
        "NIX_STORE": str(store),
        "NIX_BUILD_TOP": str(tmp_path / "build"),
        "outputs": "out lib",
        "out": str(store / "bbb-out"),
        "lib": str(store / "ccc-lib"),
    }
    other = store / "aaa-foo" / "lib" / "libx.so"
    before = other.read_bytes()
    code, out, err = invoke_fixup([str(store / "bbb-out"), str(store / "ccc-lib"), str(other)], env)
    assert code == 2
    assert (
        out
        == "".join(
            f"{store}/{name}/lib/libx.so: removed {tmp_path}/gone\n"
            for name in ("bbb-out", "ccc-lib")
        )
        + "2 non-ELF files left alone\n"
    )  # the two libc.so.6 scripts
    assert (
        err
        == f"ldwrap fixup: error: {other}: in the Nix store {store}; store files are never edited\n"
    )
    assert other.read_bytes() == before
    for name in ("bbb-out", "ccc-lib"):
        assert runpath(store / name / "lib" / "libx.so") == f"{store}/{name}/lib"
    # The same outputs outside a build (no NIX_BUILD_TOP) are refused.
    code, _, err = invoke_fixup(
        [str(store / "bbb-out")], {k: v for k, v in env.items() if k != "NIX_BUILD_TOP"}
    )
    assert code == 2 and "in the Nix store" in err


def test_the_default_store_is_refused_without_nix_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default store counts even when NIX_STORE is unset; nothing there is touched (the
    refusal comes before any file is read). A directory stands in for /nix/store, which this
    machine may not have (storeguard's own tests hold DEFAULT_STORE to /nix/store)."""
    store = tmp_path / "nix" / "store"
    lib = store / "aaa-foo" / "lib"
    lib.mkdir(parents=True)
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
