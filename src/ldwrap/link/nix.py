"""nixpkgs' ld-wrapper in ldwrap: reading the NIX_* variables the way the wrapper reads them,
and composing the flags it adds, in its order.

Reading. nixpkgs keys every wrapper's variables by a "suffix salt": the wrapper's target
triple with `-` and `.` turned into `_` (`x86_64-unknown-linux-gnu` ->
`x86_64_unknown_linux_gnu`). A value is gathered from `NAME_<salt>` and then, for each role
the wrapper serves in the current shell, from `NAME` (host role), `NAME_FOR_BUILD` or
`NAME_FOR_TARGET`. The roles are marked by `NIX_BINTOOLS_WRAPPER_TARGET_{HOST,BUILD,TARGET}_
<salt>=1`. A wrapper's salt is its own target, fixed when it was built, not the link's: a
`-m elf_i386` link (gcc -m32) through the x86_64 wrapper reads the x86_64 wrapper's variables.
ldwrap takes the salt of a wrapper marked for the link's own target (its `-m` emulation, else
the target prefix of the name it was called by, else this machine), so an aarch64 link in a
cross shell reads the aarch64 wrapper's; when no wrapper for that target is marked, the
wrapper that serves the link is the one for the linker's own target (its name's prefix, else
this machine), and its salt and roles are read.

A nixpkgs cc-wrapper that called the linker has already passed NIX_LDFLAGS_BEFORE, NIX_LDFLAGS
and NIX_DYNAMIC_LINKER (as `-Wl,` flags); it says so in the environment and they are not added
twice. Two generations of that signal exist:
- wrapper protocol 2: `NIX_WRAPPER_VERSION=2`, `NIX_WRAPPER_OPERATION=link` and the selected
  values in `wrapper_<NAME>`; `wrapper_NIX_LINK_TYPE` non-empty means "already applied".
- before it: `NIX_LINK_TYPE_<salt>` non-empty means "already applied", and
  `NIX_BINTOOLS_WRAPPER_FLAGS_SET_<salt>=1` means `NAME_<salt>` already holds the gathered
  values (the roles are not read again).

Composing. The final order is nixpkgs' own:
  hardening (`-z relro`, `-z now`), [ldwrap's `--enable/--disable-new-dtags`],
  NIX_LDFLAGS_BEFORE, `-dynamic-linker $NIX_DYNAMIC_LINKER`, [ldwrap's copies of the
  caller's own rpath entries],
  the caller's arguments,
  NIX_LDFLAGS, NIX_LDFLAGS_AFTER, the 32-bit `-dynamic-linker`, [LD_RUN_PATH's `-rpath`s],
  the `-rpath`s (with the copies instead, when a caller's rpath has an empty element),
  `--build-id`.
lld's leading `-flavor X` stays in front of all of it (the shim puts it there).
"""

from . import oslite as os
from .grammar import BFD
from .model import DYNAMIC, STATIC_PIE, Extras
from .targets import ARCH_SPELLINGS, target_arch

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Mapping

    from .config import Config
    from .model import LinkRequest

_MARKER = "NIX_BINTOOLS_WRAPPER_TARGET_"
# Marker role -> the suffix of the plain variable names that role reads.
# Other names that carry a salt: a wrapper ran in this link's chain with that target.
_SALTED = ("NIX_BINTOOLS_WRAPPER_FLAGS_SET_", "NIX_LINK_TYPE_")
_ROLES = (("BUILD", "_FOR_BUILD"), ("HOST", ""), ("TARGET", "_FOR_TARGET"))


def _salt_matches(salt: str, arch: str) -> bool:
    for spelling in ARCH_SPELLINGS.get(arch, (arch,)):
        if salt.startswith(spelling + "_") and not (
            arch == "arm" and salt.startswith(("armeb_", "aarch64"))
        ):
            return True
    return False


def pick_salt(
    env: "Mapping[str, str]", arch: str, own: "str | None" = None
) -> "tuple[str, tuple[str, ...]]":
    """The suffix salt for a link to arch, and the role suffixes whose plain names it reads;
    own: the arch of the wrapper that serves the link when none is marked for arch.

    Outside a Nix shell (no wrapper markers at all) the plain names are read, so that a user
    can set NIX_LDFLAGS by hand; inside one, exactly the roles nixpkgs would read."""
    marked: dict[str, list[str]] = {}
    other_salts: list[str] = []
    for key, value in env.items():
        if key.startswith(_MARKER) and value:
            role, _, salt = key[len(_MARKER) :].partition("_")
            if salt and role in ("BUILD", "HOST", "TARGET"):
                marked.setdefault(salt, []).append(role)
        elif value:
            for prefix in _SALTED:
                if key.startswith(prefix) and len(key) > len(prefix):
                    other_salts.append(key[len(prefix) :])
    salts = (*marked, *other_salts)
    candidates = [s for s in salts if _salt_matches(s, arch)]
    if not candidates and own is not None and own != arch:
        candidates = [s for s in salts if _salt_matches(s, own)]
    if not candidates:
        default = (arch if arch != "arm" else "armv7l") + "_unknown_linux_gnu"
        return default, (() if marked else ("",))
    hosts = [s for s in candidates if "HOST" in marked.get(s, ())]
    salt = sorted(hosts or candidates)[0]
    if not marked:
        return salt, ("",)
    roles = marked.get(salt, [])
    return salt, tuple(suffix for role, suffix in _ROLES if role in roles)


