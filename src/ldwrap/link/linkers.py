"""Which linker the shim stands for, and where the real one is."""

from . import oslite as os
from .grammar import BFD, GOLD, LLD, MOLD
from .model import RealLinker
from .targets import DEBIAN_ARCH, ELFMAG, EM_386, EM_X86_64, of_link

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Mapping

# Invoked name (after any target prefix) -> grammar flavour.
NAMES = {
    "ld": BFD,
    "ld.bfd": BFD,
    "ld.gold": GOLD,
    "gold": GOLD,
    "ld.lld": LLD,
    "lld": LLD,
    "rust-lld": LLD,
    "ld.mold": MOLD,
    "mold": MOLD,
}
# The same linker under another name, tried when the invoked name is not on PATH.
ALIASES = {
    "ld.mold": ("mold",),
    "mold": ("ld.mold",),
    "ld.gold": ("gold",),
    "gold": ("ld.gold",),
    "ld.lld": ("lld",),
}
# The drop-ins `ldwrap install` writes.
DROP_IN_NAMES = ("ld", "ld.bfd", "ld.gold", "ld.lld", "ld.mold", "mold")
# The linkers built for one target each: a link for another target needs that target's own
# (lld and mold serve every target from one binary).
PER_TARGET_NAMES = ("ld", "ld.bfd", "ld.gold", "gold")
# Machines (ELF e_machine) one host's GNU ld links for besides its own: x86_64's also -m32.
_HOST_FAMILY = {EM_X86_64: (EM_X86_64, EM_386), EM_386: (EM_386, EM_X86_64)}
# The mark `ldwrap install` writes into every launcher, and the bytes that mark a file as one
# of ldwrap's own (older launchers named their module instead).
LAUNCHER_MARKER = "ldwrap-shim"
SHIM_MARKERS = (LAUNCHER_MARKER.encode(), b"ldwrap.entry", b"ldwrap.shim", b"ldwrap.link.shim")
# The recursion guard: `PID:real:real...`, the real linkers the shims before this one ran,
# and the process that ran the last of them. A shim reached from that process (a wrapper
# script between the shim and the linker) is nested: it adds nothing and skips those paths.
# A program the linker starts further down (`mold -run make`) is not: it links as usual.
CHAIN_VAR = "LDWRAP_CHAIN"
MAX_DEPTH = 8


class Chain:
    """The recursion guard as this shim finds it."""

    __slots__ = ("direct", "paths", "pid")

    def __init__(self, value: str) -> None:
        parts = [p for p in value.split(":") if p]
        self.pid = int(parts[0]) if parts and parts[0].isdigit() else 0
        self.paths = parts[1:] if self.pid else parts
        self.direct = bool(self.paths) and _is_near(self.pid)

    def extended(self, path: str) -> str:
        """The value for the real linker this shim runs, from this process."""
        return ":".join([str(os.getpid()), *self.paths, path])


