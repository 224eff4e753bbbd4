"""prepare(): from a linker's argv and environment to the full command, as one pipeline.

The steps, in the order they run, each a top-level function below; each reads what earlier
steps found and writes its result into the Invocation under the name the Invocation gives it:

  start              the config, the linker's name, the real linker and its grammar
  not_a_link         what is no link passes through (mold -run, a nested shim, lld -flavor)
  read_args          @files read once                                   -> (link.pieces)
  parse_request      the caller's arguments, read once; another machine's link gets that
                     target's real linker                                -> request
  read_nix_env       the NIX_* additions for this link's target           -> (link.nix)
  decide_facts       purity, rpath off: decided once                      -> (link.purity, ...)
  enforce_purity     NIX_ENFORCE_PURITY on the arguments read already     -> args_as_run, ...
  with_ldflags       the NIX_LDFLAGS* words in their place in the request -> (link.linked)
  decide_rpath       rpath.decide, then the project's own install directory -> plan
  compose_flags      where every entry lands (landing.py), among nixpkgs' flags
                                                               -> extras, shrink_candidates
  assemble           the command                                          -> argv, added_span, ...

Any step before compose_flags may end the pipeline with the caller's arguments unchanged and
a note saying why (`why_unchanged`). `prepare` is the one code path behind the shim,
`ldwrap dry-run` and `ldwrap explain`: what they print is what the shim runs.
"""

from . import oslite as os
from .argv import kept_first, lld_flavour, parse
from .config import MODE_NONDEFAULT, Config
from .flags import compose, ldflags_words
from .fsview import FsView
from .grammar import GOLD, LLD, MOLD
from .landing import land
from .linkers import (
    CHAIN_VAR,
    MAX_DEPTH,
    Chain,
    LinkerError,
    find,
    flavour_from_path,
    flavour_of,
    for_target,
    linker_name,
)
from .model import DYNAMIC, Invocation, LinkRequest, NixEnv, RealLinker
from .rpath import decide
from .targets import name_machine
from .verdicts import BUILD_TREE

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .model import RpathPlan
    from .purity import Filtered


class ShimError(Exception):
    """Bad input or set-up, reported as one line; carries the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


class Link:
    """What the steps of one link share besides their results (which go into the
    Invocation): where it runs, how it was reached, and the facts decided on the way."""

    __slots__ = (
        "chain",
        "checker",
        "cwd",
        "expanded",
        "fs",
        "kept_first",
        "lead",
        "linked",
        "machine",
        "nix",
        "pieces",
        "pure",
        "purity",
        "rpath_off",
        "words",
    )

    def __init__(self, args: "list[str]", env: "Mapping[str, str]", cwd: str) -> None:
        self.cwd = cwd
        self.chain = Chain(env.get(CHAIN_VAR, ""))
        self.lead: list[str] = []  # rust-lld's `-flavor gnu`, before everything
        self.kept_first = kept_first(args)  # the caller's lld `-flavor X`: it stays first
        # The target without -m: a target-prefixed name's (aarch64-linux-gnu-ld), else None
        # (this machine).
        self.machine: str | None = None
        self.pieces: list[list[str]] | None = None  # what each argument's @files expand to
        self.expanded = args  # the arguments with every @file read
        self.nix = NixEnv()
        self.purity = False  # NIX_ENFORCE_PURITY filters this link
        self.pure: Filtered | None = None  # what it made of the arguments
        self.rpath_off = False  # LDWRAP_DISABLE or NIX_DONT_SET_RPATH
        self.words: tuple[list[str], list[str]] = ([], [])  # NIX_LDFLAGS* before and after
        self.linked = LinkRequest()  # the request with those words in it
        self.checker: Callable[[str], bool] | None = None  # the default mode's system dirs
        self.fs = FsView()


# --- start -----------------------------------------------------------------------------------


def identify(argv0: str, explicit: "str | None") -> "str | None":
    """The linker name the shim stands for: its own name, else LDWRAP_LINKER's."""
    name = linker_name(os.path.basename(argv0))
    if name is None and explicit:
        name = linker_name(os.path.basename(explicit))
    return name


def lead_args(real: "RealLinker", args: "list[str]") -> "list[str]":
    """What goes before the caller's arguments: rust-lld's `-flavor gnu`, unless the caller
    already starts with a `-flavor` of its own (with its value or, broken, without)."""
    return [] if args[:1] == ["-flavor"] else list(real.lead)


