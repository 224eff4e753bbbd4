"""Each flow of examples/cargo-config.toml, end to end with real cargo, rustc, cc and linkers.

For every flow the same workspace is built twice from the example's own settings: once without
ldwrap (the binary must fail to start: the test is sensitive), once with it (the binary runs,
its RUNPATH is exactly the store directory it uses, and `.comment` names the intended linker).
Flow (f) builds with a toolchain that cannot be written: a read-only mount, or a Nix store path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import read_runpath, run_program

from .conftest import (
    TRIPLE,
    Greet,
    ReadOnlyToolchain,
    Toolchain,
    cargo_build,
    cargo_build_logged,
    cargo_env,
    example_section,
)

LDWRAP = [sys.executable, "-m", "ldwrap"]


def _comment(binary: Path) -> str:
    return subprocess.run(
        ["readelf", "-p", ".comment", str(binary)], capture_output=True, text=True, check=True
    ).stdout


def _version_line(argv: list[str]) -> str:
    """A linker's version as it writes it into .comment: `LLD 22.1.2 (...)`, `mold 1.10.1`."""
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    return out.splitlines()[0].split(" (compatible with GNU")[0]


def _check_fails(binary: Path) -> None:
    started = run_program(binary)
    assert started.returncode != 0, "without ldwrap the binary started: the test is not sensitive"
    assert "libgreet.so" in started.stderr


def _check_works(binary: Path, greet: Greet, linker: str) -> None:
    started = run_program(binary)
    assert started.returncode == 0, started.stderr
    assert started.stdout == "hello from greet 42\n"
    # Exactly the store directory it uses; not the unused one the .pc file also names.
    assert read_runpath(binary) == [str(greet.libdir)]
    assert linker in _comment(binary)


def _system(name: str) -> str:
    found = shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/bin")
    assert found, f"{name} is not installed"
    return found


@pytest.fixture(scope="module")
def path_without() -> str:
    """PATH as the user has it: the system linkers, no ldwrap."""
    return os.environ.get("PATH", "/usr/bin:/bin")


def test_example_has_every_flow() -> None:
    for flow in "abcdef":
        section = example_section(flow, "/d")
        assert flow == "a" or "rustflags" in section, flow
    assert example_section("a", "/d").strip() == ""  # (a): no flags at all


