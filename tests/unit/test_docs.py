"""The reference pages stay complete: every environment variable the code reads is in
docs/configuration.md, and every command and option of the command line is in
docs/commands.md.

The variables are found by reading the source (an AST walk), not from a list kept by hand: a
key looked up in an environment mapping (`env.get(K)`, `env[K]`, `K in env`, a helper called
as `f(env, K)`), names compared with or matched against the keys while iterating over one, and
every string that names one of the families ldwrap and nixpkgs' wrapper use (`LDWRAP_*`,
`NIX_*`, `wrapper_*`). A key that is a variable is followed to the module constant or the
loop over literal names that binds it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest

from ldwrap.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "ldwrap"
DOCS = ROOT / "docs"

# An expression that holds an environment mapping: env, os.environ, self.env, config.env,
# os.environ() (link/oslite.py's), sorted(env), env.items().
ENV_EXPR = re.compile(r"(^|[^A-Za-z0-9_])(env|environ)(\(\))?(\.items\(\)|\.keys\(\))?\)?$")
VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
UPPER_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
# The names ldwrap gives its own variables and those of nixpkgs' wrapper.
FAMILY = re.compile(r"^(LDWRAP_|NIX_|wrapper_)[A-Za-z0-9_]*$")
ROLE_SUFFIX = re.compile(r"^_FOR_[A-Z]+$")
# Keys that are neither literal nor bound to literals, each with where their names come from.
UNRESOLVED_OK = {
    # nix.read: `n` runs over names built from the NIX_* literals given to words()/flag(),
    # which FAMILY collects, plus the salt and role suffixes (checked on their own).
    ("link/nix.py", "n"),
}


@dataclass
class Found:
    exact: dict[str, set[str]] = field(default_factory=dict)  # name -> modules
    prefixes: dict[str, set[str]] = field(default_factory=dict)  # "NIX_LINK_TYPE_" -> modules
    suffixes: dict[str, set[str]] = field(default_factory=dict)  # "_FOR_BUILD" -> modules
    unresolved: set[tuple[str, str]] = field(default_factory=set)

    def add(self, kind: dict[str, set[str]], name: str, module: str) -> None:
        kind.setdefault(name, set()).add(module)


def _is_env(node: ast.expr) -> bool:
    return bool(ENV_EXPR.search(ast.unparse(node)))


def _strings(node: ast.expr) -> list[str] | None:
    """The literal strings node stands for (a constant or a tuple/list/set of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        out: list[str] = []
        for elt in node.elts:
            sub = _strings(elt)
            if sub is None:
                return None
            out += sub
        return out
    return None


def _module_constants() -> dict[str, list[str]]:
    """NAME -> strings, for every module-level `NAME = <literal strings>` in the package."""
    out: dict[str, list[str]] = {}
    for path in SRC.rglob("*.py"):
        for stmt in ast.parse(path.read_text()).body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target = stmt.targets[0]
                values = _strings(stmt.value)
                if isinstance(target, ast.Name) and values is not None:
                    out.setdefault(target.id, []).extend(values)
    return out


Binding = tuple[ast.AST, str, "list[str] | None", bool]


def _loop_bindings(tree: ast.AST, constants: dict[str, list[str]]) -> Iterator[Binding]:
    """(scope, name, literal values or None, iterates over an environment) for every name a
    for loop or comprehension binds."""
    loops: list[tuple[ast.AST, ast.expr, ast.expr]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.For):
            loops.append((node, node.target, node.iter))
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            loops += [(node, g.target, g.iter) for g in node.generators]
    for scope, target, it in loops:
        names = [target] if isinstance(target, ast.Name) else getattr(target, "elts", [])[:1]
        values = _strings(it)
        if values is None and isinstance(it, ast.Name):
            values = constants.get(it.id)
        over_env = _is_env(it) or (
            isinstance(it, (ast.ListComp, ast.GeneratorExp))
            and any(_is_env(g.iter) for g in it.generators)
        )  # `for key in [k for k in env if ...]`
        for name in names:
            if isinstance(name, ast.Name):
                yield scope, name.id, values, over_env


class _ModuleScan:
    """The environment variables one module reads, added to `found`."""

    def __init__(self, path: Path, constants: dict[str, list[str]], found: Found) -> None:
        self.module = path.relative_to(SRC).as_posix()
        self.tree = ast.parse(path.read_text())
        self.constants = constants
        self.found = found
        self.bindings = list(_loop_bindings(self.tree, constants))
        self.functions = [
            (f, {a.arg for a in (*f.args.posonlyargs, *f.args.args, *f.args.kwonlyargs)})
            for f in ast.walk(self.tree)
            if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        self.env_keys = {name for _, name, _, over_env in self.bindings if over_env}

    def resolve(self, node: ast.expr, at: ast.AST) -> list[str] | None:
        """The names a key expression stands for ("X*" for a family); None: unknown."""
        literal = _strings(node)
        if literal is not None:
            return literal
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            head = self.resolve(node.left, at)
            return None if head is None else [h + "*" for h in head]  # a name family
        if isinstance(node, ast.JoinedStr) and node.values:
            head_part = node.values[0]  # f"CARGO_TARGET_{triple}_LINKER": a name family
            if isinstance(head_part, ast.Constant) and isinstance(head_part.value, str):
                return [head_part.value + "*"]
            return None
        if isinstance(node, ast.Name):
            for scope, name, values, over_env in self.bindings:
                if name == node.id and _inside(at, scope):
                    if over_env:
                        return []  # a key taken from the environment: see startswith
                    if values is not None:
                        return values
            for func, params in self.functions:
                if node.id in params and _inside(at, func):
                    return []  # a helper's parameter: its callers are f(env, "NAME")
            assigned = self._assigned(node.id, at)
            if assigned is not None:
                return self.resolve(assigned, at)
            return self.constants.get(node.id)
        return None

    def _assigned(self, name: str, at: ast.AST) -> ast.expr | None:
        """The value of `name = <literal or f-string>` in the innermost function around at."""
        around = [f for f, _ in self.functions if _inside(at, f)]
        if not around:
            return None
        innermost = min(around, key=lambda f: sum(1 for _ in ast.walk(f)))
        for n in ast.walk(innermost):
            if (
                isinstance(n, ast.Assign)
                and [t.id for t in n.targets if isinstance(t, ast.Name)] == [name]
                and isinstance(n.value, (ast.Constant, ast.JoinedStr))
            ):
                return n.value
        return None

    def key(self, node: ast.expr, at: ast.AST) -> None:
        values = self.resolve(node, at)
        if values is None:
            self.found.unresolved.add((self.module, ast.unparse(node)))
            return
        for v in values:
            if v.endswith("*"):
                self.found.add(self.found.prefixes, v[:-1], self.module)
            elif VAR_NAME.match(v):
                self.found.add(self.found.exact, v, self.module)

    def call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in ("get", "pop", "setdefault", "getenv")
            and (_is_env(func.value) or func.attr == "getenv")
            and node.args
        ):
            self.key(node.args[0], node)
        elif (
            len(node.args) >= 2
            and _is_env(node.args[0])
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and UPPER_NAME.match(node.args[1].value)
        ):
            self.key(node.args[1], node)  # a helper called as f(env, "NAME", ...)
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "startswith"
            and isinstance(func.value, ast.Name)
            and func.value.id in self.env_keys
            and node.args
        ):
            for v in self.resolve(node.args[0], node) or []:
                self.found.add(self.found.prefixes, v, self.module)

    def run(self) -> None:
        found, module = self.found, self.module
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if FAMILY.match(node.value):
                    kind = found.prefixes if node.value.endswith("_") else found.exact
                    found.add(kind, node.value, module)
                elif ROLE_SUFFIX.match(node.value):
                    found.add(found.suffixes, node.value, module)
            elif isinstance(node, ast.Call):
                self.call(node)
            elif isinstance(node, ast.Subscript) and _is_env(node.value):
                if not isinstance(node.slice, ast.Slice):
                    self.key(node.slice, node)
            elif isinstance(node, ast.Compare) and len(node.ops) == 1:
                left, right = node.left, node.comparators[0]
                if isinstance(node.ops[0], (ast.In, ast.NotIn)) and _is_env(right):
                    self.key(left, node)
                elif isinstance(left, ast.Name) and left.id in self.env_keys:
                    for v in _strings(right) or []:
                        found.add(found.exact, v, module)  # `k not in ("LD_LIBRARY_PATH", ...)`


