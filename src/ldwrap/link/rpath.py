"""Decide which `-rpath DIR` a link needs. Pure but for the FsView it is handed.

For each candidate in argv order (a `-L` directory, or the directory of a shared library named
by path, interleaved as they appear), after normalising it: add `-rpath DIR` when the directory
is inside an allowed prefix and holds a shared library that the link asks for in dynamic mode
(or the one named).

Build systems rewrite the rpath they pass when they install (CMake replaces its string, Meson
removes the values it passed) and GNU ld drops a value it already has, so a directory the
caller passes too gets a copy of ldwrap's own, spelled with a trailing slash and placed before
the caller's arguments: CMake's rewrite then leaves no empty element (which glibc would search
as the current directory). A copy that would make the directory win over an earlier entry of
the caller's holding a library of the same name is not made: precedence stays the caller's.
A directory inside a build tree gets nothing: its build system sets that rpath itself, and a
build directory must not ride along into an installed file. Store paths are never build trees.
"""

from . import oslite as os
from .buildtrees import CMAKE
from .config import MODE_NIX, MODE_NONDEFAULT
from .grammar import MOLD
from .model import STATIC_PIE, DirDecision, RpathPlan
from .sysdirs import is_system_dir
from .targets import of_link
from .verdicts import (
    ADDED,
    BUILD_TREE,
    CALLER_KEEPS,
    COPY,
    DEFAULT_DIR,
    DISABLED,
    DRIVER,
    DUPLICATE,
    INCOMPATIBLE,
    MISSING,
    NO_LIBRARY,
    NOT_DYNAMIC,
    OUTSIDE,
    REINSTALLED,
    SHADOWS,
    STATIC_ONLY,
    STORE_ROOT,
    STUB,
)

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .config import Config
    from .fsview import FsView
    from .model import LinkRequest

    # A directory holding requested libraries: (as given, the directory, the files there,
    # the GNU ld script that named them or "").
    Found = tuple[str, str, list[str], str]

SCRIPT_DEPTH = 8  # scripts naming scripts: deeper than any real chain, short of a loop


def normalise(path: str, cwd: str, fs: "FsView") -> str:
    """An absolute path naming the directory the linker really searched."""
    p = path if path[:1] == "/" else os.path.join(cwd, path)
    if "/." not in p and "//" not in p and p[-1:] != "/":
        return p  # already normal: the common case, and normpath is costly
    if "/.." in p:
        # The kernel resolves `..` after following symlinks, so lexical folding would be wrong.
        return fs.realpath(p)
    p = os.path.normpath(p)
    return "/" + p.lstrip("/") if p[:2] == "//" else p


class Wanted:
    """The shared-library file names the link asks for: in dynamic mode (in order), and only
    in static mode; each directory is asked about all of them at once, so it is read once."""

    __slots__ = ("dynamic", "names", "slashed", "static")

    def __init__(self, dynamic: "dict[str, None]", static: "set[str]") -> None:
        self.dynamic = dynamic  # an ordered set
        self.static = static
        self.names = list(dynamic) + list(static)
        self.slashed = any("/" in n for n in self.names)  # -l:sub/libx.so asked for at all


class CallerRpath:
    """The caller's own rpath: its elements as written, and normalised in first-seen order."""

    __slots__ = ("order", "place", "raw")

    def __init__(self) -> None:
        self.raw: set[str] = set()
        self.place: dict[str, int] = {}
        self.order: list[str] = []


class Policy:
    """What every candidate is judged against: read-only once made (but for what is asked of
    the output once, on first need: its install's fate)."""

    __slots__ = (
        "caller",
        "config",
        "cwd",
        "fate",
        "flavour",
        "fs",
        "is_default_dir",
        "off",
        "output",
        "outside_trees",
        "target",
        "wanted",
    )

    def __init__(
        self,
        config: "Config",
        fs: "FsView",
        cwd: str,
        is_default_dir: "Callable[[str], bool] | None",
        off: str,
        wanted: "Wanted",
        caller: "CallerRpath",
        target: "tuple[int, int, int] | None",
        flavour: str = "",
    ) -> None:
        self.flavour = flavour  # the grammar's: mold looks up script names differently
        self.config = config
        self.fs = fs
        self.cwd = cwd
        self.is_default_dir = is_default_dir
        self.off = off  # why nothing is added ("" when rpaths are added)
        self.wanted = wanted
        self.caller = caller
        self.target = target
        # Look for build trees outside the allowed prefixes too: a link that takes a library
        # from one gets the project's own install directory (ownrpath.py), in every mode.
        self.outside_trees = config.mode != MODE_NONDEFAULT and config.own_rpath_on and not off
        self.output = ""  # the output, absolute and normalised (set by decide)
        # What the output's install does to the caller's rpath (install_fate), once known.
        self.fate: tuple[bool, set[str], bool] | None = None


