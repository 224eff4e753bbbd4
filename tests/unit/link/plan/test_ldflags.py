"""plan.py's steps on their own: NIX_LDFLAGS* words merged into the caller's request without
reading the caller's arguments again give what reading the whole command gives."""

from __future__ import annotations

import pytest

from ldwrap.link.argv import parse
from ldwrap.link.config import Config
from ldwrap.link.grammar import FLAVOURS
from ldwrap.link.model import Invocation, LinkRequest, RealLinker
from ldwrap.link.plan import Link, with_ldflags
from ldwrap.link.rpath import candidates

CALLERS = [
    ["-L/c", "-lbar", "main.o"],
    ["-Bstatic", "-lbar"],
    ["--as-needed", "-lq", "/c/libq.so.1"],
    ["-static", "-lbar"],
    ["-L/c", "-lbar", "--", "/c/libafter.so"],
    ["-rpath", "/own", "-lbar"],
]
WORDS = [
    ("", "-L/n"),
    ("-L/b", ""),
    ("-L/b -lfoo", "-L/n -lz /n/libdirect.so"),
    ("", "-rpath /r -L/n"),
    ("--as-needed -lfoo", ""),
    ("--as-needed -lfoo --no-as-needed", "-lz"),
    ("-Bstatic -lfoo", ""),
    ("--push-state -Bstatic -lx --pop-state", "-lz"),
    ("", "-static"),
    ("-m elf_i386", ""),
    ("--sysroot=/s", "-L=/u -lz"),
    ("", "-L$SYSROOT/u"),
    ("-r", ""),
]


def linked(flavour: str, caller: list[str], before: str, after: str) -> LinkRequest:
    """The step on its own: the request with the NIX_LDFLAGS_BEFORE and NIX_LDFLAGS words."""
    link = Link(caller, {}, "/")
    config = Config.from_env({}, nix_store_exists=False)
    inv = Invocation("ld", caller, config, RealLinker("/bin/true"), flavour)
    inv.request = parse(flavour, caller)
    link.nix.ldflags_before, link.nix.ldflags = before.split(), after.split()
    with_ldflags(link, inv)
    return link.linked


def facts(req: LinkRequest) -> dict[str, object]:
    return {
        "order": list(candidates(req)),
        "lib_dirs": req.lib_dirs,
        "lib_files": req.lib_files,
        "libs": [(lib.spec, lib.static) for lib in req.libs],
        "rpaths": req.rpaths,
        "as_needed": sorted(req.as_needed),
        "link_type": req.link_type,
        "relocatable": req.relocatable,
        "emulation": req.emulation,
        "sysroot": req.sysroot,
        "dashdash": req.dashdash,
    }


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("caller", CALLERS, ids=" ".join)
@pytest.mark.parametrize(("before", "after"), WORDS, ids=[f"{b}|{a}" for b, a in WORDS])
def test_words_merged_read_like_the_whole_command(
    flavour: str, caller: list[str], before: str, after: str
) -> None:
    req = parse(flavour, caller)
    # Words after the caller's go before a top-level `--`, where the command puts them.
    cut = caller.index("--") if req.dashdash else len(caller)
    whole = [*before.split(), *caller[:cut], *after.split(), *caller[cut:]]
    assert facts(linked(flavour, caller, before, after)) == facts(parse(flavour, whole))


@pytest.mark.parametrize(
    ("before", "after", "again"),
    [("-L/b", "-L/n -lz", False), ("", "-rpath /r", False), ("-Bstatic", "", True)],
)
def test_the_callers_arguments_are_read_again_only_when_the_words_change_them(
    monkeypatch: pytest.MonkeyPatch, before: str, after: str, again: bool
) -> None:
    from ldwrap.link import plan

    seen: list[list[str]] = []

    def counting(flavour: str, args: list[str], *rest: tuple[bool, bool]) -> LinkRequest:
        seen.append(list(args))
        return parse(flavour, args, *rest)

    monkeypatch.setattr(plan, "parse", counting)
    linked("bfd", ["-L/c", "-lbar", "main.o"], before, after)
    assert any("-lbar" in args for args in seen) == again