def test_default_links_with_own_rust_lld(toolchain: Toolchain, tmp_path: Path) -> None:
    """The premise of flow (a): this rustc (>= 1.90) links through its own gcc-ld/ld.lld."""
    src = tmp_path / "m.rs"
    src.write_text("fn main() {}\n")
    out = subprocess.run(
        [str(toolchain.rustc), "--print=link-args", "-o", str(tmp_path / "m"), str(src)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    gcc_ld = toolchain.rustlib_bin / "gcc-ld"
    assert f'"-B{gcc_ld}"' in out and '"-fuse-ld=lld"' in out, (toolchain.version, out)


def test_flow_a_wrapped_toolchain(
    toolchain: Toolchain, greet: Greet, farm: Path, tmp_path: Path
) -> None:
    config = example_section("a", "/unused")
    rustc = farm / "bin" / "rustc"
    env = cargo_env(toolchain, greet, tmp_path / "cargo-home", RUSTC=str(rustc))
    printed = subprocess.run(
        [str(rustc), "--print", "sysroot"], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()
    assert printed == str(farm)

    _check_fails(cargo_build(toolchain, tmp_path / "without", config, env))

    wrapped = subprocess.run(
        [*LDWRAP, "rustup", "wrap", "--sysroot", str(farm)], capture_output=True, text=True, env=env
    )
    assert wrapped.returncode == 0, wrapped.stderr
    slot = farm / "lib" / "rustlib" / "x86_64-unknown-linux-gnu" / "bin" / "gcc-ld" / "ld.lld"
    assert slot.read_bytes().startswith(b"#!")
    rust_lld = toolchain.rustlib_bin / "rust-lld"
    linker = _version_line([str(rust_lld), "-flavor", "gnu", "--version"])
    binary = cargo_build(toolchain, tmp_path / "with", config, env)
    _check_works(binary, greet, linker)
    assert "Debian" not in linker  # the toolchain's own rust-lld, not the system lld
    # The machine's toolchain was never touched.
    real_slot = toolchain.rustlib_bin / "gcc-ld" / "ld.lld"
    assert real_slot.read_bytes()[:4] == b"\x7fELF"


@pytest.mark.parametrize(
    ("flow", "linker_name"),
    [("b", "ld.lld"), ("c", "ld.lld"), ("d", "ld.mold")],
    ids=["b-self-contained-off", "c-fuse-ld-lld", "d-mold"],
)
def test_flow_path_dropins(
    flow: str,
    linker_name: str,
    toolchain: Toolchain,
    greet: Greet,
    dropins: Path,
    path_without: str,
    tmp_path: Path,
) -> None:
    """(b), (c), (d): cc finds the linker on PATH; ldwrap's drop-ins first on PATH."""
    config = example_section(flow, dropins)
    home = tmp_path / "cargo-home"
    without = cargo_env(toolchain, greet, home, PATH=path_without)
    _check_fails(cargo_build(toolchain, tmp_path / "without", config, without))

    with_env = cargo_env(toolchain, greet, home, PATH=f"{dropins}:{path_without}")
    linker = _version_line([_system(linker_name), "--version"])
    binary = cargo_build(toolchain, tmp_path / "with", config, with_env)
    _check_works(binary, greet, linker)
    if flow != "d":
        assert "rustc version" in _comment(binary)
        assert _version_line(
            [str(toolchain.rustlib_bin / "rust-lld"), "-flavor", "gnu", "--version"]
        ) not in _comment(binary)


def test_flow_e_clang_ld_path(
    toolchain: Toolchain, greet: Greet, dropins: Path, path_without: str, tmp_path: Path
) -> None:
    """(e): clang is the driver; --ld-path names ldwrap's ld.lld (the system one without)."""
    home = tmp_path / "cargo-home"
    env = cargo_env(toolchain, greet, home, PATH=path_without)
    system_lld = _system("ld.lld")
    plain = example_section("e", os.path.dirname(system_lld))
    assert f"--ld-path={system_lld}" in plain
    _check_fails(cargo_build(toolchain, tmp_path / "without", plain, env))

    config = example_section("e", dropins)
    linker = _version_line([system_lld, "--version"])
    binary = cargo_build(toolchain, tmp_path / "with", config, env)
    _check_works(binary, greet, linker)


@pytest.mark.parametrize("where", ["mount", "store"], ids=["read-only-mount", "nix-store"])
def test_flow_f_route_keeps_a_read_only_toolchains_rust_lld(
    where: str,
    toolchain: Toolchain,
    greet: Greet,
    read_only_toolchain: Callable[[str], ReadOnlyToolchain],
    path_without: str,
    tmp_path: Path,
) -> None:
    """(f): `ldwrap rustup route` for a toolchain on a read-only mount or at a Nix store path;
    cargo and rustc are that toolchain's, run where it is read-only. The example's table is
    exactly what the command prints; the link runs the toolchain's own rust-lld through the
    shim (the shim's LDWRAP_DEBUG line, which `-Wlinker-messages` shows, names it, and
    `.comment` names its LLD version), and nothing is written in the toolchain."""
    ro = read_only_toolchain(where)
    gcc_ld = toolchain.rustlib_bin / "gcc-ld"
    before = sorted(p.name for p in ro.farm_gcc_ld.iterdir())
    rust_lld = f"{ro.sysroot}/lib/rustlib/{TRIPLE}/bin/rust-lld"
    home = tmp_path / "cargo-home"
    home.mkdir()
    # CARGO_HOME's config adds to the project's rustflags: every link's stderr is shown.
    (home / "config.toml").write_text(f'[target.{TRIPLE}]\nrustflags = ["-Wlinker-messages"]\n')
    env = cargo_env(
        toolchain,
        greet,
        home,
        PATH=path_without,
        RUSTC=f"{ro.sysroot}/bin/rustc",
        LDWRAP_DEBUG="1",
    )
    cargo = f"{ro.sysroot}/bin/cargo"

    # Without ldwrap: the same flags, a directory holding the toolchain's own gcc-ld/ld.lld.
    plain = tmp_path / "plain"
    (plain / "gcc-ld").mkdir(parents=True)
    shutil.copy2(gcc_ld / "ld.lld", plain / "gcc-ld" / "ld.lld")
    (plain / "rust-lld").symlink_to(rust_lld)
    config = example_section("f", "/unused", plain)
    _check_fails(cargo_build(toolchain, tmp_path / "without", config, env, ro.run, cargo))

    route = tmp_path / "route"
    made = ro.run([*LDWRAP, "rustup", "route", "--sysroot", ro.sysroot, str(route)], env)
    assert made.returncode == 0, made.stderr
    config = example_section("f", "/unused", route)
    assert made.stdout == config
    assert os.readlink(route / "rust-lld") == rust_lld
    binary, log = cargo_build_logged(toolchain, tmp_path / "with", config, env, ro.run, cargo)
    linker = _version_line([str(toolchain.rustlib_bin / "rust-lld"), "-flavor", "gnu", "--version"])
    _check_works(binary, greet, linker)
    assert "Debian" not in linker  # the toolchain's own rust-lld, not the system lld
    # The program's link ran the shim (its LDWRAP_DEBUG line: the command it runs), and the
    # shim ran the route's link to this toolchain's rust-lld, adding the rpath.
    # rustc shows the linker's stderr, `ldwrap: bundle: ...` then the command, a line each.
    shim_lines = [ln for ln in log.splitlines() if f"ldwrap: {route}/" in ln]
    [app_link] = [ln for ln in shim_lines if "/target/debug/deps/greet_app-" in ln]
    command = app_link.split("ldwrap: ", 1)[1].split()
    assert command[:3] == [f"{route}/rust-lld", "-flavor", "gnu"], app_link
    assert command[command.index("-rpath") + 1] == str(greet.libdir)
    assert sorted(p.name for p in ro.farm_gcc_ld.iterdir()) == before