def split_words(value: str) -> "list[str]":
    """Split like bash's default IFS (space, tab, newline); no quote removal, no globbing."""
    return [w for w in value.replace("\t", " ").replace("\n", " ").split(" ") if w]


class NixEnv:
    """The nixpkgs ld-wrapper settings that apply to one link."""

    __slots__ = (
        "cc_applied",
        "dont_set_rpath",
        "dynamic_linker",
        "hardening",
        "ignore_ld_through_gcc",
        "ldflags",
        "ldflags_after",
        "ldflags_before",
        "protocol",
        "salt",
        "set_build_id",
    )

    def __init__(self) -> None:
        self.salt = ""
        self.protocol = "salt"  # or "v2": values taken from a cc-wrapper's wrapper_* record
        self.ldflags_before: list[str] = []
        self.ldflags: list[str] = []
        self.ldflags_after: list[str] = []
        self.dynamic_linker: str | None = None
        self.hardening: list[str] = []  # the ld flags: relro, bindnow, in that order
        self.set_build_id = False
        self.dont_set_rpath = False
        self.cc_applied = False  # a cc-wrapper already passed LDFLAGS(_BEFORE), dynamic linker
        self.ignore_ld_through_gcc = False


def read(env: "Mapping[str, str]", emulation: "str | None", machine: str) -> "NixEnv":
    """The settings for a link with this emulation (None: the default) through a linker for
    machine (a prefixed name's, else this machine)."""
    nix = NixEnv()
    if env.get("NIX_WRAPPER_VERSION") == "2" and env.get("NIX_WRAPPER_OPERATION") == "link":
        nix.protocol = "v2"
        nix.cc_applied = bool(env.get("wrapper_NIX_LINK_TYPE"))

        def names(name: str) -> "list[str]":
            return ["wrapper_" + name]

    else:
        own = target_arch(None, machine)
        nix.salt, roles = pick_salt(env, target_arch(emulation, machine), own)
        nix.cc_applied = bool(env.get("NIX_LINK_TYPE_" + nix.salt))
        gathered = bool(env.get("NIX_BINTOOLS_WRAPPER_FLAGS_SET_" + nix.salt))

        def names(name: str) -> "list[str]":
            own = [f"{name}_{nix.salt}"]
            return own if gathered else own + [name + r for r in roles]

    def words(name: str) -> "list[str]":
        out: list[str] = []
        for n in names(name):
            out += split_words(env.get(n, ""))
        return out

    def flag(name: str) -> bool:
        return any(env.get(n) == "1" for n in names(name))

    nix.ldflags_before = words("NIX_LDFLAGS_BEFORE")
    nix.ldflags = words("NIX_LDFLAGS")
    nix.ldflags_after = words("NIX_LDFLAGS_AFTER")
    linkers = words("NIX_DYNAMIC_LINKER")
    nix.dynamic_linker = linkers[0] if linkers else None  # roles that disagree: the first
    enabled = set(words("NIX_HARDENING_ENABLE"))
    nix.hardening = [f for f in ("relro", "bindnow") if f in enabled]
    # A list in nixpkgs, tested for being empty: any value, even 0 or a blank, is "on".
    nix.ignore_ld_through_gcc = any(env.get(n) for n in names("NIX_IGNORE_LD_THROUGH_GCC"))
    nix.set_build_id = flag("NIX_SET_BUILD_ID")
    nix.dont_set_rpath = flag("NIX_DONT_SET_RPATH")
    return nix


_HARDENING = {"relro": ("-z", "relro"), "bindnow": ("-z", "now")}


def machine() -> str:
    return os.uname().machine


def read_nix(env: "Mapping[str, str]", req: "LinkRequest", own: "str | None" = None) -> "NixEnv":
    """The settings for this link; own: the machine of a target-prefixed linker name."""
    return read(env, req.emulation, own or machine())


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
    settings: "Config",
    nix: "NixEnv",
    rpath_args: "list[str]",
    *,
    flavour: str = BFD,
    run_path: "list[str] | None" = None,
    copy_args: "list[str] | None" = None,
) -> "Extras":
    """The flags to add for this link. rpath_args go after the caller's arguments, copy_args
    (copies of the caller's own rpath entries) last before them. run_path: LD_RUN_PATH's
    directories as they may be used (purity-filtered); None: the config's."""
    ex = Extras()
    final = not req.relocatable
    dynamic = req.link_type == DYNAMIC and final  # has (or may have) a PT_INTERP

    for name in nix.hardening:
        ex.before += _HARDENING[name]
    if settings.dtags and final:
        ex.before.append(
            "--enable-new-dtags" if settings.dtags == "runpath" else "--disable-new-dtags"
        )
    before, after = ldflags_words(req, nix)
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

    if req.is_32bit and settings.dynamic_linker_m32 and interp:
        ex.after += ("-dynamic-linker", settings.dynamic_linker_m32)

    dirs = settings.run_path if run_path is None else run_path
    if dirs and dynamic and not req.rpaths:
        # GNU ld uses LD_RUN_PATH when the link has no -rpath of its own; any -rpath ldwrap
        # adds would silently switch that off, so ldwrap then passes it on itself. The other
        # linkers ignore LD_RUN_PATH unless LDWRAP_LD_RUN_PATH is on (the default).
        ours = bool(rpath_args) or _has_rpath(ex.before) or _has_rpath(ex.after)
        if ours if flavour == BFD else settings.ld_run_path:
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
        ex.after.append("--build-id=" + settings.build_id_style)
    return ex