def _name(argv0: str, config: "Config") -> str:
    name = identify(argv0, config.linker)
    if name is None:
        raise ShimError(
            f"cannot tell which linker {os.path.basename(argv0)!r} stands for: name it ld, "
            "ld.bfd, ld.gold, ld.lld, ld.mold or mold, or set LDWRAP_LINKER",
            127,
        )
    return name


def _real_linker(name: str, argv0: str, config: "Config", chain: "Chain") -> "RealLinker":
    if len(chain.paths) >= MAX_DEPTH:
        raise ShimError(
            f"the real linker leads back to ldwrap ({len(chain.paths)} nested calls: "
            f"{' -> '.join(chain.paths)}); set LDWRAP_LINKER to the real linker",
            127,
        )
    try:
        return find(name, argv0, config.env, config.linker, chain)
    except LinkerError as e:
        raise ShimError(str(e), 127) from None


def _flavour(name: str, real: "RealLinker") -> str:
    """The grammar to read the arguments with: the real linker's, when `ld` is another."""
    if real.lead:
        return LLD
    flavour = flavour_of(name)
    return flavour_from_path(real.path, flavour) if name == "ld" else flavour


def start(
    argv0: str, args: "list[str]", env: "Mapping[str, str]", cwd: str
) -> "tuple[Link, Invocation]":
    """Read the config, name the linker, find the real one and the grammar to read with."""
    config = Config.from_env(env)
    link = Link(args, env, cwd)
    name = _name(argv0, config)
    real = _real_linker(name, argv0, config, link.chain)
    inv = Invocation(name, args, config, real, _flavour(name, real))
    link.lead = lead_args(real, args)
    link.machine = name_machine(os.path.basename(argv0), name)
    return link, inv


def linker_env(link: "Link", inv: "Invocation") -> "dict[str, str]":
    """The real linker's environment: the chain guard, without a v2 wrapper's record."""
    env = dict(inv.config.env)
    env[CHAIN_VAR] = link.chain.extended(inv.real.path)
    if link.nix.protocol == "v2":
        # As nixpkgs' wrapper does: the prepared-link record is for this link alone, not for
        # whatever the linker starts.
        for key in [k for k in env if k.startswith(("wrapper_", "NIX_WRAPPER_"))]:
            del env[key]
    return env


def pass_through(
    link: "Link", inv: "Invocation", why: str, env: "dict[str, str] | None" = None
) -> "Invocation":
    """The caller's arguments unchanged, with the reason; env: the linker's environment, by
    default linker_env."""
    inv.argv = [inv.real.path, *link.lead, *inv.caller_args]
    inv.env = linker_env(link, inv) if env is None else env
    inv.why_unchanged = why
    return inv


# --- the steps -------------------------------------------------------------------------------


def not_a_link(link: "Link", inv: "Invocation") -> "str | None":
    """Why this call is passed through before its arguments are read, or None."""
    args = inv.caller_args
    if inv.flavour == MOLD and args[:1] in (["-run"], ["--run"]):
        # `mold -run CMD ARGS` runs CMD with mold as its linker: nothing here is a link
        # argument, and CMD's own links come back through the shims with their own rpaths.
        return "mold -run: the command runs unchanged"
    if link.chain.direct:
        return "an outer ldwrap already added its flags"
    lld = lld_flavour(args)
    if lld is not None and lld.lower() not in ("gnu", "ld", "ld.lld"):
        return f"lld flavour {lld!r} is not ELF"
    return None


def read_args(link: "Link", inv: "Invocation") -> "str | None":
    """Read the @files once, keeping what each argument expands to (link.pieces); the
    reason they cannot be read, or None (then the real linker reads them itself and reports
    what is wrong with them)."""
    args = inv.caller_args
    if not any(a[:1] == "@" for a in args):
        return None
    from . import rsp  # only links with response files pay for the reader

    try:
        link.pieces = rsp.expand_each(args, link.cwd)
    except rsp.ResponseFileError as e:
        return f"{e}: running the linker with the arguments unchanged"
    link.expanded = [t for p in link.pieces for t in p]
    return None


def parse_request(link: "Link", inv: "Invocation", argv0: str) -> None:
    """The caller's arguments, read once; a link for another machine (its `-m`) runs that
    target's real linker."""
    inv.request = req = parse(inv.flavour, link.expanded)
    config = inv.config
    inv.real = for_target(
        inv.real, inv.linker_name, argv0, req.emulation, config.env, config.linker, link.chain
    )


