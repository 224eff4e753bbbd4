"""prepare(): from a linker's argv and environment to the full command, as one pipeline.

The steps, in order, each a function below:
  read the config -> name the linker -> find the real one -> pass through what is no link
  -> expand @files -> parse -> read the Nix environment -> enforce purity -> decide the
  rpath -> compose the Nix flags -> assemble the command.
Any step may end the pipeline early with a pass-through Invocation (the caller's arguments
unchanged) and a note saying why. `prepare` is the one code path behind the shim,
`ldwrap dry-run` and `ldwrap explain`: what they print is what the shim runs.
"""

from . import oslite as os
from .argv import lld_flavor, parse
from .config import MODE_NONDEFAULT, Config
from .dirs import FsView
from .grammar import LLD, MOLD
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
from .model import Invocation
from .nix import compose, ldflags_words, read_nix
from .rpath import BUILD_TREE, decide, shrink_candidates
from .targets import prefix_machine

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .model import Extras, LinkRequest, RealLinker, RpathPlan
    from .nix import NixEnv
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


def head_args(real: "RealLinker", args: "list[str]") -> "list[str]":
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


def _not_a_link(flavour: str, args: "list[str]", chain: "Chain") -> "str | None":
    """Why this call is passed through before its arguments are read, or None."""
    if flavour == MOLD and args[:1] in (["-run"], ["--run"]):
        # `mold -run CMD ARGS` runs CMD with mold as its linker: nothing here is a link
        # argument, and CMD's own links come back through the shims with their own rpaths.
        return "mold -run: the command runs unchanged"
    if chain.direct:
        return "an outer ldwrap already added its flags"
    lld = lld_flavor(args)
    if lld is not None and lld.lower() not in ("gnu", "ld", "ld.lld"):
        return f"lld flavour {lld!r} is not ELF"
    return None


def _linker_env(
    config: "Config", chain: "Chain", real: "RealLinker", nix: "NixEnv | None"
) -> "dict[str, str]":
    env = dict(config.env)
    env[CHAIN_VAR] = chain.extended(real.path)
    if nix is not None and nix.protocol == "v2":
        # As nixpkgs' wrapper does: the prepared-link record is for this link alone, not for
        # whatever the linker starts.
        for key in [k for k in env if k.startswith(("wrapper_", "NIX_WRAPPER_"))]:
            del env[key]
    return env


def _enforce_purity(
    flavour: str, args: "list[str]", cwd: str, config: "Config", nix: "NixEnv"
) -> "Filtered | None":
    if not config.enforce_purity:
        return None
    from . import purity  # only Nix builds with purity enforced pay for it

    try:
        return purity.apply(flavour, args, cwd, config, nix)
    except purity.ImpurePathError as e:
        raise ShimError(str(e)) from None


def _as_linked(
    flavour: str, req: "LinkRequest", body: "list[str]", nix: "NixEnv", lead: int
) -> "LinkRequest":
    """The request as the linker will see it, NIX_LDFLAGS* included: their -L and -l count
    like the caller's, at the place the command gets them."""
    pre, post = ldflags_words(req, nix)
    if not pre and not post:
        return req
    first, body = body[:lead], body[lead:]
    cut = body.index("--") if req.dashdash and "--" in body else len(body)
    return parse(flavour, [*first, *pre, *body[:cut], *post, *body[cut:]])


def _expand(args: "list[str]", cwd: str) -> "tuple[list[str], str | None]":
    """The arguments with their @files read, or the reason they cannot be (then the real
    linker reads them itself and reports what is wrong with them)."""
    if not any(a[:1] == "@" for a in args):
        return args, None
    from . import rsp  # only links with response files pay for the reader

    try:
        return rsp.expand(args, cwd), None
    except rsp.ResponseFileError as e:
        return args, f"{e}: running the linker with the arguments unchanged"


