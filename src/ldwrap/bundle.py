"""The hot-path bundle: the shim's modules compiled into one file beside the drop-ins (its
layout, and the loader a launcher runs from it, are bootstrap.py's).

Importing a module through the import system costs a finder walk, a few stats, a file read
and the import machinery's own bookkeeping: about a tenth of a millisecond a module, paid on
every link for each of the shim's modules. `ldwrap install` therefore writes their code
objects, in the order they must run, into one file that the launcher reads with a single
`read` and runs directly. The modules stay small files in the source tree; only their loading
is joined.

A bundle is trusted only while it is current: it records the interpreter's version and each
source file's size and modification time, and the launcher checks them (one `stat` a module)
before using it. Anything else — a missing or unreadable file, another Python, an edited or
upgraded source — makes the launcher import the modules the ordinary way, so a stale bundle
costs speed, never correctness.
"""

from __future__ import annotations

import ast
import marshal
import os
import sys
from types import CodeType

import ldwrap

from . import bootstrap
from .bootstrap import CODE, FILE, MTIME, NAME, PACKAGE, SIZE

ROOT = "ldwrap.link.shim"  # the module a launcher runs
FILE_NAME = ".ldwrap-shim.bundle"  # in the drop-in directory, beside the launchers
# The layout's version (bootstrap.py describes the layout): changed with the layout, and only
# then. 3: the loader is bootstrap.py, called by name, and says why a bundle is not used.
FORMAT = 3
SNAPSHOT = "ldwrap.link.snapshot"  # its bundled copy carries what install read of the machine

# An eager entry or a lazy module, decoded (bootstrap.py's layout; a lazy one's is-a-package
# field is False).
Entry = tuple[str, str, bool, int, int, object]
LazyIndex = dict[str, tuple[str, bool, int, int, int, int]]


def _source(name: str, package_dir: str) -> tuple[str, bool]:
    """The source file of module `name` under the package's directory, and whether it is a
    package."""
    parts = name.split(".")[1:]
    base = os.path.join(package_dir, *parts)
    init = os.path.join(base, "__init__.py")
    if os.path.isfile(init):
        return init, True
    return base + ".py", False


def _top_level_imports(tree: ast.Module, name: str, is_pkg: bool) -> list[str]:
    """ldwrap modules that `name` imports when it is first run: the statements at module
    level, not those inside functions (lazy imports) or under `if TYPE_CHECKING:`."""
    package = name if is_pkg else name.rpartition(".")[0]
    found: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "ldwrap"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            elif node.module and node.module.split(".")[0] == "ldwrap":
                target = node.module
            else:
                continue
            found.append(target)
            if not node.module or node.level:
                # `from . import oslite`: each name may itself be a module of the package.
                found += [f"{target}.{a.name}" for a in node.names]
    return found


def modules(root: str = ROOT, package_dir: str | None = None) -> list[tuple[str, str, bool]]:
    """(name, source file, is a package) of every module the root loads at start, in an order
    where each comes after the modules it imports (its parent packages first)."""
    package_dir = package_dir or os.path.dirname(os.path.abspath(ldwrap.__file__))
    order: list[tuple[str, str, bool]] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            raise ValueError(f"import cycle through {name}")
        path, is_pkg = _source(name, package_dir)
        if not os.path.isfile(path):
            return  # a name imported from a package, not a module
        visiting.add(name)
        parent = name.rpartition(".")[0]
        if parent:
            visit(parent)
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), path)
        for dep in _top_level_imports(tree, name, is_pkg):
            if dep != name:
                visit(dep)
        visiting.discard(name)
        done.add(name)
        order.append((name, path, is_pkg))

    visit(root)
    return order


def header() -> tuple[int, str]:
    """What the launcher compares before it runs any code from the bundle: code objects are
    only valid for the interpreter that compiled them."""
    return (FORMAT, sys.version)


def lazy_modules(root: str = ROOT, package_dir: str | None = None) -> list[tuple[str, str]]:
    """(name, source file) of the modules of the root's package that it does not load at
    start: those a link imports only when it needs them."""
    package_dir = package_dir or os.path.dirname(os.path.abspath(ldwrap.__file__))
    eager = {name for name, _, _ in modules(root, package_dir)}
    package = root.rpartition(".")[0]
    folder = os.path.join(package_dir, *package.split(".")[1:])
    out = []
    for file in sorted(os.listdir(folder)):
        name = f"{package}.{file[:-3]}"
        if file.endswith(".py") and file != "__init__.py" and name not in eager:
            out.append((name, os.path.join(folder, file)))
    return out


def _compiled(name: str, path: str) -> tuple[os.stat_result, CodeType]:
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        source = f.read()
    if name == SNAPSHOT:
        source += _snapshot_source()
    # optimize=2 leaves the docstrings out: nothing on the hot path reads them, and they
    # are an eighth of the bytes every link reads and decodes.
    tree = without_annotations(ast.parse(source, path))
    code = compile(tree, path, "exec", dont_inherit=True, optimize=2)
    return st, code


class _Annotations(ast.NodeTransformer):
    """Takes out what only mypy reads: annotations and `if TYPE_CHECKING:` blocks."""

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
        a = node.args
        for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg):
            if arg is not None:
                arg.annotation = None
        node.returns = None
        self.generic_visit(node)
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST | None:
        if node.value is None:
            return None  # `name: type` alone declares, and assigns nothing
        return ast.copy_location(ast.Assign(targets=[node.target], value=node.value), node)

    def visit_If(self, node: ast.If) -> ast.AST | None:
        test = node.test
        if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING" and not node.orelse:
            return None
        self.generic_visit(node)
        return node


