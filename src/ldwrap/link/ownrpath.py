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
from .buildtrees import CMAKE
from .model import DirDecision
from .rpath import caller_rpath, normalise, spelled_apart
from .verdicts import (
    BUILD_TREE,
    DEFAULT_DIR,
    DUPLICATE,
    ENTRIES,
    OWN_ABSOLUTE,
    OWN_INSTALL_NAMED,
    OWN_NAMED,
    OWN_ORIGIN,
    OWN_UNSAFE,
)

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable

    from .config import Config
    from .fsview import FsView
    from .installdirs import TreeInstall, TreeView
    from .model import LinkRequest, RpathPlan

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


class _Own:
    """What every own-directory candidate of one link is judged against."""

    __slots__ = ("again", "bare", "caller", "ours", "out_tree", "output", "rewrites", "strips")

    def __init__(
        self, req: "LinkRequest", plan: "RpathPlan", fs: "FsView", trees: "TreeView", cwd: str
    ) -> None:
        self.caller = caller_rpath(req, cwd, fs)
        # The caller's entries as written, `${ORIGIN}` spelled `$ORIGIN`, trailing `/` off.
        self.bare = {e.replace("${ORIGIN}", "$ORIGIN").rstrip("/") for e in self.caller.raw}
        self.ours = {e.rstrip("/") or "/" for e in plan.values()}
        self.output = normalise(req.output or "a.out", cwd, fs)
        out_dir = os.path.dirname(self.output)
        # The output's own tree says where it is installed and how its rpath is rewritten;
        # the library's tree (another project's, in a superbuild) says where the library goes.
        self.out_tree = trees.lookup(out_dir)
        # Whether the install takes the caller's rpath out (CMake's and Meson's build
        # rpath): then a caller's entry naming the directory does not count, ours must.
        self.strips = fs.build_system(out_dir) is not None
        self.rewrites = False
        self.again: set[str] = set()

    def settle(self, tree: "TreeInstall | None", req: "LinkRequest") -> None:
        """What follows from the tree the output is installed by (its own, else the
        library's)."""
        if self.out_tree is None:
            self.out_tree = tree
        t = self.out_tree
        self.rewrites = t is not None and t.kind == CMAKE and bool(req.rpaths)
        if t is not None:
            self.again = t.install_rpath_dirs(t.install_dir(os.path.basename(self.output)))


def own_candidates(
    plan: "RpathPlan", config: "Config", trees: "TreeView"
) -> "tuple[TreeInstall | None, list[tuple[str, str]]]":
    """The tree of the first build directory this link takes a library from whose
    configuration can be read, and (where it was learnt, the directory) for each install
    directory: LDWRAP_SELF_RPATH's, else the tree's libdir; none when nothing is known."""
    tree: TreeInstall | None = None
    for d in trees_of(plan):
        tree = trees.lookup(d)
        if tree is not None:
            break
    if config.self_rpath:
        return tree, [(SOURCE_ENV, d) for d in config.self_rpath]
    if tree is not None:
        return tree, [(tree.source, tree.libdir)]
    return tree, []


def decide_own(
    req: "LinkRequest",
    plan: "RpathPlan",
    config: "Config",
    fs: "FsView",
    trees: "TreeView",
    cwd: str,
    is_default_dir: "Callable[[str], bool]",
) -> "tuple[list[tuple[str, str]], list[DirDecision]]":
    """The entries (value, verdict) for the project's own install directories, and a
    decision for each candidate."""
    entries: list[tuple[str, str]] = []
    decisions: list[DirDecision] = []
    if not config.own_rpath_on or not trees_of(plan):
        return entries, decisions
    tree, candidates = own_candidates(plan, config, trees)
    if not candidates:
        return entries, decisions  # no configuration to read: nothing is known
    own = _Own(req, plan, fs, trees, cwd)
    own.settle(tree, req)
    for given, libdir in candidates:
        libdir = os.path.normpath(libdir)
        value, verdict = _judge(own, libdir, entries, fs, trees, is_default_dir)
        if verdict in ENTRIES:
            entries.append((value, verdict))
        decisions.append(DirDecision(given, value, verdict))
    return entries, decisions


def _judge(
    own: "_Own",
    libdir: str,
    entries: "list[tuple[str, str]]",
    fs: "FsView",
    trees: "TreeView",
    is_default_dir: "Callable[[str], bool]",
) -> "tuple[str, str]":
    """The entry for one install directory and its verdict, or the directory and why it
    gets none."""
    if libdir in own.caller.place:
        return libdir, OWN_NAMED
    if libdir in own.again:
        return libdir, OWN_INSTALL_NAMED
    if libdir in own.ours or any(v == libdir for v, _ in entries):
        return libdir, DUPLICATE
    if is_default_dir(libdir):
        return libdir, DEFAULT_DIR
    if fs.build_tree(libdir):
        return libdir, BUILD_TREE  # an install staged inside a build tree: not a prefix
    entry = _origin_entry(own.output, libdir, own.out_tree, trees)
    if entry is not None:
        if not own.strips and entry.rstrip("/") in own.bare:
            return libdir, OWN_NAMED  # the caller's own `$ORIGIN/..` entry, which stays
        # Meson's install removes the values it passed itself: spelled apart from those.
        taken = own.caller.raw | {v for v, _ in entries}
        return spelled_apart(entry, taken), OWN_ORIGIN
    if own.rewrites:
        return libdir, OWN_UNSAFE
    return libdir, OWN_ABSOLUTE


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
