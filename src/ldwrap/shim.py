"""The shim: read the link, decide, run the real linker. The hot path of every link.

`prepare` is the one code path behind the shim, `ldwrap dry-run` and `ldwrap explain`: what
they print is what the shim runs. Imports stay light (no click, no pyelftools, no typing).
"""

from __future__ import annotations

import os
import sys

from . import rsp
from .args import LinkRequest, parse
from .extras import Extras, compose, ldflags_words, read_nix
from .fsview import FsView
from .grammar import LLD, MOLD
from .linkers import (
    CHAIN_VAR,
    MAX_DEPTH,
    Chain,
    LinkerError,
    RealLinker,
    find,
    flavour_from_path,
    flavour_of,
    linker_name,
)
from .policy import RpathPlan, decide
from .settings import MODE_NONDEFAULT, Settings

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import NoReturn


class ShimError(Exception):
    """Bad input or set-up, reported as one line; carries the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


class Invocation:
    """Everything decided about one link: the command to run and why."""

    __slots__ = (
        "added_after",
        "added_at",
        "added_before",
        "args",
        "argv",
        "env",
        "extras",
        "flavour",
        "name",
        "note",
        "plan",
        "real",
        "request",
        "settings",
    )

    def __init__(self, name: str, args: list[str], settings: Settings, real: RealLinker):
        self.name = name
        self.args = args  # the caller's, untouched
        self.settings = settings
        self.real = real
        self.flavour = flavour_of(name)
        self.request: LinkRequest | None = None
        self.plan: RpathPlan | None = None
        self.added_before: list[str] = []
        self.added_after: list[str] = []
        # Where added_before starts and where added_after ends in argv (for the E2BIG retry).
        self.added_at = (1, 1)
        self.note = ""  # why nothing was added, when nothing was
        self.argv: list[str] = []
        self.env: dict[str, str] = {}
        self.extras: Extras | None = None  # set when flags were composed

    def as_dict(self) -> dict[str, object]:
        return {
            "argv": self.argv,
            "linker": self.real.path,
            "flavour": self.flavour,
            "added_before": self.added_before,
            "added_after": self.added_after,
            "note": self.note,
            "prefixes": list(self.settings.prefixes),
            "mode": self.settings.mode,
            "directories": [d.as_dict() for d in self.plan.decisions] if self.plan else [],
        }


def _identify(argv0: str, explicit: str | None) -> str | None:
    """The linker name the shim stands for: its own name, else LDWRAP_LINKER's."""
    name = linker_name(os.path.basename(argv0))
    if name is None and explicit:
        name = linker_name(os.path.basename(explicit))
    return name


def _head(real: RealLinker, args: list[str]) -> list[str]:
    """What goes before the caller's arguments: rust-lld's `-flavor gnu`, unless the caller
    already starts with its own `-flavor X`, which must stay first."""
    return [] if args[:1] == ["-flavor"] else list(real.prefix)


def _settings(env: Mapping[str, str]) -> Settings:
    probe = not env.get("NIX_STORE") and not (env.get("LDWRAP_RPATH_PREFIXES") or "").strip(":")
    return Settings.from_env(env, nix_store_exists=probe and os.path.isdir("/nix/store"))


