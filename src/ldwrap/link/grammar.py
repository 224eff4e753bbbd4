"""Tokenise one linker argument the way bfd, gold, lld or mold would.

`classify` answers, for the element at position i: which option is it (a canonical name, or
None for an input file), what is its value, and how many argv elements it uses. Only the
options the shim acts on get canonical names; every other option is still consumed correctly
so that its value is never read as an input, a `-L` or a `-l`.
"""

from ._grammar_data import BFD_LONG_NAMES, ONE_DASH_FLAGS, SEPARATE_ONE_DASH, SEPARATE_TWO_DASHES

BFD = "bfd"
GOLD = "gold"
LLD = "lld"
MOLD = "mold"
FLAVOURS = (BFD, GOLD, LLD, MOLD)

UNKNOWN = "?"  # an option this flavour rejects or that we cannot classify

# Single-letter options that take a value, joined (-Lx) or separate (-L x).
_VALUE_LETTERS = {
    BFD: frozenset("AabcefFhILlmoOPRTuYyz"),
    GOLD: frozenset("befFhILlmoORTuYyz"),
    LLD: frozenset("ehLlmoORTuyzG"),
    MOLD: frozenset("CefFhILlmoORTuyz"),
}
# lld's Separate-only letters: `-b x` consumes, `-bx` is an unknown argument.
_SEPARATE_ONLY_LETTERS = {LLD: frozenset("bFf"), MOLD: frozenset("b")}
# Flag letters that may be grouped (`-sS`); a value letter ends the group.
_FLAG_LETTERS = frozenset("dEgiMnNqrsStvVxX")

# Canonical names of the letters and long names the shim acts on.
_LETTER_NAMES = {
    "L": "library-path",
    "l": "library",
    "I": "dynamic-linker",
    "h": "soname",
    "o": "output",
    "m": "m",
    "R": "R",
    "a": "a",
    "T": "script",
}
_ALIASES = {
    "Bstatic": "Bstatic",
    "dn": "Bstatic",
    "non_shared": "Bstatic",
    "Bdynamic": "Bdynamic",
    "dy": "Bdynamic",
    "call_shared": "Bdynamic",
    "static": "static",
    "static-pie": "static-pie",
    "push-state": "push-state",
    "pop-state": "pop-state",
    "as-needed": "as-needed",
    "no-as-needed": "no-as-needed",
    "relocatable": "relocatable",
    "r": "relocatable",
    "i": "relocatable",
    "Ur": "relocatable",
    "shared": "shared",
    "Bshareable": "shared",
    "pie": "pie",
    "pic-executable": "pie",
    "no-pie": "no-pie",
    "no-dynamic-linker": "no-dynamic-linker",
    "version": "version",
    "v": "version",
    "V": "version",
    "help": "help",
    "enable-new-dtags": "enable-new-dtags",
    "disable-new-dtags": "disable-new-dtags",
    "rpath": "rpath",
    "library-path": "library-path",
    "library": "library",
    "sysroot": "sysroot",
    "dynamic-linker": "dynamic-linker",
    "soname": "soname",
    "output": "output",
    "script": "script",
}
# Flags (no value) the shim tracks; all spellings take one or two dashes.
_TRACKED_FLAGS = frozenset(
    {
        "Bstatic",
        "dn",
        "non_shared",
        "Bdynamic",
        "dy",
        "call_shared",
        "static",
        "static-pie",
        "push-state",
        "pop-state",
        "as-needed",
        "no-as-needed",
        "relocatable",
        "Ur",
        "shared",
        "Bshareable",
        "pie",
        "pic-executable",
        "no-pie",
        "no-dynamic-linker",
        "version",
        "help",
        "enable-new-dtags",
        "disable-new-dtags",
    }
)


_SEP1, _SEP2 = SEPARATE_ONE_DASH, SEPARATE_TWO_DASHES
# Long flags read whole after one dash where their first letter would otherwise take the rest
# as its value (gold's `-EL` is no `-E -L`, lld's `-merge-exidx-entries` no `-m`).
_FLAGS = ONE_DASH_FLAGS
_BFD_NAMES: "tuple[str, ...] | None" = None
# bfd's two-dash-only names: getopt_long_only matches abbreviations against the others first,
# so `--out F` is `--out-implib F`, not an ambiguous `--out`.
_BFD_TWO_DASH = (_SEP2[BFD] - _SEP1[BFD]) | {"omagic", "no-omagic"}
# Tracked spellings a flavour does not have; gold then splits `-non_shared` into `-n -o ...`.
_NOT_OPTIONS = {
    GOLD: (
        frozenset({"non_shared", "call_shared", "disable-new-dtags", "no-dynamic-linker"}),
        frozenset({"non_shared", "call_shared", "relocatable", "no-dynamic-linker"}),
    ),
    MOLD: (frozenset({"non_shared", "call_shared"}),) * 2,
}


def _known(flavour: str, name: str, dashes: int) -> bool:
    """Whether a tracked flag is an option of this flavour with this many dashes."""
    excluded = _NOT_OPTIONS.get(flavour)
    return excluded is None or name not in excluded[dashes - 1]


def _bfd_names() -> "tuple[str, ...]":
    # Built on first use: only bfd abbreviations need it.
    global _BFD_NAMES
    if _BFD_NAMES is None:
        names = set(BFD_LONG_NAMES.split()) | _SEP1[BFD] | _SEP2[BFD] | _TRACKED_FLAGS
        _BFD_NAMES = tuple(sorted(names))
    return _BFD_NAMES


