"""Turn a linker's argv into a LinkRequest: what the link searches, asks for and produces.

Pure: no file system access but the response-file reader, which `parse` is handed already
expanded arguments by the caller.
"""

from __future__ import annotations

from .grammar import BFD, GOLD, LLD, MOLD, UNKNOWN, classify

DYNAMIC = "dynamic"
STATIC = "static"
STATIC_PIE = "static-pie"

# The emulations whose dynamic links want the 32-bit loader.
I386_EMULATIONS = frozenset({"elf_i386"})


class LibRequest:
    """One `-l`: the file names it matches, and whether it was asked for in static mode."""

    __slots__ = ("exact", "spec", "static")

    def __init__(self, spec: str, static: bool) -> None:
        self.spec = spec
        self.static = static
        self.exact = spec[:1] == ":"

    def filenames(self) -> tuple[str, ...]:
        """The shared-library file names that would satisfy this request."""
        if self.exact:
            name = self.spec[1:]
            return (name,) if is_shared_name(name) else ()
        return (f"lib{self.spec}.so",)

    def __repr__(self) -> str:
        return f"LibRequest({self.spec!r}, static={self.static})"


class LinkRequest:
    """What the shim needs to know about one link."""

    __slots__ = (
        "dashdash",
        "emulation",
        "flavor_args",
        "lib_dirs",
        "lib_files",
        "libs",
        "link_type",
        "new_dtags",
        "no_interp",
        "output",
        "query",
        "relocatable",
        "rpaths",
        "shared",
        "sysroot",
        "unknown",
    )

    def __init__(self) -> None:
        self.lib_dirs: list[str] = []  # in -L order, sysroot applied
        self.libs: list[LibRequest] = []
        self.lib_files: list[str] = []  # shared libraries named directly
        self.rpaths: list[str] = []  # the caller's own -rpath / -R values
        self.link_type = DYNAMIC
        self.relocatable = False
        self.shared = False
        self.emulation: str | None = None
        self.sysroot: str | None = None
        self.output: str | None = None
        self.new_dtags: bool | None = None  # the caller's last --enable/--disable-new-dtags
        self.no_interp = False  # --no-dynamic-linker: the output gets no PT_INTERP
        self.query = False  # --version / --help: pass through untouched
        self.flavor_args: list[str] = []  # lld's leading `-flavor X`, kept first
        self.dashdash = False  # a top-level `--` (bfd drops what follows it)
        self.unknown: list[str] = []

    @property
    def is_32bit(self) -> bool:
        return self.emulation in I386_EMULATIONS

    @property
    def dynamic(self) -> bool:
        """A link whose output has a dynamic section that the loader will read."""
        return not self.relocatable and self.link_type != STATIC_PIE


def is_shared_name(name: str) -> bool:
    """libx.so, libx.so.1, libx.so.1.2: a file the linker takes as a shared library."""
    base = name.rsplit("/", 1)[-1]
    return base.endswith(".so") or ".so." in base


def flavour_from_lld_args(args: list[str]) -> str | None:
    """lld's `-flavor X` must be argv[1]; returns X or None."""
    if len(args) >= 2 and args[0] == "-flavor":
        return args[1]
    return None


def parse(flavour: str, args: list[str]) -> LinkRequest:
    """Parse expanded linker arguments (no `@file` left) for one flavour."""
    req = LinkRequest()
    start = 0
    if flavour == LLD and flavour_from_lld_args(args) is not None:
        req.flavor_args = args[:2]
        start = 2
    static = False
    stack: list[bool] = []
    saw_static = False
    saw_pie = False
    no_interp = False
    short_version = False
    inputs = 0
    n = len(args)
    i = start
    pending_eq_dirs: list[int] = []  # -L=dir entries waiting for the last --sysroot=
    while i < n:
        name, value, used = classify(flavour, args, i)
        i += used
        if name is None:
            assert value is not None
            inputs += 1
            if is_shared_name(value) and value[:1] != "-":
                req.lib_files.append(value)
            continue
        if name == "library-path":
            if value is not None:
                if value[:1] == "=" or value.startswith("$SYSROOT"):
                    pending_eq_dirs.append(len(req.lib_dirs))
                req.lib_dirs.append(value)
        elif name == "library":
            if value:
                req.libs.append(LibRequest(value, static))
        elif name == "Bstatic":
            static = True
        elif name == "Bdynamic":
            static = False
        elif name == "static":
            static = True
            saw_static = True
            req.link_type = STATIC
        elif name == "static-pie":
            static = True
            req.link_type = STATIC_PIE
        elif name == "a" and flavour == BFD:
            static = value == "archive"
        elif name == "push-state":
            stack.append(static)
        elif name == "pop-state":
            if stack:
                static = stack.pop()
        elif name == "relocatable":
            req.relocatable = True
        elif name == "shared":
            req.shared = True
        elif name == "pie":
            saw_pie = True
        elif name == "no-pie":
            saw_pie = False
        elif name == "no-dynamic-linker":
            no_interp = True
        elif name in ("rpath", "R"):
            if value is not None:
                req.rpaths.append(value)
        elif name == "m":
            req.emulation = value
        elif name == "sysroot":
            # bfd honours only the --sysroot=DIR spelling; the others take every spelling.
            if value is not None and (flavour != BFD or args[i - used].startswith("--sysroot=")):
                req.sysroot = value
        elif name == "output":
            req.output = value
        elif name == "enable-new-dtags":
            req.new_dtags = True
        elif name == "disable-new-dtags":
            req.new_dtags = False
        elif name in ("version", "help"):
            if args[i - used] in ("-v", "-V"):
                short_version = True  # prints the version, then links whatever inputs follow
            else:
                req.query = True
        elif name == "--":
            req.dashdash = True
            if flavour == GOLD:
                # gold takes everything after `--` as input files.
                req.lib_files.extend(a for a in args[i:] if is_shared_name(a))
            break
        elif name == UNKNOWN:
            req.unknown.append(args[i - used])
    if short_version and not inputs and not req.libs:
        req.query = True
    req.no_interp = no_interp
    if req.link_type == STATIC and saw_static and saw_pie and no_interp:
        # gcc and clang lower -static-pie to -static -pie --no-dynamic-linker.
        req.link_type = STATIC_PIE
    if flavour == GOLD and saw_static:
        # gold's -static is global: the whole link is static, whatever its position.
        for lib in req.libs:
            lib.static = True
    for idx in pending_eq_dirs:
        req.lib_dirs[idx] = _sysroot_dir(flavour, req.lib_dirs[idx], req.sysroot)
    return req


def _sysroot_dir(flavour: str, d: str, sysroot: str | None) -> str:
    """-L=dir and -L$SYSROOT/dir, as the linker expands them."""
    if d[:1] == "=":
        rest = d[1:]
        if flavour in (GOLD,) or (flavour == MOLD and not sysroot):
            return d  # searched literally
        return (sysroot.rstrip("/") + rest) if sysroot else rest
    rest = d[len("$SYSROOT") :]
    if flavour in (BFD, MOLD) and sysroot:
        return sysroot.rstrip("/") + rest
    return d
