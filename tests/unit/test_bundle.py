"""The hot-path bundle: it holds exactly the modules the shim loads, in an order that runs,
the launcher uses it only while it is current, and every way it can be wrong falls back to
the ordinary import with the same result."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import base_env
from ldwrap import bundle
from ldwrap.launcher import install, uninstall
from ldwrap.launchertext import bundle_lines, parse

SRC = Path(bundle.__file__).resolve().parents[1]


def _loaded_by_import(module: str) -> list[str]:
    """The ldwrap modules a fresh `python -I -S` has after importing module."""
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            "-S",
            "-c",
            f"import sys; sys.path.insert(0, {str(SRC)!r}); import {module}; "
            "print('\\n'.join(m for m in sys.modules if m.split('.')[0] == 'ldwrap'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def test_the_bundle_holds_exactly_what_the_shim_imports() -> None:
    names = [name for name, _, _ in bundle.modules()]
    assert sorted(names) == sorted(_loaded_by_import(bundle.ROOT))
    assert names[-1] == bundle.ROOT


def test_each_module_comes_after_its_parents_and_its_imports() -> None:
    order = bundle.modules()
    position = {name: i for i, (name, _, _) in enumerate(order)}
    for name, path, is_pkg in order:
        parent = name.rpartition(".")[0]
        if parent:
            assert position[parent] < position[name], (parent, name)
        import ast

        tree = ast.parse(Path(path).read_bytes())
        for dep in bundle._top_level_imports(tree, name, is_pkg):
            if dep in position and dep != name:
                assert position[dep] < position[name], (dep, name)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from . import oslite as os\n", ["ldwrap.link", "ldwrap.link.oslite"]),
        # Config may be a module of the package too: modules() keeps names that are files.
        ("from .config import Config\n", ["ldwrap.link.config", "ldwrap.link.config.Config"]),
        ("from .. import bundle\n", ["ldwrap", "ldwrap.bundle"]),
        ("import ldwrap.link.grammar\n", ["ldwrap.link.grammar"]),
        ("import sys\nfrom os import path\n", []),
        ("def f():\n    from . import rsp\n", []),  # a lazy import stays lazy
        ("if TYPE_CHECKING:\n    from .config import Config\n", []),
    ],
)
def test_top_level_imports(source: str, expected: list[str]) -> None:
    import ast

    found = bundle._top_level_imports(ast.parse(source), "ldwrap.link.plan", False)
    assert found == expected


def _dropins(tmp_path: Path) -> Path:
    d = tmp_path / "bin"
    install(str(d), names=("ld.lld",))
    return d


def _run(ld: Path, *python_flags: str) -> subprocess.CompletedProcess[str]:
    """The launcher run as the kernel runs it, or through the interpreter with flags, in
    front of a "linker" that prints the arguments it gets (the stand-in: only its argv
    matters here)."""
    echo = ld.parent.parent / "echo-linker"
    echo.write_text('#!/bin/sh\necho "$@"\n')
    echo.chmod(0o755)
    lib = ld.parent.parent / "opt" / "x" / "lib"
    lib.mkdir(parents=True, exist_ok=True)
    (lib / "libx.so").write_bytes(b"")
    head = [sys.executable, "-I", "-S", *python_flags] if python_flags else []
    return subprocess.run(
        [*head, str(ld), "-o", "out", "a.o", f"-L{lib}", "-lx"],
        capture_output=True,
        text=True,
        timeout=60,
        env=base_env(
            PATH="/usr/bin:/bin",
            LDWRAP_LINKER=str(echo),
            LDWRAP_RPATH_PREFIXES=str(ld.parent.parent / "opt"),
        ),
    )


def _imported(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The ldwrap modules `-X importtime` saw go through the import system."""
    return [
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "ldwrap" in line.rsplit("|", 1)[1]
    ]


def _all_imported(stderr: str) -> set[str]:
    """Every module `-X importtime` saw go through the import system."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line and "self [us]" not in line
    }


def _linked(result: subprocess.CompletedProcess[str]) -> str:
    """The arguments the linker got, which must include ldwrap's rpath."""
    assert result.returncode == 0, result.stderr
    assert "-rpath" in result.stdout.split(), result.stdout
    return result.stdout


