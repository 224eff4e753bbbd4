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


def parse(
    flavour: str, args: "list[str]", state: "tuple[bool, bool]" = (False, False)
) -> "LinkRequest":
    """Parse expanded linker arguments (no `@file` left) for one flavour. state: (static,
    as-needed) in effect before the first argument."""
    req = LinkRequest()
    start = 0
    if flavour == LLD and lld_flavour(args) is not None:
        start = 2
    static, as_needed = state
    stack: list[tuple[bool, bool]] = []  # --push-state saves both
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
                req.order.append((False, len(req.lib_files)))
                req.lib_files.append(value)
                if as_needed:
                    req.as_needed.add(value.rsplit("/", 1)[-1])
            continue
        if name == "library-path":
            if value is not None:
                if value[:1] == "=" or value.startswith("$SYSROOT"):
                    pending_eq_dirs.append(len(req.lib_dirs))
                req.order.append((True, len(req.lib_dirs)))
                req.lib_dirs.append(value)
        elif name == "library":
            if value:
                lib = LibRequest(value, static)
                req.libs.append(lib)
                if as_needed and not static:
                    req.as_needed.update(lib.filenames())
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
        elif name == "as-needed":
            as_needed = True
        elif name == "no-as-needed":
            as_needed = False
        elif name == "push-state":
            stack.append((static, as_needed))
        elif name == "pop-state":
            if stack:
                static, as_needed = stack.pop()
        elif name == "relocatable":
            req.relocatable = True
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
        elif name in ("version", "help"):
            if args[i - used] in ("-v", "-V"):
                short_version = True  # prints the version, then links whatever inputs follow
            else:
                req.query = True
        elif name == "--":
            req.dashdash = True
            if flavour == GOLD:
                # gold takes everything after `--` as input files.
                for a in args[i:]:
                    if is_shared_name(a):
                        req.order.append((False, len(req.lib_files)))
                        req.lib_files.append(a)
            break
    req.end_state = (static, as_needed)
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