def without_annotations(tree: ast.Module) -> ast.Module:
    """tree without annotations and `if TYPE_CHECKING:` blocks. Nothing on the hot path reads
    an annotation, yet every function's are decoded, and every annotated assignment fills an
    `__annotations__` dict, on each link: this takes about 0.5 million instructions (of the
    bundle's 10) off every start. A body left empty gets a `pass`."""
    tree = _Annotations().visit(tree)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if body == []:
            body.append(ast.Pass())
    return ast.fix_missing_locations(tree)


def build(root: str = ROOT) -> bytes:
    """The bundle's bytes for the modules as they are on disk now: the header, the loader's
    code with the modules' entries and the lazy index, then each lazy module's code. The
    second record is read whole and decoded at once (marshal.load on a file reads it piece by
    piece, far slower)."""
    entries: list[Entry] = []
    for name, path, is_pkg in modules(root):
        st, code = _compiled(name, path)
        entries.append((name, path, is_pkg, st.st_mtime_ns, st.st_size, code))
    lazy: list[Entry] = []
    for name, path in lazy_modules(root):
        st, code = _compiled(name, path)
        lazy.append((name, path, False, st.st_mtime_ns, st.st_size, code))
    path = bootstrap.__file__
    with open(path, "rb") as f:
        tree = without_annotations(ast.parse(f.read(), path))
    loader = compile(tree, path, "exec", dont_inherit=True, optimize=2)
    return dumps(header(), loader, entries, lazy)


def _snapshot_source() -> bytes:
    """The lines that give the bundle's copy of link/snapshot.py its values."""
    from ldwrap.link.sysdirs import conf_snapshot

    return f"\nLD_SO_CONF = {conf_snapshot()!r}\n".encode()


def read(path: str) -> tuple[tuple[object, ...], object, list[Entry]]:
    """What a bundle file holds (header, loader, entries); raises OSError, or
    EOFError/ValueError/TypeError for a damaged file. The header is what the launcher
    compares (see header())."""
    head, loader, entries, _ = _read(path)
    return head, loader, entries


def read_lazy(path: str) -> list[Entry]:
    """The lazy modules of the bundle at path, decoded, as entries (is a package: False)."""
    _, _, _, lazy = _read(path)
    return lazy


def _read(path: str) -> tuple[tuple[object, ...], object, list[Entry], list[Entry]]:
    with open(path, "rb") as f:
        head = marshal.load(f)
        if not isinstance(head, tuple) or len(head) != 3 or not isinstance(head[2], int):
            raise ValueError("no header")
        loader, entries, index = marshal.loads(f.read(head[2]))
        rest = f.read()
    if not isinstance(entries, list) or not isinstance(index, dict):
        raise ValueError("no module entries")
    lazy: list[Entry] = []
    for name, (file, pkg, mtime, size, at, n) in index.items():
        lazy.append((name, file, pkg, mtime, size, marshal.loads(rest[at : at + n])))
    return head[:2], loader, entries, lazy


def dumps(
    head: tuple[object, ...], loader: object, entries: object, lazy: list[Entry] | None = None
) -> bytes:
    """A bundle file's bytes from its parts (the inverse of read and read_lazy). head:
    (format, Python version), to which the length of the second record is added."""
    lazy = lazy or []
    # marshal's own check refuses what it cannot write; the stubs know fewer types than it.
    blobs = [marshal.dumps(e[CODE]) for e in lazy]  # type: ignore[arg-type]
    index: LazyIndex = {}
    at = 0
    for e, blob in zip(lazy, blobs):
        index[e[NAME]] = (e[FILE], e[PACKAGE], e[MTIME], e[SIZE], at, len(blob))
        at += len(blob)
    main = marshal.dumps((loader, entries, index))  # type: ignore[arg-type]
    return marshal.dumps((*head, len(main))) + main + b"".join(blobs)  # type: ignore[arg-type]


def why_stale(path: str) -> str | None:
    """Why the launcher would not use the bundle at path, or one of the lazy modules in it
    (it then imports them the slower way), or None when it is current. The same checks as
    the launcher's and the lazy modules' own."""
    try:
        head, _, entries, lazy = _read(path)
    except OSError as e:
        return f"cannot read {path}: {e.strerror}"
    except (EOFError, ValueError, TypeError):
        return f"{path} is damaged"
    if head != header():
        return f"{path} was written by another Python or ldwrap"
    for entry in [*entries, *lazy]:
        try:
            st = os.stat(entry[FILE])
        except OSError:
            return f"{path} names {entry[FILE]}, which is gone"
        if (st.st_mtime_ns, st.st_size) != (entry[MTIME], entry[SIZE]):
            return f"{entry[FILE]} changed after {path} was written"
    return None


def snapshot_stale(path: str) -> str | None:
    """Why the ld.so.conf snapshot in the bundle at path is no longer used (the default mode
    then reads ld.so.conf on every link), or None: current, or no bundle or snapshot to
    speak of (why_stale says why)."""
    from ldwrap.link.sysdirs import snapshot_dirs

    try:
        _, _, entries = read(path)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    for entry in entries:
        if entry[NAME] == SNAPSHOT:
            values: dict[str, object] = {}
            exec(entry[CODE], values)  # type: ignore[arg-type]  # the bundle's own code
            snap = values.get("LD_SO_CONF")
            if isinstance(snap, tuple) and snapshot_dirs(snap, snap[0]) is None:
                return f"{snap[0]} or a file it includes changed after {path} was written"
    return None
