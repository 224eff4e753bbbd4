"""The flags cargo gives rustc in a directory, as cargo chooses them: `doctor` probes rustc
with them, so a route or linker set in `.cargo/config.toml` shows as it will act.

Cargo takes the first of four sources of rustflags and ignores the rest:
CARGO_ENCODED_RUSTFLAGS, RUSTFLAGS, the `rustflags` of every `[target.<triple>]` and
`[target.'cfg(...)']` table that matches the target (joined), `[build] rustflags`. Its
configuration is every `.cargo/config.toml` (or the older `.cargo/config`, which wins where
both are) from the working directory up to `/`, then `$CARGO_HOME/config.toml`; an array
set in several files is joined, the deeper file's part last; a string or a table's
`linker` comes from the deepest file that sets it; `CARGO_BUILD_RUSTFLAGS`,
`CARGO_TARGET_<TRIPLE>_RUSTFLAGS` and `CARGO_TARGET_<TRIPLE>_LINKER` set those keys above
every file (a list's words after the files' own, as a deeper file's). Only the target of
the probe (the host) is considered.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the same parser, before it joined the standard library
    import tomli as tomllib

Table = Mapping[str, object]
Layer = tuple[str, Table]  # a configuration file and what it holds


@dataclass
class CargoFlags:
    """What cargo adds to rustc's command line, and where each part was set."""

    rustflags: list[str] = field(default_factory=list)
    rustflags_from: str = ""  # "" when there are none
    linker: str | None = None  # `-C linker=` (a table's `linker`)
    linker_from: str = ""
    problems: list[str] = field(default_factory=list)  # configuration cargo would refuse

    def rustc_args(self) -> list[str]:
        linker = [f"-Clinker={self.linker}"] if self.linker else []
        return [*linker, *self.rustflags]


def config_files(cwd: str, cargo_home: str) -> list[str]:
    """The configuration files cargo reads for a build in cwd, the lowest precedence first:
    $CARGO_HOME's, then each directory's from `/` down to cwd."""
    found: list[str] = []
    home = os.path.realpath(cargo_home)
    d = os.path.abspath(cwd)
    while True:
        dot_cargo = os.path.join(d, ".cargo")
        if os.path.realpath(dot_cargo) != home:  # cargo reads its home's file once, last
            path = _file_in(dot_cargo)
            if path is not None:
                found.append(path)
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    own = _file_in(cargo_home)
    return ([own] if own is not None else []) + found[::-1]


def _file_in(directory: str) -> str | None:
    for name in ("config", "config.toml"):  # the older name wins where both are
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def read_layers(paths: Sequence[str]) -> tuple[list[Layer], list[str]]:
    """Each file's tables, and one line for each file that cargo would refuse to read."""
    layers: list[Layer] = []
    problems: list[str] = []
    for path in paths:
        try:
            with open(path, "rb") as f:
                layers.append((path, tomllib.load(f)))
        except (OSError, tomllib.TOMLDecodeError) as e:
            problems.append(f"cargo cannot read {path}: {e}")
    return layers, problems


def cargo_home(env: Mapping[str, str]) -> str:
    home = env.get("CARGO_HOME")
    if home:
        return home
    return os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cargo")


def env_key(triple: str) -> str:
    """A target triple as cargo spells it in an environment variable's name."""
    return triple.upper().replace("-", "_").replace(".", "_")


def cargo_flags(
    env: Mapping[str, str], layers: Sequence[Layer], host: str, cfg: Callable[[], list[str]]
) -> CargoFlags:
    """The rustflags and linker cargo uses for host. cfg gives `rustc --print cfg`'s lines,
    asked only when a `cfg(...)` table needs them."""
    out = CargoFlags()
    out.linker, out.linker_from = _linker(env, layers, host)
    encoded = env.get("CARGO_ENCODED_RUSTFLAGS")
    if encoded is not None:
        out.rustflags = [w for w in encoded.split("\x1f") if w] if encoded else []
        out.rustflags_from = "CARGO_ENCODED_RUSTFLAGS"
        return out
    plain = env.get("RUSTFLAGS")
    if plain is not None:
        out.rustflags, out.rustflags_from = plain.split(), "RUSTFLAGS"
        return out
    flags, where = _target_flags(env, layers, host, cfg, out.problems)
    if not where:
        extra = ("CARGO_BUILD_RUSTFLAGS", env.get("CARGO_BUILD_RUSTFLAGS"))
        flags, where = _merged(layers, ("build",), extra)
    out.rustflags, out.rustflags_from = flags, ", ".join(where)
    return out


