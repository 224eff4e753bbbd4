"""The package's shape, checked: the import graph of src/ldwrap (read with ast, nothing is
imported) and what a real link through an installed launcher loads.

(a) Import rules. Every `import` and `from ... import` counts, at module level or inside a
function; relative imports are resolved. Imports under `if TYPE_CHECKING:` are left out of the
cycle check only.
- no import cycles among ldwrap's modules;
- nothing under ldwrap.link imports ldwrap.cli, ldwrap.loader, click or elftools, not even
  lazily, except the one documented post-link hook in ALLOWED_LINK_EDGES;
- ldwrap.link.model imports nothing from ldwrap;
- only ldwrap.cli and the modules under it import click.

(b) The hot path. A fresh `python -I -S` starts the shim as an installed launcher does, for a
real drop-in name and a tiny link, in each prefix mode; just before the exec it records
sys.modules. None of HEAVY may be there (less what a bare `python -I -S -c pass` has already).

(c) The unit tests mirror the code (the rule in docs/contributing.md), both ways: every
tests/unit file named test_*.py tests one source module, found from its path alone; and every
module under src/ldwrap has its test file or folder (UNTESTED lists the exceptions, with the
reason for each: none today).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import ldwrap
from helpers import base_env

PACKAGE_DIR = Path(ldwrap.__file__).resolve().parent
PACKAGE_PARENT = PACKAGE_DIR.parent

# (importer, imported, where): the only imports from ldwrap.link into the forbidden packages.
# ldwrap.link.spawn runs the LDWRAP_VERIFY check after the link, importing it inside a function.
ALLOWED_LINK_EDGES = {("ldwrap.link.spawn", "ldwrap.loader.verify", "function")}
FORBIDDEN_FOR_LINK = ("ldwrap.cli", "ldwrap.loader", "click", "elftools")


# --- (a) the import graph ---------------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    importer: str
    target: str  # a module of ldwrap when it resolves to one, else the top-level name given
    line: int
    where: str  # "module" or "function"
    type_checking: bool


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE_PARENT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(name: str, known: set[str]) -> str:
    """The longest known module prefix of a dotted name (ldwrap.x.y -> ldwrap.x if y is a
    name in module ldwrap.x); a name from outside ldwrap is kept as given."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in known:
            return candidate
    return name


def _imports(module: str, path: Path, known: set[str]) -> list[Import]:
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    out: list[Import] = []

    def visit(node: ast.AST, in_function: bool, type_checking: bool) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            in_function = True
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, in_function, True)
            for child in node.orelse:
                visit(child, in_function, type_checking)
            return
        where = "function" if in_function else "module"
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.append(
                    Import(module, _resolve(alias.name, known), node.lineno, where, type_checking)
                )
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts)
                full = f"{base}.{node.module}" if node.module else base
            else:
                full = node.module or ""
            for alias in node.names:
                # `from pkg import mod` imports the module pkg.mod when there is one.
                target = f"{full}.{alias.name}"
                target = target if target in known else _resolve(full, known)
                out.append(Import(module, target, node.lineno, where, type_checking))
        for sub in ast.iter_child_nodes(node):
            visit(sub, in_function, type_checking)

    visit(tree, False, False)
    return out


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    mods = _modules()
    known = set(mods)
    return [imp for name, path in mods.items() for imp in _imports(name, path, known)]


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _fmt(imp: Import) -> str:
    tc = ", under TYPE_CHECKING" if imp.type_checking else ""
    return f"{imp.importer} -> {imp.target} (line {imp.line}, {imp.where} level{tc})"


def test_the_graph_is_read(imports: list[Import]) -> None:
    """The checks below see real edges (a broken walk would pass them vacuously)."""
    targets = {(i.importer, i.target) for i in imports}
    assert ("ldwrap.link.shim", "ldwrap.link.plan") in targets
    assert ("ldwrap.link.spawn", "ldwrap.loader.verify") in targets
    assert any(_under(i.importer, "ldwrap.cli") and i.target == "click" for i in imports)