def _assemble(
    linker: str,
    head: "list[str]",
    lead: int,
    req: "LinkRequest",
    pure: "Filtered | None",
    args: "list[str]",
    extras: "Extras",
) -> "tuple[list[str], tuple[int, int], list[tuple[int, int]]]":
    """[linker] [head] [-flavor X] [before] the caller's [after] [`--` and what follows]; where
    ldwrap's runs start and end; the runs purity moves back into @files."""
    rest = pure.args if pure is not None else args
    flavor_head, rest = rest[:lead], rest[lead:]
    tail: list[str] = []
    if req.dashdash and "--" in rest:
        # bfd ignores and gold reads as files whatever follows `--`: our flags go before it.
        cut = rest.index("--")
        rest, tail = rest[:cut], rest[cut:]
    argv = [linker, *head, *flavor_head, *extras.before, *rest, *extras.after, *tail]
    added_at = (1 + len(head) + len(flavor_head), len(argv) - len(tail))
    spans: list[tuple[int, int]] = []
    if pure is not None and pure.spans:
        from .purity import argv_spans

        spans = argv_spans(
            pure.spans,
            len(flavor_head),
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
    from .ownrpath import decide_own

    before, after, decisions = decide_own(
        req, plan, config, fs, TreeView(), cwd, checker or default_dir_checker()
    )
    plan.copies[:0] = before
    plan.dirs[:0] = after
    plan.decisions += decisions


def prepare(
    argv0: str, args: "list[str]", env: "Mapping[str, str]", cwd: str, fs: "FsView | None" = None
) -> "Invocation":
    """Decide the full command for a link invoked as argv0 with args."""
    config = Config.from_env(env)
    name = _name(argv0, config)
    chain = Chain(env.get(CHAIN_VAR, ""))
    real = _real_linker(name, argv0, config, chain)
    flavour = _flavour(name, real)
    head = head_args(real, args)

    def passed_through(note: str, linker_env: "dict[str, str]", **extra: object) -> "Invocation":
        cmd = [real.path, *head, *args]
        return Invocation(name, args, config, real, flavour, cmd, linker_env, note, **extra)  # type: ignore[arg-type]

    note = _not_a_link(flavour, args, chain)
    if note is not None:
        # mold -run gets the environment as it is: the guard must not reach CMD's links.
        run_env = dict(env) if note.startswith("mold") else _linker_env(config, chain, real, None)
        return passed_through(note, run_env)
    expanded, note = _expand(args, cwd)
    if note is not None:
        return passed_through(
            note, _linker_env(config, chain, real, None), warnings=[*config.warnings, note]
        )
    req = parse(flavour, expanded)
    real = for_target(real, name, argv0, req.emulation, config.env, config.linker, chain)
    if req.query:
        return passed_through(
            "a version or help request", _linker_env(config, chain, real, None), request=req
        )

    # Without -m a target-prefixed name (aarch64-linux-gnu-ld) links for its prefix's machine.
    own = prefix_machine(os.path.basename(argv0), name)
    nix = read_nix(config.env, req, own)  # its host-suffixed names depend on the target
    linker_env = _linker_env(config, chain, real, nix)
    pure = _enforce_purity(flavour, args, cwd, config, nix)
    if pure is not None and pure.changed:
        req, expanded = parse(flavour, pure.expanded), pure.expanded

    disabled = config.disable_rpath or nix.dont_set_rpath
    checker = None
    if config.mode == MODE_NONDEFAULT and not disabled:
        from .dirs import default_dir_checker

        checker = default_dir_checker()
    lead = 2 if lld_flavor(args) is not None else 0  # lld's `-flavor X` stays first
    linked = _as_linked(flavour, req, expanded, nix, lead)
    view = fs or FsView()
    plan = decide(linked, config, view, cwd, checker, disabled=disabled, machine=own)
    _own_install_dirs(linked, plan, config, view, cwd, checker)
    run_path = pure.run_path if pure is not None else None
    extras = compose(
        req,
        config,
        nix,
        plan.args(),
        flavour=flavour,
        run_path=run_path,
        copy_args=plan.copy_args(),
    )
    shrink: list[str] = []
    if config.shrink:
        shrink = shrink_candidates(
            linked,
            plan,
            [*extras.before, *extras.after],
            config.run_path if run_path is None else run_path,
        )

    argv, added_at, spans = _assemble(real.path, head, lead, req, pure, args, extras)
    return Invocation(
        name,
        args,
        config,
        real,
        flavour,
        argv,
        linker_env,
        "" if extras.before or extras.after else "nothing to add",
        request=req,
        plan=plan,
        extras=extras,
        added_at=added_at,
        linker_args=pure.args if pure is not None else None,
        notes=pure.notes if pure is not None else None,
        rsp_spans=spans,
        shrink=shrink,
    )


def unchanged(argv0: str, args: "list[str]", env: "Mapping[str, str]") -> "tuple[str, list[str]]":
    """The real linker and its argv with the caller's arguments and nothing else: the link
    as it would be without ldwrap. Raises LinkerError when there is no real linker."""
    explicit = env.get("LDWRAP_LINKER") or None
    real = find(identify(argv0, explicit) or "ld", argv0, env, explicit)
    return real.path, [real.path, *head_args(real, args), *args]
