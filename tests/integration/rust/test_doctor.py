"""`ldwrap doctor` as a user runs it: a real process, a real rustc (a link farm of the installed
toolchain, so wrapping it changes nothing on the machine), PATH made of real directories; the
farm read-only too (a read-only mount, a Nix store path, in a private mount namespace)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import base_env
from ldwrap import rustup as ru
from ldwrap.launcher import install
from ldwrap.launchertext import launcher_text

from .conftest import TRIPLE, ReadOnlyToolchain


def _doctor(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ldwrap", "doctor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _env(farm: Path, tmp_path: Path, path: str, **extra: str) -> dict[str, str]:
    env = base_env(
        RUSTC=str(farm / "bin" / "rustc"),
        RUSTUP_HOME=str(tmp_path / "no-rustup"),
        PATH=path,
        NIX_STORE=str(tmp_path / "nix" / "store"),
        # Whether this machine's Nix has build users is not the subject here (see
        # tests/unit/doctor/test_permissions.py): as without them.
        NIX_CONFIG="build-users-group =",
    )
    env.pop("RUSTFLAGS", None)
    env.update(extra)
    return env


def _slot(farm: Path) -> str:
    return str(farm / "lib" / "rustlib" / TRIPLE / "bin" / "gcc-ld" / "ld.lld")


def test_all_well(farm: Path, with_targets: Path, tmp_path: Path) -> None:
    """Drop-ins for gcc and clang (see doctor/test_compilers.py) and a wrapped toolchain."""
    dropins = with_targets
    ru.wrap_slot(_slot(farm), (dropins / "ld").read_text())
    # COMPILER_PATH: the cross compilers on PATH (CI installs one) reach the drop-ins too.
    env = _env(farm, tmp_path, f"{dropins}:/usr/bin:/bin", COMPILER_PATH=str(dropins))
    out = _doctor(env)
    assert out.returncode == 0, out.stdout
    assert f"ld.lld   {dropins}/ld.lld (ldwrap) -> /usr/bin/ld.lld" in out.stdout
    assert f"ld.mold  {dropins}/ld.mold (ldwrap) -> /usr/bin/ld.mold" in out.stdout
    assert "links with: its own rust-lld" in out.stdout
    assert f"[{TRIPLE}]: wrapped -> " in out.stdout and "(active)" in out.stdout
    assert f"under {tmp_path}/nix/store (NIX_STORE)" in out.stdout
    assert out.stdout.rstrip().endswith("all well")


def test_unwrapped_toolchain_and_no_dropins(farm: Path, tmp_path: Path) -> None:
    out = _doctor(_env(farm, tmp_path, "/usr/bin:/bin"))
    assert out.returncode == 1
    assert "ld.lld   /usr/bin/ld.lld (not ldwrap)" in out.stdout
    assert "rustc links with its own rust-lld" in out.stdout
    assert f"fix: run `ldwrap rustup wrap --sysroot {farm}`" in out.stdout
    assert "none of ldwrap's drop-ins" in out.stdout


def test_wrapped_toolchain_alone_is_enough(farm: Path, tmp_path: Path) -> None:
    """Flow (a) needs no drop-ins on PATH: that is a note, not a problem."""
    ru.wrap_slot(_slot(farm), _launcher(tmp_path))
    out = _doctor(_env(farm, tmp_path, "/usr/bin:/bin"))
    assert out.returncode == 0, out.stdout
    assert "note: none of ldwrap's drop-ins" in out.stdout


def _launcher(tmp_path: Path) -> str:
    d = tmp_path / "launcher"
    install(str(d), names=("ld.lld",))
    return (d / "ld.lld").read_text()


def test_shadowed_dropins_and_cc_flow(farm: Path, with_targets: Path, tmp_path: Path) -> None:
    """With -Clink-self-contained=-linker, cc looks up ld.lld on PATH: /usr/bin comes first."""
    dropins = with_targets
    env = _env(
        farm, tmp_path, f"/usr/bin:{dropins}:/bin", RUSTFLAGS="-Clink-self-contained=-linker"
    )
    out = _doctor(env)
    assert out.returncode == 1
    assert "links with: cc with ld.lld from PATH" in out.stdout
    assert f"/usr/bin/ld.lld comes before ldwrap's {dropins}/ld.lld" in out.stdout
    assert "rustc links with cc using ld.lld, which resolves to /usr/bin/ld.lld" in out.stdout

    env["PATH"] = f"{dropins}:/usr/bin:/bin"
    env["COMPILER_PATH"] = str(dropins)  # for the cross compilers on PATH, as in test_all_well
    out = _doctor(env)
    assert out.returncode == 0, out.stdout


def test_broken_launcher_on_path(farm: Path, tmp_path: Path) -> None:
    stale = tmp_path / "stale"
    stale.mkdir()
    for name in ("ld", "ld.lld", "ld.mold"):
        p = stale / name
        p.write_text(launcher_text(python=str(tmp_path / "gone" / "python3")))
        os.chmod(p, 0o755)
    ru.wrap_slot(_slot(farm), _launcher(tmp_path))
    out = _doctor(_env(farm, tmp_path, f"{stale}:/usr/bin:/bin"))
    assert out.returncode == 1
    assert f"{stale}/ld.lld runs {tmp_path}/gone/python3, which no longer exists" in out.stdout
    assert f"fix: run `ldwrap install {stale}` again" in out.stdout


@pytest.mark.parametrize("proxy", ["symlink", "hard link"])
def test_wrapped_copy_behind_rustups_cargo_proxy(farm: Path, tmp_path: Path, proxy: str) -> None:
    """`wrap --sysroot` of a copied toolchain: its rustc is first on PATH, but `cargo` is
    rustup's proxy, which builds with rustup's toolchains. doctor names the cargo to run."""
    ru.wrap_slot(_slot(farm), _launcher(tmp_path))
    proxies = tmp_path / "cargo-home" / "bin"
    proxies.mkdir(parents=True)
    rustup = proxies / "rustup"
    rustup.write_text("#!/bin/sh\nexit 1\n")  # a stand-in: doctor only looks at what it is
    rustup.chmod(0o755)
    if proxy == "symlink":
        (proxies / "cargo").symlink_to(rustup)
    else:
        os.link(rustup, proxies / "cargo")
    # The proxies come first on PATH; `rustc` there is the copy's (so doctor's rustc is it).
    (proxies / "rustc").symlink_to(farm / "bin" / "rustc")
    env = _env(farm, tmp_path, f"{proxies}:{farm}/bin:/usr/bin:/bin")
    del env["RUSTC"]
    out = _doctor(env)
    assert out.returncode == 1, out.stdout
    assert (
        f"problem: `cargo` on PATH ({proxies}/cargo) is rustup's proxy: it builds with a "
        f"rustup toolchain, not the wrapped {farm}"
    ) in out.stdout
    assert f"fix: run {farm}/bin/cargo (or put {farm}/bin first on PATH" in out.stdout

    env["RUSTC"] = f"{farm}/bin/rustc"  # cargo honours RUSTC: then it is only a note
    out = _doctor(env)
    assert (
        f"note: `cargo` on PATH ({proxies}/cargo) is rustup's proxy: it uses the wrapped "
        f"{farm} only while RUSTC={farm}/bin/rustc is set"
    ) in out.stdout


def test_copy_with_its_own_cargo_first_needs_no_word(farm: Path, tmp_path: Path) -> None:
    ru.wrap_slot(_slot(farm), _launcher(tmp_path))
    env = _env(farm, tmp_path, f"{farm}/bin:/usr/bin:/bin")
    del env["RUSTC"]
    out = _doctor(env)
    assert "`cargo` on PATH" not in out.stdout
    assert "rust-lld" in out.stdout and f"[{TRIPLE}]: wrapped" in out.stdout


@pytest.mark.parametrize(
    ("where", "reason"),
    [("mount", "it is on a read-only file system"), ("store", "it is in the Nix store /nix/store")],
)
def test_read_only_toolchain_gets_the_route(
    where: str,
    reason: str,
    read_only_toolchain: Callable[[str], ReadOnlyToolchain],
    tmp_path: Path,
) -> None:
    """rustc's toolchain cannot be written: the fix is the route, not a wrap. With the route's
    flags in RUSTFLAGS, Rust links through ldwrap; with the -B alone, rustc's own comes first."""
    ro = read_only_toolchain(where)
    cmd = [sys.executable, "-m", "ldwrap", "doctor", "--no-compilers"]
    env = _env(ro.farm, tmp_path, "/usr/bin:/bin", RUSTC=f"{ro.sysroot}/bin/rustc")
    out = ro.run(cmd, env)
    assert out.returncode == 1, out.stdout
    name = os.path.basename(ro.sysroot)
    assert f"  {name} [{TRIPLE}]: unwrapped (read-only) -> " in out.stdout
    assert (
        f"problem: rustc links with its own rust-lld and {name} cannot be wrapped ({reason}): "
        "binaries get no rpath\n"
        f"  fix: run `ldwrap rustup route --sysroot {ro.sysroot} "
        "~/.local/share/ldwrap/rust-route` and add the block it prints to .cargo/config.toml "
        "(flow (f) in docs/rust.md)\n"
    ) in out.stdout
    assert "ldwrap rustup wrap" not in out.stdout

    route = tmp_path / "route"
    made = ro.run([*cmd[:3], "rustup", "route", "--sysroot", ro.sysroot, str(route)], env)
    assert made.returncode == 0, made.stderr
    flags = ru.route_flags(str(route / "gcc-ld"))
    out = ro.run(cmd, {**env, "RUSTFLAGS": " ".join(flags)})
    assert out.returncode == 0, out.stdout
    assert f"links with: a route (cc -B{route}/gcc-ld -fuse-ld=lld)" in out.stdout
    assert "note: none of ldwrap's drop-ins" in out.stdout
    assert out.stdout.rstrip().endswith("all well")

    out = ro.run(cmd, {**env, "RUSTFLAGS": " ".join(flags[1:])})
    assert out.returncode == 1, out.stdout
    assert (
        f"problem: rustc links with its own rust-lld: its own -B{ro.gcc_ld} comes before the "
        f"route {route}, so binaries get no rpath\n"
        "  fix: add -Clink-self-contained=-linker to the rustflags"
    ) in out.stdout

    # The table `rustup route` printed, in a project's .cargo/config.toml (flow (f)), as a
    # user sets it up: doctor run in the project reads it, as cargo would.
    project = tmp_path / "project" / "src"
    project.mkdir(parents=True)
    config = tmp_path / "project" / ".cargo" / "config.toml"
    config.parent.mkdir()
    config.write_text(made.stdout)
    out = ro.run(cmd, env, cwd=project)
    assert out.returncode == 0, out.stdout
    assert (
        f"  cargo adds: {' '.join(flags)}\n    (rustflags from {config} [target.{TRIPLE}])\n"
    ) in out.stdout
    assert f"links with: a route (cc -B{route}/gcc-ld -fuse-ld=lld)" in out.stdout
    assert out.stdout.rstrip().endswith("all well")
    # RUSTFLAGS, when set, is all cargo takes: the table is not read.
    out = ro.run(cmd, {**env, "RUSTFLAGS": " ".join(flags[1:])}, cwd=project)
    assert out.returncode == 1, out.stdout
    assert "(rustflags from RUSTFLAGS)" in out.stdout
    assert f"its own -B{ro.gcc_ld} comes before the route {route}" in out.stdout