def _bfd_expand(name: str, dashes: int = 2) -> "str | None":
    """getopt_long_only: an exact name, else the unique name it abbreviates; UNKNOWN when
    the abbreviation is ambiguous. One-dash-capable names are tried first; a single-dash
    token never matches a two-dash-only name (bfd then reads it as short options)."""
    names = _bfd_names()
    if name in names and (dashes == 2 or name not in _BFD_TWO_DASH):
        return name
    hits = [n for n in names if n.startswith(name)]
    first = [n for n in hits if n not in _BFD_TWO_DASH]
    if len(first) > 1:
        return UNKNOWN
    if first or dashes == 1:
        return first[0] if first else None
    return hits[0] if len(hits) == 1 else (UNKNOWN if hits else None)


Classified = tuple["str | None", "str | None", int]


def classify(flavour: str, args: "list[str]", i: int) -> "tuple[str | None, str | None, int]":
    """Classify args[i]: (option name or None for an input, value, elements used)."""
    tok = args[i]
    if len(tok) < 2 or tok[0] != "-":
        return None, tok, 1
    if tok[1] == "-":
        if tok == "--":
            return "--", None, 1
        return _long(flavour, args, i, tok[2:], 2)
    body = tok[1:]
    if body[0] == "L" and len(body) > 1:
        # No long option of any flavour starts with L: the common joined -Ldir, decided early.
        return "library-path", body[1:], 1
    if flavour == BFD and body[0] in "lm" and len(body) > 1:
        # bfd rewrites every -lX to --library=X before parsing (a bare -l takes the next), and
        # its emulation pre-scan takes every -mX as `-m X` (`-map-whole-files` too).
        return _LETTER_NAMES[body[0]], body[1:], 1
    name = body.split("=", 1)[0]
    if name in _SEP1[flavour] or (name in _TRACKED_FLAGS and _known(flavour, name, 1)):
        if flavour == GOLD and name == "relocatable":
            return "relocatable", None, 1
        if not (name[0] == "o" and flavour == MOLD):  # mold: -oX is always -o X
            return _long(flavour, args, i, body, 1)
    if name in _FLAGS[flavour]:
        return _long(flavour, args, i, body, 1)
    if flavour == BFD and len(body) > 1:
        full = _bfd_expand(name, 1)
        if full == UNKNOWN:
            return UNKNOWN, None, 1  # an ambiguous abbreviation: bfd rejects it
        if full is not None:
            return _long(flavour, args, i, full + body[len(name) :], 1)
    return _short(flavour, args, i, body)


def _long(flavour: str, args: "list[str]", i: int, body: str, dashes: int) -> "Classified":
    name, eq, value = body.partition("=")
    if flavour == BFD and name not in _SEP2[BFD] and name not in _TRACKED_FLAGS:
        full = _bfd_expand(name, dashes)
        if full == UNKNOWN:
            return UNKNOWN, None, 1
        name = full or name
    canon = _ALIASES.get(name, name)
    if eq:
        return canon, value, 1
    seps = _SEP1 if dashes == 1 else _SEP2
    if name in seps[flavour]:
        if i + 1 < len(args):
            return canon, args[i + 1], 2
        return canon, None, 1
    if name in _TRACKED_FLAGS and not _known(flavour, name, dashes):
        return UNKNOWN, None, 1
    if name in _TRACKED_FLAGS or name in _SEP1[flavour] or name in _SEP2[flavour]:
        return canon, None, 1
    known = name in _FLAGS[flavour] or (flavour == BFD and name in _bfd_names())
    return (name if known else UNKNOWN), None, 1


def _short(flavour: str, args: "list[str]", i: int, body: str) -> "Classified":
    letter = body[0]
    if letter == "G" and flavour in (BFD, GOLD):
        # bfd: -G N is the small-data size only when N starts with a digit; else --shared.
        if len(body) > 1:
            return ("G", body[1:], 1) if flavour == BFD else (UNKNOWN, None, 1)
        if flavour == BFD and i + 1 < len(args) and args[i + 1][:1].isdigit():
            return "G", args[i + 1], 2
        return "shared", None, 1
    if letter in _SEPARATE_ONLY_LETTERS.get(flavour, ()):
        if len(body) > 1:
            return UNKNOWN, None, 1
        return _take(letter, args, i, "")
    if letter in _VALUE_LETTERS[flavour]:
        return _take(letter, args, i, body[1:])
    if letter in _FLAG_LETTERS and flavour in (BFD, GOLD):
        # A group of short flags; the first value letter takes the rest, or the next element.
        for pos, c in enumerate(body):
            if c in _VALUE_LETTERS[flavour]:
                return _take(c, args, i, body[pos + 1 :])
            if c not in _FLAG_LETTERS:
                return UNKNOWN, None, 1
        if len(body) == 1:
            return _ALIASES.get(letter, letter), None, 1
        return "-" + body, None, 1
    if len(body) == 1 and letter in _FLAG_LETTERS and letter != "i":
        # (-i, relocatable, is bfd and gold only: handled above.)
        return _ALIASES.get(letter, letter), None, 1
    return UNKNOWN, None, 1


def _take(letter: str, args: "list[str]", i: int, joined: str) -> "Classified":
    canon = _LETTER_NAMES.get(letter, letter)
    if joined:
        return canon, joined, 1
    if i + 1 < len(args):
        return canon, args[i + 1], 2
    return canon, None, 1
