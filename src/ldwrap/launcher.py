"""Write the drop-in launchers (`ld`, `ld.lld`, ...) that put the shim in front of a linker."""

from __future__ import annotations

import marshal
import os
import sys
import tempfile

import ldwrap

from .bundle import FILE_NAME as BUNDLE_NAME
from .bundle import build as build_bundle
from .bundle import loader_text, without_lines
from .link.linkers import DROP_IN_NAMES, LAUNCHER_MARKER, is_shim
from .link.report import shell_quote

MARKER = LAUNCHER_MARKER
# The module a launcher runs, and its file below the package's parent directory.
SHIM_MODULE = "ldwrap.link.shim"
SHIM_MODULE_FILE = ("ldwrap", "link", "shim.py")
_PATH_LINE = "sys.path.insert(0, "
# How every message about a broken launcher ends, around the launcher's directory.
_REINSTALL = ("reinstall ldwrap, then run `ldwrap install ", "` again")


class InstallError(Exception):
    pass


def launcher_text(
    python: str | None = None,
    package_parent: str | None = None,
    shell: bool = False,
    bundle: str | None = None,
) -> str:
    """A launcher that starts the interpreter with the least work: isolated mode, no site
    scan, the package's own directory fixed at install time.

    shell=True writes the `#!/bin/sh` form, which names a missing interpreter itself instead
    of leaving the caller with a bare ENOENT; it costs a shell start on every link, so it is
    used only where a shebang cannot carry the interpreter's path.

    bundle: the path of the hot-path bundle (see bundle.py) the launcher loads first, when it
    is current.
    """
    python = python or sys.executable
    parent = package_parent or os.path.dirname(os.path.dirname(os.path.abspath(ldwrap.__file__)))
    # Without the site scan, the dependencies' directory (pyelftools, for LDWRAP_VERIFY) must
    # be named too; it goes last so it can never shadow the standard library.
    deps = [d for d in _dependency_dirs() if d != parent]
    # The mark comes first, so that is_shim finds it in the file's first bytes.
    mark = f"# {MARKER}: written by `ldwrap install`; runs the real linker of the same name\n"
    body = (
        "import sys\n"
        "del sys.path[0]  # this launcher's directory: no modules there, and maybe many files\n"
        f"{_PATH_LINE}{parent!r})\n"
        + (f"sys.path += {deps!r}\n" if deps else "")
        + (loader_text(bundle) if bundle else "")
        + "try:\n"
        + f"    from {SHIM_MODULE} import main\n"
        # The package gone under a live interpreter: one line instead of a traceback.
        + "except ImportError as e:\n"
        + "    a = sys.argv[0]\n"
        + "    sys.stderr.write('ldwrap: %s: cannot load ldwrap from %s (%s); "
        + _REINSTALL[0]
        + "%s"
        + _REINSTALL[1]
        + f"\\n' % (a, {parent!r}, e, a.rpartition('/')[0] or '.'))\n"
        + "    sys.exit(127)\n"
        + "main()\n"
    )
    if shell or " " in python or len(python) > 120:
        return "#!/bin/sh\n" + mark + _shell_head(python) + precompiled(body)
    return f"#!{python} -IS\n" + mark + precompiled(body)


_NOTE = (
    "# The code that runs is the text below: compiled once for the Python that wrote this\n"
    "# launcher, and compiled on each run by any other.\n"
)
_TEXT_OPEN = "TEXT = r'''\n"
_TEXT_CLOSE = "'''\n"


def split_launcher(text: str) -> tuple[str, str]:
    """A launcher's text as (what comes before its code, its code as text): the shebang and
    marker lines (and the sh form's head), then the body precompiled() carries, or the plain
    code of a launcher without it."""
    head, note, rest = text.partition(_NOTE)
    if not note or _TEXT_OPEN not in rest:
        return "", text
    return head, rest.split(_TEXT_OPEN, 1)[1].split(_TEXT_CLOSE, 1)[0]


def precompiled(body: str) -> str:
    """The launcher's code: body as text, and body compiled by this Python. Python compiles
    a script on every run: the body costs about a million instructions to compile, the two
    string literals that carry it here less than half of that. The Python that wrote the
    launcher runs the compiled body; any other (the guard is its exact version, as for the
    bundle) compiles the text. A body that a raw string cannot hold (a path with three
    quotes or a backslash) stays plain code."""
    if "'''" in body or "\\" in body.replace("\\n", ""):
        return body
    code = compile(body, "<ldwrap launcher>", "exec", dont_inherit=True, optimize=2)
    blob = marshal.dumps(without_lines(code)).hex()
    return (
        f"{_NOTE}"
        "import sys\n"
        f"{_TEXT_OPEN}{body}{_TEXT_CLOSE}"
        "from marshal import loads\n"
        f"exec(loads(bytes.fromhex('{blob}')) if sys.version == {sys.version!r} else TEXT)\n"
    )


def _shell_head(python: str) -> str:
    """sh checks the interpreter, then runs it on this same file, which Python reads as a
    string statement followed by the body."""
    q = shell_quote(python)
    # printf's format is fixed text; the paths go in as arguments, so no quoting can break.
    fmt = shell_quote(
        f"ldwrap: %s: its Python (%s) no longer exists; {_REINSTALL[0]}%s{_REINSTALL[1]}\\n"
    )
    return (
        "''':'\n"
        f'[ -x {q} ] || {{ printf {fmt} "$0" {q} "${{0%/*}}" >&2; exit 127; }}\n'
        f'exec {q} -I -S "$0" "$@"\n'
        "'''\n"
    )


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
        import shlex

        for line in text.splitlines():
            if line.startswith("exec "):
                try:
                    python = shlex.split(line)[1]
                except (ValueError, IndexError):
                    pass
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


def write_atomic(path: str, data: bytes, mode: int, owner: tuple[int, int] | None = None) -> None:
    """path gets exactly data or keeps what it had: temp file in the same dir + rename.

    owner: the (uid, gid) the new file gets, where it differs from the writer's (raises
    PermissionError unless allowed)."""
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.ldwrap-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if owner is not None:
                mine = os.fstat(f.fileno())
                if owner != (mine.st_uid, mine.st_gid):
                    os.fchown(f.fileno(), *owner)
            os.fchmod(f.fileno(), mode)  # after chown, which clears set-ID bits
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    fsync_dir(directory)


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