def off_reason(req: "LinkRequest", disabled: bool) -> str:
    """Why this link gets no rpath at all, or "" when it may get one."""
    if disabled:
        return DISABLED
    if req.relocatable or req.link_type == STATIC_PIE:
        return NOT_DYNAMIC
    return ""


def wanted_names(req: "LinkRequest") -> "Wanted":
    """The library file names asked for by -l, split by link mode (dynamic wins)."""
    dynamic: dict[str, None] = {}
    static: set[str] = set()
    for lib in req.libs:
        for name in lib.filenames():
            if lib.static:
                static.add(name)
            else:
                dynamic[name] = None
    static.difference_update(dynamic)
    return Wanted(dynamic, static)


def caller_rpath(req: "LinkRequest", cwd: str, fs: "FsView") -> "CallerRpath":
    """The caller's -rpath/-R elements, as written and normalised."""
    caller = CallerRpath()
    for r in req.rpaths:
        for part in r.split(":"):
            if part:
                caller.raw.add(part)
                caller.place.setdefault(normalise(part, cwd, fs), len(caller.place))
    caller.order = list(caller.place)
    return caller


def link_target(req: "LinkRequest", machine: "str | None") -> "tuple[int, int, int] | None":
    """The link's target: its -m emulation, else machine (a prefixed linker name's), else
    this machine; None: unknown, skip nothing."""
    return of_link(req.emulation, machine)


def candidates(req: "LinkRequest") -> "Iterator[tuple[bool, str]]":
    """(is a -L directory, as given) for every candidate, in argv order: -L directories and
    shared libraries named by path interleaved as they appear (nixpkgs' single loop), so
    that RUNPATH order, which decides which copy of a library wins, is the command's."""
    dirs, files = iter(req.lib_dirs), iter(req.lib_files)
    for kind in req.kinds:
        yield (True, next(dirs)) if kind else (False, next(files))


def allowed(p: "Policy", path: str) -> "str | None":
    """The path to put in the rpath if the directory may be added, else None."""
    config = p.config
    if config.mode == MODE_NIX and path in config.prefixes:
        return None  # $NIX_STORE itself holds store paths, not libraries
    if config.mode == MODE_NONDEFAULT:
        if p.is_default_dir is not None and p.is_default_dir(path):
            return None  # the checker knows directories through symlinks too
        return path
    if config.allows(path):
        return path
    # A symlink outside the prefixes may lead inside; follow it from its own directory.
    real = p.fs.realpath(path)
    return real if config.allows(real) else None


def gate(p: "Policy", given: str, path: str) -> "tuple[str | None, DirDecision | None]":
    """The directory to look in, or None and the decision saying why there is none."""
    target = None if p.off else allowed(p, path)
    if target is not None:
        return target, None
    config = p.config
    if p.off:
        verdict = p.off
    elif config.mode == MODE_NONDEFAULT:
        verdict = DEFAULT_DIR
    elif config.mode == MODE_NIX and path in config.prefixes:
        verdict = STORE_ROOT
    else:
        verdict = OUTSIDE
    return None, DirDecision(given, path, verdict)


def fitting(p: "Policy", directory: str, found: "list[str]") -> "list[str]":
    """The found files the linker would take: not built for another target."""
    want = p.target
    if want is None:
        return found
    return [n for n in found if p.fs.target(directory + "/" + n) in (None, want)]


