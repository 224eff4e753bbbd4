"""rustup.py on stand-in toolchains: when a toolchain must not be written (a stand-in Nix store
given by NIX_STORE; a read-only file system and a directory the user cannot write, which a
unit test cannot make, are faked at `os.statvfs` and `os.access`), the refusal that names the
route, and the route itself: what it writes, the table it prints, what it checks. The real
read-only toolchain and a real cargo build through the route are in
tests/integration/rust/."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from helpers import Store
from ldwrap import rustup as ru
from ldwrap.launcher import install
from ldwrap.link.linkers import find, is_shim

TRIPLE = "x86_64-unknown-linux-gnu"


def _exe(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def _toolchain(root: Path, triple: str = TRIPLE) -> Path:
    """A sysroot with lib/rustlib/<triple>/bin/{rust-lld, gcc-ld/ld.lld} (stand-ins)."""
    bin_dir = root / "lib" / "rustlib" / triple / "bin"
    _exe(bin_dir / "rust-lld")
    _exe(bin_dir / "gcc-ld" / "ld.lld")
    return root


def _slot(sysroot: Path, triple: str = TRIPLE) -> str:
    return str(sysroot / "lib" / "rustlib" / triple / "bin" / "gcc-ld" / "ld.lld")


# --- what must not be written -----------------------------------------------------------------


def test_a_writable_toolchain_may_be_written(tmp_path: Path) -> None:
    sysroot = _toolchain(tmp_path / "tc")
    env = Store(tmp_path).env()
    assert ru.read_only(_slot(sysroot), env) is None
    assert ru.inspect(_slot(sysroot), env).read_only is None


@pytest.mark.parametrize("linked", [False, True], ids=["in-store", "linked-into-store"])
def test_a_toolchain_in_a_nix_store_is_never_written(tmp_path: Path, linked: bool) -> None:
    """Even where this user could write it: also when reached through a symbolic link (as
    `rustup toolchain link NAME /nix/store/...` makes)."""
    store = Store(tmp_path)
    real = _toolchain(store.path("rust-default-1.90.0"))
    sysroot = real
    if linked:
        sysroot = tmp_path / "rustup" / "toolchains" / "nixrust"
        sysroot.parent.mkdir(parents=True)
        sysroot.symlink_to(real)
    env = store.env()
    why = f"it is in the Nix store {store.root}"
    assert os.access(Path(_slot(sysroot)).parent, os.W_OK)
    assert ru.read_only(_slot(sysroot), env) == why
    st = ru.inspect(_slot(sysroot), env)
    assert (st.state, st.read_only, st.healthy) == (ru.UNWRAPPED, why, True)


def test_a_read_only_file_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sysroot = _toolchain(tmp_path / "tc")
    slot = _slot(sysroot)
    real_statvfs = os.statvfs

    class ReadOnly:
        f_flag = os.ST_RDONLY

    def statvfs(path: str) -> object:
        # Faked: a unit test cannot mount anything read-only.
        return ReadOnly() if path == os.path.dirname(slot) else real_statvfs(path)

    monkeypatch.setattr(os, "statvfs", statvfs)
    assert ru.read_only(slot, {}) == "it is on a read-only file system"


def test_a_directory_this_user_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sysroot = _toolchain(tmp_path / "tc")
    slot = _slot(sysroot)
    real_access = os.access
    # Faked: root may write any directory whatever its mode, and tests may run as root.
    monkeypatch.setattr(os, "access", lambda p, m: False if m == os.W_OK else real_access(p, m))
    assert ru.read_only(slot, {}) == "its directory is not writable by this user"


def test_wrap_refusal_names_the_route(tmp_path: Path) -> None:
    store = Store(tmp_path)
    sysroot = _toolchain(store.path("rust"))
    env = store.env(RUSTUP_HOME=str(tmp_path / "rustup"))
    tc = ru.toolchain_at(str(sysroot))
    assert ru.wrap_refusal(_slot(sysroot), tc, env) == (
        f"cannot wrap {_slot(sysroot)}: it is in the Nix store {store.root}; to keep its rust-lld "
        f"without writing it, run `ldwrap rustup route --sysroot {sysroot} "
        "~/.local/share/ldwrap/rust-route` and add the block it prints to .cargo/config.toml "
        "(flow (f) in docs/rust.md)"
    )
    writable = _toolchain(tmp_path / "rustup" / "toolchains" / "stable-x")
    named = ru.Toolchain("stable-x", str(writable))
    assert ru.wrap_refusal(_slot(writable), named, env) is None
    assert ru.selection_option(named, env) == "--toolchain stable-x"
    assert ru.route_advice(named, env, "/r").startswith("run `ldwrap rustup route --toolchain")


# --- the route ----------------------------------------------------------------------------------


def test_toolchain_rust_lld_is_the_hosts(tmp_path: Path) -> None:
    sysroot = _toolchain(tmp_path / "tc")
    own = sysroot / "lib" / "rustlib" / TRIPLE / "bin" / "rust-lld"
    assert ru.toolchain_rust_lld(str(sysroot)) == (TRIPLE, str(own))
    _exe(sysroot / "lib" / "rustlib" / "aarch64-unknown-linux-gnu" / "bin" / "rust-lld")
    assert ru.toolchain_rust_lld(str(sysroot), "x86_64")[0] == TRIPLE
    assert ru.toolchain_rust_lld(str(sysroot), "aarch64")[0] == "aarch64-unknown-linux-gnu"


def test_a_toolchain_without_rust_lld_has_no_route(tmp_path: Path) -> None:
    sysroot = tmp_path / "old"
    (sysroot / "lib" / "rustlib" / TRIPLE / "lib").mkdir(parents=True)
    with pytest.raises(ru.RustupError, match=r"has no lib/rustlib/\*/bin/rust-lld.*flows \(b\)"):
        ru.make_route(str(tmp_path / "route"), str(sysroot))
    assert not (tmp_path / "route").exists()


def test_route_flags_and_the_cargo_table() -> None:
    flags = ru.route_flags("/r/gcc-ld")
    assert flags == [
        "-Clink-self-contained=-linker",
        "-Clink-arg=-fuse-ld=lld",
        "-Clink-arg=-B/r/gcc-ld",
    ]
    route = ru.Route("/r", TRIPLE, "/tc/rust-lld")
    assert ru.cargo_block(route) == (
        f"[target.{TRIPLE}]\n"
        "rustflags = [\n"
        '    "-Clink-self-contained=-linker",\n'
        '    "-Clink-arg=-fuse-ld=lld",\n'
        '    "-Clink-arg=-B/r/gcc-ld",\n'
        "]\n"
    )
    # A key TOML cannot take bare is quoted.
    dotted = ru.cargo_block(ru.Route("/r", "x86_64-unknown-linux-gnu.v2", ""))
    assert dotted.startswith('[target."x86_64-unknown-linux-gnu.v2"]\n')


@pytest.mark.parametrize(
    ("text", "toml"),
    [
        ("/a b/c", '"/a b/c"'),
        ('/a"b', '"/a\\"b"'),
        ("/a\\b", '"/a\\\\b"'),
        ("/a\tb\x7f", '"/a\\u0009b\\u007f"'),
        ("/héllo", '"/héllo"'),
    ],
)
def test_toml_string(text: str, toml: str) -> None:
    assert ru.toml_string(text) == toml


def test_make_route_writes_a_launcher_and_a_link(tmp_path: Path) -> None:
    sysroot = _toolchain(tmp_path / "tc")
    own = sysroot / "lib" / "rustlib" / TRIPLE / "bin" / "rust-lld"
    route = ru.make_route(str(tmp_path / "route"), str(sysroot))
    assert (route.directory, route.triple, route.target) == (
        str(tmp_path / "route"),
        TRIPLE,
        str(own),
    )
    assert os.readlink(route.rust_lld) == str(own)
    assert is_shim(route.launcher) and os.access(route.launcher, os.X_OK)
    assert sorted(os.listdir(route.ld_dir)) == [".ldwrap-shim.bundle", "ld.lld"]
    assert ru.route_problems(route.ld_dir) == (str(own), [])
    # The shim invoked as the route's ld.lld runs the link: the toolchain's rust-lld, never
    # an ld.lld on PATH.
    _exe(tmp_path / "sys" / "ld.lld")
    real = find("ld.lld", route.launcher, {"PATH": str(tmp_path / "sys")}, None)
    assert (real.path, real.lead) == (route.rust_lld, ("-flavor", "gnu"))


def test_make_route_again_follows_the_toolchain(tmp_path: Path) -> None:
    first = _toolchain(tmp_path / "first")
    second = _toolchain(tmp_path / "second")
    ru.make_route(str(tmp_path / "route"), str(first))
    route = ru.make_route(str(tmp_path / "route"), str(second))
    assert os.readlink(route.rust_lld) == route.target
    assert route.target.startswith(str(second) + "/")
    assert not [n for n in os.listdir(route.directory) if n.startswith(".")]


def test_make_route_relative_directory_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sysroot = _toolchain(tmp_path / "tc")
    monkeypatch.chdir(tmp_path)
    route = ru.make_route("route", "tc")
    assert route.ld_dir == str(tmp_path / "route" / "gcc-ld")
    assert os.readlink(route.rust_lld) == str(
        sysroot / "lib" / "rustlib" / TRIPLE / "bin" / "rust-lld"
    )


@pytest.mark.parametrize("what", ["rust-lld", "gcc-ld/ld.lld"])
def test_make_route_writes_nothing_over_a_file_of_someone_elses(tmp_path: Path, what: str) -> None:
    sysroot = _toolchain(tmp_path / "tc")
    route = tmp_path / "route"
    _exe(route / what, "#!/bin/sh\n# mine\n")
    before = sorted(str(p.relative_to(route)) for p in route.rglob("*"))
    with pytest.raises(ru.RustupError, match=f"{route / what} is in the way.*nothing written"):
        ru.make_route(str(route), str(sysroot))
    assert sorted(str(p.relative_to(route)) for p in route.rglob("*")) == before


def test_route_problems(tmp_path: Path) -> None:
    sysroot = _toolchain(tmp_path / "tc")
    route = ru.make_route(str(tmp_path / "route"), str(sysroot))
    os.unlink(route.target)  # the toolchain is gone (garbage-collected)
    real, problems = ru.route_problems(route.ld_dir)
    assert real is None
    assert problems == [
        f"{route.rust_lld} points to {route.target}, which is gone (the toolchain was removed, "
        "or garbage-collected)"
    ]
    os.unlink(route.rust_lld)
    assert ru.route_problems(route.ld_dir) == (None, [f"{route.rust_lld} is missing"])

    plain = tmp_path / "plain" / "gcc-ld"
    _exe(plain / "ld.lld")
    assert ru.route_problems(str(plain)) == (None, [f"{plain}/ld.lld is not an ldwrap launcher"])

    stale = tmp_path / "stale"
    install(str(stale / "gcc-ld"), names=("ld.lld",))
    launcher = stale / "gcc-ld" / "ld.lld"
    launcher.write_text(launcher.read_text().replace(sys.executable, "/gone/python3", 1))
    rust_lld = _exe(stale / "rust-lld")
    real, problems = ru.route_problems(str(stale / "gcc-ld"))
    assert real == str(rust_lld)
    assert problems == [f"{launcher} runs /gone/python3, which no longer exists"]