def test_no_import_cycles(imports: list[Import]) -> None:
    graph: dict[str, set[str]] = {m: set() for m in _modules()}
    for imp in imports:
        if not imp.type_checking and imp.target in graph and imp.target != imp.importer:
            graph[imp.importer].add(imp.target)
    # Tarjan's strongly connected components: any component of two or more is a cycle.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    details = [
        [_fmt(i) for i in imports if i.importer in c and i.target in c and not i.type_checking]
        for c in cycles
    ]
    assert cycles == [], details


def test_the_link_package_imports_no_cli_loader_click_or_elftools(
    imports: list[Import],
) -> None:
    bad = [
        imp
        for imp in imports
        if _under(imp.importer, "ldwrap.link")
        and any(_under(imp.target, f) for f in FORBIDDEN_FOR_LINK)
        and (imp.importer, imp.target, imp.where) not in ALLOWED_LINK_EDGES
    ]
    assert [_fmt(i) for i in bad] == []


def test_the_allowed_hook_is_lazy_and_not_under_type_checking(imports: list[Import]) -> None:
    hooks = [
        i
        for i in imports
        if i.importer == "ldwrap.link.spawn" and _under(i.target, "ldwrap.loader")
    ]
    assert [(i.target, i.where, i.type_checking) for i in hooks] == [
        ("ldwrap.loader.verify", "function", False)
    ]


def test_the_model_imports_nothing_from_ldwrap(imports: list[Import]) -> None:
    # At run time: a name for a type annotation (under TYPE_CHECKING) is no import.
    bad = [
        i
        for i in imports
        if i.importer == "ldwrap.link.model" and _under(i.target, "ldwrap") and not i.type_checking
    ]
    assert [_fmt(i) for i in bad] == []


def test_only_the_cli_imports_click(imports: list[Import]) -> None:
    bad = [i for i in imports if _under(i.target, "click") and not _under(i.importer, "ldwrap.cli")]
    assert [_fmt(i) for i in bad] == []


# --- (b) the hot path -------------------------------------------------------------------------

HEAVY = (
    "click",
    "elftools",
    "typing",
    "re",
    "glob",
    "enum",
    "contextlib",
    "json",
    "subprocess",
    "tempfile",
    "fnmatch",
    "dataclasses",
    "functools",
    "collections",
    "pathlib",
    "shutil",
    "argparse",
)

# Run as `python -I -S -c CHILD OUT PACKAGE_PARENT ARGV0 ARGS...`: what an installed launcher
# does (its package directory first on sys.path, then the shim's main), except that os.execve
# writes the modules loaded and the argv to OUT, and ends the process, instead of the exec.
# Only os and sys are imported here, which the shim imports anyway.
CHILD = r"""
import os, sys
out, parent = sys.argv[1], sys.argv[2]
def _record(path, argv, env):
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, ("\n".join(sorted(sys.modules)) + "\n\0\n" + "\n".join(argv)).encode())
    os.close(fd)
    os._exit(0)
os.execve = _record
sys.argv = sys.argv[3:]
sys.path.insert(0, parent)
from ldwrap.link.shim import main
main()
"""


def _bare_modules() -> set[str]:
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", "import sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def _heavy(modules: list[str], bare: set[str]) -> list[str]:
    return sorted(m for m in modules if any(_under(m, h) for h in HEAVY) and m not in bare)


@pytest.mark.parametrize("mode", ["nix", "prefixes", "default"])
def test_the_hot_path_loads_nothing_heavy(mode: str, tmp_path: Path) -> None:
    root = tmp_path / ("nix/store" if mode == "nix" else "opt")
    lib = root / ("a" * 32 + "-foo") / "lib"
    lib.mkdir(parents=True)
    (lib / "libfoo.so").write_bytes(b"")
    fake = tmp_path / "bin" / "ld.lld"  # the "real linker": never run, the exec is recorded
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    env = base_env(PATH=f"{fake.parent}:/usr/bin:/bin")
    if mode == "nix":
        env["NIX_STORE"] = str(root)
    elif mode == "prefixes":
        env["LDWRAP_RPATH_PREFIXES"] = str(root)
    out = tmp_path / "record"
    args = ["-o", "prog", "main.o", "-L", str(lib), "-lfoo"]
    proc = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            CHILD,
            str(out),
            str(PACKAGE_PARENT),
            str(tmp_path / "dropins" / "ld.lld"),
            *args,
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.exists(), f"the shim did not exec: {proc.stderr}"
    modules_text, _, argv_text = out.read_text().partition("\n\0\n")
    # The link really was planned in this mode: the real linker, the caller's args, the rpath.
    assert argv_text.split("\n") == [str(fake), *args, "-rpath", str(lib)], proc.stderr
    assert _heavy(modules_text.split(), _bare_modules()) == []
    # No variable the Nix reader reads (NIX_STORE alone chooses the Nix mode): the Nix reader
    # and the purity code stay unloaded in every mode.
    assert {"ldwrap.link.nix", "ldwrap.link.purity"} & set(modules_text.split()) == set()