def prepare(
    argv0: str, args: list[str], env: Mapping[str, str], cwd: str, fs: FsView | None = None
) -> Invocation:
    """Decide the full command for a link invoked as argv0 with args."""
    settings = _settings(env)
    explicit = settings.linker
    name = _identify(argv0, explicit)
    if name is None:
        raise ShimError(
            f"cannot tell which linker {os.path.basename(argv0)!r} stands for: name it ld, "
            "ld.bfd, ld.gold, ld.lld, ld.mold or mold, or set LDWRAP_LINKER",
            127,
        )
    chain = Chain(env.get(CHAIN_VAR, ""))
    if len(chain.paths) >= MAX_DEPTH:
        raise ShimError(
            f"the real linker leads back to ldwrap ({len(chain.paths)} nested calls: "
            f"{' -> '.join(chain.paths)}); set LDWRAP_LINKER to the real linker",
            127,
        )
    try:
        real = find(name, argv0, env, explicit, chain)
    except LinkerError as e:
        raise ShimError(str(e), 127) from None
    inv = Invocation(name, args, settings, real)
    if name == "ld":
        inv.flavour = flavour_from_path(real.path, inv.flavour)
    if real.prefix:
        inv.flavour = LLD
    inv.env = dict(env)
    head = _head(real, args)
    inv.argv = [real.path, *head, *args]
    if inv.flavour == MOLD and args[:1] in (["-run"], ["--run"]):
        # `mold -run CMD ARGS` runs CMD with mold as its linker: nothing here is a link
        # argument, and CMD's own links come back through the shims with their own rpaths.
        inv.note = "mold -run: the command runs unchanged"
        return inv
    inv.env[CHAIN_VAR] = chain.extended(real.path)
    if chain.direct:
        inv.note = "an outer ldwrap already added its flags"
        return inv
    lld_flavor = args[1] if args[:1] == ["-flavor"] and len(args) > 1 else None
    if lld_flavor is not None and lld_flavor.lower() not in ("gnu", "ld", "ld.lld"):
        inv.note = f"lld flavour {lld_flavor!r} is not ELF"
        return inv
    try:
        expanded = rsp.expand(args, cwd)
    except rsp.ResponseFileError as e:
        # The real linker reads its @files itself and reports what is wrong with them.
        inv.note = f"{e}: running the linker with the arguments unchanged"
        settings.warnings.append(inv.note)
        return inv
    req = parse(inv.flavour, expanded)
    inv.request = req
    if req.query:
        inv.note = "a version or help request"
        return inv
    nix = read_nix(env, req)  # its host-suffixed names depend on the link's target
    if nix.protocol == "v2":
        # As nixpkgs' wrapper does: the prepared-link record is for this link alone, not for
        # whatever the linker starts.
        for key in [k for k in inv.env if k.startswith(("wrapper_", "NIX_WRAPPER_"))]:
            del inv.env[key]
    settings.disable_rpath |= nix.dont_set_rpath
    pure = None
    if env.get("NIX_ENFORCE_PURITY") == "1":
        from . import purity

        try:
            pure = purity.apply(inv.flavour, args, cwd, env, nix)
        except purity.ImpurePathError as e:
            raise ShimError(str(e)) from None
        if pure is not None and pure.changed:
            req = inv.request = parse(inv.flavour, pure.expanded)
    checker = None
    if settings.mode == MODE_NONDEFAULT and not settings.disable_rpath:
        from .sysdirs import default_dir_checker

        checker = default_dir_checker()
    pre, post = ldflags_words(req, nix)
    linked = req
    if pre or post:
        # NIX_LDFLAGS*'s -L and -l count like the caller's, in the order the command gets.
        body = pure.expanded if pure is not None and pure.changed else expanded
        lead = body[:2] if lld_flavor is not None else []
        body = body[len(lead):]
        cut = body.index("--") if req.dashdash and "--" in body else len(body)
        linked = parse(inv.flavour, [*lead, *pre, *body[:cut], *post, *body[cut:]])
    plan = decide(linked, settings, fs or FsView(), cwd, checker)
    inv.plan = plan
    extras = compose(
        req, settings, env, plan.args(), flavour=inv.flavour, nix=nix,
        run_path=pure.run_path if pure is not None else None,
    )
    inv.extras = extras
    inv.added_before = extras.before
    inv.added_after = extras.after
    rest = args
    if pure is not None:
        extras.args, extras.notes, rest = pure.args, pure.notes, pure.args
    flavor_head: list[str] = []
    if lld_flavor is not None:
        flavor_head, rest = rest[:2], rest[2:]
    tail: list[str] = []
    if req.dashdash and "--" in rest:
        # bfd ignores and gold reads as files whatever follows `--`: our flags go before it.
        cut = rest.index("--")
        rest, tail = rest[:cut], rest[cut:]
    inv.argv = [real.path, *head, *flavor_head, *extras.before, *rest, *extras.after, *tail]
    inv.added_at = (1 + len(head) + len(flavor_head), len(inv.argv) - len(tail))
    if pure is not None and pure.spans:
        extras.rsp_spans = purity.argv_spans(
            pure.spans, len(flavor_head), inv.added_at[0] + len(extras.before), len(rest),
            len(extras.after),
        )
    if not extras.before and not extras.after:
        inv.note = "nothing to add"
    return inv


