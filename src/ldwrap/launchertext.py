"""The text of a drop-in launcher, written and read back in one place.

A launcher starts the interpreter with the least work (`-IS`: isolated, no site scan), puts
ldwrap's package directory (and its dependencies', for pyelftools) on `sys.path`, runs the
shim's modules from the bundle beside it when that is current (bootstrap.py), and calls the
shim. Python compiles a script on every run, so the code is carried twice: as text, and
compiled by the Python that wrote it (`precompiled`); another Python compiles the text.

`launcher_text` writes it; `parse` reads every value back out of it (the interpreter, the
package directory, the dependencies' directories, the bundle, the `sh` form), for `doctor`
and `install`. tests/unit/test_launchertext.py holds the two to each other.
"""

from __future__ import annotations

import ast
import marshal
import os
import sys
from dataclasses import dataclass

from .link.linkers import LAUNCHER_MARKER
from .link.report import shell_quote

# The module a launcher runs, and its file below the package's parent directory.
SHIM_MODULE = "ldwrap.link.shim"
SHIM_MODULE_FILE = ("ldwrap", "link", "shim.py")
# How every message about a broken launcher ends, around the launcher's directory.
REINSTALL = ("reinstall ldwrap, then run `ldwrap install ", "` again")


@dataclass(frozen=True)
class Launcher:
    """What a launcher runs: the values `launcher_text` writes and `parse` reads back."""

    python: str | None  # the interpreter (None: a text that names none)
    package_parent: str | None  # the directory holding the `ldwrap` package
    deps: tuple[str, ...] = ()  # where its run-time dependencies are
    bundle: str | None = None  # the bundle it runs the shim's modules from
    shell: bool = False  # the `#!/bin/sh` form


# The lines parse() looks for, each followed by a Python literal.
_PARENT = "sys.path.insert(0, "
_DEPS = "sys.path += "
_BUNDLE = "    with open("
_BUNDLE_END = ", 'rb') as f:"
_MARK = f"# {LAUNCHER_MARKER}: written by `ldwrap install`; runs the real linker of the same name\n"
_NOTE = (
    "# The code that runs is the text below: compiled once for the Python that wrote this\n"
    "# launcher, and compiled on each run by any other.\n"
)
_TEXT_OPEN = "TEXT = r'''\n"
_TEXT_CLOSE = "'''\n"


def launcher_text(
    python: str | None = None,
    package_parent: str | None = None,
    shell: bool = False,
    bundle: str | None = None,
    deps: tuple[str, ...] | None = None,
) -> str:
    """A launcher's text. python: the interpreter (default: this one); package_parent: the
    directory holding ldwrap (default: this one's); deps: the dependencies' directories
    (default: where they are installed now); bundle: the bundle to run from.

    shell=True writes the `#!/bin/sh` form, which names a missing interpreter itself instead
    of leaving the caller with a bare ENOENT; it costs a shell start on every link, so it is
    used only where a shebang cannot carry the interpreter's path (a space, or too long)."""
    import ldwrap

    python = python or sys.executable
    parent = package_parent or os.path.dirname(os.path.dirname(os.path.abspath(ldwrap.__file__)))
    if deps is None:
        deps = tuple(d for d in dependency_dirs() if d != parent)
    body = _body(parent, deps, bundle)
    if shell or " " in python or len(python) > 120:
        return "#!/bin/sh\n" + _MARK + _shell_head(python) + precompiled(body)
    return f"#!{python} -IS\n" + _MARK + precompiled(body)


def _body(parent: str, deps: tuple[str, ...], bundle: str | None) -> str:
    # The dependencies go last on sys.path, so they can never shadow the standard library.
    return (
        "import sys\n"
        "del sys.path[0]  # this launcher's directory: no modules there, and maybe many files\n"
        f"{_PARENT}{parent!r})\n"
        + (f"{_DEPS}{list(deps)!r}\n" if deps else "")
        + (bundle_lines(bundle) if bundle else "")
        + "try:\n"
        + f"    from {SHIM_MODULE} import main\n"
        # The package gone under a live interpreter: one line instead of a traceback.
        + "except ImportError as e:\n"
        + "    a = sys.argv[0]\n"
        + "    sys.stderr.write('ldwrap: %s: cannot load ldwrap from %s (%s); "
        + REINSTALL[0]
        + "%s"
        + REINSTALL[1]
        + f"\\n' % (a, {parent!r}, e, a.rpartition('/')[0] or '.'))\n"
        + "    sys.exit(127)\n"
        + "main()\n"
    )