def _scan() -> Found:
    found = Found()
    constants = _module_constants()
    for path in sorted(SRC.rglob("*.py")):
        _ModuleScan(path, constants, found).run()
    return found


def _inside(node: ast.AST, scope: ast.AST) -> bool:
    return any(n is node for n in ast.walk(scope))


def _word(name: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text) is not None


def _families(text: str) -> set[str]:
    """The name families a page documents: `NIX_LINK_TYPE_<salt>`, `wrapper_*`, `NIX_LDFLAGS*`."""
    return set(re.findall(r"([A-Za-z][A-Za-z0-9_]*)(?:\*|<)", text))


@pytest.fixture(scope="module")
def found() -> Found:
    return _scan()


def test_the_scan_sees_every_kind_of_lookup(found: Found) -> None:
    # One variable per way the code reads one, so that a scan that stops seeing a kind fails.
    expected = {
        "LDWRAP_LINKER": "link/config.py",  # env.get("X")
        "PATH": "demo.py",  # env["X"]
        "PWD": "link/shim.py",  # env.get("X", default)
        "TEMPDIR": "link/purity.py",  # env.get(name) in a loop over literal names
        "LIBRARY_PATH": "loader/hints.py",  # the same, in a for statement
        "LDWRAP_CHAIN": "link/plan.py",  # env[CONSTANT] with the constant in another module
        "LDWRAP_SHRINK": "link/config.py",  # _switch(env, "X", ...)
        "TMPDIR": "link/spawn.py",  # self.env.get("X")
        "HOME": "rustup.py",
        "CARGO_BUILD_RUSTFLAGS": "doctor/cargoconfig.py",  # a tuple's member, env.get("X")
    }
    assert {n: m for n, m in expected.items() if m not in found.exact.get(n, set())} == {}
    # CARGO_TARGET_: `var = f"CARGO_TARGET_{...}"` and then env.get(var).
    assert {
        "NIX_LINK_TYPE_",
        "wrapper_",
        "NIX_WRAPPER_",
        "NIX_LDFLAGS",
        "LDWRAP_",
        "CARGO_TARGET_",
    } <= set(found.prefixes)
    assert set(found.suffixes) == {"_FOR_BUILD", "_FOR_TARGET"}
    assert found.unresolved <= UNRESOLVED_OK, "a new kind of key: resolve it in _scan"


