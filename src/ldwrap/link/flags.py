"""The flags ldwrap adds around the caller's arguments, in nixpkgs' order.

The final order is nixpkgs' own:
  hardening (`-z relro`, `-z now`), [ldwrap's `--enable/--disable-new-dtags`],
  NIX_LDFLAGS_BEFORE, `-dynamic-linker $NIX_DYNAMIC_LINKER`, [ldwrap's copies of the
  caller's own rpath entries],
  the caller's arguments,
  NIX_LDFLAGS, NIX_LDFLAGS_AFTER, the 32-bit `-dynamic-linker`, [LD_RUN_PATH's `-rpath`s],
  the `-rpath`s (with the copies instead, when a caller's rpath has an empty element),
  `--build-id`.
lld's leading `-flavor X` stays in front of all of it (the shim puts it there).

The NIX_* settings arrive as a NixEnv: read by nix.py when the environment has NIX_* variables,
else empty, so a link outside Nix composes here without loading the Nix reader.
"""

from .grammar import BFD
from .model import DYNAMIC, STATIC_PIE, Extras

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from .config import Config
    from .model import LinkRequest, NixEnv

_HARDENING = {"relro": ("-z", "relro"), "bindnow": ("-z", "now")}


def _drop_rpaths(words: "list[str]") -> "list[str]":
    """nixpkgs' filterRpathFlags for static-pie links (glibc wants no rpath there), for
    every spelling of the option."""
    out: list[str] = []
    skip = False
    for w in words:
        if skip:
            skip = False
        elif w in ("-rpath", "--rpath"):
            skip = True
        elif not w.startswith(("-rpath=", "--rpath=")):
            out.append(w)
    return out


def _has_rpath(words: "list[str]") -> bool:
    return any(w in ("-rpath", "--rpath") or w.startswith(("-rpath=", "--rpath=")) for w in words)


def ldflags_words(req: "LinkRequest", nix: "NixEnv") -> "tuple[list[str], list[str]]":
    """The NIX_LDFLAGS* words this link gets before and after the caller's arguments (a
    cc-wrapper that already passed NIX_LDFLAGS_BEFORE and NIX_LDFLAGS leaves only
    NIX_LDFLAGS_AFTER). Their -L and -l take part in the rpath decision like the caller's."""
    words = _drop_rpaths if req.link_type == STATIC_PIE else list
    if nix.cc_applied:
        return [], words(nix.ldflags_after)
    return words(nix.ldflags_before), words(nix.ldflags) + words(nix.ldflags_after)


def _has_empty_element(rpath: str) -> bool:
    return rpath[:1] == ":" or rpath[-1:] == ":" or "::" in rpath


def _ahead_of_padding(
    caller: "list[str]", rpath_args: "list[str]"
) -> "tuple[list[str], list[str]]":
    """ldwrap's `-rpath` pairs split into those that may go before the caller's arguments and
    those that stay after them: a directory holding a library of the same name as one in the
    caller's own rpath directories would win over it there, so it stays (as without padding)."""
    from .dirs import library_names  # only links with a padded rpath pay for listings

    theirs: set[str] = set()
    for value in caller:
        for d in value.split(":"):
            if d[:1] == "/":
                theirs |= library_names(d)
    ahead: list[str] = []
    after: list[str] = []
    for i in range(0, len(rpath_args) - 1, 2):
        pair = rpath_args[i : i + 2]
        (after if theirs & library_names(pair[1]) else ahead).extend(pair)
    return ahead, after


def compose(
    req: "LinkRequest",
    config: "Config",
    nix: "NixEnv",
    rpath_args: "list[str]",
    ldflags: "tuple[list[str], list[str]]",
    *,
    flavour: str = BFD,
    run_path: "list[str] | None" = None,
    copy_args: "list[str] | None" = None,
) -> "Extras":
    """The flags to add for this link. ldflags: the NIX_LDFLAGS* words before and after the
    caller's arguments (ldflags_words). rpath_args go after the caller's arguments, copy_args
    (copies of the caller's own rpath entries) last before them. run_path: LD_RUN_PATH's
    directories as they may be used (purity-filtered); None: the config's."""
    ex = Extras()
    final = not req.relocatable
    dynamic = req.link_type == DYNAMIC and final  # has (or may have) a PT_INTERP

    for name in nix.hardening:
        ex.before += _HARDENING[name]
    if config.dtags and final:
        ex.before.append(
            "--enable-new-dtags" if config.dtags == "runpath" else "--disable-new-dtags"
        )
    before, after = ldflags
    # The caller's --no-dynamic-linker asks for no PT_INTERP: no loader path of ours either.
    interp = dynamic and not req.no_interp
    if not nix.cc_applied:
        ex.before += before
        if nix.dynamic_linker and interp:
            ex.before += ("-dynamic-linker", nix.dynamic_linker)
    ex.after += after
    if copy_args:
        ex.before += copy_args
    if rpath_args and any(_has_empty_element(r) for r in req.rpaths):
        # CMake pads its build rpath with `:`. An entry of ours after it would stand behind
        # an empty element (the current directory) once CMake's install removes its string.
        ahead, rpath_args = _ahead_of_padding(req.rpaths, rpath_args)
        ex.before += ahead

    if req.is_32bit and config.dynamic_linker_m32 and interp:
        ex.after += ("-dynamic-linker", config.dynamic_linker_m32)

    dirs = config.run_path if run_path is None else run_path
    if dirs and dynamic and not req.rpaths:
        # GNU ld uses LD_RUN_PATH when the link has no -rpath of its own; any -rpath ldwrap
        # adds would silently switch that off, so ldwrap then passes it on itself. The other
        # linkers ignore LD_RUN_PATH unless LDWRAP_LD_RUN_PATH is on (the default).
        ours = bool(rpath_args) or _has_rpath(ex.before) or _has_rpath(ex.after)
        if ours if flavour == BFD else config.ld_run_path:
            seen = set(dirs)
            for d in dirs:
                ex.after += ("-rpath", d)
            kept: list[str] = []
            for i in range(0, len(rpath_args) - 1, 2):
                if rpath_args[i + 1] not in seen:
                    kept += rpath_args[i : i + 2]
            rpath_args = kept
    ex.after += rpath_args

    if nix.set_build_id and final:
        ex.after.append("--build-id=" + config.build_id_style)
    return ex
