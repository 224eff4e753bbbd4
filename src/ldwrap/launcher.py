"""Install and uninstall the drop-in launchers (`ld`, `ld.lld`, ...) that put the shim in
front of a linker, and tell what keeps an installed one from running. Their text is
launchertext.py's, the bundle beside them bundle.py's."""

from __future__ import annotations

import os

import ldwrap

from .atomic import fsync_dir, write_atomic
from .bundle import FILE_NAME as BUNDLE_NAME
from .bundle import build as build_bundle
from .launchertext import SHIM_MODULE_FILE, launcher_text, parse
from .link.linkers import DROP_IN_NAMES, is_shim


class InstallError(Exception):
    pass


def launcher_problem(path: str) -> str | None:
    """Why an ldwrap launcher at path cannot run (interpreter or package gone), or None."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read(4096)
    except OSError as e:
        return f"cannot read {path}: {e.strerror}"
    found = parse(text)
    python, parent = found.python, found.package_parent
    if python is None:
        return f"{path}: cannot tell which Python runs it"
    if not os.access(python, os.X_OK):
        return f"{path} runs {python}, which no longer exists"
    if parent is not None and not os.path.isfile(os.path.join(parent, *SHIM_MODULE_FILE)):
        return f"{path} loads ldwrap from {parent}, which no longer holds it"
    return None


def drop_in_names(
    only: tuple[str, ...] = DROP_IN_NAMES, triples: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The file names to write: the plain drop-ins, then each under every target prefix."""
    names = [*only, *(f"{t}-{n}" for t in triples for n in only)]
    return tuple(dict.fromkeys(names))


def is_drop_in_name(name: str) -> bool:
    """Whether name is one `ldwrap install` writes (plain or with a target prefix)."""
    return name in DROP_IN_NAMES or any(name.endswith("-" + n) for n in DROP_IN_NAMES)


def refusals(directory: str, names: tuple[str, ...], force: bool) -> list[str]:
    """Why install would not write some of names into directory; empty when it can write all.

    A directory is in the way even with force; any other file that is not an ldwrap
    launcher is kept unless force."""
    foreign, dirs = [], []
    for name in names:
        path = os.path.join(directory, name)
        if os.path.isdir(path) and not os.path.islink(path):
            dirs.append(path)
        elif os.path.lexists(path) and not force and not is_shim(path):
            foreign.append(path)
    out = []
    if foreign:
        what = "not an ldwrap launcher" if len(foreign) == 1 else "not ldwrap launchers"
        out.append(f"{', '.join(foreign)}: {what} (--force replaces them)")
    if dirs:
        out.append(f"directories in the way: {', '.join(dirs)}")
    return out


def install(
    directory: str, force: bool = False, names: tuple[str, ...] = DROP_IN_NAMES
) -> list[str]:
    """Create or refresh the launchers in directory; returns the paths written.

    All or nothing: every name is checked before the first is written."""
    refused = refusals(directory, names, force)
    if refused:
        raise InstallError("; ".join(refused) + "; nothing written")
    os.makedirs(directory, exist_ok=True)
    precompile()
    bundle = os.path.join(os.path.abspath(directory), BUNDLE_NAME)
    # The bundle first: a launcher never names a bundle that is not there yet.
    write_atomic(bundle, build_bundle(), 0o644)
    data = launcher_text(bundle=bundle).encode()
    written = []
    for name in names:
        path = os.path.join(directory, name)
        # Atomic: a concurrent link sees the old launcher or the new one.
        write_atomic(path, data, 0o755)
        written.append(path)
    return written


def uninstall(directory: str) -> tuple[list[str], list[str]]:
    """Remove ldwrap's launchers from directory: (paths removed, paths with a drop-in's name
    that are not ldwrap's and stay). Only drop-in names are looked at, so the `ldwrap`
    command itself, in the same directory, stays too."""
    removed, left = [], []
    for name in sorted(os.listdir(directory)):
        if not is_drop_in_name(name):
            continue
        path = os.path.join(directory, name)
        # install writes regular files; a symlink to a launcher is someone else's.
        if os.path.isfile(path) and not os.path.islink(path) and is_shim(path):
            os.unlink(path)
            removed.append(path)
        else:
            left.append(path)
    bundle = os.path.join(directory, BUNDLE_NAME)
    if os.path.isfile(bundle) and not os.path.islink(bundle):
        os.unlink(bundle)  # its readers were the launchers just removed
    if removed:
        fsync_dir(directory)
    return removed, left


def precompile() -> None:
    """Write the package's bytecode now, so that no link pays for compiling it. Best effort:
    a read-only install keeps the bytecode it was installed with."""
    import compileall

    try:
        compileall.compile_dir(os.path.dirname(os.path.abspath(ldwrap.__file__)), quiet=2)
    except OSError:
        pass
