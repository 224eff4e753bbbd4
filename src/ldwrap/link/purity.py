"""NIX_ENFORCE_PURITY: keep a Nix build from linking against anything outside the store.

The one feature that removes caller arguments. Search and run-time paths that point outside
the store, the build directory and the temporary directories (`-L`, `-rpath`, `-rpath-link`,
`-dynamic-linker`, `--sysroot`, in every spelling the linker accepts) are dropped; any other
absolute path outside them (an input file, an option's value) stops the link with
`impure path '<p>' used in link`. Paths are judged after lexical normalisation and by whole
path components, so `/tmpx` is not inside `/tmp` and `/nix/store/../etc` is not in the store.

Arguments inside `@file` response files are judged too. The caller's file is never edited:
the filtered arguments of a changed file replace it in `Invocation.argv` (what dry-run shows),
and when the shim runs the link (run.py) they are written to a new temporary response file,
which is removed once the linker has finished. This module only returns data.
"""

from . import oslite as os
from .argv import kept_first
from .grammar import LLD, classify

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Mapping

    from .config import Config
    from .model import NixEnv

# Options whose impure value is dropped (with the option) rather than refused.
_DROPPED = frozenset({"library-path", "rpath", "R", "rpath-link", "dynamic-linker", "sysroot"})
# Of those, the ones whose value is a colon-separated list: only impure entries go.
_LISTS = frozenset({"rpath", "R", "rpath-link"})


class ImpurePathError(Exception):
    """An absolute path outside the allowed roots that cannot be dropped."""

    def __init__(self, path: str) -> None:
        super().__init__(f"impure path '{path}' used in link")
        self.path = path


def _norm(path: str) -> str:
    p = os.path.normpath(path)
    return "/" + p.lstrip("/") if p[:1] == "/" else p


def roots(env: "Mapping[str, str]") -> "tuple[str, ...]":
    """The directories a pure link may use: the store, the build directory (when set: an
    unset NIX_BUILD_TOP is simply not a root) and the temporary directories."""
    found = [env.get("NIX_STORE") or "", env.get("NIX_BUILD_TOP") or "", "/tmp"]
    found += [env.get(name) or "/tmp" for name in ("TMP", "TMPDIR", "TEMP", "TEMPDIR")]
    return tuple(dict.fromkeys(_norm(r) for r in found if r[:1] == "/"))


def is_pure(path: str, allowed: "tuple[str, ...]") -> bool:
    if path[:1] != "/":
        return True  # relative to the build directory
    # Most paths are normal already, and normpath costs more than the rest of the check.
    p = path if "/." not in path and "//" not in path and path[-1:] != "/" else _norm(path)
    if p == "/dev/null" or p in allowed:
        return True
    heads = _HEADS.get(allowed)
    if heads is None:
        heads = _HEADS[allowed] = tuple(r if r == "/" else r + "/" for r in allowed)
    return p.startswith(heads)


_HEADS: "dict[tuple[str, ...], tuple[str, ...]]" = {}  # allowed roots -> "root/" prefixes


class Filtered:
    """The caller's arguments with impure paths removed."""

    __slots__ = ("args", "changed", "expanded", "notes", "run_path", "spans")

    def __init__(self, args: "list[str]", expanded: "list[str]") -> None:
        self.args = args  # what the linker gets (changed response files inlined)
        self.expanded = expanded  # the same with every response file expanded, for parsing
        self.changed = False
        self.spans: list[tuple[int, int]] = []  # runs of args that came from a changed @file
        self.notes: list[str] = []  # "skipping impure path X", for NIX_DEBUG
        self.run_path: list[str] = []  # LD_RUN_PATH's pure directories