def judge_file(p: "Policy", given: str) -> "list[Found | DirDecision]":
    """A shared library named by path: its directory, holding it; or why not."""
    path = normalise(given, p.cwd, p.fs)
    target, why = gate(p, given, os.path.dirname(path))
    if target is None:
        if why is not None and why.verdict == OUTSIDE and p.outside_trees:
            why = outside_tree(p, why, [os.path.basename(path)]) or why
        return [why] if why is not None else []
    base = os.path.basename(path)
    if not p.fs.present(target, [base], 1):
        return [DirDecision(given, target, MISSING)]
    if not fitting(p, target, [base]):
        return [DirDecision(given, target, INCOMPATIBLE, (base,))]
    return [(given, target, [base], "")]


def judge_dir(p: "Policy", given: str) -> "list[Found | DirDecision]":
    """A -L directory: itself (and its subdirectories, for -l:sub/libx.so) with the requested
    libraries found there; or why not."""
    target, why = gate(p, given, normalise(given, p.cwd, p.fs))
    if target is None:
        if why is not None and why.verdict == OUTSIDE and p.outside_trees and p.wanted.dynamic:
            why = outside_tree(p, why, p.wanted.names) or why
        return [why] if why is not None else []
    wanted = p.wanted
    names = wanted.names
    hits = p.fs.present(target, names, len(names)) if names else []
    found = [n for n in hits if n in wanted.dynamic] if wanted.static else hits
    fit = fitting(p, target, found) if found else found
    if found and not fit:
        return [DirDecision(given, target, INCOMPATIBLE, tuple(found))]
    found = fit
    if not found:
        statics = [n for n in hits if n in wanted.static]
        verdict = STATIC_ONLY if statics else NO_LIBRARY
        return [DirDecision(given, target, verdict, tuple(statics))]
    out: list[Found | DirDecision] = []
    subdirs = {os.path.dirname(n) for n in found if "/" in n} if wanted.slashed else None
    if subdirs:
        # -l:sub/libx.so: the library, so the rpath, is in a subdirectory.
        for sub in sorted(subdirs):
            in_sub = [n for n in found if os.path.dirname(n) == sub]
            out.append((given, normalise(os.path.join(target, sub), p.cwd, p.fs), in_sub, ""))
        found = [n for n in found if "/" not in n]
        if not found:
            return out
    out.append((given, target, found, ""))
    return out


def outside_tree(p: "Policy", why: "DirDecision", names: "list[str]") -> "DirDecision | None":
    """A directory outside the allowed prefixes that holds requested libraries inside a build
    tree: its BUILD_TREE decision (the project's own libraries, whose install directory the
    output needs), else None. The system's own directories are known by name and skipped.
    names: the link's wanted names, or the one library named by path."""
    path = why.path
    if is_system_dir(path):
        return None
    fs = p.fs
    found = fs.present(path, names, len(names))
    if names is p.wanted.names:
        found = [n for n in found if n in p.wanted.dynamic]
    found = fitting(p, path, found) if found else found
    if not found or not fs.build_tree(path):
        return None
    return DirDecision(why.given, path, BUILD_TREE, tuple(found))


def top_of(config: "Config", path: str) -> str:
    """Where the walk for build-tree markers stops: the allowed prefix that holds path (a
    prefix installed inside a build tree, such as build/stage, is still a prefix), else /."""
    inside = [p for p in config.prefixes if path == p or path.startswith(p + "/")]
    return max(inside, key=len) if inside else "/"


def install_fate(p: "Policy") -> "tuple[bool, set[str], bool]":
    """What installing the output does to the caller's rpath: whether it takes it out (CMake
    replaces its build rpath, Meson removes the values it passed; libtool, make and a user's
    own -rpath keep theirs), the directories CMake's install RPATH names again, and whether
    that names every linked directory (CMAKE_INSTALL_RPATH_USE_LINK_PATH). Asked once, of
    the output's directory; only CMake's cache is read."""
    if p.fate is None:
        out_dir = os.path.dirname(p.output)
        system = p.fs.build_system(out_dir)
        p.fate = (system is not None, set(), False)
        if system == CMAKE:
            from .installdirs import TreeView  # only links in a CMake tree naming our dirs

            tree = TreeView(p.config.env).lookup(out_dir)
            if tree is not None and tree.kind == CMAKE:
                again = tree.install_rpath_dirs(tree.install_dir(os.path.basename(p.output)))
                p.fate = (True, again, tree.link_path)
    return p.fate


