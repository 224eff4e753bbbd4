"""doctor's Rust findings for a report built by hand: rustc's own rust-lld in a toolchain that
cannot be written (the fix is the route, not a wrap), a route that works, one whose toolchain
is gone or moved, and a route given without `-Clink-self-contained=-linker`. The same with a
real rustc, read-only, is in tests/integration/rust/test_doctor.py."""

from __future__ import annotations

import os
from pathlib import Path

from ldwrap import doctor
from ldwrap import rustup as ru
from ldwrap.doctor.rust import rust_findings

from .conftest import doctor_env, exe

TRIPLE = "x86_64-unknown-linux-gnu"


def _toolchain(root: Path) -> Path:
    bin_dir = root / "lib" / "rustlib" / TRIPLE / "bin"
    exe(bin_dir / "rust-lld")
    exe(bin_dir / "gcc-ld" / "ld.lld")
    return root


def _gcc_ld(sysroot: Path) -> str:
    return str(sysroot / "lib" / "rustlib" / TRIPLE / "bin" / "gcc-ld")


def _report(sysroot: Path, env: dict[str, str], *b_dirs: str) -> doctor.Report:
    """rustc of sysroot, linking with cc -B<dir>... -fuse-ld=lld, as its probe would say."""
    rc = doctor.RustcInfo("rustc", "rustc 1.95.0", str(sysroot))
    rc.linker_args = ["cc", *(f"-B{d}" for d in b_dirs), "-fuse-ld=lld", "main.o"]
    tc = ru.toolchain_at(str(sysroot))
    slot = os.path.join(_gcc_ld(sysroot), "ld.lld")
    return doctor.Report(rustc=rc, toolchains=[(tc, ru.inspect(slot, env), True)])


def test_read_only_toolchain_gets_the_route(tmp_path: Path) -> None:
    env = doctor_env(tmp_path, "/usr/bin")
    sysroot = _toolchain(tmp_path / "store" / "aaa-rust")
    report = _report(sysroot, env, _gcc_ld(sysroot))
    assert report.rustc is not None and report.rustc.own_lld and not report.rustc.routed
    found, ok = rust_findings(report, env)
    assert not ok
    [f] = found
    assert f.problem
    assert f.text == (
        f"rustc links with its own rust-lld and aaa-rust cannot be wrapped (it is in the Nix "
        f"store {tmp_path}/store): binaries get no rpath"
    )
    assert f.advice == (
        f"run `ldwrap rustup route --sysroot {sysroot} ~/.local/share/ldwrap/rust-route` and "
        "add the block it prints to .cargo/config.toml (flow (f) in docs/rust.md)"
    )


def test_writable_toolchain_still_gets_the_wrap(tmp_path: Path) -> None:
    env = doctor_env(tmp_path, "/usr/bin")
    sysroot = _toolchain(tmp_path / "tc")
    [f], ok = rust_findings(_report(sysroot, env, _gcc_ld(sysroot)), env)
    assert not ok and f.advice == f"run `ldwrap rustup wrap --sysroot {sysroot}`"


def test_a_working_route(tmp_path: Path) -> None:
    env = doctor_env(tmp_path, "/usr/bin")
    sysroot = _toolchain(tmp_path / "store" / "aaa-rust")
    route = ru.make_route(str(tmp_path / "route"), str(sysroot))
    report = _report(sysroot, env, route.ld_dir)
    assert report.rustc is not None and report.rustc.routed and not report.rustc.own_lld
    assert rust_findings(report, env) == ([], True)
    assert f"links with: a route (cc -B{route.ld_dir} -fuse-ld=lld)" in doctor.render(report)


