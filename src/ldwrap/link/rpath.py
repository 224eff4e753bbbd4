"""Decide which `-rpath DIR` a link needs. Pure but for the FsView it is handed.

For each library directory, in `-L` order, after normalising it: add `-rpath DIR` when the
directory is inside an allowed prefix and holds a shared library that the link asks for in
dynamic mode. Shared libraries named directly on the command line add their own directory.

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
from .config import MODE_NIX, MODE_NONDEFAULT
from .model import STATIC_PIE, DirDecision, RpathPlan, is_shared_name

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable

    from .config import Config
    from .dirs import FsView
    from .model import LinkRequest

# Verdicts, one per candidate directory.
ADDED = "added"
OUTSIDE = "outside allowed prefixes"
DEFAULT_DIR = "searched by the loader already"
NO_LIBRARY = "no requested shared library here"
STATIC_ONLY = "requested libraries are linked statically"
DUPLICATE = "already added"
COPY = "added as DIR/ before the caller's rpath, which names it too"
SHADOWS = "the caller names it after an entry with the same library: not copied"
BUILD_TREE = "inside a build tree"
DISABLED = "rpath disabled"
NOT_DYNAMIC = "not a dynamic link"
MISSING = "file not found"
STORE_ROOT = "the store itself, not a path in it"
INCOMPATIBLE = "requested libraries here are for another target"


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


def decide(
    req: "LinkRequest",
    settings: "Config",
    fs: "FsView",
    cwd: str,
    is_default_dir: "Callable[[str], bool] | None" = None,
    disabled: "bool | None" = None,
    machine: "str | None" = None,
) -> "RpathPlan":
    """The rpath directories for this link, with a decision for every candidate. disabled
    None: as the config says (NIX_DONT_SET_RPATH comes with the Nix environment, later).
    machine: the target without `-m` (a prefixed linker name's), None: this machine."""
    plan = RpathPlan()
    off = (settings.disable_rpath if disabled is None else disabled) and DISABLED
    if not off and (req.relocatable or req.link_type == STATIC_PIE):
        off = NOT_DYNAMIC
    dynamic_names: dict[str, None] = {}  # ordered set
    static_names: set[str] = set()
    for lib in req.libs:
        for name in lib.filenames():
            if lib.static:
                static_names.add(name)
            else:
                dynamic_names[name] = None
    static_names.difference_update(dynamic_names)
    wanted = list(dynamic_names)
    static_only = list(static_names)
    # One question per directory, so that its contents are read once.
    names = wanted + static_only
    # The caller's rpath: its elements as written, and normalised in order (first place).
    caller_raw: set[str] = set()
    caller: dict[str, int] = {}
    for r in req.rpaths:
        for part in r.split(":"):
            if part:
                caller_raw.add(part)
                caller.setdefault(normalise(part, cwd, fs), len(caller))
    caller_order = list(caller)
    seen: set[str] = set()  # ldwrap's own entries
    # Store paths are never build trees: in a store mode, and a /nix/store path in any mode
    # (Nix beside a distribution), no walk up for build-system markers.
    store_mode = settings.mode == MODE_NIX

    def allowed(path: str) -> "str | None":
        """The path to put in the rpath if the directory may be added, else None."""
        if settings.mode == MODE_NIX and path in settings.prefixes:
            return None  # $NIX_STORE itself holds store paths, not libraries
        if settings.mode == MODE_NONDEFAULT:
            if is_default_dir is not None and is_default_dir(path):
                return None  # the checker knows directories through symlinks too
            return path
        if settings.allows(path):
            return path
        # A symlink outside the prefixes may lead inside; follow it from its own directory.
        real = fs.realpath(path)
        return real if settings.allows(real) else None

    def top_of(path: str) -> str:
        """Where the walk for build-tree markers stops: the allowed prefix that holds path
        (a prefix installed inside a build tree, such as build/stage, is still a prefix),
        else the root."""
        inside = [p for p in settings.prefixes if path == p or path.startswith(p + "/")]
        return max(inside, key=len) if inside else "/"

    def shadows(path: str, found: "list[str]") -> bool:
        """Whether an earlier element of the caller's rpath holds one of these libraries."""
        for earlier in caller_order[: caller[path]]:
            if earlier != path and fs.present(earlier, found, len(found)):
                return True
        return False

    def consider(given: str, path: str, found: "list[str]") -> None:
        libs = tuple(found)
        if path in seen:
            plan.decisions.append(DirDecision(given, path, DUPLICATE, libs))
            return
        if not store_mode and path[:11] != "/nix/store/" and fs.build_tree(path, top_of(path)):
            plan.decisions.append(DirDecision(given, path, BUILD_TREE, libs))
            return
        seen.add(path)
        if path not in caller:
            plan.dirs.append(path)
            plan.decisions.append(DirDecision(given, path, ADDED, libs))
        elif shadows(path, [n for n in found if "/" not in n]):
            plan.decisions.append(DirDecision(given, path, SHADOWS, libs))
        else:
            spelled = path + "/"
            while spelled in caller_raw:  # GNU ld drops a value equal to one it has
                spelled += "/"
            plan.copies.append(spelled)
            plan.decisions.append(DirDecision(given, path, COPY, libs))

    def gate(given: str, path: str) -> "str | None":
        """The directory to look in, or None after recording why there is none."""
        target = None if off else allowed(path)
        if target is None:
            if off:
                verdict = off
            elif settings.mode == MODE_NONDEFAULT:
                verdict = DEFAULT_DIR
            elif settings.mode == MODE_NIX and path in settings.prefixes:
                verdict = STORE_ROOT
            else:
                verdict = OUTSIDE
            plan.decisions.append(DirDecision(given, path, verdict))
        return target

    link_target: list[tuple[int, int, int] | None] = []  # worked out on first use

    def fitting(directory: str, found: "list[str]") -> "list[str]":
        """The found files the linker would take: not built for another target."""
        if not link_target:
            from .targets import of_link

            link_target.append(of_link(req.emulation, machine))
        want = link_target[0]
        if want is None:
            return found
        return [n for n in found if fs.target(directory + "/" + n) in (None, want)]

    # Shared libraries named by path first, in command-line order, then the -L directories
    # in -L order: nixpkgs' order, and RUNPATH order decides which copy of a library wins.
    for given in req.lib_files:
        if not is_shared_name(given):
            continue
        path = normalise(given, cwd, fs)
        target = gate(given, os.path.dirname(path))
        if target is None:
            continue
        base = os.path.basename(path)
        if not fs.present(target, [base], 1):
            plan.decisions.append(DirDecision(given, target, MISSING))
            continue
        if not fitting(target, [base]):
            plan.decisions.append(DirDecision(given, target, INCOMPATIBLE, (base,)))
            continue
        consider(given, target, [base])

    slashed = any("/" in n for n in names)  # -l:sub/libx.so asked for at all
    for given in req.lib_dirs:
        target = gate(given, normalise(given, cwd, fs))
        if target is None:
            continue
        hits = fs.present(target, names, len(names)) if names else []
        found = [n for n in hits if n in dynamic_names] if static_only else hits
        fit = fitting(target, found) if found else found
        if found and not fit:
            plan.decisions.append(DirDecision(given, target, INCOMPATIBLE, tuple(found)))
            continue
        found = fit
        if not found:
            statics = [n for n in hits if n in static_names]
            verdict = STATIC_ONLY if statics else NO_LIBRARY
            plan.decisions.append(DirDecision(given, target, verdict, tuple(statics)))
            continue
        subdirs = {os.path.dirname(n) for n in found if "/" in n} if slashed else None
        if subdirs:
            # -l:sub/libx.so: the library, so the rpath, is in a subdirectory.
            for sub in sorted(subdirs):
                in_sub = [n for n in found if os.path.dirname(n) == sub]
                consider(given, normalise(os.path.join(target, sub), cwd, fs), in_sub)
            found = [n for n in found if "/" not in n]
            if not found:
                continue
        consider(given, target, found)
    return plan


def shrink_candidates(
    req: "LinkRequest", plan: "RpathPlan", added: "list[str]", also_given: "list[str]"
) -> "list[str]":
    """The rpath entries the post-link trim (LDWRAP_SHRINK) may remove: directories this plan
    added for a library asked for under --as-needed, which the linker may then have left out
    of DT_NEEDED, and ldwrap's copies (`DIR/`) of such directories the caller passes too (the
    caller's own spelling stays; CMake and Meson pass one for every linked directory). Pure.

    req: the request as linked (NIX_LDFLAGS* included); added: the flags ldwrap adds, where
    each entry must appear exactly once as `-rpath DIR` (else another source passed it too);
    also_given: directories that came from elsewhere (LD_RUN_PATH) and stay. The caller's own
    -rpath/-R entries, relative entries and entries with `$` tokens always stay.
    """
    if not req.as_needed or not (plan.dirs or plan.copies):
        return []
    wanted = {
        d.path
        for d in plan.decisions
        if d.verdict in (ADDED, COPY, DUPLICATE) and not req.as_needed.isdisjoint(d.libraries)
    }
    if not wanted:
        return []
    keep = set(also_given)
    for r in req.rpaths:
        keep.update(r.split(":"))
    count: dict[str, int] = {}
    for i, word in enumerate(added):
        if word in ("-rpath", "--rpath", "-R") and i + 1 < len(added):
            value = added[i + 1]
        elif word.startswith(("-rpath=", "--rpath=")):
            value = word.partition("=")[2]
        else:
            continue
        for part in value.split(":"):
            count[part] = count.get(part, 0) + 1
    # A copy is its directory spelled with trailing slashes: the same directory to the loader.
    return [
        e
        for e in [*plan.copies, *plan.dirs]
        if (e.rstrip("/") or "/") in wanted
        and e not in keep
        and count.get(e) == 1
        and e[:1] == "/"
        and "$" not in e
    ]
