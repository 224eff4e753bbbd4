"""Write the drop-in launchers (`ld`, `ld.lld`, ...) that put the shim in front of a linker."""

from __future__ import annotations

import os
import sys
import tempfile

import ldwrap

from .link.linkers import DROP_IN_NAMES, LAUNCHER_MARKER, is_shim
from .link.report import shell_quote

MARKER = LAUNCHER_MARKER
# The module a launcher runs, and its file below the package's parent directory.
SHIM_MODULE = "ldwrap.link.shim"
SHIM_MODULE_FILE = ("ldwrap", "link", "shim.py")
_PATH_LINE = "sys.path.insert(0, "


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
        f"{_PATH_LINE}{parent!r})\n"
        + (f"sys.path += {deps!r}\n" if deps else "")
        + f"from {SHIM_MODULE} import main\n"
        + "main()\n"
    )
    if " " in python or len(python) > 120:
        # A shebang cannot carry such a path; let sh find the interpreter instead.
        return (
            "#!/bin/sh\n"
            f"''':'\nexec {shell_quote(python)} -I -S \"$0\" \"$@\"\n'''\n" + body
        )
    return f"#!{python} -IS\n" + body


def _dependency_dirs() -> list[str]:
    """The directories holding ldwrap's run-time dependencies, as installed now."""
    import elftools

    return [os.path.dirname(os.path.dirname(os.path.abspath(elftools.__file__)))]


def parse_launcher(text: str) -> tuple[str | None, str | None]:
    """The interpreter a launcher's text runs and the directory it loads ldwrap from."""
    python = None
    first = text.split("\n", 1)[0]
    if first.startswith("#!") and not first.startswith("#!/bin/sh"):
        words = first[2:].split()
        python = words[0] if words else None
    else:
        for line in text.splitlines():
            if line.startswith("exec "):
                python = line.split()[1].strip("'")
                break
    parent = None
    for line in text.splitlines():
        if line.startswith(_PATH_LINE):
            parent = line[len(_PATH_LINE) : -1].strip("'\"")
            break
    return python, parent


def launcher_problem(path: str) -> str | None:
    """Why an ldwrap launcher at path cannot run (interpreter or package gone), or None."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read(4096)
    except OSError as e:
        return f"cannot read {path}: {e.strerror}"
    python, parent = parse_launcher(text)
    if python is None:
        return f"{path}: cannot tell which Python runs it"
    if not os.access(python, os.X_OK):
        return f"{path} runs {python}, which no longer exists"
    if parent is not None and not os.path.isfile(os.path.join(parent, *SHIM_MODULE_FILE)):
        return f"{path} loads ldwrap from {parent}, which no longer holds it"
    return None



def fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str, data: bytes, mode: int) -> None:
    """path gets exactly data or keeps what it had: temp file in the same dir + rename."""
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.ldwrap-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    fsync_dir(directory)



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
        # Atomic: a concurrent link sees the old launcher or the new one.
        write_atomic(path, text.encode(), 0o755)
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
