"""Turn a linker's argv into a LinkRequest: what the link searches, asks for and produces.

Pure: no file system access but the response-file reader, which `parse` is handed already
expanded arguments by the caller.
"""

from .grammar import BFD, GOLD, LLD, MOLD, classify
from .model import STATIC, STATIC_PIE, LibRequest, LinkRequest, is_shared_name


def lld_flavour(args: "list[str]") -> "str | None":
    """lld's `-flavor X`, which must come first; returns X or None."""
    if len(args) >= 2 and args[0] == "-flavor":
        return args[1]
    return None


def kept_first(args: "list[str]") -> int:
    """How many leading words stay first, before anything ldwrap adds: lld's `-flavor X`.
    The one place that knows (parse skips them, the command keeps them in front)."""
    return 2 if lld_flavour(args) is not None else 0


class _State:
    """What parse tracks while it reads one command."""

    __slots__ = (
        "as_needed",
        "flavour",
        "inputs",
        "pending_eq_dirs",
        "req",
        "saw_pie",
        "saw_static",
        "short_version",
        "stack",
        "static",
    )

    def __init__(self, flavour: str, state: "tuple[bool, bool]") -> None:
        self.flavour = flavour
        self.req = LinkRequest()
        self.static, self.as_needed = state
        self.stack: list[tuple[bool, bool]] = []  # --push-state saves both
        self.saw_static = False
        self.saw_pie = False
        self.short_version = False
        self.inputs = 0
        self.pending_eq_dirs: list[int] = []  # -L=dir entries waiting for the last --sysroot=


def parse(
    flavour: str, args: "list[str]", state: "tuple[bool, bool]" = (False, False)
) -> "LinkRequest":
    """Parse expanded linker arguments (no `@file` left) for one flavour. state: (static,
    as-needed) in effect before the first argument."""
    s = _State(flavour, state)
    req = s.req
    i = kept_first(args) if flavour == LLD else 0
    n = len(args)
    while i < n:
        name, value, used = classify(flavour, args, i)
        i += used
        # The three kinds nearly every argument is, inline; every other option by its name.
        if name is None:
            assert value is not None
            s.inputs += 1
            if is_shared_name(value) and value[:1] != "-":
                _library_file(s, value)
        elif name == "library-path":
            if value is not None:
                if value[:1] == "=" or value.startswith("$SYSROOT"):
                    s.pending_eq_dirs.append(len(req.lib_dirs))
                req.kinds.append(1)
                req.lib_dirs.append(value)
        elif name == "library":
            if value:
                lib = LibRequest(value, s.static)
                req.libs.append(lib)
                if s.as_needed and not s.static:
                    req.as_needed.update(lib.filenames())
        else:
            option = _OPTIONS.get(name)
            if option is not None and option(s, value, args[i - used]):
                if name == "--":
                    _after_dashdash(s, args[i:])
                break
    return _finish(s)


def _library_file(s: "_State", value: str) -> None:
    req = s.req
    req.kinds.append(0)
    req.lib_files.append(value)
    if s.as_needed:
        req.as_needed.add(value.rsplit("/", 1)[-1])


def _after_dashdash(s: "_State", rest: "list[str]") -> None:
    """gold takes everything after `--` as input files; the other linkers ignore it."""
    if s.flavour == GOLD:
        for a in rest:
            if is_shared_name(a):
                _library_file(s, a)


# Each option that changes what the parse tracks: (state, its value, the argument as
# written) -> True when the parse stops there.
def _static(s: "_State", value: "str | None", word: str) -> bool:
    s.static = True
    s.saw_static = True
    s.req.link_type = STATIC
    return False


def _static_pie(s: "_State", value: "str | None", word: str) -> bool:
    s.static = True
    s.req.link_type = STATIC_PIE
    return False


def _bstatic(s: "_State", value: "str | None", word: str) -> bool:
    s.static = True
    return False


def _bdynamic(s: "_State", value: "str | None", word: str) -> bool:
    s.static = False
    return False


def _a(s: "_State", value: "str | None", word: str) -> bool:
    if s.flavour == BFD:  # HP-UX's `-a archive|shared|default`, which only bfd reads
        s.static = value == "archive"
    return False


def _as_needed(s: "_State", value: "str | None", word: str) -> bool:
    s.as_needed = True
    return False


def _no_as_needed(s: "_State", value: "str | None", word: str) -> bool:
    s.as_needed = False
    return False


def _push_state(s: "_State", value: "str | None", word: str) -> bool:
    s.stack.append((s.static, s.as_needed))
    return False


def _pop_state(s: "_State", value: "str | None", word: str) -> bool:
    if s.stack:
        s.static, s.as_needed = s.stack.pop()
    return False


def _relocatable(s: "_State", value: "str | None", word: str) -> bool:
    s.req.relocatable = True
    return False


def _pie(s: "_State", value: "str | None", word: str) -> bool:
    s.saw_pie = True
    return False


def _no_pie(s: "_State", value: "str | None", word: str) -> bool:
    s.saw_pie = False
    return False


def _no_dynamic_linker(s: "_State", value: "str | None", word: str) -> bool:
    s.req.no_interp = True
    return False


def _rpath(s: "_State", value: "str | None", word: str) -> bool:
    if value is not None:
        s.req.rpaths.append(value)
    return False


def _emulation(s: "_State", value: "str | None", word: str) -> bool:
    s.req.emulation = value
    return False


def _sysroot(s: "_State", value: "str | None", word: str) -> bool:
    # bfd honours only the --sysroot=DIR spelling; the others take every spelling.
    if value is not None and (s.flavour != BFD or word.startswith("--sysroot=")):
        s.req.sysroot = value
    return False


def _output(s: "_State", value: "str | None", word: str) -> bool:
    s.req.output = value
    return False


def _query(s: "_State", value: "str | None", word: str) -> bool:
    if word in ("-v", "-V"):
        s.short_version = True  # prints the version, then links whatever inputs follow
    else:
        s.req.query = True
    return False


def _dashdash(s: "_State", value: "str | None", word: str) -> bool:
    s.req.dashdash = True
    return True


_OPTIONS = {
    "static": _static,
    "static-pie": _static_pie,
    "Bstatic": _bstatic,
    "Bdynamic": _bdynamic,
    "a": _a,
    "as-needed": _as_needed,
    "no-as-needed": _no_as_needed,
    "push-state": _push_state,
    "pop-state": _pop_state,
    "relocatable": _relocatable,
    "pie": _pie,
    "no-pie": _no_pie,
    "no-dynamic-linker": _no_dynamic_linker,
    "rpath": _rpath,
    "R": _rpath,
    "m": _emulation,
    "sysroot": _sysroot,
    "output": _output,
    "version": _query,
    "help": _query,
    "--": _dashdash,
}


def _finish(s: "_State") -> "LinkRequest":
    """What can be told only once every argument is read."""
    req = s.req
    req.end_state = (s.static, s.as_needed)
    if s.short_version and not s.inputs and not req.libs:
        req.query = True
    if req.link_type == STATIC and s.saw_static and s.saw_pie and req.no_interp:
        # gcc and clang lower -static-pie to -static -pie --no-dynamic-linker.
        req.link_type = STATIC_PIE
    if s.flavour == GOLD and s.saw_static:
        # gold's -static is global: the whole link is static, whatever its position.
        for lib in req.libs:
            lib.static = True
    for idx in s.pending_eq_dirs:
        req.lib_dirs[idx] = _sysroot_dir(s.flavour, req.lib_dirs[idx], req.sysroot)
    return req


def _sysroot_dir(flavour: str, d: str, sysroot: "str | None") -> str:
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