def test_every_variable_read_is_in_configuration_md(found: Found) -> None:
    text = (DOCS / "configuration.md").read_text()
    # A family documented as a family covers its members (`wrapper_*`), but the whole of
    # LDWRAP_ or NIX_ does not: each of those is documented by name.
    families = _families(text)
    narrow = {f for f in families if f not in ("LDWRAP_", "NIX_")}
    missing = sorted(
        f"{name} (read in {', '.join(sorted(modules))})"
        for name, modules in found.exact.items()
        if not _word(name, text) and not any(name.startswith(f) for f in narrow)
    )
    missing += sorted(
        f"{prefix}* (read in {', '.join(sorted(modules))})"
        for prefix, modules in found.prefixes.items()
        if prefix not in families and not any(prefix.startswith(f) for f in narrow)
    )
    missing += sorted(
        f"NAME{suffix}" for suffix in found.suffixes if not re.search(rf"[A-Z]{suffix}\b", text)
    )
    assert missing == []


Walk = Iterator[tuple[tuple[str, ...], click.Command]]


def _commands(cmd: click.Command, path: tuple[str, ...] = ()) -> Walk:
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name, sub in sorted(cmd.commands.items()):
            yield from _commands(sub, (*path, name))


def test_every_command_and_option_is_in_commands_md() -> None:
    text = (DOCS / "commands.md").read_text()
    missing = []
    for path, cmd in _commands(cli):
        name = " ".join(("ldwrap", *path))
        if path and name not in text:
            missing.append(name)
        for param in cmd.get_params(click.Context(cmd, info_name=name)):
            if isinstance(param, click.Option):
                for opt in (*param.opts, *param.secondary_opts):
                    if not re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", text):
                        missing.append(f"{name} {opt}")
    assert missing == []


def test_the_walk_sees_every_command() -> None:
    names = {" ".join(p) for p, _ in _commands(cli)}
    assert {"demo", "rustup wrap", "rustup unwrap", "rustup status", "check"} <= names