# --- (c) tests/unit mirrors src/ldwrap ---------------------------------------------------------

UNIT_DIR = Path(__file__).resolve().parent
SCRIPTS_DIR = UNIT_DIR.parents[1] / "scripts"
PACKAGE = PACKAGE_DIR.name  # the top-level package, whose __init__ test_ldwrap.py tests
# Checks of the whole project, not of one module.
PROJECT_WIDE = frozenset({"test_architecture.py", "test_docs.py", "test_style.py"})
# Modules that have no unit test file or folder of their own, each with the reason: none.
UNTESTED: dict[str, str] = {}


def module_under_test(
    test: tuple[str, ...], modules: frozenset[str], scripts: frozenset[str], package: str = PACKAGE
) -> str:
    """The module a unit test file tests, from its path under tests/unit ("" if none).

    `a/test_m.py` tests `a/m.py` (or `a/_m.py`, `a/__m__.py`); `a/test_a.py` tests the package
    `a/__init__.py`, and `test_<package>.py` the top-level `__init__.py`; `a/m/test_topic.py` is
    one of several files testing the module `a/m.py`; `scripts/test_s.py` tests `scripts/s.py`.
    Modules are written "a/m.py", scripts "s.py".
    """
    *dirs, name = test
    if not name.startswith("test_") or not name.endswith(".py"):
        return ""
    if dirs == ["scripts"]:
        return f"scripts/{name[5:]}" if name[5:] in scripts else ""
    stem = name[5:-3]
    folder = "/".join(dirs)
    for path in _spellings(folder, stem):
        if path in modules:
            return path
    if stem == (dirs[-1] if dirs else package) and _join(folder, "__init__.py") in modules:
        return _join(folder, "__init__.py")
    if dirs:  # a folder standing for the module it is named after
        for path in _spellings("/".join(dirs[:-1]), dirs[-1]):
            if path in modules:
                return path
    return ""


def _spellings(folder: str, stem: str) -> list[str]:
    """The modules a test's name can stand for: public, private, or dunder."""
    return [
        _join(folder, f"{pre}{stem}{post}.py") for pre, post in (("", ""), ("_", ""), ("__", "__"))
    ]


def where_tested(module: str, package: str = PACKAGE) -> tuple[str, str]:
    """Where a module's unit tests are, under tests/unit: its one file, and the folder that
    may stand in for it ("" for a package's __init__, whose folder mirrors the package)."""
    *dirs, name = module.split("/")
    folder = "/".join(dirs)
    stem = name[:-3]
    if stem == "__init__":
        return _join(folder, f"test_{dirs[-1] if dirs else package}.py"), ""
    stem = stem.strip("_")  # a private module drops its underscores
    return _join(folder, f"test_{stem}.py"), _join(folder, stem)


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


MODULES = frozenset(
    {"__init__.py", "__main__.py", "a.py", "p/__init__.py", "p/m.py", "p/_c.py", "p/big.py"}
)
SCRIPTS = frozenset({"gen.py"})


@pytest.mark.parametrize(
    ("test", "module"),
    [
        (("test_a.py",), "a.py"),
        (("test_pkg.py",), "__init__.py"),
        (("test_main.py",), "__main__.py"),
        (("p", "test_m.py"), "p/m.py"),
        (("p", "test_c.py"), "p/_c.py"),
        (("p", "test_p.py"), "p/__init__.py"),
        (("p", "big", "test_anything.py"), "p/big.py"),
        (("p", "c", "test_anything.py"), "p/_c.py"),
        (("scripts", "test_gen.py"), "scripts/gen.py"),
        (("test_m.py",), ""),  # p/m.py's tests belong in p/
        (("test_p.py",), ""),  # p/__init__.py's too
        (("p", "test_a.py"), ""),
        (("p", "test_pkg.py"), ""),
        (("p", "m", "x", "test_m.py"), ""),
        (("p", "helpers.py"), ""),
        (("scripts", "test_other.py"), ""),
        (("q", "test_q.py"), ""),
    ],
)
def test_the_mirror_rule(test: tuple[str, ...], module: str) -> None:
    assert module_under_test(test, MODULES, SCRIPTS, "pkg") == module


