"""prepare(): from a linker's argv and environment to the full command, as one pipeline.

The steps, in order, each a top-level function below that reads what the earlier ones found:
  start (read the config, name the linker, find the real one and its grammar)
  -> _not_a_link (pass through what is no link) -> read_args (expand @files, once)
  -> parse (the caller's arguments, once) -> linkers.for_target (another machine's link:
  that target's real linker) -> read_nix_env (the NIX_* additions; the Nix reader is
  loaded only when NIX_* variables are set)
  -> decide_facts (purity on, rpath off, lld's -flavor offset: decided once)
  -> enforce_purity (on the arguments already expanded) -> with_ldflags (the NIX_LDFLAGS*
  words in their place) -> rpath.decide -> _own_install_dirs (a library from a build tree:
  the project's own install directory) -> flags.compose -> shrink_candidates -> assemble.
Any step may end the pipeline early with a pass-through Invocation (the caller's arguments
unchanged) and a note saying why. `prepare` is the one code path behind the shim,
`ldwrap dry-run` and `ldwrap explain`: what they print is what the shim runs.
"""

from . import oslite as os
from .argv import lld_flavour, parse
from .config import MODE_NONDEFAULT, Config
from .dirs import FsView
from .flags import compose, ldflags_words
from .grammar import GOLD, LLD, MOLD
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
from .rpath import BUILD_TREE, decide, shrink_candidates
from .targets import prefix_machine

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .model import Extras, RpathPlan
    from .purity import Filtered


class ShimError(Exception):
    """Bad input or set-up, reported as one line; carries the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def identify(argv0: str, explicit: "str | None") -> "str | None":
    """The linker name the shim stands for: its own name, else LDWRAP_LINKER's."""
    name = linker_name(os.path.basename(argv0))
    if name is None and explicit:
        name = linker_name(os.path.basename(explicit))
    return name


def prefix_args(real: "RealLinker", args: "list[str]") -> "list[str]":
    """What goes before the caller's arguments: rust-lld's `-flavor gnu`, unless the caller
    already starts with its own `-flavor X`, which must stay first."""
    return [] if args[:1] == ["-flavor"] else list(real.prefix)


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
    if real.prefix:
        return LLD
    flavour = flavour_of(name)
    return flavour_from_path(real.path, flavour) if name == "ld" else flavour


def _not_a_link(flavour: str, args: "list[str]", lld: "str | None", chain: "Chain") -> "str | None":
    """Why this call is passed through before its arguments are read, or None."""
    if flavour == MOLD and args[:1] in (["-run"], ["--run"]):
        # `mold -run CMD ARGS` runs CMD with mold as its linker: nothing here is a link
        # argument, and CMD's own links come back through the shims with their own rpaths.
        return "mold -run: the command runs unchanged"
    if chain.direct:
        return "an outer ldwrap already added its flags"
    if lld is not None and lld.lower() not in ("gnu", "ld", "ld.lld"):
        return f"lld flavour {lld!r} is not ELF"
    return None


class Link:
    """One link as the pipeline learns it: each step reads what earlier steps set."""

    __slots__ = (
        "args",
        "chain",
        "config",
        "cwd",
        "flavour",
        "lld",
        "machine",
        "name",
        "real",
        "real_prefix",
    )

    def __init__(self, args: "list[str]", config: "Config", cwd: str) -> None:
        self.args = args  # the caller's, never changed
        self.config = config
        self.cwd = cwd
        self.chain = Chain(config.env.get(CHAIN_VAR, ""))
        self.name = ""
        self.real = RealLinker("")
        self.flavour = ""
        self.real_prefix: list[str] = []  # rust-lld's `-flavor gnu`, before everything
        self.lld = lld_flavour(args)  # the caller's own lld `-flavor X`, which stays first
        # The target without -m: a target-prefixed name's (aarch64-linux-gnu-ld), else None
        # (this machine).
        self.machine: str | None = None