def _target_flags(
    env: Mapping[str, str],
    layers: Sequence[Layer],
    host: str,
    cfg: Callable[[], list[str]],
    problems: list[str],
) -> tuple[list[str], list[str]]:
    """The rustflags of [target.<host>] and of each matching [target.'cfg(...)'], joined."""
    var = f"CARGO_TARGET_{env_key(host)}_RUSTFLAGS"
    flags, where = _merged(layers, ("target", host), (var, env.get(var)))
    exprs: list[str] = []
    for _, table in layers:
        targets = table.get("target")
        if isinstance(targets, dict):
            exprs += [k for k in targets if k.startswith("cfg(") and k not in exprs]
    if not exprs:
        return flags, where
    have = cfg()
    for expr in exprs:
        match = cfg_matches(expr, have)
        if match is None:
            problems.append(f"cannot read the target table [target.'{expr}']")
        elif match:
            more, more_where = _merged(layers, ("target", expr))
            flags += more
            where += more_where
    return flags, where


def _merged(
    layers: Sequence[Layer],
    tables: tuple[str, ...],
    extra: tuple[str, str | None] = ("", None),
) -> tuple[list[str], list[str]]:
    """The rustflags of a table over all layers as cargo merges them, and where each part
    came from; extra is the environment variable that sets the key, and its value, whose
    words come last, as a deeper file's would."""
    flags: list[str] = []
    where: list[str] = []
    name = "[" + ".".join(_quoted(t) for t in tables) + "]"
    for path, table in layers:
        value = _lookup(table, (*tables, "rustflags"))
        if isinstance(value, str):  # a string is one value: the deeper file's replaces
            flags, where = value.split(), [f"{path} {name}"]
        elif isinstance(value, list):
            flags += [str(v) for v in value]
            where.append(f"{path} {name}")
    var, words = extra
    if words is not None:
        flags += words.split()
        where.append(var)
    return flags, where


def _linker(env: Mapping[str, str], layers: Sequence[Layer], host: str) -> tuple[str | None, str]:
    var = f"CARGO_TARGET_{env_key(host)}_LINKER"
    if env.get(var):
        return env[var], var
    found: tuple[str | None, str] = (None, "")
    for path, table in layers:
        value = _lookup(table, ("target", host, "linker"))
        if isinstance(value, str) and value:
            # A path with a slash is relative to the directory holding .cargo; a bare name
            # is looked for on PATH.
            if "/" in value and not os.path.isabs(value):
                value = os.path.join(os.path.dirname(os.path.dirname(path)), value)
            found = (value, f"{path} [target.{host}]")
    return found


def _lookup(table: Table, keys: tuple[str, ...]) -> object:
    value: object = table
    for k in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(k)
    return value


def _quoted(name: str) -> str:
    return f"'{name}'" if "(" in name or "." in name else name


def cfg_matches(expr: str, cfg: Sequence[str]) -> bool | None:
    """Whether a `cfg(...)` target table applies, given `rustc --print cfg`'s lines (`unix`,
    `target_os="linux"`); None when expr is not a cfg expression."""
    text = expr.strip()
    if not (text.startswith("cfg(") and text.endswith(")")):
        return None
    have = set(cfg)
    try:
        value, rest = _predicate(text[4:-1], have)
    except ValueError:
        return None
    return value if not rest.strip() else None


def _predicate(text: str, have: set[str]) -> tuple[bool, str]:
    """One predicate at the start of text: its value and the text after it."""
    text = text.lstrip()
    name, rest = _identifier(text)
    rest = rest.lstrip()
    if name in ("all", "any", "not") and rest.startswith("("):
        values, rest = _list(rest[1:], have)
        if name == "not":
            if len(values) != 1:
                raise ValueError("not() takes one predicate")
            return not values[0], rest
        return (all(values) if name == "all" else any(values)), rest
    if rest.startswith("="):
        value, rest = _string(rest[1:].lstrip())
        return f'{name}="{value}"' in have, rest
    return name in have, rest


def _list(text: str, have: set[str]) -> tuple[list[bool], str]:
    """Predicates separated by commas up to the closing parenthesis (a trailing comma too)."""
    values: list[bool] = []
    rest = text.lstrip()
    while not rest.startswith(")"):
        value, rest = _predicate(rest, have)
        values.append(value)
        rest = rest.lstrip()
        if rest.startswith(","):
            rest = rest[1:].lstrip()
        elif not rest.startswith(")"):
            raise ValueError("expected , or )")
    return values, rest[1:]


def _identifier(text: str) -> tuple[str, str]:
    end = 0
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    if end == 0:
        raise ValueError("expected a name")
    return text[:end], text[end:]


def _string(text: str) -> tuple[str, str]:
    if not text.startswith('"'):
        raise ValueError("expected a string")
    end = text.find('"', 1)
    if end < 0:
        raise ValueError("unterminated string")
    return text[1:end], text[end + 1 :]