@pytest.mark.parametrize(
    ("module", "places"),
    [
        ("a.py", ("test_a.py", "a")),
        ("__init__.py", ("test_pkg.py", "")),
        ("__main__.py", ("test_main.py", "main")),
        ("p/m.py", ("p/test_m.py", "p/m")),
        ("p/_c.py", ("p/test_c.py", "p/c")),
        ("p/__init__.py", ("p/test_p.py", "")),
        ("p/big.py", ("p/test_big.py", "p/big")),
    ],
)
def test_where_a_modules_tests_are(module: str, places: tuple[str, str]) -> None:
    assert where_tested(module, "pkg") == places
    # The two rules agree: what is there for a module is found to test that module.
    file, folder = places
    assert module_under_test(tuple(file.split("/")), MODULES, SCRIPTS, "pkg") == module
    if folder:
        topic = (*folder.split("/"), "test_topic.py")
        assert module_under_test(topic, MODULES, SCRIPTS, "pkg") == module


def _source_modules() -> frozenset[str]:
    return frozenset(p.relative_to(PACKAGE_DIR).as_posix() for p in PACKAGE_DIR.rglob("*.py"))


def test_every_unit_test_file_tests_one_module() -> None:
    modules = _source_modules()
    scripts = frozenset(p.name for p in SCRIPTS_DIR.glob("*.py"))
    files = sorted(UNIT_DIR.rglob("test_*.py"))
    assert len(files) > 40  # the tree was found
    strays = [
        f.relative_to(UNIT_DIR).as_posix()
        for f in files
        if f.relative_to(UNIT_DIR).as_posix() not in PROJECT_WIDE
        and not module_under_test(f.relative_to(UNIT_DIR).parts, modules, scripts)
    ]
    assert strays == []


def _tested_by(module: str, modules: frozenset[str]) -> tuple[bool, bool]:
    """Whether module has its test file, and its folder of test files, each found by the rule
    to test that module (not another that spells the same test name)."""
    file, folder = where_tested(module)
    has_file = (UNIT_DIR / file).is_file() and (
        module_under_test(tuple(file.split("/")), modules, frozenset()) == module
    )
    has_folder = bool(folder) and any(
        module_under_test(t.relative_to(UNIT_DIR).parts, modules, frozenset()) == module
        for t in (UNIT_DIR / folder).glob("test_*.py")
    )
    return has_file, has_folder


def test_every_module_has_its_test_file_or_folder() -> None:
    modules = _source_modules()
    assert len(modules) > 80  # the package was found
    missing = [
        m + ": tests/unit/" + " or tests/unit/".join(p for p in where_tested(m) if p)
        for m in sorted(modules)
        if m not in UNTESTED and not any(_tested_by(m, modules))
    ]
    assert missing == []
    # An exception names a module that exists and still has no tests, and says why.
    stale = [
        m
        for m, why in UNTESTED.items()
        if m not in modules or any(_tested_by(m, modules)) or not why.strip()
    ]
    assert stale == []


def test_a_module_has_one_test_file_or_one_folder() -> None:
    modules = _source_modules()
    both = [m for m in sorted(modules) if all(_tested_by(m, modules))]
    assert both == []


@pytest.mark.parametrize("module", ["ldwrap.link.spawn", "ldwrap.link.trim"])
def test_the_after_link_modules_load_nothing_heavy(module: str) -> None:
    """With LDWRAP_SHRINK the shim waits for the linker and trims the output: that path
    starts as light as the exec path."""
    code = f"import sys; sys.path.insert(0, {str(PACKAGE_PARENT)!r}); import {module}; "
    code += "print('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, check=True
    )
    assert _heavy(out.stdout.split(), _bare_modules()) == []
