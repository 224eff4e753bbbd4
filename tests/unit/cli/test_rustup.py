"""`ldwrap rustup wrap|status|route` as a user runs them, on stand-in toolchains: a toolchain in
a stand-in Nix store (NIX_STORE) is refused in one line naming the route; the route prints
exactly its cargo table on standard output. The real toolchains, read-only, are in
tests/integration/rust/."""

from __future__ import annotations

import os
from pathlib import Path

from ldwrap import rustup as ru

from .conftest import SYS_PATH, ldwrap

TRIPLE = "x86_64-unknown-linux-gnu"


def _toolchain(root: Path) -> Path:
    bin_dir = root / "lib" / "rustlib" / TRIPLE / "bin"
    (bin_dir / "gcc-ld").mkdir(parents=True)
    for p in (bin_dir / "rust-lld", bin_dir / "gcc-ld" / "ld.lld"):
        p.write_text("#!/bin/sh\nexit 0\n")
        p.chmod(0o755)
    return root


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": SYS_PATH,
        "HOME": str(tmp_path),
        "RUSTUP_HOME": str(tmp_path / "rustup"),
        "RUSTC": str(tmp_path / "no-rustc"),
        "NIX_STORE": str(tmp_path / "store"),
    }


def _listing(d: Path) -> list[str]:
    return sorted(str(p.relative_to(d)) for p in d.rglob("*"))


def test_wrap_refuses_a_store_toolchain_in_one_line(tmp_path: Path) -> None:
    sysroot = _toolchain(tmp_path / "store" / "aaa-rust-default-1.90.0")
    before = _listing(sysroot)
    out = ldwrap(["rustup", "wrap", "--sysroot", str(sysroot)], _env(tmp_path))
    assert (out.returncode, out.stdout) == (1, "")
    slot = sysroot / "lib" / "rustlib" / TRIPLE / "bin" / "gcc-ld" / "ld.lld"
    assert out.stderr == (
        f"ldwrap: aaa-rust-default-1.90.0: cannot wrap {slot}: it is in the Nix store "
        f"{tmp_path}/store; to keep its rust-lld without writing it, run `ldwrap rustup route "
        f"--sysroot {sysroot} ~/.local/share/ldwrap/rust-route` and add the block it prints "
        "to .cargo/config.toml (flow (f) in docs/rust.md)\n"
    )
    assert _listing(sysroot) == before


def test_wrap_all_wraps_what_it_may_and_refuses_the_rest(tmp_path: Path) -> None:
    """A rustup toolchain and one linked into the store (`rustup toolchain link`)."""
    toolchains = tmp_path / "rustup" / "toolchains"
    mine = _toolchain(toolchains / "stable-x")
    (toolchains / "nixrust").symlink_to(_toolchain(tmp_path / "store" / "bbb-rust"))
    out = ldwrap(["rustup", "wrap", "--all"], _env(tmp_path))
    assert out.returncode == 1
    assert out.stdout == f"stable-x: wrapped: {mine}/lib/rustlib/{TRIPLE}/bin/gcc-ld/ld.lld\n"
    errors = out.stderr.splitlines()
    assert errors[0].startswith("ldwrap: nixrust: cannot wrap ")
    assert "run `ldwrap rustup route --toolchain nixrust " in errors[0]
    assert errors[1].startswith("note: cargo does not relink")  # something was wrapped
    assert len(errors) == 2

    status = ldwrap(["rustup", "status", "--toolchain", "nixrust"], _env(tmp_path))
    assert status.returncode == 0, status.stdout
    assert status.stdout.splitlines()[1] == (
        f"  read-only (it is in the Nix store {tmp_path}/store): `ldwrap rustup route` serves it"
    )


def test_route_prints_the_table_alone_on_stdout(tmp_path: Path) -> None:
    sysroot = _toolchain(tmp_path / "store" / "ccc-rust")
    out = ldwrap(["rustup", "route", "--sysroot", str(sysroot), "route"], _env(tmp_path), tmp_path)
    assert out.returncode == 0, out.stderr
    route = ru.Route(str(tmp_path / "route"), TRIPLE, "")
    assert out.stdout == ru.cargo_block(route)
    own = sysroot / "lib" / "rustlib" / TRIPLE / "bin" / "rust-lld"
    lines = out.stderr.splitlines()
    assert lines[0] == f"ccc-rust: route: {route.launcher} -> {own} -flavor gnu"
    assert lines[1] == (
        "ldwrap: add the table above to .cargo/config.toml (a project's, or "
        "~/.cargo/config.toml), or set RUSTFLAGS='-Clink-self-contained=-linker "
        f"-Clink-arg=-fuse-ld=lld -Clink-arg=-B{route.ld_dir}'"
    )
    assert os.readlink(route.rust_lld) == str(own)
    assert _listing(sysroot) == [
        "lib",
        "lib/rustlib",
        f"lib/rustlib/{TRIPLE}",
        f"lib/rustlib/{TRIPLE}/bin",
        f"lib/rustlib/{TRIPLE}/bin/gcc-ld",
        f"lib/rustlib/{TRIPLE}/bin/gcc-ld/ld.lld",
        f"lib/rustlib/{TRIPLE}/bin/rust-lld",
    ]


def test_route_with_a_space_offers_no_rustflags_line(tmp_path: Path) -> None:
    """RUSTFLAGS splits on spaces; the table (one string per flag) still works."""
    sysroot = _toolchain(tmp_path / "tc")
    route = tmp_path / "my route"
    out = ldwrap(["rustup", "route", "--sysroot", str(sysroot), str(route)], _env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert f'"-Clink-arg=-B{route}/gcc-ld",' in out.stdout
    assert "RUSTFLAGS" not in out.stderr


def test_route_errors(tmp_path: Path) -> None:
    env = _env(tmp_path)
    old = tmp_path / "old"
    (old / "lib" / "rustlib" / TRIPLE / "lib").mkdir(parents=True)
    out = ldwrap(["rustup", "route", "--sysroot", str(old), str(tmp_path / "r")], env)
    assert (out.returncode, out.stdout) == (1, "")
    assert out.stderr.startswith(f"ldwrap: old: {old} has no lib/rustlib/*/bin/rust-lld")
    assert len(out.stderr.splitlines()) == 1
    assert not (tmp_path / "r").exists()

    out = ldwrap(["rustup", "route", "--toolchain", "nope", str(tmp_path / "r")], env)
    assert out.returncode == 2 and "no rustup toolchain 'nope'" in out.stderr
    out = ldwrap(
        ["rustup", "route", "--toolchain", "a", "--sysroot", str(old), str(tmp_path / "r")], env
    )
    assert out.returncode == 2 and "give at most one of" in out.stderr
    out = ldwrap(["rustup", "route", str(tmp_path / "r")], env)  # no rustc to ask
    assert out.returncode == 2 and "--print sysroot" in out.stderr
    out = ldwrap(["rustup", "route"], env)
    assert out.returncode == 2 and "Missing argument 'DIRECTORY'" in out.stderr