def test_a_route_to_a_toolchain_that_is_gone_or_moved(tmp_path: Path) -> None:
    """The store path it names was garbage-collected, or rustc is a newer one now."""
    env = doctor_env(tmp_path, "/usr/bin")
    old = _toolchain(tmp_path / "store" / "aaa-rust-1.90")
    new = _toolchain(tmp_path / "store" / "bbb-rust-1.91")
    route = ru.make_route(str(tmp_path / "route"), str(old))
    fix = f"run `ldwrap rustup route --sysroot {new} {route.directory}`"

    [f], ok = rust_findings(_report(new, env, route.ld_dir), env)
    assert ok  # links still go through ldwrap, with another toolchain's rust-lld
    assert (f.problem, f.advice) == (True, fix)
    assert f.text == (
        f"the route {route.directory} runs {route.target}, not {new}/lib/rustlib/{TRIPLE}/bin/"
        "rust-lld, the rust-lld of rustc's own toolchain (the toolchain moved since the route "
        "was made?)"
    )

    os.unlink(route.target)
    [f], ok = rust_findings(_report(new, env, route.ld_dir), env)
    assert not ok and (f.problem, f.advice) == (True, fix)
    assert f.text.startswith(f"the route {route.directory}: {route.rust_lld} points to ")


def test_a_gcc_ld_directory_that_is_not_ldwrap(tmp_path: Path) -> None:
    env = doctor_env(tmp_path, "/usr/bin")
    sysroot = _toolchain(tmp_path / "tc")
    other = _toolchain(tmp_path / "other")
    [f], ok = rust_findings(_report(sysroot, env, _gcc_ld(other)), env)
    assert not ok and f.problem
    assert f.text == f"rustc's cc takes ld.lld from {_gcc_ld(other)} (-B), which is not ldwrap's"
    # A new route of ldwrap's, never one in the other toolchain's own directory.
    assert f.advice.startswith(
        f"run `ldwrap rustup route --sysroot {sysroot} ~/.local/share/ldwrap/rust-route`"
    )


def test_a_route_behind_rustcs_own_b(tmp_path: Path) -> None:
    """-Clink-arg=-B<route> without -Clink-self-contained=-linker: rustc's -B comes first."""
    env = doctor_env(tmp_path, "/usr/bin")
    sysroot = _toolchain(tmp_path / "store" / "aaa-rust")
    route = ru.make_route(str(tmp_path / "route"), str(sysroot))
    [f], ok = rust_findings(_report(sysroot, env, _gcc_ld(sysroot), route.ld_dir), env)
    assert not ok
    assert f.text == (
        f"rustc links with its own rust-lld: its own -B{_gcc_ld(sysroot)} comes before the "
        f"route {route.directory}, so binaries get no rpath"
    )
    assert f.advice.startswith("add -Clink-self-contained=-linker to the rustflags")


def test_diagnose_names_the_route_for_a_broken_read_only_toolchain(tmp_path: Path) -> None:
    """A toolchain row with a problem (here: no gcc-ld/ld.lld) that cannot be written."""
    store_tc = tmp_path / "store" / "ccc-rust"
    (store_tc / "lib" / "rustlib" / TRIPLE / "bin" / "gcc-ld").mkdir(parents=True)
    toolchains = tmp_path / "no-rustup" / "toolchains"
    toolchains.mkdir(parents=True)
    (toolchains / "nixrust").symlink_to(store_tc)
    report = doctor.diagnose(doctor_env(tmp_path, "/usr/bin"), compilers=False)
    [f] = [f for f in report.findings if f.text.startswith("nixrust: ")]
    assert f.problem and f.advice.startswith("run `ldwrap rustup route --toolchain nixrust ")


def test_a_configuration_cargo_would_refuse_is_a_problem(tmp_path: Path) -> None:
    env = doctor_env(tmp_path, "/usr/bin")
    sysroot = _toolchain(tmp_path / "rust")
    report = _report(sysroot, env, _gcc_ld(sysroot))
    assert report.rustc is not None
    report.rustc.cargo_problems = ["cargo cannot read /p/.cargo/config.toml: Expected ']'"]
    found, _ = rust_findings(report, env)
    assert found[0].problem
    assert found[0].text == "cargo cannot read /p/.cargo/config.toml: Expected ']'"
    assert found[0].advice == "fix the file or the table: cargo reads it for every build"