class Facts:
    """What is decided once per link and passed on: never worked out a second time."""

    __slots__ = ("kept_first", "purity", "rpath_off")

    def __init__(self, kept_first: int, purity: bool, rpath_off: bool) -> None:
        # Leading words that stay first: lld's `-flavor X`.
        self.kept_first = kept_first
        self.purity = purity  # NIX_ENFORCE_PURITY filters this link
        self.rpath_off = rpath_off  # LDWRAP_DISABLE or NIX_DONT_SET_RPATH


def start(argv0: str, args: "list[str]", env: "Mapping[str, str]", cwd: str) -> "Link":
    """Read the config, name the linker, find the real one and the grammar to read with."""
    link = Link(args, Config.from_env(env), cwd)
    link.name = _name(argv0, link.config)
    link.real = _real_linker(link.name, argv0, link.config, link.chain)
    link.flavour = _flavour(link.name, link.real)
    link.real_prefix = prefix_args(link.real, args)
    link.machine = prefix_machine(os.path.basename(argv0), link.name)
    return link


def linker_env(link: "Link", nix: "NixEnv | None") -> "dict[str, str]":
    """The real linker's environment: the chain guard, without a v2 wrapper's record."""
    env = dict(link.config.env)
    env[CHAIN_VAR] = link.chain.extended(link.real.path)
    if nix is not None and nix.protocol == "v2":
        # As nixpkgs' wrapper does: the prepared-link record is for this link alone, not for
        # whatever the linker starts.
        for key in [k for k in env if k.startswith(("wrapper_", "NIX_WRAPPER_"))]:
            del env[key]
    return env


def invocation(
    link: "Link",
    argv: "list[str]",
    env: "dict[str, str]",
    note: str,
    request: "LinkRequest | None" = None,
    warnings: "list[str] | None" = None,
    pure: "Filtered | None" = None,
    plan: "RpathPlan | None" = None,
    extras: "Extras | None" = None,
    added_at: "tuple[int, int]" = (1, 1),
    spans: "list[tuple[int, int]] | None" = None,
    shrink: "list[str] | None" = None,
) -> "Invocation":
    """The Invocation, built here alone, for a link run as decided or passed through."""
    return Invocation(
        link.name,
        link.args,
        link.config,
        link.real,
        link.flavour,
        argv,
        env,
        note,
        request=request,
        plan=plan,
        extras=extras,
        added_span=added_at,
        args_as_run=pure.args if pure is not None else None,
        purity_notes=pure.notes if pure is not None else None,
        rsp_writeback=spans,
        warnings=warnings,
        shrink_candidates=shrink,
    )


def passed_through(
    link: "Link",
    note: str,
    env: "dict[str, str]",
    warnings: "list[str] | None" = None,
    request: "LinkRequest | None" = None,
) -> "Invocation":
    """The caller's arguments unchanged, with the reason."""
    cmd = [link.real.path, *link.real_prefix, *link.args]
    return invocation(link, cmd, env, note, request=request, warnings=warnings)


def read_args(args: "list[str]", cwd: str) -> "tuple[list[list[str]] | None, str | None]":
    """What each argument expands to with its @files read (None when there is none), or the
    reason they cannot be read (then the real linker reads them itself and reports what is
    wrong with them)."""
    if not any(a[:1] == "@" for a in args):
        return None, None
    from . import rsp  # only links with response files pay for the reader

    try:
        return rsp.expand_each(args, cwd), None
    except rsp.ResponseFileError as e:
        return None, f"{e}: running the linker with the arguments unchanged"


def read_nix_env(config: "Config", req: "LinkRequest", machine: "str | None") -> "NixEnv":
    """The NIX_* settings for this link (its host-suffixed names are its target's); none
    without NIX_* variables, and then the Nix reader is never loaded."""
    if not config.nix_vars:
        return NixEnv()
    from .nix import read_nix

    return read_nix(config.env, req, machine)