def filter_args(
    flavour: str,
    args: "list[str]",
    cwd: str,
    allowed: "tuple[str, ...]",
    pieces: "list[list[str]] | None" = None,
) -> "Filtered":
    """Drop impure search paths from args; raise ImpurePathError for other impure paths.
    pieces: what each argument expands to, when the caller has read the @files already."""
    start = kept_first(args) if flavour == LLD else 0
    if pieces is None:
        from . import rsp  # the shim hands the @files read already: only other callers pay

        pieces = [
            rsp.expand([a], cwd) if i >= start and a[:1] == "@" and len(a) > 1 else [a]
            for i, a in enumerate(args)
        ]
    flat: list[str] = []
    counts: list[int] = []  # how many flat tokens each caller argument became
    for toks in pieces:
        flat += toks
        counts.append(len(toks))
    out: list[str | None] = list(flat)  # None: dropped
    notes: list[str] = []
    i, n, inputs_only = start, len(flat), False
    while i < n:
        name: str | None
        value: str | None
        if inputs_only:
            name, value, used = None, flat[i], 1
        else:
            name, value, used = classify(flavour, flat, i)
        if name == "--":
            inputs_only = True  # gold reads what follows as input files
        elif name is None:
            if value is not None and not is_pure(value, allowed):
                raise ImpurePathError(value)
        elif value is not None and name in _DROPPED:
            _drop(flat, out, i, used, name, value, allowed, notes)
        elif value is not None and value[:1] == "/" and not is_pure(value, allowed):
            raise ImpurePathError(value)
        i += used
    result = Filtered(args, flat)
    if notes:
        _rebuild(result, args, flat, counts, out, notes)
    return result


def _rebuild(
    result: "Filtered",
    args: "list[str]",
    flat: "list[str]",
    counts: "list[int]",
    out: "list[str | None]",
    notes: "list[str]",
) -> None:
    """The caller's arguments with what was dropped left out: an argument whose tokens all
    stay is kept as written (an @file included); a changed @file is inlined, and its run in
    the new arguments remembered (spans), to be written to a new file."""
    result.changed = True
    result.notes = notes
    result.expanded = [t for t in out if t is not None]
    if flat == args:  # no @file was expanded: nothing to inline
        result.args = list(result.expanded)
        return
    new_args: list[str] = []
    k = 0
    for a, c in zip(args, counts):
        kept = [t for t in out[k : k + c] if t is not None]
        if kept == flat[k : k + c]:
            new_args.append(a)  # untouched, an @file included
        else:
            if a[:1] == "@" and kept:
                result.spans.append((len(new_args), len(new_args) + len(kept)))
            new_args += kept
        k += c
    result.args = new_args


def _drop(
    flat: "list[str]",
    out: "list[str | None]",
    i: int,
    used: int,
    name: str,
    value: str,
    allowed: "tuple[str, ...]",
    notes: "list[str]",
) -> None:
    """Remove the impure part of the option at flat[i] (used elements) in out."""
    parts = value.split(":") if name in _LISTS else [value]
    kept = [p for p in parts if is_pure(p, allowed)]
    if len(kept) == len(parts):
        return
    notes += [f"skipping impure path {p}" for p in parts if not is_pure(p, allowed)]
    if not kept:
        for j in range(i, i + used):
            out[j] = None
        return
    new = ":".join(kept)
    if used == 2:
        out[i + 1] = new
    else:
        tok = flat[i]
        out[i] = tok[: len(tok) - len(value)] + new


def applies(config: "Config", nix: "NixEnv") -> bool:
    """Whether this link is filtered: purity enforced, and (as in nixpkgs) not a link a
    cc-wrapper already filtered, with NIX_IGNORE_LD_THROUGH_GCC set."""
    return config.enforce_purity and not (nix.ignore_ld_through_gcc and nix.cc_applied)


def apply(
    flavour: str, args: "list[str]", pieces: "list[list[str]]", cwd: str, config: "Config"
) -> "Filtered":
    """Filter args (whose @files expand to pieces) for a link that `applies`."""
    allowed = roots(config.env)
    result = filter_args(flavour, args, cwd, allowed, pieces)
    for d in config.run_path:
        if is_pure(d, allowed):
            result.run_path.append(d)
        else:
            result.notes.append(f"skipping impure path {d}")
    return result


def argv_spans(
    spans: "list[tuple[int, int]]", skip: int, base: int, cut: int, gap: int
) -> "list[tuple[int, int]]":
    """Spans in the filtered args -> spans in argv, where args[skip:] starts at argv[base]
    and args[skip + cut:] (after a `--`) is moved `gap` further. A span that straddles the
    cut stays inline: the same arguments, only not in a file."""
    out = []
    for s, e in spans:
        s, e = s - skip, e - skip
        if e <= cut:
            out.append((base + s, base + e))
        elif s >= cut:
            out.append((base + gap + s, base + gap + e))
    return out
