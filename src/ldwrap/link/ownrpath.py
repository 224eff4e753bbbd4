"""The project's own install directory on the output's rpath. Pure but for the views handed in.

A link that takes a shared library from a build tree gets none of that tree on its rpath
(rpath.decide's BUILD_TREE verdict): the build system points its programs at it. Once
installed, such a program needs the directory the build installs its libraries into, which
the build system's configuration in the tree names (installdirs.py), or LDWRAP_SELF_RPATH.

How the entry is spelled and where it goes, so that both the build tree and the install work:
- `$ORIGIN/<from the output's install directory to the library directory>/` before the
  caller's arguments. It names the install directory only once installed; in the build tree
  it resolves next to the build's own output, which must be inside the build tree or a
  directory nobody else can create, so the build tree runs what it ran without ldwrap (even
  with an older copy installed in the prefix) and nothing can be slipped in there. Being
  before the caller's rpath, CMake's install (which replaces its own string by position and
  leaves whatever follows it) leaves no empty element; its trailing slash makes it a string
  Meson did not pass, so Meson's install keeps it.
- Where that resolution is not safe: the absolute directory after the caller's arguments,
  except in a CMake tree that passes its own rpath (its install would leave `:DIR`, whose
  empty element glibc searches as the working directory): then nothing.
The output's install directory is the library directory for a shared library (a file named
lib*.so or lib*.so.N) and, for a program, the bindir of the build tree the output is written
into. A module (another *.so: an engine, a plugin, a Python extension) may be installed
anywhere: it gets the absolute directory.

In a Nix build stdenv's NIX_LDFLAGS carry `-rpath $out/lib` already, and nixpkgs' wrapper adds
nothing for a build tree: so nothing is added there (Config.own_rpath_on).
"""

from . import oslite as os
from .installdirs import CMAKE
from .model import DirDecision
from .rpath import BUILD_TREE, DEFAULT_DIR, DUPLICATE, normalise

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable

    from .config import Config
    from .dirs import FsView
    from .installdirs import TreeInstall, TreeView
    from .model import LinkRequest, RpathPlan

OWN_ORIGIN = "the project's install directory, seen from the installed output: before the caller's"
OWN_ABSOLUTE = "the project's install directory: after the caller's arguments"
OWN_NAMED = "the caller's rpath names the project's install directory already"
OWN_INSTALL_NAMED = "CMake's install RPATH names the project's install directory already"
OWN_UNSAFE = (
    "the project's install directory: $ORIGIN would reach a directory others may create "
    "from the build tree, and CMake's install would leave an empty element after it"
)
SOURCE_ENV = "LDWRAP_SELF_RPATH"


def relpath(target: str, start: str) -> str:
    """target relative to start, both absolute and normalised; "." when equal."""
    t = [p for p in target.split("/") if p]
    s = [p for p in start.split("/") if p]
    n = 0
    while n < len(t) and n < len(s) and t[n] == s[n]:
        n += 1
    parts = [".."] * (len(s) - n) + t[n:]
    return "/".join(parts) or "."


def trees_of(plan: "RpathPlan") -> "list[str]":
    """The build-tree directories this link takes a shared library from, in order."""
    out: list[str] = []
    for d in plan.decisions:
        if d.verdict == BUILD_TREE and d.libraries and d.path not in out:
            out.append(d.path)
    return out


def tree_libraries(plan: "RpathPlan") -> "tuple[str, ...]":
    """The library files this link takes from build trees: what the own entry is for."""
    out: dict[str, None] = {}
    for d in plan.decisions:
        if d.verdict == BUILD_TREE:
            for name in d.libraries:
                out[d.path + "/" + name] = None
    return tuple(out)