def bundle_lines(path: str) -> str:
    """Run the bundle at path (bootstrap.py), when this Python wrote it; BUNDLE says what
    became of it (the shim prints it under LDWRAP_DEBUG). Anything wrong leaves every module
    to the import system."""
    from .bundle import FORMAT

    # The garbage collector goes off first: a link is a short process that makes no cycles
    # worth collecting, and each collection walks every object made so far (the bundle's
    # code, thousands of -L arguments).
    return (
        "BUNDLE = 'not read'\n"
        "try:\n"
        "    import gc, marshal\n"
        "    gc.disable()\n"
        f"{_BUNDLE}{path!r}{_BUNDLE_END}\n"
        "        h = marshal.load(f)\n"
        f"        if h[:2] == ({FORMAT}, sys.version):\n"
        "            b = marshal.loads(f.read(h[2]))\n"
        "            g = {}\n"
        "            exec(b[0], g)\n"
        "            BUNDLE = g['load'](b, f.name, f.tell())\n"
        "        else:\n"
        "            BUNDLE = 'written by another Python or ldwrap'\n"
        "except Exception as e:\n"
        "    BUNDLE = 'cannot be read: %s' % e\n"
    )


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
    blob = marshal.dumps(code).hex()
    return (
        f"{_NOTE}"
        "import sys\n"
        f"{_TEXT_OPEN}{body}{_TEXT_CLOSE}"
        "from marshal import loads\n"
        f"exec(loads(bytes.fromhex('{blob}')) if sys.version == {sys.version!r} else TEXT)\n"
    )


def split(text: str) -> tuple[str, str]:
    """A launcher's text as (what comes before its code, its code as text): the shebang and
    marker lines (and the sh form's head), then the body precompiled() carries, or the plain
    code of a launcher without it."""
    head, note, rest = text.partition(_NOTE)
    if not note or _TEXT_OPEN not in rest:
        return "", text
    return head, rest.split(_TEXT_OPEN, 1)[1].split(_TEXT_CLOSE, 1)[0]


def _shell_head(python: str) -> str:
    """sh checks the interpreter, then runs it on this same file, which Python reads as a
    string statement followed by the body."""
    q = shell_quote(python)
    # printf's format is fixed text; the paths go in as arguments, so no quoting can break.
    fmt = shell_quote(
        f"ldwrap: %s: its Python (%s) no longer exists; {REINSTALL[0]}%s{REINSTALL[1]}\\n"
    )
    return (
        "''':'\n"
        f'[ -x {q} ] || {{ printf {fmt} "$0" {q} "${{0%/*}}" >&2; exit 127; }}\n'
        f'exec {q} -I -S "$0" "$@"\n'
        "'''\n"
    )


def parse(text: str) -> Launcher:
    """What a launcher's text runs (values it does not name are None or empty)."""
    first = text.split("\n", 1)[0]
    shell = first.startswith("#!/bin/sh")
    python = None
    if first.startswith("#!") and not shell:
        words = first[2:].split()
        python = words[0] if words else None
    elif shell:
        import shlex

        for line in text.splitlines():
            if line.startswith("exec "):
                try:
                    python = shlex.split(line)[1]
                except (ValueError, IndexError):
                    pass
                break
    _, body = split(text)
    parent: str | None = None
    deps: tuple[str, ...] = ()
    bundle: str | None = None
    for line in body.splitlines():
        if line.startswith(_PARENT) and line.endswith(")"):
            parent = _string(line[len(_PARENT) : -1])
        elif line.startswith(_DEPS):
            got = _literal(line[len(_DEPS) :])
            if isinstance(got, list):
                deps = tuple(d for d in got if isinstance(d, str))
        elif line.startswith(_BUNDLE) and line.endswith(_BUNDLE_END):
            bundle = _string(line[len(_BUNDLE) : -len(_BUNDLE_END)])
    return Launcher(python, parent, deps, bundle, shell)


def _literal(text: str) -> object:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None


def _string(text: str) -> str | None:
    value = _literal(text)
    return value if isinstance(value, str) else None


def dependency_dirs() -> list[str]:
    """The directories holding ldwrap's run-time dependencies, as installed now."""
    import elftools

    return [os.path.dirname(os.path.dirname(os.path.abspath(elftools.__file__)))]
