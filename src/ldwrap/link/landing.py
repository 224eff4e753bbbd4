"""Where each rpath entry of ldwrap's lands in the command, and which of them the post-link
trim may take out again: the one place that knows. Pure but for the directory listings the
padding rule asks for.

rpath.py and ownrpath.py decide which entries a link gets (RpathPlan.entries, each with its
verdict); flags.py puts the two runs this module returns in their place among nixpkgs' flags
(`before`: after NIX_LDFLAGS_BEFORE and the dynamic linker, just ahead of the caller's
arguments; `after`: after NIX_LDFLAGS, NIX_LDFLAGS_AFTER and the 32-bit dynamic linker).

- Ahead of the caller's arguments: the project's own `$ORIGIN/...` entries, then the copies
  (`DIR/`) of directories the caller's rpath names too. CMake's install replaces its build
  rpath where it stands and drops the separator before it only when it is last: entries in
  front of it survive with no empty element.
- After them, where nixpkgs puts its entries: the project's own absolute directory, then
  every other entry, in the order the link searched.
- A caller's rpath with an empty element (CMake pads its build rpath with `:`): the entries
  after move ahead too, but for a directory holding a library of the same name as one in the
  caller's own rpath directories (an older installed copy), which would win there.
- LD_RUN_PATH: GNU ld uses it only when a link has no -rpath of its own, so once ldwrap adds
  one it passes LD_RUN_PATH's directories on itself, and drops its own entry for each.
"""

from . import oslite as os
from .grammar import BFD
from .model import DYNAMIC
from .verdicts import ADDED, COPY, DRIVER, DUPLICATE, OWN_ABSOLUTE, OWN_ORIGIN

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from .config import Config
    from .model import LinkRequest, RpathPlan

# The side each kind of entry goes to, and its rank there (lower first; entries of one rank
# keep the order they were decided in).
BEFORE = "before"
AFTER = "after"
SPOTS = {
    OWN_ORIGIN: (BEFORE, 0),
    COPY: (BEFORE, 1),
    OWN_ABSOLUTE: (AFTER, 0),
    ADDED: (AFTER, 1),
    DRIVER: (AFTER, 1),
}
RPATH_WORDS = ("-rpath", "--rpath", "-R")
RPATH_JOINED = ("-rpath=", "--rpath=")


class Landing:
    """ldwrap's rpath flags before and after the caller's arguments, and the entries the
    post-link trim may remove."""

    __slots__ = ("after", "before", "trimmable")

    def __init__(self) -> None:
        self.before: list[str] = []
        self.after: list[str] = []
        self.trimmable: list[str] = []


def sides(plan: "RpathPlan") -> "tuple[list[str], list[str]]":
    """The entries before and after the caller's arguments, as their kinds place them."""
    ranked: dict[tuple[str, int], list[str]] = {}
    for value, verdict in plan.entries:
        ranked.setdefault(SPOTS[verdict], []).append(value)
    before = ranked.get((BEFORE, 0), []) + ranked.get((BEFORE, 1), [])
    after = ranked.get((AFTER, 0), []) + ranked.get((AFTER, 1), [])
    return before, after


def rpath_values(words: "list[str]") -> "list[str]":
    """The values of every -rpath/--rpath/-R in words, in every spelling."""
    out: list[str] = []
    for i, w in enumerate(words):
        if w in RPATH_WORDS and i + 1 < len(words):
            out.append(words[i + 1])
        elif w.startswith(RPATH_JOINED):
            out.append(w.partition("=")[2])
    return out


def has_rpath(words: "list[str]") -> bool:
    """Whether words hold an -rpath or --rpath (-R, which GNU ld reads as one only for a
    directory, does not count)."""
    return any(w in ("-rpath", "--rpath") or w.startswith(RPATH_JOINED) for w in words)


def without_rpaths(words: "list[str]") -> "list[str]":
    """words without their -rpath/--rpath options (nixpkgs' filterRpathFlags, every
    spelling; -R is left alone, as nixpkgs leaves it)."""
    out: list[str] = []
    skip = False
    for w in words:
        if skip:
            skip = False
        elif w in ("-rpath", "--rpath"):
            skip = True
        elif not w.startswith(RPATH_JOINED):
            out.append(w)
    return out


