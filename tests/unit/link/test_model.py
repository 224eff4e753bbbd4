"""link/model.py: the data of one link describes itself: the file names a `-l` matches, what a
decision and an invocation give `dry-run --json`, and what nothing has set yet."""

from __future__ import annotations

import pytest

from ldwrap.link.config import Config
from ldwrap.link.model import (
    DYNAMIC,
    DirDecision,
    Extras,
    Invocation,
    LibRequest,
    LinkRequest,
    NixEnv,
    RealLinker,
    RpathPlan,
    is_library_name,
    is_shared_name,
)


@pytest.mark.parametrize(
    ("name", "shared"),
    [
        ("libfoo.so", True),
        ("libfoo.so.1", True),
        ("libfoo.so.1.2.3", True),
        ("/s/lib/libfoo.so", True),
        ("sub/libfoo.so.6", True),
        ("foo.so", True),  # any shared object the linker is given by name
        ("libfoo.a", False),
        ("libfoo.so.a/libbar.a", False),  # only the file's own name counts
        ("libfoo.sox", False),
        ("libfoo.so-1", False),
        ("crt1.o", False),
        ("libfoo.dylib", False),
        ("", False),
    ],
)
def test_is_shared_name(name: str, shared: bool) -> None:
    assert is_shared_name(name) is shared


@pytest.mark.parametrize(
    ("name", "library"),
    [
        ("libfoo.so", True),
        ("libfoo.so.1", True),
        ("libfoo.so.1.2.3", True),
        ("lib.so", True),  # "lib" with an empty name is still what -l looks for
        ("foo.so", False),  # a shared object, but no -l or loader search finds it by this name
        ("libfoo.a", False),
        ("libfoo.sox", False),
        ("Libfoo.so", False),
        ("", False),
    ],
)
def test_is_library_name(name: str, library: bool) -> None:
    """Directory listings hold bare names: the ones a loader or `-l` finds a library by."""
    assert is_library_name(name) is library


@pytest.mark.parametrize(
    ("spec", "names"),
    [
        ("foo", ("libfoo.so",)),
        (":libfoo.so", ("libfoo.so",)),
        (":libfoo.so.1", ("libfoo.so.1",)),
        (":libfoo.so.1.2.3", ("libfoo.so.1.2.3",)),
        (":sub/libfoo.so", ("sub/libfoo.so",)),
        (":libfoo.a", ()),  # an archive never needs an rpath
        (":crt1.o", ()),
    ],
)
def test_library_request_file_names(spec: str, names: tuple[str, ...]) -> None:
    assert LibRequest(spec, False).filenames() == names


@pytest.mark.parametrize(
    ("spec", "static", "exact"),
    [("foo", False, False), (":libfoo.so", False, True), ("foo", True, False)],
)
def test_library_request_fields(spec: str, static: bool, exact: bool) -> None:
    lib = LibRequest(spec, static)
    assert (lib.spec, lib.static, lib.exact) == (spec, static, exact)
    assert repr(lib) == f"LibRequest({spec!r}, static={static})"


def test_a_new_link_request_is_a_plain_dynamic_link() -> None:
    req = LinkRequest()
    assert (req.link_type, req.relocatable, req.query, req.dashdash, req.no_interp) == (
        DYNAMIC,
        False,
        False,
        False,
        False,
    )
    assert (req.lib_dirs, req.libs, req.lib_files, req.kinds, req.rpaths) == (
        [],
        [],
        [],
        bytearray(),
        [],
    )
    assert (req.emulation, req.sysroot, req.output, req.as_needed, req.end_state) == (
        None,
        None,
        None,
        set(),
        (False, False),
    )


@pytest.mark.parametrize(
    ("emulation", "is_32bit"),
    [("elf_i386", True), ("elf_x86_64", False), ("elf32_x86_64", False), (None, False)],
)
def test_only_elf_i386_wants_the_32_bit_loader(emulation: str | None, is_32bit: bool) -> None:
    req = LinkRequest()
    req.emulation = emulation
    assert req.is_32bit is is_32bit