def decide_own(
    req: "LinkRequest",
    plan: "RpathPlan",
    config: "Config",
    fs: "FsView",
    trees: "TreeView",
    cwd: str,
    is_default_dir: "Callable[[str], bool]",
) -> "tuple[list[str], list[str], list[DirDecision]]":
    """The entries to add before and after the caller's arguments for the project's own
    install directories, and a decision for each candidate."""
    before: list[str] = []
    after: list[str] = []
    decisions: list[DirDecision] = []
    if not config.own_rpath_on:
        return before, after, decisions
    build_dirs = trees_of(plan)
    if not build_dirs:
        return before, after, decisions
    tree: TreeInstall | None = None
    for d in build_dirs:
        tree = trees.lookup(d)
        if tree is not None:
            break
    if config.self_rpath:
        candidates = [(SOURCE_ENV, d) for d in config.self_rpath]
    elif tree is not None:
        candidates = [(tree.source, tree.libdir)]
    else:
        return before, after, decisions  # no configuration to read: nothing is known

    caller_raw: set[str] = set()
    caller: set[str] = set()
    for r in req.rpaths:
        for part in r.split(":"):
            if part:
                caller_raw.add(part)
                caller.add(normalise(part, cwd, fs))
    caller_bare = {e.replace("${ORIGIN}", "$ORIGIN").rstrip("/") for e in caller_raw}
    ours = {e.rstrip("/") or "/" for e in (*plan.dirs, *plan.copies)}
    output = normalise(req.output or "a.out", cwd, fs)
    # The output's own tree says where it is installed and how its rpath is rewritten; the
    # library's tree (another project's, in a superbuild) says where the library goes.
    out_tree = trees.lookup(os.path.dirname(output)) or tree
    rewrites = out_tree is not None and out_tree.kind == CMAKE and bool(req.rpaths)
    # Whether the install takes the caller's rpath out (CMake's and Meson's own build rpath):
    # then an entry of the caller's naming the directory does not count, a copy of ours must.
    strips = fs.build_system(os.path.dirname(output)) is not None
    installed_in = out_tree.install_dir(os.path.basename(output)) if out_tree else None
    again = out_tree.install_rpath_dirs(installed_in) if out_tree else set()
    for given, libdir in candidates:
        libdir = os.path.normpath(libdir)
        if libdir in caller:
            verdict = OWN_NAMED
        elif libdir in again:
            verdict = OWN_INSTALL_NAMED
        elif libdir in ours or libdir in after:
            verdict = DUPLICATE
        elif is_default_dir(libdir):
            verdict = DEFAULT_DIR
        elif fs.build_tree(libdir):
            verdict = BUILD_TREE  # an install staged inside a build tree: not a prefix
        else:
            entry = _origin_entry(output, libdir, out_tree, trees)
            if entry is not None and not strips and entry.rstrip("/") in caller_bare:
                verdict = OWN_NAMED  # the caller's own `$ORIGIN/..` entry, which stays
            elif entry is not None:
                while entry in caller_raw or entry in before:
                    entry += "/"  # Meson's install removes the values it passed itself
                before.append(entry)
                decisions.append(DirDecision(given, entry, OWN_ORIGIN))
                continue
            elif rewrites:
                verdict = OWN_UNSAFE
            else:
                after.append(libdir)
                decisions.append(DirDecision(given, libdir, OWN_ABSOLUTE))
                continue
        decisions.append(DirDecision(given, libdir, verdict))
    return before, after, decisions


def _origin_entry(
    output: str, libdir: str, tree: "TreeInstall | None", trees: "TreeView"
) -> "str | None":
    """`$ORIGIN/<rel>/` naming libdir from where the output is installed, when what it names
    from the build tree is safe (see the module's docstring); else None."""
    if tree is None:
        return None
    installed_in = tree.install_dir(os.path.basename(output))
    if installed_in is None:
        return None  # a module (an engine, a plugin, a Python extension): installed anywhere
    rel = relpath(libdir, installed_in)
    here = trees.realpath(os.path.dirname(output))
    reached = os.path.normpath(os.path.join(here, rel))
    root = trees.realpath(tree.root)
    inside = reached == root or reached.startswith(root.rstrip("/") + "/")
    if not inside and trees.others_may_create(reached):
        return None
    return "$ORIGIN/" if rel == "." else "$ORIGIN/" + rel + "/"