def test_install_writes_it_and_the_launcher_loads_it(tmp_path: Path) -> None:
    d = _dropins(tmp_path)
    assert (d / bundle.FILE_NAME).is_file()
    result = _run(d / "ld.lld", "-X", "importtime")
    assert _imported(result) == []  # every ldwrap module came from the bundle
    assert _linked(result) == _linked(_run(d / "ld.lld"))


def _rewrite(d: Path, head: tuple[object, ...], loader: object, entries: object) -> None:
    (d / bundle.FILE_NAME).write_bytes(bundle.dumps(head, loader, entries))


def _stale_by_edit(d: Path) -> None:
    # A source file that changed since install: another size, as an upgrade leaves it.
    path = Path(bundle.modules()[0][1])
    head, loader, entries = bundle.read(str(d / bundle.FILE_NAME))
    assert isinstance(head, tuple)
    entries = [(*e[:4], e[4] + 1, e[5]) if e[1] == str(path) else e for e in entries]
    _rewrite(d, head, loader, entries)


def _stale_by_python(d: Path) -> None:
    _, loader, entries = bundle.read(str(d / bundle.FILE_NAME))
    _rewrite(d, (bundle.FORMAT, "another Python"), loader, entries)


def _garbage(d: Path) -> None:
    (d / bundle.FILE_NAME).write_bytes(b"\x00not a bundle")