def flags(values: "list[str]") -> "list[str]":
    out: list[str] = []
    for v in values:
        out += ("-rpath", v)
    return out


def land(
    req: "LinkRequest",
    linked: "LinkRequest",
    plan: "RpathPlan",
    config: "Config",
    ldflags: "tuple[list[str], list[str]]",
    flavour: str,
    run_path: "list[str]",
) -> "Landing":
    """Where this plan's entries go. req: the caller's arguments; linked: with the
    NIX_LDFLAGS* words (ldflags) counted in; run_path: LD_RUN_PATH's directories as they may
    be used."""
    out = Landing()
    before, after = sides(plan)
    if after and any(_has_empty_element(r) for r in req.rpaths):
        ahead, after = _ahead_of_padding(req.rpaths, after)
        before += ahead
    dynamic = req.link_type == DYNAMIC and not req.relocatable
    passed = run_path and dynamic and not req.rpaths
    if passed:
        # Any -rpath at all switches GNU ld's own LD_RUN_PATH off; the other linkers ignore
        # LD_RUN_PATH unless LDWRAP_LD_RUN_PATH is on (the default).
        ours = bool(before or after) or has_rpath([*ldflags[0], *ldflags[1]])
        passed = ours if flavour == BFD else config.ld_run_path
    out.before = flags(before)
    out.after = flags([*run_path, *(d for d in after if d not in run_path)] if passed else after)
    if config.shrink_on:
        words = [*ldflags[0], *out.before, *ldflags[1], *out.after]
        out.trimmable = trimmable(linked, plan, words, run_path)
    return out


def _has_empty_element(rpath: str) -> bool:
    return rpath[:1] == ":" or rpath[-1:] == ":" or "::" in rpath


def _ahead_of_padding(caller: "list[str]", after: "list[str]") -> "tuple[list[str], list[str]]":
    """The entries after the caller's arguments split into those that may go ahead of them
    and those that stay: a directory holding a library of the same name as one in the
    caller's own rpath directories would win over it there, so it stays."""
    from .fsview import library_names  # only links with a padded rpath pay for listings

    theirs: set[str] = set()
    for value in caller:
        for d in value.split(":"):
            if d[:1] == "/":
                theirs |= library_names(d)
    ahead: list[str] = []
    stay: list[str] = []
    for d in after:
        (stay if theirs & library_names(d) else ahead).append(d)
    return ahead, stay


def trimmable(
    req: "LinkRequest", plan: "RpathPlan", added: "list[str]", also_given: "list[str]"
) -> "list[str]":
    """The entries the post-link trim (LDWRAP_SHRINK) may remove: directories this plan
    added for a library asked for under --as-needed, which the linker may then have left out
    of DT_NEEDED, ldwrap's copies (`DIR/`) of such directories the caller passes too (the
    caller's own spelling stays; CMake and Meson pass one for every linked directory), and
    the entries plan.vouched names (the project's own directory, the driver's) when a library
    they are for was asked for under --as-needed. Pure.

    req: the request as linked (NIX_LDFLAGS* included); added: the flags ldwrap adds, where
    each entry must appear exactly once as `-rpath DIR` (else another source passed it too);
    also_given: directories that came from elsewhere (LD_RUN_PATH) and stay. The caller's own
    -rpath/-R entries, relative entries and other entries with `$` tokens always stay.
    """
    if not req.as_needed or not plan.entries:
        return []
    wanted = {
        d.path
        for d in plan.decisions
        if d.verdict in (ADDED, COPY, DUPLICATE) and not req.as_needed.isdisjoint(d.libraries)
    }
    vouched = {
        e
        for e, libraries in plan.vouched.items()
        if not req.as_needed.isdisjoint(os.path.basename(f) for f in libraries)
    }
    if not wanted and not vouched:
        return []
    keep = set(also_given)
    for r in req.rpaths:
        keep.update(r.split(":"))
    count: dict[str, int] = {}
    for value in rpath_values(added):
        for part in value.split(":"):
            count[part] = count.get(part, 0) + 1
    before, after = sides(plan)
    # A copy is its directory spelled with trailing slashes: the same directory to the loader.
    return [
        e
        for e in [*before, *after]
        if e not in keep
        and count.get(e) == 1
        and (e in vouched or ((e.rstrip("/") or "/") in wanted and e[:1] == "/" and "$" not in e))
    ]