def shell_quote(arg: str) -> str:
    if arg and all(c.isalnum() or c in "@%+=:,./-_" for c in arg):
        return arg
    return "'" + arg.replace("'", "'\\''") + "'"


def format_command(argv: list[str]) -> str:
    return " ".join(shell_quote(a) for a in argv)


def _cwd(env: Mapping[str, str]) -> str:
    try:
        return os.getcwd()
    except OSError:
        return env.get("PWD", "/")


def unchanged(argv0: str, args: list[str], env: Mapping[str, str]) -> tuple[str, list[str]]:
    """The real linker and its argv with the caller's arguments and nothing else: the link
    as it would be without ldwrap. Raises LinkerError when there is no real linker."""
    explicit = env.get("LDWRAP_LINKER") or None
    real = find(_identify(argv0, explicit) or "ld", argv0, env, explicit)
    head = _head(real, args)
    return real.path, [real.path, *head, *args]


def _print_command(argv: list[str]) -> None:
    """The command on stderr with its bytes as they are, so the dry run shows exactly what runs
    even for arguments that are not UTF-8."""
    line = f"ldwrap: {format_command(argv)}\n"
    try:
        data = line.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = line.encode("utf-8", "backslashreplace")
    sys.stderr.flush()
    sys.stderr.buffer.write(data)
    sys.stderr.buffer.flush()


def _run_unchanged(argv0: str, args: list[str], why: str) -> NoReturn:
    """An internal error must not lose the link: one line, then the link without ldwrap."""
    env = dict(os.environ)
    try:
        path, argv = unchanged(argv0, args, env)
    except Exception as e:
        print(f"ldwrap: internal error ({why}); no linker to fall back on: {e}", file=sys.stderr)
        sys.exit(127)
    print(f"ldwrap: internal error ({why}); running {path} unchanged", file=sys.stderr)
    if env.get("LDWRAP_DRY_RUN") == "1":
        _print_command(argv)
        sys.exit(0)
    env[CHAIN_VAR] = Chain(env.get(CHAIN_VAR, "")).extended(path)
    from .execute import exec_argv

    exec_argv(path, argv, env)


def main(argv: list[str] | None = None) -> None:
    """Entry point in shim mode: never returns."""
    argv = sys.argv if argv is None else argv
    env = os.environ
    try:
        inv = prepare(argv[0], argv[1:], env, _cwd(env))
    except ShimError as e:
        print(f"ldwrap: {e}", file=sys.stderr)
        sys.exit(e.status)
    except Exception as e:  # a bug in ldwrap: see _run_unchanged
        _run_unchanged(argv[0], argv[1:], f"{type(e).__name__}: {e}")
    for w in inv.settings.warnings:
        print(f"ldwrap: warning: {w}", file=sys.stderr)
    if inv.settings.nix_debug >= 1 and inv.extras is not None:
        from .extras import debug_report

        sys.stderr.write(debug_report(inv))
    if inv.settings.dry_run or inv.settings.debug:
        _print_command(inv.argv)
        if inv.settings.dry_run:
            sys.exit(0)
    from .execute import run

    run(inv)