def test_a_decision_as_json_names_its_script_only_when_there_is_one() -> None:
    plain = DirDecision("/s/lib/", "/s/lib", "added", ("libfoo.so",))
    assert plain.as_dict() == {
        "given": "/s/lib/",
        "path": "/s/lib",
        "verdict": "added",
        "libraries": ["libfoo.so"],
    }
    scripted = DirDecision("/s/lib", "/s/lib", "added", via="/s/lib/libc.so")
    assert scripted.as_dict() == {
        "given": "/s/lib",
        "path": "/s/lib",
        "verdict": "added",
        "libraries": [],
        "via": "/s/lib/libc.so",
    }
    assert repr(plain) == "DirDecision('/s/lib/', '/s/lib', 'added')"


def test_a_plans_values_are_its_entries_in_order() -> None:
    plan = RpathPlan()
    assert (plan.values(), plan.decisions, plan.vouched) == ([], [], {})
    plan.entries = [("/b", "added"), ("/a/", "added as DIR/"), ("/b", "added")]
    assert plan.values() == ["/b", "/a/", "/b"]


def test_a_real_linker_runs_its_lead_first() -> None:
    assert (RealLinker("/bin/ld").path, RealLinker("/bin/ld").lead) == ("/bin/ld", ())
    rust = RealLinker("/r/rust-lld", ("-flavor", "gnu"))
    assert repr(rust) == "RealLinker('/r/rust-lld', ('-flavor', 'gnu'))"


def _invocation() -> Invocation:
    config = Config.from_env({"LDWRAP_RPATH_PREFIXES": "/p:/q"})
    return Invocation("ld.lld", ["m.o"], config, RealLinker("/bin/ld.lld"), "lld")


def test_an_invocation_before_its_steps() -> None:
    inv = _invocation()
    assert (inv.added_before, inv.added_after) == ([], [])
    assert inv.args_as_run is inv.caller_args
    assert inv.warnings is inv.config.warnings
    assert (inv.request, inv.plan, inv.extras) == (None, None, None)
    assert (inv.argv, inv.env, inv.shrink_candidates, inv.rsp_writeback) == ([], {}, [], [])
    assert inv.as_dict()["directories"] == []


def test_an_invocation_as_json() -> None:
    inv = _invocation()
    inv.argv = ["/bin/ld.lld", "m.o", "-rpath", "/p/lib"]
    inv.extras = Extras()
    inv.extras.before, inv.extras.after = ["-z", "now"], ["-rpath", "/p/lib"]
    inv.plan = RpathPlan()
    inv.plan.decisions = [DirDecision("/p/lib", "/p/lib", "added", ("libx.so",))]
    inv.shrink_candidates = ["/p/lib"]
    assert inv.as_dict() == {
        "argv": ["/bin/ld.lld", "m.o", "-rpath", "/p/lib"],
        "linker": "/bin/ld.lld",
        "flavour": "lld",
        "added_before": ["-z", "now"],
        "added_after": ["-rpath", "/p/lib"],
        "note": "",
        "prefixes": ["/p", "/q"],
        "mode": inv.config.mode,
        "rule": inv.config.rule,
        "rule_why": inv.config.rule_why,
        "directories": [
            {"given": "/p/lib", "path": "/p/lib", "verdict": "added", "libraries": ["libx.so"]}
        ],
        "shrink": ["/p/lib"],
    }


def test_nixpkgs_settings_before_anything_is_read() -> None:
    nix = NixEnv()
    assert (nix.salt, nix.protocol, nix.dynamic_linker) == ("", "salt", None)
    assert (nix.ldflags_before, nix.ldflags, nix.ldflags_after, nix.hardening) == ([], [], [], [])
    assert not (nix.set_build_id or nix.dont_set_rpath or nix.cc_applied)
    assert not nix.ignore_ld_through_gcc