def caller_kept(p: "Policy", path: str) -> "str | None":
    """Why a directory the caller names needs no copy of ldwrap's once installed
    (CALLER_KEEPS, REINSTALLED), or None: the install takes the caller's entry out."""
    strips, again, link_path = install_fate(p)
    if not strips:
        return CALLER_KEEPS
    if link_path or path in again:
        return REINSTALLED
    return None


def shadows(p: "Policy", path: str, found: "list[str]") -> bool:
    """Whether an earlier element of the caller's rpath holds one of these libraries."""
    caller = p.caller
    for earlier in caller.order[: caller.place[path]]:
        if earlier != path and p.fs.present(earlier, found, len(found)):
            return True
    return False


def place(
    p: "Policy",
    plan: "RpathPlan",
    seen: "set[str]",
    given: str,
    path: str,
    found: "list[str]",
    via: str = "",
) -> bool:
    """Add a directory holding requested libraries to the plan, once, or say why not; False
    when it was placed before (its scripts, if any, were followed then)."""
    libs = tuple(found)
    if is_stub_dir(p.config, path):
        # Loaded at run time, a stub fails every call (CUDA_ERROR_STUB_LIBRARY).
        plan.decisions.append(DirDecision(given, path, STUB, libs, via))
        if p.config.driver_dir is not None:
            add_driver(p, plan, seen, path, found)
        return True
    if path in seen:
        plan.decisions.append(DirDecision(given, path, DUPLICATE, libs, via))
        return False
    # Store paths are never build trees: in a store mode, and a /nix/store path in any mode
    # (Nix beside a distribution), no walk up for build-system markers.
    if (
        p.config.mode != MODE_NIX
        and path[:11] != "/nix/store/"
        and p.fs.build_tree(path, top_of(p.config, path))
    ):
        plan.decisions.append(DirDecision(given, path, BUILD_TREE, libs, via))
        return True
    seen.add(path)
    caller = p.caller
    if path not in caller.place:
        plan.entries.append((path, ADDED))
        plan.decisions.append(DirDecision(given, path, ADDED, libs, via))
    elif (kept := caller_kept(p, path)) is not None:
        plan.decisions.append(DirDecision(given, path, kept, libs, via))
    elif shadows(p, path, [n for n in found if "/" not in n]):
        plan.decisions.append(DirDecision(given, path, SHADOWS, libs, via))
    else:
        # GNU ld drops a value equal to one it has.
        spelled = spelled_apart(path + "/", caller.raw)
        plan.entries.append((spelled, COPY))
        plan.decisions.append(DirDecision(given, path, COPY, libs, via))
    return True


def is_stub_dir(config: "Config", path: str) -> bool:
    """A directory of link-time stubs: named `stubs` (CUDA's lib64/stubs), or configured."""
    return path.rsplit("/", 1)[-1] == "stubs" or path in config.stub_dirs


def add_driver(
    p: "Policy", plan: "RpathPlan", seen: "set[str]", stubs: str, found: "list[str]"
) -> None:
    """The driver's directory in place of a stubs directory, once; the stubs it stands for
    go with it (what the post-link trim judges it by: it may not exist where the link runs)."""
    driver = p.config.driver_dir
    assert driver is not None
    files = tuple(stubs + "/" + n for n in found)
    if driver in seen:
        if driver in plan.vouched:
            plan.vouched[driver] += files
        return
    seen.add(driver)
    if driver in p.caller.place:
        plan.decisions.append(DirDecision(stubs, driver, CALLER_KEEPS, tuple(found)))
        return
    plan.entries.append((driver, DRIVER))
    plan.vouched[driver] = files
    plan.decisions.append(DirDecision(stubs, driver, DRIVER, tuple(found)))


def spelled_apart(value: str, taken: "set[str]") -> str:
    """value with slashes added until it is none of taken: the same directory to the loader,
    another string to GNU ld (which drops a value it has) and to Meson's install (which
    removes the values it passed)."""
    while value in taken:
        value += "/"
    return value


