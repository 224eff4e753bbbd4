"""nixpkgs' ld-wrapper in ldwrap: reading the NIX_* variables the way the wrapper reads them.

Only links whose environment has NIX_* variables load this module (plan.read_nix_env); what
the settings add to the command is composed in flags.py.

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
"""

from . import oslite as os
from .model import NixEnv
from .targets import ARCH_SPELLINGS, target_arch

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Mapping

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


def machine() -> str:
    return os.uname().machine


def read_nix(env: "Mapping[str, str]", req: "LinkRequest", own: "str | None" = None) -> "NixEnv":
    """The settings for this link; own: the machine of a target-prefixed linker name."""
    return read(env, req.emulation, own or machine())