def read_nix_env(link: "Link", inv: "Invocation") -> None:
    """The NIX_* settings for this link (its host-suffixed names are its target's); none
    without NIX_* variables, and then the Nix reader is never loaded."""
    if not inv.config.nix_vars:
        return
    from .nix import read_nix

    assert inv.request is not None
    link.nix = read_nix(inv.config.env, inv.request, link.machine)


def decide_facts(link: "Link", inv: "Invocation") -> None:
    """Purity and rpath off, decided once for the whole link."""
    config = inv.config
    link.purity = config.enforce_purity and _purity_applies(config, link.nix)
    link.rpath_off = config.disable_rpath or link.nix.dont_set_rpath


def _purity_applies(config: "Config", nix: "NixEnv") -> bool:
    from .purity import applies  # only Nix builds with purity enforced pay for it

    return applies(config, nix)


def enforce_purity(link: "Link", inv: "Invocation") -> None:
    """NIX_ENFORCE_PURITY: the caller's arguments without impure paths, from the arguments
    already expanded (args_as_run, purity_notes; the request read again when it changed)."""
    if not link.purity:
        return
    from . import purity

    pieces = link.pieces if link.pieces is not None else [[a] for a in inv.caller_args]
    try:
        pure = purity.apply(inv.flavour, inv.caller_args, pieces, link.cwd, inv.config)
    except purity.ImpurePathError as e:
        raise ShimError(str(e)) from None
    inv.args_as_run = pure.args
    inv.purity_notes = pure.notes
    link.pure = pure
    if pure.changed:
        inv.request, link.expanded = parse(inv.flavour, pure.expanded), pure.expanded


def with_ldflags(link: "Link", inv: "Invocation") -> None:
    """The request as the linker will see it (link.linked), with the NIX_LDFLAGS* words
    before and after the caller's arguments (flags.ldflags_words): their -L, -l and library
    files count like the caller's, at the place the command gets them. Only the added words
    are read; the caller's arguments are read again only when the words change how they read
    (a mode left on by the words before them, a sysroot, an emulation, ...)."""
    req = inv.request
    assert req is not None
    link.words = pre, post = ldflags_words(req, link.nix)
    link.linked = req
    if not pre and not post:
        return
    flavour = inv.flavour
    before = parse(flavour, pre)
    after = parse(flavour, post, req.end_state)
    if before.end_state == (False, False) and _only_add(flavour, req, before, after):
        link.linked = merge_requests(before, req, after)
        return
    expanded = link.expanded
    flavour_pair, body = expanded[: link.kept_first], expanded[link.kept_first :]
    cut = body.index("--") if req.dashdash and "--" in body else len(body)
    link.linked = parse(flavour, [*flavour_pair, *pre, *body[:cut], *post, *body[cut:]])


def _only_add(flavour: str, req: "LinkRequest", *parts: "LinkRequest") -> bool:
    """Whether words parsed on their own add to req what they add in place: they change no
    fact of the whole link, and the link has none that changes how they read."""
    if req.dashdash or (flavour == GOLD and req.link_type != DYNAMIC):
        return False  # gold: files after `--`, and a -static that makes every -l static
    return not any(
        w.emulation
        or w.sysroot
        or w.relocatable
        or w.dashdash
        or w.query
        or w.no_interp
        or w.output
        or w.link_type != DYNAMIC
        or any(d[:1] == "=" or d.startswith("$SYSROOT") for d in w.lib_dirs)
        for w in parts
    )


def merge_requests(
    before: "LinkRequest", req: "LinkRequest", after: "LinkRequest"
) -> "LinkRequest":
    """req with what the words before and after it add, in command order."""
    out = LinkRequest()
    for name in LinkRequest.__slots__:
        setattr(out, name, getattr(req, name))
    out.lib_dirs, out.lib_files, out.libs, out.rpaths = [], [], [], []
    out.kinds = before.kinds + req.kinds + after.kinds
    for part in (before, req, after):
        out.lib_dirs += part.lib_dirs
        out.lib_files += part.lib_files
        out.libs += part.libs
        out.rpaths += part.rpaths
    out.as_needed = before.as_needed | req.as_needed | after.as_needed
    out.end_state = after.end_state
    return out


def decide_rpath(link: "Link", inv: "Invocation", fs: "FsView | None") -> None:
    """Which entries the link gets (rpath.decide), then the project's own install
    directory for a link that takes a library from a build tree (plan)."""
    config = inv.config
    if config.mode == MODE_NONDEFAULT and not link.rpath_off:
        from .sysdirs import default_dir_checker

        link.checker = default_dir_checker()
    if fs is not None:
        link.fs = fs
    inv.plan = decide(
        link.linked,
        config,
        link.fs,
        link.cwd,
        link.checker,
        disabled=link.rpath_off,
        flavour=inv.flavour,
        machine=link.machine,
    )
    own_install_dirs(link, inv.plan, config)


