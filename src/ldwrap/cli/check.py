"""``ldwrap check``: predict, without running it, how ld.so resolves a file's libraries."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Optional

import click

from ..loader.fs import FileSystem
from ..loader.hints import fix_dirs
from ..loader.places import Places
from ..loader.report import render_text, render_tree, result_json
from ..loader.resolve import InputError, Options, Resolver
from ..loader.startup import judge, startup_options
from ..loader.tree import FileAudit, TreeAudit
from ..loader.treereport import audit_json, render_file, summary_line, tally


def _root_problem(root: str) -> Optional[str]:
    if not os.path.exists(root):
        return "no such directory"
    if not os.path.isdir(root):
        return "not a directory"
    return None


def _inner_path(fs: FileSystem, root: str, file: str) -> str:
    """FILE under --root: a path inside the root; a host path below the root, made inner;
    else, when the root has no such file but this machine has, that host file, placed at the
    same path inside the root (a program built here, checked against a system root)."""
    prefix = os.path.abspath(root)
    host_path = os.path.abspath(file)
    if host_path == prefix:
        return "/"
    if host_path.startswith(prefix + "/"):
        return host_path[len(prefix) :]
    if not os.path.lexists(fs.host(file)) and os.path.isfile(file):
        fs.place(host_path, host_path)
        return host_path
    return file


def _installed_path(destdir: str, file: str) -> str:
    """FILE under --destdir: a path below the staging directory is the installed path it
    stands for; any other is taken as an installed path already."""
    prefix = os.path.abspath(destdir)
    path = os.path.abspath(file)
    if path == prefix:
        return "/"
    if path.startswith(prefix + "/"):
        return path[len(prefix) :]
    return file


def _error(text: str) -> None:
    click.echo(f"ldwrap check: error: {text}", err=True)


def _audit(
    resolver: Resolver,
    env_resolver: Optional[Resolver],
    paths: list[tuple[str, bool]],
    as_json: bool,
    verbose: bool,
) -> int:
    """The tree audit (any argument a directory, or --audit): one line per finding, then a
    summary; the exit status."""
    audit = TreeAudit(resolver, env_resolver, os.environ, _error, keep_verdicts=verbose)
    done: list[FileAudit] = []
    for a in audit.run(paths):
        if as_json:
            done.append(a)
            continue
        for line in render_file(a, verbose):
            click.echo(line)
        done.append(FileAudit(a.path, a.findings))  # the summary needs the kinds only
    kinds = tally(done)
    errors = sum(1 for a in done for f in a.findings if f.fails)
    if as_json:
        json.dump(
            audit_json([p for p, _ in paths], done, audit.counts, verbose), sys.stdout, indent=2
        )
        sys.stdout.write("\n")
    else:
        click.echo(summary_line(audit.counts, kinds, errors))
    if audit.bad_input:
        return 2
    return 1 if errors else 0


@click.command("check")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print one JSON array (an object for a directory; schema in docs).",
)
@click.option("--tree", is_flag=True, help="Show the dependency tree like libtree.")
@click.option("--all", "show_all", is_flag=True, help="Also show needs met by loaded objects.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Also list every path tried for a missing library (for a directory: the searched: "
    "and fix: lines, and in JSON each file's load).",
)
@click.option(
    "--root",
    type=click.Path(),
    default=None,
    metavar="DIR",
    help="Emulate a system installed under DIR.",
)
@click.option(
    "--destdir",
    type=click.Path(),
    default=None,
    metavar="DIR",
    help="Judge files staged under DIR (make install DESTDIR=DIR) as installed: a path DIR "
    "holds is taken from it, any other from this machine.",
)
@click.option(
    "--ld-library-path",
    "llp",
    default=None,
    metavar="P",
    help="Judge the file as started with LD_LIBRARY_PATH=P.",
)
@click.option(
    "--env/--no-env",
    "honour_env",
    default=False,
    help="Use LD_LIBRARY_PATH and LD_PRELOAD from the environment "
    "(default: ignore them, and say when they would change the answer).",
)
@click.option("--secure", is_flag=True, help="Apply set-user-ID (AT_SECURE) rules.")
@click.option(
    "--audit",
    is_flag=True,
    help="Audit each FILE as a directory's files are: one line per finding, and a summary.",
)
@click.argument("files", nargs=-1, required=True, metavar="FILE|DIR...")
def check(
    as_json: bool,
    tree: bool,
    show_all: bool,
    verbose: bool,
    root: Optional[str],
    destdir: Optional[str],
    llp: Optional[str],
    honour_env: bool,
    secure: bool,
    audit: bool,
    files: tuple[str, ...],
) -> None:
    """Show where each needed library of FILE resolves, and why; audit a directory.

    FILE is judged as it starts for its user: the environment's LD_LIBRARY_PATH and
    LD_PRELOAD are ignored unless --env is given. With --root, FILE is a path inside DIR;
    a host path below DIR also works, and a file on this machine that DIR does not have is
    judged as if installed at the same path inside DIR. A file for another machine (an
    aarch64 program on x86_64) needs --root: its loader searches a system of its own.

    With --destdir, files staged by `make install DESTDIR=DIR` are judged as installed:
    every path is looked up in DIR first, then on this machine.

    A directory is audited: every ELF file under it (symlinks not followed) is judged, and
    each finding is one line: libraries not found, RUNPATH entries that are useless, doubled,
    empty, relative, in a build or temporary directory or a stub directory, DT_NEEDED paths.
    A summary line ends the list.

    Exit status: 0 all resolve; 1 something is missing (also when only the environment's
    LD_LIBRARY_PATH or LD_PRELOAD finds it), the load would abort, a RUNPATH/RPATH has an
    empty element, a system copy stands in for a library of the program's own prefix, or a
    DT_NEEDED path is relative or in a build or temporary directory (in an audit: any
    finding labelled error); 2 bad input (also a file for another machine without --root).
    """
    if root is not None and destdir is not None:
        _error("--root and --destdir exclude each other: a root is a whole system")
        sys.exit(2)
    for option, value in (("--root", root), ("--destdir", destdir)):
        problem = _root_problem(value) if value is not None else None
        if problem:
            click.echo(f"ldwrap check: error: {option} {value}: {problem}", err=True)
            sys.exit(2)
    opts, env_opts = startup_options(os.environ, llp, honour_env, Options(secure=secure, root=root))
    fs = FileSystem(root, overlay=destdir)
    resolver = Resolver(opts, fs)
    env_resolver = Resolver(env_opts, fs) if env_opts is not None else None
    if root is not None:
        paths = [_inner_path(fs, root, f) for f in files]
    elif destdir is not None:
        paths = [_installed_path(destdir, f) for f in files]
    else:
        paths = list(files)
    kinds = [(p, fs.is_dir(p)) for p in paths]
    if audit or any(is_dir for _, is_dir in kinds):
        if tree or show_all:
            _error(
                f"{'--tree' if tree else '--all'} shows the load of one file; it does not "
                "apply to a directory (name the file instead)"
            )
            sys.exit(2)
        sys.exit(_audit(resolver, env_resolver, kinds, as_json, verbose))
    places = Places(fs, os.environ)
    out: list[dict[str, Any]] = []
    status = 0
    for file in paths:
        try:
            verdict = judge(resolver, file, env_resolver, hazard=places.hazard)
        except InputError as exc:
            click.echo(f"ldwrap check: error: {exc}", err=True)
            status = 2
            continue
        if not verdict.ok:
            status = max(status, 1)
        fixes = fix_dirs(verdict.result, os.environ, fs)
        if as_json:
            out.append(result_json(verdict, fixes))
        else:
            render = render_tree if tree else render_text
            click.echo(render(verdict, show_all, verbose, fixes))
    if as_json:
        json.dump(out, sys.stdout, indent=2)
        sys.stdout.write("\n")
    sys.exit(status)