def _parent_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        return int(stat[stat.rindex(b")") + 2 :].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _is_near(pid: int) -> bool:
    """Whether pid runs this process or its parent or grandparent: the shim exec'd the
    linker (same pid), or spawned it (our grandparent when the linker runs a wrapper)."""
    if not pid:
        return False
    parent = os.getppid()
    return pid in (os.getpid(), parent) or _parent_of(parent) == pid


class LinkerError(Exception):
    """The real linker cannot be found or would be the shim itself."""


def linker_name(invoked: str) -> "str | None":
    """The linker name in an invoked basename: `x86_64-linux-gnu-ld.bfd` -> `ld.bfd`."""
    if invoked in NAMES:
        return invoked
    # Longest suffix first, so `...-ld.lld` is not read as `lld`.
    for name in sorted(NAMES, key=len, reverse=True):
        if invoked.endswith("-" + name):
            return name
    return None


def flavour_of(name: str) -> str:
    return NAMES.get(name, BFD)


def flavour_from_path(path: str, default: str) -> str:
    """Refine a plain `ld` to the flavour its real binary is (ld -> ld.gold, say)."""
    real = os.path.basename(os.path.realpath(path))
    name = linker_name(real)
    return NAMES[name] if name is not None else default


def _head(path: str, size: int) -> bytes:
    """The first size bytes of path; empty when it cannot be read. Without the io module's
    layers: every link asks this of the real linker it finds."""
    return os.read_file(path, size) or b""


def is_shim(path: str) -> bool:
    """Whether path is one of ldwrap's launchers (so exec'ing it would loop)."""
    head = _head(path, 512)
    if head[:4] == ELFMAG:
        return False
    return any(m in head for m in SHIM_MARKERS)


def is_nix_wrapper(path: str) -> bool:
    """Whether path is nixpkgs' own ld-wrapper, a script that adds rpaths itself."""
    head = _head(path, 65536)
    return head[:2] == b"#!" and b"NIX_BINTOOLS" in head


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def path_dirs(env: "Mapping[str, str]") -> "list[str]":
    """PATH's absolute entries: empty and relative ones are never searched, so that a hostile
    working directory cannot plant a program."""
    return [d for d in env.get("PATH", "").split(":") if d[:1] == "/"]


def search_path(
    name: str,
    env: "Mapping[str, str]",
    skip: "tuple[str, ...]" = (),
    self_path: "str | None" = None,
) -> "str | None":
    """The first executable `name` on PATH that is not a shim and not in skip.

    Empty and relative PATH entries are never searched (see path_dirs).
    """
    return search_dirs(name, path_dirs(env), skip, self_path)


def search_dirs(
    name: str,
    dirs: "list[str]",
    skip: "tuple[str, ...]" = (),
    self_path: "str | None" = None,
    shims: bool = False,
) -> "str | None":
    """The first executable `name` in dirs that is not in skip, not self_path and, unless
    shims, not one of ldwrap's launchers."""
    for d in dirs:
        cand = os.path.join(d, name)
        if not _executable(cand) or cand in skip:
            continue
        if self_path is not None and _same(cand, self_path):
            continue
        if not shims and is_shim(cand):
            continue
        return cand
    return None


def find(
    name: str,
    invoked_path: str,
    env: "Mapping[str, str]",
    explicit: "str | None",
    chain: "Chain | None" = None,
) -> "RealLinker":
    """Find the real linker the shim invoked as invoked_path stands for."""
    if chain is None:
        chain = Chain(env.get(CHAIN_VAR, ""))
    skip = tuple(chain.paths) if chain.direct else ()
    self_path = invoked_path if "/" in invoked_path else None
    if explicit:
        path = explicit if "/" in explicit else search_path(explicit, env, skip, self_path)
        if path is None or not _executable(path):
            raise LinkerError(f"LDWRAP_LINKER={explicit!r} is not an executable file")
        if is_shim(path) or (self_path is not None and _same(path, self_path)):
            raise LinkerError(f"LDWRAP_LINKER={explicit!r} is ldwrap itself, not a linker")
        return _with_flavour(path)
    if self_path is not None and name == "ld.lld":
        # rustc reaches `<sysroot>/lib/rustlib/<triple>/bin/gcc-ld/ld.lld` through -B; a
        # wrapped toolchain's real linker is the rust-lld next to that directory.
        here = os.path.dirname(os.path.abspath(invoked_path))
        if os.path.basename(here) == "gcc-ld":
            rust_lld = os.path.join(os.path.dirname(here), "rust-lld")
            if _executable(rust_lld):
                return RealLinker(rust_lld, ("-flavor", "gnu"))
    invoked = os.path.basename(invoked_path)
    # A target-prefixed shim (aarch64-linux-gnu-ld) runs that target's linker when there is
    # one (on PATH, or the cross gcc's own under /usr/TRIPLE/bin), and the plain one (which
    # serves every target for lld and mold) otherwise; then the same linker under its other
    # name (`mold` for `ld.mold`, ...).
    if invoked.endswith("-" + name):
        path = target_linker(name, (invoked[: -len(name) - 1],), env, skip, self_path)
        if path is not None:
            return _with_flavour(path)
    names = (invoked, name) if invoked.endswith("-" + name) else (name,)
    for cand in (name, *ALIASES.get(name, ())):
        path = search_path(cand, env, skip, self_path)
        if path is not None:
            return _with_flavour(path)
    if name == "ld.lld":
        path = search_path("rust-lld", env, skip, self_path)
        if path is not None:
            return RealLinker(path, ("-flavor", "gnu"))
    searched = path_dirs(env)
    tried = [*names, *ALIASES.get(name, ()), *(("rust-lld",) if name == "ld.lld" else ())]
    raise LinkerError(
        f"cannot find the real {name}: searched PATH ({':'.join(searched) or 'empty'}) for "
        f"{', '.join(tried)}, skipping ldwrap's own launchers; set LDWRAP_LINKER to the "
        "linker's path"
    )


def target_linker(
    name: str,
    triples: "tuple[str, ...]",
    env: "Mapping[str, str]",
    skip: "tuple[str, ...]" = (),
    self_path: "str | None" = None,
) -> "str | None":
    """The real `name` built for one of triples: `TRIPLE-name` on PATH, else the cross
    gcc's own `/usr/TRIPLE/bin/name` (where its collect2 looks before PATH)."""
    for triple in triples:
        path = search_path(f"{triple}-{name}", env, skip, self_path)
        if path is not None:
            return path
    for triple in triples:
        path = f"/usr/{triple}/bin/{name}"
        if _executable(path) and path not in skip and not is_shim(path):
            return path
    return None


def machine_target(machine: str) -> "tuple[int, int, int] | None":
    """The target (class, data, e_machine) a machine or triple arch name stands for."""
    return of_link(None, machine)


def foreign(target: "tuple[int, int, int]", machine: "str | None" = None) -> bool:
    """Whether this machine's own GNU linkers cannot link for target (class, data,
    e_machine); machine is uname's, this one's by default."""
    host = of_link(None, machine)
    return host is not None and target[2] not in _HOST_FAMILY.get(host[2], (host[2],))


def cross_triples(emulation: "str | None", machine: "str | None" = None) -> "tuple[str, ...]":
    """The triples a linker for `emulation` goes by, when this machine's own linker cannot
    link for it; empty for a native link (or an emulation ldwrap does not know)."""
    if not emulation:
        return ()
    target = of_link(emulation)
    if target is None or not foreign(target, machine):
        return ()
    arch = DEBIAN_ARCH.get((target[2], target[0]))
    if arch is None:
        return ()
    debian = arch[0]
    return (debian, f"{debian.split('-')[0]}-unknown-linux-gnu")


def for_target(
    real: "RealLinker",
    name: str,
    invoked_path: str,
    emulation: "str | None",
    env: "Mapping[str, str]",
    explicit: "str | None",
    chain: "Chain | None" = None,
) -> "RealLinker":
    """The real linker for a link whose `-m` emulation is known: a plain `ld`, `ld.bfd` or
    `ld.gold` drop-in reached for another machine's link (a cross gcc's collect2 finds it
    through -B or COMPILER_PATH) runs that target's linker, not this machine's, which
    would stop at the emulation. Anything else, or no such linker: real, unchanged."""
    if explicit or name not in PER_TARGET_NAMES or os.path.basename(invoked_path) != name:
        return real
    triples = cross_triples(emulation)
    if not triples:
        return real
    if chain is None:
        chain = Chain(env.get(CHAIN_VAR, ""))
    skip = tuple(chain.paths) if chain.direct else ()
    self_path = invoked_path if "/" in invoked_path else None
    path = target_linker(name, triples, env, skip, self_path)
    if path is None and name == "gold":
        path = target_linker("ld.gold", triples, env, skip, self_path)
    return real if path is None else _with_flavour(path)


def _with_flavour(path: str) -> "RealLinker":
    """The multi-flavour lld binaries need `-flavor gnu` unless their name says ld."""
    base = os.path.basename(path)
    if base in ("rust-lld", "lld") or base.startswith(("rust-lld", "lld-")):
        return RealLinker(path, ("-flavor", "gnu"))
    return RealLinker(path)
