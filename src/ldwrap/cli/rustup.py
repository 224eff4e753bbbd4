"""`ldwrap rustup wrap|unwrap|status`: put ldwrap in front of a Rust toolchain's rust-lld."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import click

from .. import rustup as ru

_UPDATE_NOTE = (
    "note: cargo does not relink because the linker changed: run `cargo clean -p CRATE` once; "
    "`rustup update` puts a new ld.lld in place of the launcher: run `ldwrap rustup wrap` "
    "again after each update (`ldwrap rustup status` tells)"
)


def _selection(f: Callable[..., None]) -> Callable[..., None]:
    f = click.option("--all", "everything", is_flag=True, help="Every rustup toolchain.")(f)
    f = click.option(
        "--sysroot", type=click.Path(file_okay=False), help="A toolchain by its sysroot."
    )(f)
    f = click.option("--toolchain", "name", metavar="NAME", help="A rustup toolchain by name.")(f)
    return f


def _toolchains(name: str | None, sysroot: str | None, everything: bool) -> list[ru.Toolchain]:
    try:
        return ru.select(os.environ, name, sysroot, everything)
    except ru.RustupError as e:
        click.echo(f"ldwrap: {e}", err=True)
        sys.exit(2)


def _slots(tc: ru.Toolchain) -> list[str]:
    found = ru.slots(tc.sysroot)
    if not found:
        click.echo(f"{tc.name}: no lib/rustlib/*/bin/gcc-ld/ld.lld (rustc older than 1.56?)")
    return found


@click.group("rustup")
def rustup() -> None:
    """Put ldwrap in front of a Rust toolchain's own linker (rust-lld).

    Without an option, acts on the toolchain of the rustc cargo would use ($RUSTC or rustc).
    """


def _act(
    name: str | None,
    sysroot: str | None,
    everything: bool,
    change: Callable[[str], str],
    refusal: Callable[[str, ru.Toolchain], str | None],
) -> tuple[bool, bool]:
    """Change every slot of the selected toolchains, one line each; (whether any failed,
    whether any was changed or found as asked)."""
    failed = done = False
    for tc in _toolchains(name, sysroot, everything):
        for slot in _slots(tc):
            try:
                refused = refusal(slot, tc)
                if refused:
                    raise ru.RustupError(refused)
                action = change(slot)
            except (ru.RustupError, OSError) as e:
                click.echo(f"ldwrap: {tc.name}: {e}", err=True)
                failed = True
                continue
            done = True
            click.echo(f"{tc.name}: {action}: {slot}")
    return failed, done


def _unwritable(slot: str, tc: ru.Toolchain) -> str | None:
    try:
        ru.check_writable(slot)
    except ru.RustupError as e:
        return str(e)
    return None


@rustup.command("wrap")
@_selection
def wrap_cmd(name: str | None, sysroot: str | None, everything: bool) -> None:
    """Replace gcc-ld/ld.lld by an ldwrap launcher; keep the original beside it.

    A toolchain that must not be written (in a Nix store, on a read-only mount, not yours)
    is refused in one line naming `ldwrap rustup route`, exit 1.
    """
    from ..launchertext import launcher_text

    text = launcher_text()
    failed, done = _act(
        name,
        sysroot,
        everything,
        lambda slot: ru.wrap_slot(slot, text),
        lambda slot, tc: ru.wrap_refusal(slot, tc, os.environ),
    )
    if done:
        click.echo(_UPDATE_NOTE, err=True)
    sys.exit(1 if failed else 0)


@rustup.command("unwrap")
@_selection
def unwrap_cmd(name: str | None, sysroot: str | None, everything: bool) -> None:
    """Put the toolchain's original gcc-ld/ld.lld back."""
    failed, _ = _act(name, sysroot, everything, ru.unwrap_slot, _unwritable)
    sys.exit(1 if failed else 0)


@rustup.command("route")
@click.option("--sysroot", type=click.Path(file_okay=False), help="A toolchain by its sysroot.")
@click.option("--toolchain", "name", metavar="NAME", help="A rustup toolchain by name.")
@click.argument("directory", type=click.Path(file_okay=False))
def route_cmd(name: str | None, sysroot: str | None, directory: str) -> None:
    """Keep a toolchain's own rust-lld without writing the toolchain (a read-only one).

    Writes DIRECTORY/gcc-ld/ld.lld (an ldwrap launcher) and DIRECTORY/rust-lld (a link to
    the toolchain's own), and prints the .cargo/config.toml table that makes rustc link
    through them. Only the table goes to standard output:
    `ldwrap rustup route DIR >> ~/.cargo/config.toml` when that file has no such table yet.
    Run it again when the toolchain moves (a new Nix store path).
    """
    [tc] = _toolchains(name, sysroot, False)
    try:
        route = ru.make_route(directory, tc.sysroot)
    except (ru.RustupError, OSError) as e:
        click.echo(f"ldwrap: {tc.name}: {e}", err=True)
        sys.exit(1)
    click.echo(ru.cargo_block(route), nl=False)
    flags = ru.route_flags(route.ld_dir)
    click.echo(f"{tc.name}: route: {route.launcher} -> {route.target} -flavor gnu", err=True)
    click.echo(
        "ldwrap: add the table above to .cargo/config.toml (a project's, or ~/.cargo/config.toml)"
        + (
            f", or set RUSTFLAGS='{' '.join(flags)}'"
            if not any(c.isspace() for c in route.ld_dir) and "'" not in route.ld_dir
            else ""
        ),
        err=True,
    )
    click.echo(
        "note: cargo does not relink because the linker changed: run `cargo clean -p CRATE` "
        "once; run this again when the toolchain moves (a new store path): the route follows "
        "the toolchain given last",
        err=True,
    )


@rustup.command("status")
@_selection
def status_cmd(name: str | None, sysroot: str | None, everything: bool) -> None:
    """Say for each toolchain whether it is wrapped and which linker it runs.

    Without an option, lists every rustup toolchain and rustc's active one. Exits 1 when a
    toolchain needs attention (launcher replaced by `rustup update`, original or Python gone).
    """
    if name or sysroot or everything:
        toolchains = _toolchains(name, sysroot, everything)
    else:
        toolchains = ru.list_toolchains(os.environ)
        active = ru.active_sysroot(os.environ)
        known = {os.path.realpath(tc.sysroot) for tc in toolchains}
        if active and os.path.realpath(active) not in known:
            toolchains.append(ru.toolchain_at(active))
        if not toolchains:
            click.echo(f"no toolchains under {ru.rustup_home(os.environ)} and no rustc")
            sys.exit(0)
    bad = False
    for tc in toolchains:
        for slot in _slots(tc):
            st = ru.inspect(slot, os.environ)
            real = f" -> {st.real_linker}" if st.real_linker else ""
            click.echo(f"{tc.name} [{st.triple}]: {st.state}{real}")
            for p in st.problems:
                click.echo(f"  problem: {p}")
            if st.read_only and st.state == ru.UNWRAPPED:
                click.echo(f"  read-only ({st.read_only}): `ldwrap rustup route` serves it")
            bad = bad or not st.healthy
    sys.exit(1 if bad else 0)