def _truncated(d: Path) -> None:
    data = (d / bundle.FILE_NAME).read_bytes()
    (d / bundle.FILE_NAME).write_bytes(data[: len(data) // 2])


def _missing(d: Path) -> None:
    (d / bundle.FILE_NAME).unlink()


def _raises(d: Path) -> None:
    # Current in every recorded fact, but a module's code fails when it runs: the modules
    # run before it must not stay half-loaded.
    head, loader, entries = bundle.read(str(d / bundle.FILE_NAME))
    assert isinstance(head, tuple)
    bad = compile("raise RuntimeError('broken')", "<bad>", "exec")
    entries = [(*e[:5], bad) if i == len(entries) // 2 else e for i, e in enumerate(entries)]
    _rewrite(d, head, loader, entries)


@pytest.mark.parametrize(
    "spoil", [_stale_by_edit, _stale_by_python, _garbage, _truncated, _missing, _raises]
)
def test_a_bundle_that_is_not_current_falls_back_to_import(
    tmp_path: Path, spoil: Callable[[Path], None]
) -> None:
    d = _dropins(tmp_path)
    good = _linked(_run(d / "ld.lld"))
    spoil(d)
    result = _run(d / "ld.lld", "-X", "importtime")
    assert bundle.ROOT in _imported(result)  # the import system loaded the shim
    assert _linked(result) == good


def test_the_launcher_imports_nothing_the_bare_interpreter_does_not(tmp_path: Path) -> None:
    """With its bundle, a link imports no module beyond the interpreter's own start but the
    built-in `gc` (turned off): `from __future__ import annotations` in the loader alone
    costs a link 0.3 ms."""
    bare = subprocess.run(
        [sys.executable, "-I", "-S", "-X", "importtime", "-c", "pass"],
        capture_output=True,
        text=True,
        check=True,
    )
    result = _run(_dropins(tmp_path) / "ld.lld", "-X", "importtime")
    _linked(result)
    assert _all_imported(result.stderr) - _all_imported(bare.stderr) == {"gc"}


def test_uninstall_removes_it(tmp_path: Path) -> None:
    d = _dropins(tmp_path)
    removed, left = uninstall(str(d))
    assert removed == [str(d / "ld.lld")] and left == []
    assert os.listdir(d) == []


def test_why_stale_says_what_the_launcher_would_find(tmp_path: Path) -> None:
    d = _dropins(tmp_path)
    path = d / bundle.FILE_NAME
    assert bundle.why_stale(str(path)) is None
    assert parse((d / "ld.lld").read_text()).bundle == str(path)
    _stale_by_python(d)
    assert bundle.why_stale(str(path)) == f"{path} was written by another Python or ldwrap"
    _garbage(d)
    assert bundle.why_stale(str(path)) == f"{path} is damaged"
    _missing(d)
    assert bundle.why_stale(str(path)) == f"cannot read {path}: No such file or directory"


def test_why_stale_names_the_changed_source(tmp_path: Path) -> None:
    d = _dropins(tmp_path)
    _stale_by_edit(d)
    changed = bundle.modules()[0][1]
    assert bundle.why_stale(str(d / bundle.FILE_NAME)) == (
        f"{changed} changed after {d / bundle.FILE_NAME} was written"
    )


def test_a_launcher_without_a_bundle_names_none() -> None:
    from ldwrap.launchertext import launcher_text

    assert parse(launcher_text()).bundle is None


def test_modules_from_the_bundle_look_imported(tmp_path: Path) -> None:
    # What the import system gives a module, the loader gives it too: a spec, not marked as
    # initialising, and an attribute on its parent package (without it CPython raises and
    # formats an error inside every `from . import x` before it looks in sys.modules).
    path = tmp_path / bundle.FILE_NAME
    path.write_bytes(bundle.build())
    check = (
        "import sys\n" + bundle_lines(str(path)) + "assert BUNDLE == 'used', BUNDLE\n"
        "names = [e[0] for e in b[1]]\n"
        "for name in names:\n"
        "    m = sys.modules[name]\n"
        "    assert m.__spec__.name == name, name\n"
        "    assert not getattr(m.__spec__, '_initializing', False), name\n"
        "    assert m.__spec__.origin == m.__file__, name\n"
        "    parent, _, child = name.rpartition('.')\n"
        "    assert not parent or getattr(sys.modules[parent], child) is m, name\n"
        "    assert (m.__spec__.submodule_search_locations is not None) == hasattr(m, '__path__')\n"
        "print(len(names))\n"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", check], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(bundle.modules())


def test_the_launcher_turns_the_collector_off(tmp_path: Path) -> None:
    d = _dropins(tmp_path)
    text = (d / "ld.lld").read_text()
    # Before the bundle is decoded: its objects are most of what a collection would walk.
    assert text.index("gc.disable()") < text.index("marshal.loads")


def _snapshot_in(path: Path) -> object:
    _, _, entries = bundle.read(str(path))
    (code,) = [e[5] for e in entries if e[0] == bundle.SNAPSHOT]
    assert isinstance(code, types.CodeType)
    values: dict[str, Any] = {}  # exec's globals: whatever the code defines
    exec(code, values)
    return values["LD_SO_CONF"]


def test_the_bundle_carries_ld_so_conf_as_install_read_it(tmp_path: Path) -> None:
    from ldwrap.link import snapshot
    from ldwrap.link.sysdirs import conf_snapshot

    d = _dropins(tmp_path)
    assert _snapshot_in(d / bundle.FILE_NAME) == conf_snapshot()
    assert snapshot.LD_SO_CONF is None  # the source itself holds none: only the bundle's copy
    assert bundle.snapshot_stale(str(d / bundle.FILE_NAME)) is None


def test_a_changed_ld_so_conf_is_named(tmp_path: Path) -> None:
    # The machine's own /etc/ld.so.conf cannot be changed here: a bundle whose snapshot was
    # read from a copy stands in for it.
    from ldwrap.link.sysdirs import conf_snapshot

    conf = tmp_path / "ld.so.conf"
    conf.write_text("/opt/a/lib\n")
    path = tmp_path / bundle.FILE_NAME
    path.write_bytes(bundle.build())
    head, loader, entries = bundle.read(str(path))
    assert isinstance(head, tuple)
    code = compile(f"LD_SO_CONF = {conf_snapshot(str(conf))!r}\n", "<snapshot>", "exec")
    entries = [(*e[:5], code) if e[0] == bundle.SNAPSHOT else e for e in entries]
    path.write_bytes(bundle.dumps(head, loader, entries))
    assert bundle.snapshot_stale(str(path)) is None
    conf.write_text("/opt/a/lib\n/opt/b/lib\n")
    assert bundle.snapshot_stale(str(path)) == (
        f"{conf} or a file it includes changed after {path} was written"
    )


def test_a_traceback_through_bundled_code_names_the_file_function_and_line(
    tmp_path: Path,
) -> None:
    import traceback

    path = tmp_path / bundle.FILE_NAME
    path.write_bytes(bundle.build())
    _, _, entries = bundle.read(str(path))
    (oslite,) = [e for e in entries if e[0] == "ldwrap.link.oslite"]
    code = oslite[5]
    assert isinstance(code, types.CodeType)
    module: dict[str, Any] = {"__name__": "bundled_oslite"}  # exec's globals
    exec(code, module)
    frames: list[traceback.FrameSummary] = []
    try:
        module["read_upto"](-1, 10)  # no such descriptor
    except OSError as e:
        frames = list(traceback.extract_tb(e.__traceback__))
    (frame,) = [f for f in frames if f.name == "read_upto"]
    assert frame.filename == oslite[1]
    assert frame.lineno is not None
    with open(oslite[1]) as f:
        assert "posix.read" in f.read().splitlines()[frame.lineno - 1]


def test_the_modules_a_link_may_need_are_carried_lazily(tmp_path: Path) -> None:
    lazy = bundle.lazy_modules()
    names = [n for n, _ in lazy]
    eager = {n for n, _, _ in bundle.modules()}
    # Every module of the shim's package is in the bundle, once: run at start, or on import.
    link_dir = Path(bundle.__file__).parent / "link"
    every = {f"ldwrap.link.{p.stem}" for p in link_dir.glob("*.py") if p.stem != "__init__"}
    assert set(names) | (eager - {"ldwrap", "ldwrap.link"}) == every
    assert not set(names) & eager
    assert {"ldwrap.link.nix", "ldwrap.link.purity", "ldwrap.link.rsp"} <= set(names)
    path = tmp_path / bundle.FILE_NAME
    path.write_bytes(bundle.build())
    assert [(e[0], e[1]) for e in bundle.read_lazy(str(path))] == lazy


def _import_after_loading(path: Path, module: str, function: str) -> list[str]:
    """Run the bundle's loader as the launcher does, then import module in a fresh
    interpreter: whether the import system saw it (its spec), its file, and whether its
    code came from the bundle (compiled without docstrings) or from its source."""
    check = (
        "import sys\n"
        f"sys.path.insert(0, {str(SRC)!r})\n"
        + bundle_lines(str(path))
        + "assert BUNDLE == 'used', BUNDLE\n"
        f"from {module.rpartition('.')[0]} import {module.rpartition('.')[2]} as m\n"
        f"documented = m.{function}.__doc__ is not None\n"
        "print('import-system' if m.__spec__ else 'bundle-loader')\n"
        "print(m.__file__)\n"
        "print('source' if documented else 'bundle')\n"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", check], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_a_lazy_module_comes_from_the_bundle_while_its_source_is_unchanged(
    tmp_path: Path,
) -> None:
    path = tmp_path / bundle.FILE_NAME
    path.write_bytes(bundle.build())
    source = str(SRC / "ldwrap" / "link" / "purity.py")
    assert _import_after_loading(path, "ldwrap.link.purity", "apply") == [
        "bundle-loader",
        source,
        "bundle",
    ]
    # purity imports rsp, another lazy module, when it runs: from the bundle too.
    assert _import_after_loading(path, "ldwrap.link.rsp", "expand")[2] == "bundle"


def test_a_stale_lazy_module_runs_from_its_source(tmp_path: Path) -> None:
    path = tmp_path / bundle.FILE_NAME
    path.write_bytes(bundle.build())
    head, loader, entries = bundle.read(str(path))
    assert isinstance(head, tuple)
    lazy = [
        (*e[:3], e[3] + 1, *e[4:]) if e[0] == "ldwrap.link.nix" else e
        for e in bundle.read_lazy(str(path))
    ]
    path.write_bytes(bundle.dumps(head, loader, entries, lazy))
    file = str(SRC / "ldwrap" / "link" / "nix.py")
    assert _import_after_loading(path, "ldwrap.link.nix", "read") == [
        "bundle-loader",
        file,
        "source",
    ]
    assert bundle.why_stale(str(path)) == f"{file} changed after {path} was written"


def test_a_nix_build_link_reads_its_lazy_modules_from_the_bundle(tmp_path: Path) -> None:
    # What a link inside a Nix build loads beyond the start-up modules: the Nix reader,
    # purity and the response-file reader (an @file), the report (dry run).
    d = _dropins(tmp_path)
    store = tmp_path / "store"
    lib = store / "abc-x" / "lib"
    lib.mkdir(parents=True)
    (lib / "libx.so").write_bytes(b"")
    rsp = tmp_path / "args.rsp"
    rsp.write_text(f"-L{lib} -lx -L/usr/local/lib\n")
    env = base_env(
        PATH="/usr/bin:/bin",
        NIX_STORE=str(store),
        NIX_ENFORCE_PURITY="1",
        NIX_LDFLAGS=f"-L{lib}",
        NIX_BINTOOLS_WRAPPER_TARGET_HOST_x86_64_unknown_linux_gnu="1",
        LDWRAP_LINKER="/bin/true",
        LDWRAP_DRY_RUN="1",
    )

    def run(ld: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(ld), "-o", "out", "a.o", f"@{rsp}"],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            cwd=tmp_path,
        )

    bundled = run(d / "ld.lld")
    (d / bundle.FILE_NAME).unlink()
    imported = run(d / "ld.lld")
    assert bundled.returncode == imported.returncode == 0, bundled.stderr + imported.stderr
    assert f"-rpath {lib}" in bundled.stderr  # the dry run prints the command there
    assert (bundled.stdout, bundled.stderr) == (imported.stdout, imported.stderr)


@pytest.mark.parametrize(
    ("spoil", "status"),
    [
        (None, "used"),
        (_stale_by_edit, "not used: {changed} changed after the bundle was written"),
        (_stale_by_python, "not used: written by another Python or ldwrap"),
        (_garbage, "not used: cannot be read: {garbage}"),
    ],
)
def test_ldwrap_debug_says_whether_the_bundle_was_used(
    tmp_path: Path, linker_path: str, spoil: Callable[[Path], None] | None, status: str
) -> None:
    d = _dropins(tmp_path)
    if spoil is not None:
        spoil(d)
    # A dry run: the real linker, a placeholder, is only looked up.
    p = subprocess.run(
        [str(d / "ld.lld"), "-o", "out", "a.o"],
        capture_output=True,
        text=True,
        timeout=60,
        env=base_env(PATH=linker_path, LDWRAP_DEBUG="1", LDWRAP_DRY_RUN="1"),
    )
    assert p.returncode == 0, p.stderr
    line = p.stderr.splitlines()[0]
    if "{garbage}" in status:
        assert line.startswith("ldwrap: bundle: not used: cannot be read: "), line
        return
    assert line == "ldwrap: bundle: " + status.format(changed=bundle.modules()[0][1])


@pytest.mark.parametrize(
    ("source", "check"),
    [
        ("def f(a: int, *b: str, c: 'X' = 1, **d: bytes) -> None:\n    return a\n", "f(1)"),
        ("x: int = 3\ny: 'str'\n", "x"),
        ("class C:\n    a: int\n    b: str = 'b'\n", "C.b"),
        ("class C:\n    a: int\n", "C.__name__"),
        ("TYPE_CHECKING = False\nif TYPE_CHECKING:\n    import nowhere\nz = 1\n", "z"),
        ("def g() -> int:\n    if TYPE_CHECKING:\n        import nowhere\n", "g()"),
    ],
)
def test_bundled_code_carries_no_annotations(source: str, check: str) -> None:
    """What only mypy reads is left out of the bundle, and the code still runs the same."""
    import ast

    tree = bundle.without_annotations(ast.parse(source))
    assert not any(
        getattr(n, "annotation", None) is not None or getattr(n, "returns", None) is not None
        for n in ast.walk(tree)
    )
    assert not any(isinstance(n, ast.AnnAssign) for n in ast.walk(tree))
    bare: dict[str, object] = {"TYPE_CHECKING": False}
    exec(compile(tree, "<bundled>", "exec"), bare)
    plain: dict[str, object] = {"TYPE_CHECKING": False, "X": object}
    exec(compile(source.replace("import nowhere", "pass"), "<source>", "exec"), plain)
    assert "__annotations__" not in bare
    value = eval(check, bare)
    assert value == eval(check, plain)
