"""Each installed linker's own --help against the grammar tables: a new option on a letter the
shim acts on must get a measured row before the shim reads it, and gold reads every long name
it lists whole."""

from __future__ import annotations

import re
import subprocess

import pytest

from helpers.grammar_reference import LETTER_LIKE, ROWS, SEPARATE_ROWS
from ldwrap.link.grammar import BFD, GOLD, LLD, MOLD, UNKNOWN, classify

LINKER_OF = {BFD: "ld.bfd", GOLD: "ld.gold", LLD: "ld.lld", MOLD: "mold"}
# Letters that take a value and name something the shim acts on: a wrong split there changes
# the decision (lld has no -a or -I, mold no -a).
TRACKED = {BFD: "lLomhRITa", LLD: "lLomhRT", MOLD: "lLomhRIT"}
# bfd names that only PE emulations know, or that bfd 2.40 cannot disambiguate: bfd rejects
# them under ELF, so the link fails whichever way they are read.
BFD_REJECTS = {"heap", "add-stdcall-alias", "architecture", "image-base"}


def _help_names(linker: str) -> set[str]:
    """The option names (without dashes) the installed linker's --help lists."""
    text = subprocess.run([linker, "--help"], capture_output=True, text=True, check=False).stdout
    names: set[str] = set()
    for line in text.splitlines():
        head = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0]
        for part in head.split(", "):
            m = re.match(r"^-{1,2}([A-Za-z0-9][A-Za-z0-9_-]*[A-Za-z0-9])", part.strip())
            if m:
                names.add(m.group(1))
    return names


@pytest.mark.parametrize("flavour", (BFD, LLD, MOLD))
def test_every_help_option_on_a_tracked_letter_is_in_a_table(flavour: str) -> None:
    # The installed linker's own --help: a new option on l, L, o, m, h, R, I, T or a must get
    # a measured row before the shim reads it. (gold: every name, in the test below.)
    listed = {s.lstrip("-") for f, s, _ in LETTER_LIKE if f == flavour}
    names = _help_names(LINKER_OF[flavour])
    assert len(names) > 100  # the help text was read
    missing = {n for n in names if n[0] in TRACKED[flavour]} - listed - SEPARATE_ROWS[flavour]
    if flavour == BFD:
        missing -= BFD_REJECTS
    assert missing == set()


def test_gold_reads_every_long_name_of_its_help_whole() -> None:
    # gold splits an unknown one-dash word into short options (`-so X` is `-s -o X`), but every
    # name its --help lists it reads whole, except the two it knows only with two dashes and
    # one it does not know with one.
    split = {"oformat": ("output", "format", 1), "omagic": ("output", "magic", 1)}
    aliases = {"Bshareable": "shared", "dn": "Bstatic", "dy": "Bdynamic", "pic-executable": "pie"}
    # `-output F` is gold's alone (the reference table lists the names shared with others).
    consuming = {n for n in SEPARATE_ROWS[GOLD] if "1" in dict(ROWS)[n][GOLD]} | {"output"}
    wrong = {}
    for n in sorted(_help_names("ld.gold")):
        got = classify(GOLD, ["-" + n, "V", "x.o"], 0)
        if n in split:
            want: tuple[object, ...] = split[n]
        elif n == "disable-new-dtags":
            want = (UNKNOWN, None, 1)
        elif n in consuming:
            want = (n, "V", 2)
        else:
            want = (aliases.get(n, n), None, 1)
        if got != want:
            wrong[n] = got
    assert wrong == {}