def own_install_dirs(link: "Link", plan: "RpathPlan", config: "Config") -> None:
    """Add the project's own install directory to a plan that takes a library from a build
    tree (ownrpath.py). Links that take nothing from a build tree pay one pass over the
    decisions, and never load the modules that read build trees."""
    if not any(d.verdict == BUILD_TREE and d.libraries for d in plan.decisions):
        return
    from .installdirs import TreeView
    from .ownrpath import decide_own, tree_libraries
    from .sysdirs import default_dir_checker

    checker = link.checker or default_dir_checker()
    entries, decisions = decide_own(
        link.linked, plan, config, link.fs, TreeView(config.env), link.cwd, checker
    )
    plan.entries += entries
    plan.decisions += decisions
    if entries:
        libraries = tree_libraries(plan)
        plan.vouched.update((value, libraries) for value, _ in entries)


def compose_flags(link: "Link", inv: "Invocation") -> None:
    """Where every entry lands (landing.py), among the flags nixpkgs' wrapper adds (extras),
    and which entries the post-link trim may remove (shrink_candidates)."""
    req, plan, config = inv.request, inv.plan, inv.config
    assert req is not None and plan is not None
    pure = link.pure
    run_path = config.run_path if pure is None else pure.run_path
    landing = land(req, link.linked, plan, config, link.words, inv.flavour, run_path)
    inv.extras = compose(req, config, link.nix, landing, link.words)
    inv.shrink_candidates = landing.trimmable


def assemble(link: "Link", inv: "Invocation") -> None:
    """[linker] [head] [-flavor X] [before] the caller's [after] [`--` and what follows]
    (argv); where ldwrap's runs start and end (added_span); the runs purity moves back
    into @files (rsp_writeback)."""
    req, extras, pure = inv.request, inv.extras, link.pure
    assert req is not None and extras is not None
    first = link.kept_first
    rest = inv.args_as_run
    flavour_pair, rest = rest[:first], rest[first:]
    tail: list[str] = []
    if req.dashdash and "--" in rest:
        # bfd ignores and gold reads as files whatever follows `--`: our flags go before it.
        cut = rest.index("--")
        rest, tail = rest[:cut], rest[cut:]
    lead = link.lead
    inv.argv = argv = [
        inv.real.path,
        *lead,
        *flavour_pair,
        *extras.before,
        *rest,
        *extras.after,
        *tail,
    ]
    inv.added_span = start = (1 + len(lead) + len(flavour_pair), len(argv) - len(tail))
    if pure is not None and pure.spans:
        from .purity import argv_spans

        inv.rsp_writeback = argv_spans(
            pure.spans, first, start[0] + len(extras.before), len(rest), len(extras.after)
        )
    inv.env = linker_env(link, inv)
    inv.why_unchanged = "" if extras.before or extras.after else "nothing to add"


def prepare(
    argv0: str, args: "list[str]", env: "Mapping[str, str]", cwd: str, fs: "FsView | None" = None
) -> "Invocation":
    """Decide the full command for a link invoked as argv0 with args."""
    link, inv = start(argv0, args, env, cwd)
    why = not_a_link(link, inv)
    if why is not None:
        # mold -run gets the environment as it is: the guard must not reach CMD's links.
        return pass_through(link, inv, why, dict(env) if why.startswith("mold") else None)
    why = read_args(link, inv)
    if why is not None:
        inv.warnings = [*inv.config.warnings, why]
        return pass_through(link, inv, why)
    parse_request(link, inv, argv0)
    assert inv.request is not None
    if inv.request.query:
        return pass_through(link, inv, "a version or help request")
    read_nix_env(link, inv)
    decide_facts(link, inv)
    enforce_purity(link, inv)
    with_ldflags(link, inv)
    decide_rpath(link, inv, fs)
    compose_flags(link, inv)
    assemble(link, inv)
    return inv


def unchanged(argv0: str, args: "list[str]", env: "Mapping[str, str]") -> "tuple[str, list[str]]":
    """The real linker and its argv with the caller's arguments and nothing else: the link
    as it would be without ldwrap. Raises LinkerError when there is no real linker."""
    explicit = env.get("LDWRAP_LINKER") or None
    real = find(identify(argv0, explicit) or "ld", argv0, env, explicit)
    return real.path, [real.path, *lead_args(real, args), *args]
