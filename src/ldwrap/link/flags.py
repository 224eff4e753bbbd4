"""The flags ldwrap adds around the caller's arguments, in nixpkgs' order.

The final order is nixpkgs' own:
  hardening (`-z relro`, `-z now`), [ldwrap's `--enable/--disable-new-dtags`],
  NIX_LDFLAGS_BEFORE, `-dynamic-linker $NIX_DYNAMIC_LINKER`, [ldwrap's entries placed before
  the caller's],
  the caller's arguments,
  NIX_LDFLAGS, NIX_LDFLAGS_AFTER, the 32-bit `-dynamic-linker`, the `-rpath`s (landing.py
  says which go where, LD_RUN_PATH's included), `--build-id`.
lld's leading `-flavor X` stays in front of all of it (the shim puts it there).

The NIX_* settings arrive as a NixEnv: read by nix.py when the environment has NIX_* variables,
else empty, so a link outside Nix composes here without loading the Nix reader.
"""

from .landing import without_rpaths
from .model import DYNAMIC, STATIC_PIE, Extras

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from .config import Config
    from .landing import Landing
    from .model import LinkRequest, NixEnv

_HARDENING = {"relro": ("-z", "relro"), "bindnow": ("-z", "now")}


def ldflags_words(req: "LinkRequest", nix: "NixEnv") -> "tuple[list[str], list[str]]":
    """The NIX_LDFLAGS* words this link gets before and after the caller's arguments (a
    cc-wrapper that already passed NIX_LDFLAGS_BEFORE and NIX_LDFLAGS leaves only
    NIX_LDFLAGS_AFTER). Their -L and -l take part in the rpath decision like the caller's."""
    words = without_rpaths if req.link_type == STATIC_PIE else list
    if nix.cc_applied:
        return [], words(nix.ldflags_after)
    return words(nix.ldflags_before), words(nix.ldflags) + words(nix.ldflags_after)


def compose(
    req: "LinkRequest",
    config: "Config",
    nix: "NixEnv",
    landing: "Landing",
    ldflags: "tuple[list[str], list[str]]",
) -> "Extras":
    """The flags to add for this link. ldflags: the NIX_LDFLAGS* words before and after the
    caller's arguments (ldflags_words); landing: ldwrap's -rpath flags for each side."""
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
    ex.before += landing.before
    ex.after += after
    if req.is_32bit and config.dynamic_linker_m32 and interp:
        ex.after += ("-dynamic-linker", config.dynamic_linker_m32)
    ex.after += landing.after
    if nix.set_build_id and final:
        ex.after.append("--build-id=" + config.build_id_style)
    return ex