def decide_facts(link: "Link", nix: "NixEnv") -> "Facts":
    """Purity, rpath off and the lld -flavor offset, decided once for the whole link."""
    config = link.config
    purity = config.enforce_purity and _purity_applies(config, nix)
    kept_first = 2 if link.lld is not None else 0
    return Facts(kept_first, purity, config.disable_rpath or nix.dont_set_rpath)


def _purity_applies(config: "Config", nix: "NixEnv") -> bool:
    from .purity import applies  # only Nix builds with purity enforced pay for it

    return applies(config, nix)


def enforce_purity(link: "Link", pieces: "list[list[str]]") -> "Filtered":
    """NIX_ENFORCE_PURITY: the caller's arguments without impure paths, from the arguments
    already expanded."""
    from . import purity

    try:
        return purity.apply(link.flavour, link.args, pieces, link.cwd, link.config)
    except purity.ImpurePathError as e:
        raise ShimError(str(e)) from None


def with_ldflags(
    link: "Link",
    req: "LinkRequest",
    words: "tuple[list[str], list[str]]",
    expanded: "list[str]",
    kept_first: int,
) -> "LinkRequest":
    """The request as the linker will see it, with the NIX_LDFLAGS* words before and after
    the caller's arguments (flags.ldflags_words): their -L, -l and library files count like
    the caller's, at the place the command gets them. Only the added words are read; the
    caller's arguments are read again only when the words change how they read (a mode left
    on by the words before them, a sysroot, an emulation, ...)."""
    pre, post = words
    if not pre and not post:
        return req
    flavour = link.flavour
    before = parse(flavour, pre)
    after = parse(flavour, post, req.end_state)
    if before.end_state == (False, False) and _only_add(flavour, req, before, after):
        return merge_requests(before, req, after)
    flavour_pair, body = expanded[:kept_first], expanded[kept_first:]
    cut = body.index("--") if req.dashdash and "--" in body else len(body)
    return parse(flavour, [*flavour_pair, *pre, *body[:cut], *post, *body[cut:]])


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
    out.lib_dirs, out.lib_files, out.libs, out.rpaths, out.order = [], [], [], [], []
    for part in (before, req, after):
        dirs, files = len(out.lib_dirs), len(out.lib_files)
        out.order += [(d, i + (dirs if d else files)) for d, i in part.order]
        out.lib_dirs += part.lib_dirs
        out.lib_files += part.lib_files
        out.libs += part.libs
        out.rpaths += part.rpaths
    out.as_needed = before.as_needed | req.as_needed | after.as_needed
    out.end_state = after.end_state
    return out


def assemble(
    link: "Link",
    kept_first: int,
    req: "LinkRequest",
    pure: "Filtered | None",
    extras: "Extras",
) -> "tuple[list[str], tuple[int, int], list[tuple[int, int]]]":
    """[linker] [head] [-flavor X] [before] the caller's [after] [`--` and what follows]; where
    ldwrap's runs start and end; the runs purity moves back into @files."""
    rest = pure.args if pure is not None else link.args
    flavour_pair, rest = rest[:kept_first], rest[kept_first:]
    tail: list[str] = []
    if req.dashdash and "--" in rest:
        # bfd ignores and gold reads as files whatever follows `--`: our flags go before it.
        cut = rest.index("--")
        rest, tail = rest[:cut], rest[cut:]
    prefix = link.real_prefix
    argv = [link.real.path, *prefix, *flavour_pair, *extras.before, *rest, *extras.after, *tail]
    added_at = (1 + len(prefix) + len(flavour_pair), len(argv) - len(tail))
    spans: list[tuple[int, int]] = []
    if pure is not None and pure.spans:
        from .purity import argv_spans

        spans = argv_spans(
            pure.spans,
            len(flavour_pair),
            added_at[0] + len(extras.before),
            len(rest),
            len(extras.after),
        )
    return argv, added_at, spans


