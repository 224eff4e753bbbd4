"""`ldwrap rustup wrap|unwrap|status` on a private sysroot made of the installed toolchain's real
gcc-ld/ld.lld (a copy) and rust-lld (a symlink): wrapping, restoring, idempotence, what
`rustup update` leaves behind, and a crash at every step of a wrap or unwrap. Then a toolchain
that cannot be written (a read-only mount, a Nix store path, in a private mount namespace):
`wrap` refuses it in one line naming `ldwrap rustup route`, and the route runs its rust-lld."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from ldwrap import rustup as ru
from ldwrap.cli import cli
from ldwrap.launchertext import launcher_text

from .conftest import TRIPLE, ReadOnlyToolchain, Toolchain


def _sysroot(toolchain: Toolchain, root: Path) -> Path:
    """A minimal sysroot: lib/rustlib/<triple>/bin/{rust-lld, gcc-ld/ld.lld}."""
    bin_dir = root / "lib" / "rustlib" / TRIPLE / "bin"
    (bin_dir / "gcc-ld").mkdir(parents=True)
    (bin_dir / "rust-lld").symlink_to(toolchain.rustlib_bin / "rust-lld")
    shutil.copy2(toolchain.rustlib_bin / "gcc-ld" / "ld.lld", bin_dir / "gcc-ld" / "ld.lld")
    return root


@pytest.fixture
def sysroot(toolchain: Toolchain, tmp_path: Path) -> Path:
    return _sysroot(toolchain, tmp_path / "tc")


def _slot(sysroot: Path) -> Path:
    return sysroot / "lib" / "rustlib" / TRIPLE / "bin" / "gcc-ld" / "ld.lld"


def _lld_version(path: Path) -> str:
    out = subprocess.run(
        [str(path), "--version"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    return out.stdout


def test_wrap_runs_the_toolchains_rust_lld_and_unwrap_restores(
    sysroot: Path, toolchain: Toolchain
) -> None:
    slot = _slot(sysroot)
    original = slot.read_bytes()
    own = _lld_version(slot)
    assert ru.inspect(str(slot)).state == ru.UNWRAPPED

    assert ru.wrap_slot(str(slot), launcher_text()) == "wrapped"
    st = ru.inspect(str(slot))
    assert (st.state, st.problems) == (ru.WRAPPED, [])
    assert st.real_linker == str(slot.parent.parent / "rust-lld")
    assert Path(st.saved).read_bytes() == original
    # The launcher really runs: through the shim to this toolchain's rust-lld, not /usr/bin's.
    assert _lld_version(slot) == own
    assert os.access(slot, os.X_OK)

    assert ru.wrap_slot(str(slot), launcher_text()) == "already wrapped"
    assert ru.unwrap_slot(str(slot)) == "unwrapped"
    assert slot.read_bytes() == original
    assert not Path(st.saved).exists()
    assert ru.unwrap_slot(str(slot)) == "not wrapped"
    assert sorted(p.name for p in slot.parent.iterdir()) == ["ld.lld"]


def test_status_after_rustup_update_and_rewrap(sysroot: Path) -> None:
    """rustup update writes a new ld.lld over the launcher and leaves our saved copy."""
    slot = _slot(sysroot)
    ru.wrap_slot(str(slot), launcher_text())
    launcher = slot.read_bytes()
    new_original = Path(ru.inspect(str(slot)).saved).read_bytes() + b"\0new"
    tmp = slot.with_name("update")
    tmp.write_bytes(new_original)
    tmp.chmod(0o755)
    os.replace(tmp, slot)
    st = ru.inspect(str(slot))
    assert st.state == ru.REPLACED and not st.healthy
    assert any("rustup update" in p for p in st.problems)

    assert ru.wrap_slot(str(slot), launcher_text()) == "wrapped"
    assert Path(st.saved).read_bytes() == new_original  # the newer original is kept
    assert slot.read_bytes() == launcher
    ru.unwrap_slot(str(slot))
    assert slot.read_bytes() == new_original


def test_original_missing_and_stale_launcher(sysroot: Path, tmp_path: Path) -> None:
    slot = _slot(sysroot)
    ru.wrap_slot(str(slot), launcher_text(python=str(tmp_path / "gone" / "python3")))
    st = ru.inspect(str(slot))
    assert any("no longer exists" in p for p in st.problems)
    os.unlink(st.saved)
    assert ru.inspect(str(slot)).state == ru.ORIGINAL_MISSING
    with pytest.raises(ru.RustupError, match="original"):
        ru.unwrap_slot(str(slot))
    with pytest.raises(ru.RustupError, match="missing"):
        ru.wrap_slot(str(slot), launcher_text())


class Crash(Exception):
    pass


def _crash_on(monkeypatch: pytest.MonkeyPatch, name: str, n: int) -> None:
    """Make the n-th call of os.<name> raise, as if the process died there."""
    real = getattr(os, name)
    calls = {"n": 0}

    def fake(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == n:
            raise Crash(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, fake)


def _works(slot: Path, own: str) -> None:
    """The toolchain still links: ld.lld is the original, or the launcher with the original
    saved beside it."""
    assert _lld_version(slot) == own
    st = ru.inspect(str(slot))
    assert st.state in (ru.UNWRAPPED, ru.WRAPPED), st.state


@pytest.mark.parametrize(
    "step", [("link", 1), ("replace", 1), ("replace", 2), ("chmod", 1), ("fsync", 1), ("fsync", 2)]
)
def test_crash_during_wrap_leaves_a_working_toolchain(
    sysroot: Path, monkeypatch: pytest.MonkeyPatch, step: tuple[str, int]
) -> None:
    slot = _slot(sysroot)
    original = slot.read_bytes()
    own = _lld_version(slot)
    with monkeypatch.context() as m:
        _crash_on(m, *step)
        try:
            ru.wrap_slot(str(slot), launcher_text())
        except Crash:
            pass
    _works(slot, own)
    assert ru.wrap_slot(str(slot), launcher_text()) in ("wrapped", "already wrapped")
    assert Path(str(slot) + ru.SAVED_SUFFIX).read_bytes() == original
    ru.unwrap_slot(str(slot))
    assert slot.read_bytes() == original


def test_crash_during_unwrap_leaves_a_working_toolchain(
    sysroot: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slot = _slot(sysroot)
    original = slot.read_bytes()
    own = _lld_version(slot)
    ru.wrap_slot(str(slot), launcher_text())
    with monkeypatch.context() as m:
        _crash_on(m, "replace", 1)
        with pytest.raises(Crash):
            ru.unwrap_slot(str(slot))
    _works(slot, own)
    ru.unwrap_slot(str(slot))
    assert slot.read_bytes() == original


def test_cli_by_name_all_and_status(toolchain: Toolchain, tmp_path: Path) -> None:
    home = tmp_path / "rustup-home"
    a = _sysroot(toolchain, home / "toolchains" / "alpha-x86_64-unknown-linux-gnu")
    b = _sysroot(toolchain, home / "toolchains" / "beta-x86_64-unknown-linux-gnu")
    env = {"RUSTUP_HOME": str(home), "RUSTC": str(tmp_path / "no-rustc")}
    runner = CliRunner()

    res = runner.invoke(cli, ["rustup", "wrap", "--toolchain", "alpha"], env=env)
    assert res.exit_code == 0, res.output
    assert "alpha-x86_64-unknown-linux-gnu: wrapped" in res.output
    assert ru.inspect(str(_slot(a))).state == ru.WRAPPED
    assert ru.inspect(str(_slot(b))).state == ru.UNWRAPPED

    res = runner.invoke(cli, ["rustup", "status"], env=env)
    assert res.exit_code == 0, res.output
    assert f"alpha-x86_64-unknown-linux-gnu [{TRIPLE}]: wrapped ->" in res.output
    assert f"beta-x86_64-unknown-linux-gnu [{TRIPLE}]: unwrapped" in res.output

    res = runner.invoke(cli, ["rustup", "wrap", "--all"], env=env)
    assert res.exit_code == 0 and "alpha-x86_64-unknown-linux-gnu: already wrapped" in res.output
    assert ru.inspect(str(_slot(b))).state == ru.WRAPPED

    os.unlink(_slot(b))  # as `rustup update` does before writing the new ld.lld
    shutil.copy2(Path(str(_slot(b)) + ru.SAVED_SUFFIX), _slot(b))
    with open(_slot(b), "ab") as f:
        f.write(b"\0")
    res = runner.invoke(cli, ["rustup", "status", "--all"], env=env)
    assert res.exit_code == 1 and "beta-x86_64-unknown-linux-gnu" in res.output
    assert "replaced" in res.output

    res = runner.invoke(cli, ["rustup", "unwrap", "--sysroot", str(a)], env=env)
    assert res.exit_code == 0 and "unwrapped" in res.output
    res = runner.invoke(cli, ["rustup", "wrap", "--toolchain", "alpha", "--all"], env=env)
    assert res.exit_code == 2
    res = runner.invoke(cli, ["rustup", "wrap", "--toolchain", "gamma"], env=env)
    assert res.exit_code == 2 and "no rustup toolchain 'gamma'" in res.output
    res = runner.invoke(cli, ["rustup", "wrap"], env=env)  # no rustc to ask
    assert res.exit_code == 2 and "--print sysroot" in res.output


def test_wrap_defaults_to_rustcs_active_toolchain(farm: Path, tmp_path: Path) -> None:
    """Without an option, wrap acts on the sysroot of $RUSTC (a real rustc, here the farm's)."""
    env = dict(os.environ, RUSTC=str(farm / "bin" / "rustc"), RUSTUP_HOME=str(tmp_path / "none"))
    out = subprocess.run(
        [sys.executable, "-m", "ldwrap", "rustup", "wrap"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "rustup update" in out.stderr
    assert ru.inspect(str(_slot(farm))).state == ru.WRAPPED


LDWRAP = [sys.executable, "-m", "ldwrap"]
REASONS = {
    "mount": "it is on a read-only file system",
    "store": "it is in the Nix store /nix/store",
    "writable store": "it is in the Nix store /nix/store",
}


@pytest.mark.parametrize("how", ["--sysroot", "rustc's"])
@pytest.mark.parametrize("where", list(REASONS))
def test_wrap_refuses_a_read_only_toolchain_in_one_line(
    where: str,
    how: str,
    read_only_toolchain: Callable[[str], ReadOnlyToolchain],
    tmp_path: Path,
) -> None:
    """A read-only mount, a read-only store and a store root could write: one line naming the
    route, exit 1, nothing written (in the store, not even by root)."""
    ro = read_only_toolchain(where)
    before = {p.name: p.read_bytes() for p in ro.farm_gcc_ld.iterdir()}
    env = dict(os.environ, RUSTC=f"{ro.sysroot}/bin/rustc", RUSTUP_HOME=str(tmp_path / "none"))
    select = ["--sysroot", ro.sysroot] if how == "--sysroot" else []
    out = ro.run([*LDWRAP, "rustup", "wrap", *select], env)
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert out.stdout == ""
    slot = f"{ro.gcc_ld}/ld.lld"
    assert out.stderr == (
        f"ldwrap: {Path(ro.sysroot).name}: cannot wrap {slot}: {REASONS[where]}; to keep its "
        f"rust-lld without writing it, run `ldwrap rustup route --sysroot {ro.sysroot} "
        "~/.local/share/ldwrap/rust-route` and add the block it prints to .cargo/config.toml "
        "(flow (f) in docs/rust.md)\n"
    )
    assert {p.name: p.read_bytes() for p in ro.farm_gcc_ld.iterdir()} == before

    status = ro.run([*LDWRAP, "rustup", "status", *select], env)
    assert status.returncode == 0, status.stdout
    assert f"[{TRIPLE}]: unwrapped -> {ro.sysroot}/lib/rustlib/{TRIPLE}/bin/rust-lld" in (
        status.stdout
    )
    assert f"  read-only ({REASONS[where]}): `ldwrap rustup route` serves it" in status.stdout


def test_route_runs_the_read_only_toolchains_rust_lld(
    read_only_toolchain: Callable[[str], ReadOnlyToolchain], tmp_path: Path
) -> None:
    """The route's ld.lld, run where the toolchain is read-only, is the shim running that
    toolchain's rust-lld; made again, it follows the toolchain given last; what is in its way
    stops it before anything is written."""
    ro = read_only_toolchain("store")
    env = dict(os.environ, RUSTUP_HOME=str(tmp_path / "none"))
    route = tmp_path / "route"
    made = ro.run([*LDWRAP, "rustup", "route", "--sysroot", ro.sysroot, str(route)], env)
    assert made.returncode == 0, made.stderr
    own = f"{ro.sysroot}/lib/rustlib/{TRIPLE}/bin/rust-lld"
    assert f"route: {route}/gcc-ld/ld.lld -> {own} -flavor gnu" in made.stderr
    launcher = route / "gcc-ld" / "ld.lld"
    lld_env = {"PATH": "/usr/bin:/bin", "LDWRAP_DEBUG": "1"}
    version = ro.run([str(launcher), "--version"], lld_env)
    assert version.returncode == 0, version.stderr
    # The route's launcher runs from its bundle, and runs this toolchain's rust-lld.
    assert version.stderr.startswith(
        f"ldwrap: bundle: used\nldwrap: {route}/rust-lld -flavor gnu --version"
    )
    direct = ro.run([own, "-flavor", "gnu", "--version"], lld_env)
    assert version.stdout == direct.stdout and "Debian" not in version.stdout
    # Outside the namespace the store path is gone: the route's link points nowhere.
    assert os.readlink(route / "rust-lld") == own and not (route / "rust-lld").exists()

    # Made again for another toolchain: the link follows, the launcher stays ldwrap's.
    other = tmp_path / "other"
    bin_dir = other / "lib" / "rustlib" / TRIPLE / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "rust-lld").symlink_to(ro.real / "lib" / "rustlib" / TRIPLE / "bin" / "rust-lld")
    again = subprocess.run(
        [*LDWRAP, "rustup", "route", "--sysroot", str(other), str(route)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stderr
    assert os.readlink(route / "rust-lld") == str(bin_dir / "rust-lld")
    out = subprocess.run([str(launcher), "--version"], env=lld_env, capture_output=True, text=True)
    assert out.stdout == direct.stdout

    # Something of someone else's in the way: one line, exit 1, nothing written.
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "rust-lld").write_text("mine\n")
    out = subprocess.run(
        [*LDWRAP, "rustup", "route", "--sysroot", str(other), str(blocked)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert (out.returncode, out.stdout) == (1, "")
    assert out.stderr == (
        f"ldwrap: other: {blocked}/rust-lld is in the way: not a symbolic link (nothing written)\n"
    )
    assert sorted(p.name for p in blocked.iterdir()) == ["rust-lld"]
