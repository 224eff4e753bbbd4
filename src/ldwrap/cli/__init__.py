"""The `ldwrap` command line (click). Never on the shim's hot path."""

from __future__ import annotations

import click

from .. import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, prog_name="ldwrap")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Give lld, mold, gold and GNU ld the rpath behaviour of nixpkgs' ld-wrapper.

    Installed under a linker's name (see `ldwrap install`), ldwrap is that linker: it adds
    `-rpath DIR` for each library directory the link uses, then runs the real linker.
    """
    if ctx.invoked_subcommand is None:  # plain `ldwrap`: the help, and no error
        click.echo(ctx.get_help())


def _register() -> None:
    """One module per command; only this package imports click."""
    from .check import check
    from .demo import demo_cmd
    from .doctor import doctor
    from .dry_run import dry_run
    from .explain import explain
    from .fixup import fixup_cmd
    from .install import install_cmd
    from .rustup import rustup
    from .uninstall import uninstall_cmd

    for cmd in (
        dry_run,
        explain,
        install_cmd,
        uninstall_cmd,
        demo_cmd,
        check,
        fixup_cmd,
        rustup,
        doctor,
    ):
        cli.add_command(cmd)


_register()


def main() -> None:
    cli(prog_name="ldwrap")