def _own_install_dirs(
    req: "LinkRequest",
    plan: "RpathPlan",
    config: "Config",
    fs: "FsView",
    cwd: str,
    checker: "Callable[[str], bool] | None",
) -> None:
    """Add the project's own install directory to a plan that takes a library from a build
    tree (ownrpath.py): its entries go first among ldwrap's before and after the caller's
    arguments. Links that take nothing from a build tree pay one pass over the decisions."""
    if not any(d.verdict == BUILD_TREE and d.libraries for d in plan.decisions):
        return
    from .dirs import default_dir_checker
    from .installdirs import TreeView
    from .ownrpath import decide_own, tree_libraries

    before, after, decisions = decide_own(
        req, plan, config, fs, TreeView(config.env), cwd, checker or default_dir_checker()
    )
    plan.copies[:0] = before
    plan.dirs[:0] = after
    plan.decisions += decisions
    if before or after:
        libraries = tree_libraries(plan)
        plan.vouched.update((entry, libraries) for entry in (*before, *after))


def prepare(
    argv0: str, args: "list[str]", env: "Mapping[str, str]", cwd: str, fs: "FsView | None" = None
) -> "Invocation":
    """Decide the full command for a link invoked as argv0 with args."""
    link = start(argv0, args, env, cwd)
    config, flavour = link.config, link.flavour
    note = _not_a_link(flavour, args, link.lld, link.chain)
    if note is not None:
        # mold -run gets the environment as it is: the guard must not reach CMD's links.
        run_env = dict(env) if note.startswith("mold") else linker_env(link, None)
        return passed_through(link, note, run_env)
    pieces, note = read_args(args, cwd)
    if note is not None:
        return passed_through(link, note, linker_env(link, None), [*config.warnings, note])
    expanded = args if pieces is None else [t for p in pieces for t in p]
    req = parse(flavour, expanded)
    link.real = for_target(
        link.real, link.name, argv0, req.emulation, config.env, config.linker, link.chain
    )
    if req.query:
        return passed_through(
            link, "a version or help request", linker_env(link, None), request=req
        )

    nix = read_nix_env(config, req, link.machine)
    facts = decide_facts(link, nix)
    pure = None
    if facts.purity:
        pure = enforce_purity(link, pieces if pieces is not None else [[a] for a in args])
        if pure.changed:
            req, expanded = parse(flavour, pure.expanded), pure.expanded
    words = ldflags_words(req, nix)
    linked = with_ldflags(link, req, words, expanded, facts.kept_first)
    checker = None
    if config.mode == MODE_NONDEFAULT and not facts.rpath_off:
        from .dirs import default_dir_checker

        checker = default_dir_checker()
    view = fs or FsView()
    plan = decide(
        linked,
        config,
        view,
        cwd,
        checker,
        disabled=facts.rpath_off,
        flavour=flavour,
        machine=link.machine,
    )
    _own_install_dirs(linked, plan, config, view, cwd, checker)
    run_path = pure.run_path if pure is not None else None
    extras = compose(
        req,
        config,
        nix,
        plan.args(),
        words,
        flavour=flavour,
        run_path=run_path,
        copy_args=plan.copy_args(),
    )
    shrink: list[str] = []
    if config.shrink_on:
        shrink = shrink_candidates(
            linked,
            plan,
            [*extras.before, *extras.after],
            config.run_path if run_path is None else run_path,
        )
    argv, added_at, spans = assemble(link, facts.kept_first, req, pure, extras)
    note = "" if extras.before or extras.after else "nothing to add"
    return invocation(
        link,
        argv,
        linker_env(link, nix),
        note,
        request=req,
        pure=pure,
        plan=plan,
        extras=extras,
        added_at=added_at,
        spans=spans,
        shrink=shrink,
    )


def unchanged(argv0: str, args: "list[str]", env: "Mapping[str, str]") -> "tuple[str, list[str]]":
    """The real linker and its argv with the caller's arguments and nothing else: the link
    as it would be without ldwrap. Raises LinkerError when there is no real linker."""
    explicit = env.get("LDWRAP_LINKER") or None
    real = find(identify(argv0, explicit) or "ld", argv0, env, explicit)
    return real.path, [real.path, *prefix_args(real, args), *args]