def locate(p: "Policy", search: "list[str]", script: str, entry: str) -> "str | None":
    """The file a script's entry names, looked up as GNU ld does: `-lNAME` in the link's -L
    directories (a static archive found first: no shared library); a path as it is; a
    relative name in the script's own directory (not for mold), then the working directory,
    then, for a bare name, the -L directories."""
    fs = p.fs
    if entry[:2] == "-l":
        spec = entry[2:]
        shared, static = (spec[1:], "") if spec[:1] == ":" else (f"lib{spec}.so", f"lib{spec}.a")
        for d in search:
            if fs.head(d + "/" + shared) is not None:
                return d + "/" + shared
            if static and fs.head(d + "/" + static) is not None:
                return None
        return None
    if entry[:1] == "/":
        return entry if fs.head(entry) is not None else None
    places = [] if p.flavour == MOLD else [os.path.dirname(script)]
    places.append(p.cwd)
    if "/" not in entry:
        places += search
    for d in places:
        path = d + "/" + entry
        if fs.head(path) is not None:
            return path
    return None


def script_libraries(
    p: "Policy", search: "list[str]", script: str, depth: int, visited: "set[str]"
) -> "list[tuple[str, str, str]]":
    """(entry as written, shared library path, the script naming it) for every shared
    library a GNU ld script leads to, following scripts it names in turn; depth-limited and
    cycle-safe. A file that is no script, or cannot be read, leads nowhere."""
    text = p.fs.script(script)
    if text is None or depth >= SCRIPT_DEPTH:
        return []
    key = p.fs.realpath(script)
    if key in visited:
        return []
    visited.add(key)
    from .ldscript import named_inputs  # only links through a linker script pay for it

    out: list[tuple[str, str, str]] = []
    for entry in named_inputs(text):
        path = locate(p, search, script, entry)
        if path is None:
            continue
        if p.fs.is_shared_object(path):
            out.append((entry, path, script))
        else:
            out += script_libraries(p, search, path, depth + 1, visited)
    return out


def through_scripts(
    p: "Policy", req: "LinkRequest", directory: str, found: "list[str]"
) -> "list[Found | DirDecision]":
    """The directories of the shared libraries that found files which are GNU ld scripts
    name, judged like any candidate and marked with the script."""
    out: list[Found | DirDecision] = []
    search: list[str] | None = None
    fs = p.fs
    for name in found:
        script = directory + "/" + (name if "/" not in name else os.path.basename(name))
        if fs.script(script) is None:  # its head is read already, by the target check
            continue
        if search is None:
            search = [normalise(d, p.cwd, p.fs) for d in req.lib_dirs]
        for entry, path, via in script_libraries(p, search, script, 0, set()):
            path = normalise(path, p.cwd, p.fs)
            target, why = gate(p, entry, os.path.dirname(path))
            if target is None:
                if why is not None:
                    why.via = via
                    out.append(why)
                continue
            base = os.path.basename(path)
            if not fitting(p, target, [base]):
                out.append(DirDecision(entry, target, INCOMPATIBLE, (base,), via))
                continue
            out.append((entry, target, [base], via))
    return out


def decide(
    req: "LinkRequest",
    config: "Config",
    fs: "FsView",
    cwd: str,
    is_default_dir: "Callable[[str], bool] | None" = None,
    disabled: bool = False,
    flavour: str = "",
    machine: "str | None" = None,
) -> "RpathPlan":
    """The rpath directories for this link, with a decision for every candidate, in order.
    disabled: rpaths are off for this link (decided by the caller, plan.decide_facts);
    machine: the target without `-m` (a prefixed linker name's), None: this machine."""
    p = Policy(
        config,
        fs,
        cwd,
        is_default_dir,
        off_reason(req, disabled),
        wanted_names(req),
        caller_rpath(req, cwd, fs),
        link_target(req, machine),
        flavour,
    )
    p.output = normalise(req.output or "a.out", cwd, fs)
    plan = RpathPlan()
    seen: set[str] = set()  # ldwrap's own entries
    for is_dir, given in candidates(req):
        for found in judge_dir(p, given) if is_dir else judge_file(p, given):
            if isinstance(found, DirDecision):
                plan.decisions.append(found)
                continue
            if not place(p, plan, seen, *found):
                continue  # its scripts, if any, were followed the first time
            # A library that is a GNU ld script: the libraries it names, in its place.
            for named in through_scripts(p, req, found[1], found[2]):
                if isinstance(named, DirDecision):
                    plan.decisions.append(named)
                else:
                    place(p, plan, seen, *named)
    return plan
