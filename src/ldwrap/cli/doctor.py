"""`ldwrap doctor`: does a link go through ldwrap, and if not, why not."""

from __future__ import annotations

import os
import sys

import click


@click.command("doctor", short_help="Check that links go through ldwrap; say how to fix it.")
@click.option("--no-compilers", is_flag=True, help="Do not ask the C compilers on PATH.")
def doctor(no_compilers: bool) -> None:
    """Check that links on this machine go through ldwrap, and say how to fix what does not.

    \b
    doctor looks at, and reports:
      PATH         which ld, ld.lld and ld.mold come first, whether each is one of
                   ldwrap's drop-ins, and the real linker a drop-in runs; whether
                   other users (Nix's build users) can run a launcher and its Python
      compilers    gcc, cc, clang and each gcc-NN and clang-NN on PATH, asked which
                   linker they run by default, with -fuse-ld=lld and with
                   -fuse-ld=mold (gcc through collect2 -v, clang through -###);
                   each cross compiler (aarch64-linux-gnu-gcc, ...) with
                   -fuse-ld=gold too, and what a drop-in runs for its target
      rustc        the rustc cargo would use ($RUSTC or rustc), and how it links
                   (one tiny test link)
      toolchains   each rustup toolchain and rustc's own: wrapped or not
                   (`ldwrap rustup wrap`)
      policy       which library directories get an rpath, from the environment

    Then it lists notes and problems; each problem comes with a fix. doctor changes
    nothing; its one test link is written to a temporary directory. Exit status: 0 when
    there is no problem, 1 otherwise.
    """
    from ..doctor import diagnose, render

    report = diagnose(os.environ, compilers=not no_compilers)
    click.echo(render(report))
    sys.exit(0 if report.ok else 1)
