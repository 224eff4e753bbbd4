"""Write the drop-in launchers (`ld`, `ld.lld`, ...) that put the shim in front of a linker."""

from __future__ import annotations

import os
import sys
import tempfile

import ldwrap

from .linkers import DROP_IN_NAMES, is_shim

MARKER = "ldwrap-shim"


class InstallError(Exception):
    pass


def launcher_text(python: str | None = None, package_parent: str | None = None) -> str:
    """A launcher that starts the interpreter with the least work: isolated mode, no site
    scan, the package's own directory fixed at install time."""
    python = python or sys.executable
    parent = package_parent or os.path.dirname(os.path.dirname(os.path.abspath(ldwrap.__file__)))
    # Without the site scan, the dependencies' directory (pyelftools, for LDWRAP_VERIFY) must
    # be named too; it goes last so it can never shadow the standard library.
    deps = [d for d in _dependency_dirs() if d != parent]
    body = (
        f"# {MARKER}: written by `ldwrap install`; runs the real linker of the same name\n"
        "import sys\n"
        "del sys.path[0]  # this launcher's directory: no modules there, and maybe many files\n"
        f"sys.path.insert(0, {parent!r})\n"
        + (f"sys.path += {deps!r}\n" if deps else "")
        + "from ldwrap.shim import main\n"
        + "main()\n"
    )
    if " " in python or len(python) > 120:
        # A shebang cannot carry such a path; let sh find the interpreter instead.
        return (
            "#!/bin/sh\n"
            f"''':'\nexec {_sh_quote(python)} -I -S \"$0\" \"$@\"\n'''\n" + body
        )
    return f"#!{python} -IS\n" + body


def _dependency_dirs() -> list[str]:
    """The directories holding ldwrap's run-time dependencies, as installed now."""
    import elftools

    return [os.path.dirname(os.path.dirname(os.path.abspath(elftools.__file__)))]


def _sh_quote(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def install(
    directory: str, force: bool = False, names: tuple[str, ...] = DROP_IN_NAMES
) -> list[str]:
    """Create or refresh the launchers in directory; returns the paths written."""
    os.makedirs(directory, exist_ok=True)
    text = launcher_text()
    written = []
    for name in names:
        path = os.path.join(directory, name)
        if os.path.lexists(path) and not force and not is_shim(path):
            raise InstallError(f"{path} exists and is not an ldwrap launcher (use --force)")
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, 0o755)
            os.replace(tmp, path)  # atomic: a concurrent link sees the old or the new file
        except BaseException:
            os.unlink(tmp)
            raise
        written.append(path)
    precompile()
    return written


def precompile() -> None:
    """Write the package's bytecode now, so that no link pays for compiling it. Best effort:
    a read-only install keeps the bytecode it was installed with."""
    import compileall

    try:
        compileall.compile_dir(os.path.dirname(os.path.abspath(ldwrap.__file__)), quiet=2)
    except OSError:
        pass
