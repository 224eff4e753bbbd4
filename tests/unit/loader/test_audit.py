"""loader/audit.py, the tree audit's rules for one file, without a file system: each entry
finding from a table (a fake DirFacts says which directories exist and what they hold), the
entries' expansion, what the loader did with a list (from hand-made load edges), and which
findings of a judged load a tree keeps."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

import pytest

from ldwrap.link.targets import ELFCLASS64, ELFDATA2LSB, EM_X86_64
from ldwrap.loader.audit import (
    BUILD_DIR,
    DUPLICATE,
    EMPTY_RUNPATH,
    KINDS,
    LOAD_ERROR,
    RELATIVE,
    SHADOWED,
    STUB,
    TEMP_DIR,
    UNRESOLVED,
    UNUSED,
    Entry,
    ListUse,
    entries,
    entry_findings,
    list_use,
    load_findings,
    own_findings,
)
from ldwrap.loader.config import LoaderConfig
from ldwrap.loader.elf import ElfInfo, Target
from ldwrap.loader.finding import Finding
from ldwrap.loader.fs import FileId
from ldwrap.loader.places import normal_dir, under
from ldwrap.loader.resolve import (
    DIRECT,
    INTERPRETER,
    LD_SO_CACHE,
    NOT_FOUND,
    RPATH,
    RUNPATH,
    Edge,
    LoadedObject,
    LoadResult,
    Searched,
)
from ldwrap.loader.startup import EMPTY_ELEMENT, ENV_ONLY, SYSTEM_COPY, Judgement

X64 = Target(ELFCLASS64, ELFDATA2LSB, EM_X86_64)
CFG = LoaderConfig(
    "glibc",
    "/lib64/ld-linux-x86-64.so.2",
    X64,
    ("/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/", "/lib/", "/usr/lib/"),
    "lib/x86_64-linux-gnu",
    "haswell",
    (),
    (),
    "/etc/ld.so.cache",
    (0x303,),
    0x303,
    1,
    "test",
)
APP = "/p/bin/app"


@dataclass
class FakeFacts:
    """Directories (after normalising, and after `alias`: another spelling of the same
    directory, as a symlink or `..` makes one) and the library names each holds."""

    dirs: dict[str, set[str]]
    alias: dict[str, str] = field(default_factory=dict)
    build: dict[str, str] = field(default_factory=dict)  # directory -> its marker file

    def _real(self, d: str) -> str:
        n = normal_dir(d)
        return self.alias.get(n, n)

    def dir_id(self, directory: str) -> Optional[FileId]:
        real = self._real(directory)
        return (0, sorted(self.dirs).index(real)) if real in self.dirs else None

    def holds(self, directory: str, name: str) -> bool:
        return name in self.dirs.get(self._real(directory), set())

    def build_reason(self, directory: str) -> Optional[str]:
        for top, marker in self.build.items():
            if under(normal_dir(directory), (top,)):
                return f"is in a build tree ({top}/{marker} exists)"
        return None

    def temp_reason(self, directory: str) -> Optional[str]:
        temp = under(normal_dir(directory), ("/tmp", "/var/tmp"))
        return None if temp is None else f"is in the temporary directory {temp}"


FS = FakeFacts(
    dirs={
        "/a": {"liba.so.1"},
        "/b": {"libb.so.2"},
        "/both": {"liba.so.1", "libb.so.2"},
        "/empty": set(),
        "/p/lib": {"libown.so.1"},
        "/tmp/x/lib": {"liba.so.1"},
        "/tmp/p/lib": {"libown.so.1"},
        "/home/u/build/lib": {"liba.so.1"},
        "/cuda/lib64/stubs": {"libcuda.so", "libcuda.so.1"},
    },
    alias={"/p/bin/../lib": "/p/lib", "/tmp/p/bin/../lib": "/tmp/p/lib"},
    build={"/home/u/build": "CMakeCache.txt"},
)


def use(taken: dict[str, list[str]], searched: list[str], found: dict[str, str]) -> ListUse:
    return ListUse(searched=searched, taken=taken, found={**found})


A_FROM_A = use({"/a": ["liba.so.1"]}, ["liba.so.1"], {"liba.so.1": "/a/liba.so.1"})
ONLY_C = use({}, ["libc.so.6"], {"libc.so.6": "/lib/x86_64-linux-gnu/libc.so.6"})
NOTHING = use({}, [], {})

# (id, value, origin, what the loader did, expected (kind, entry as written) in order)
TABLE: list[tuple[str, str, str, Optional[ListUse], list[tuple[str, str]]]] = [
    ("every entry provides", "/a:/b", "/p/bin",
     use({"/a": ["liba.so.1"], "/b": ["libb.so.2"]}, ["liba.so.1", "libb.so.2"],
         {"liba.so.1": "/a/liba.so.1", "libb.so.2": "/b/libb.so.2"}), []),
    ("holds none of the needs", "/a:/empty", "/p/bin", A_FROM_A, [(UNUSED, "/empty")]),
    ("does not exist", "/a:/gone", "/p/bin", A_FROM_A, [(UNUSED, "/gone")]),
    ("nothing is looked for", "/a", "/p/bin", NOTHING, [(UNUSED, "/a")]),
    ("taken from an earlier entry: shadowed", "/a:/both", "/p/bin", A_FROM_A,
     [(SHADOWED, "/both")]),
    ("a library taken elsewhere, still shadowed", "/b:/both", "/p/bin",
     use({"/b": ["libb.so.2"]}, ["libb.so.2"], {"libb.so.2": "/b/libb.so.2"}),
     [(SHADOWED, "/both")]),
    ("doubled: the same string", "/a:/a", "/p/bin", A_FROM_A, [(DUPLICATE, "/a")]),
    ("doubled: trailing slash", "/a:/a/", "/p/bin", A_FROM_A, [(DUPLICATE, "/a/")]),
    ("doubled: // and /./", "/a://a:/./a/.", "/p/bin", A_FROM_A,
     [(DUPLICATE, "//a"), (DUPLICATE, "/./a/.")]),
    ("doubled: $ORIGIN expanded", "$ORIGIN/../lib:/p/lib", "/p/bin",
     use({"/p/bin/../lib": ["libown.so.1"]}, ["libown.so.1"],
         {"libown.so.1": "/p/bin/../lib/libown.so.1"}), [(DUPLICATE, "/p/lib")]),
    ("doubled: ${ORIGIN} spelled", "/p/lib:${ORIGIN}/../lib", "/p/bin",
     use({"/p/lib": ["libown.so.1"]}, ["libown.so.1"], {"libown.so.1": "/p/lib/libown.so.1"}),
     [(DUPLICATE, "${ORIGIN}/../lib")]),
    ("doubled missing directory: by spelling only", "/gone:/gone/", "/p/bin", NOTHING,
     [(UNUSED, "/gone"), (DUPLICATE, "/gone/")]),
    ("an empty element is startup's finding", "/a::/a", "/p/bin", A_FROM_A,
     [(DUPLICATE, "/a")]),
    ("relative", "/a:lib:./x", "/p/bin", A_FROM_A,
     [(RELATIVE, "lib"), (RELATIVE, "./x")]),
    ("build tree", "/home/u/build/lib:/a", "/p/bin",
     use({"/home/u/build/lib": ["liba.so.1"]}, ["liba.so.1"],
         {"liba.so.1": "/home/u/build/lib/liba.so.1"}),
     [(BUILD_DIR, "/home/u/build/lib"), (SHADOWED, "/a")]),
    ("temporary directory, and unused", "/a:/tmp/x/lib", "/p/bin", A_FROM_A,
     [(TEMP_DIR, "/tmp/x/lib"), (SHADOWED, "/tmp/x/lib")]),
    ("$ORIGIN into a temporary directory moves with the file", "$ORIGIN/../lib", "/tmp/p/bin",
     use({"/tmp/p/bin/../lib": ["libown.so.1"]}, ["libown.so.1"],
         {"libown.so.1": "/tmp/p/bin/../lib/libown.so.1"}), []),
    ("stub directory the loader takes from", "/cuda/lib64/stubs", "/p/bin",
     use({"/cuda/lib64/stubs": ["libcuda.so.1"]}, ["libcuda.so.1"],
         {"libcuda.so.1": "/cuda/lib64/stubs/libcuda.so.1"}), [(STUB, "/cuda/lib64/stubs")]),
    ("stub directory holding none of the needs", "/cuda/lib64/stubs/", "/p/bin", ONLY_C,
     [(STUB, "/cuda/lib64/stubs/"), (UNUSED, "/cuda/lib64/stubs/")]),
    ("the load stopped: no usefulness", "/a:/empty:/a:/tmp/x/lib", "/p/bin", None,
     [(DUPLICATE, "/a"), (TEMP_DIR, "/tmp/x/lib")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "origin", "loaded", "expected"), [pytest.param(*r[1:], id=r[0]) for r in TABLE]
)
def test_entry_findings(
    value: str, origin: str, loaded: Optional[ListUse], expected: list[tuple[str, str]]
) -> None:
    items = entries(value, origin, CFG, True)
    got = entry_findings(APP, "RUNPATH", items, loaded, FS)
    assert [(f.kind, f.entry) for f in got] == expected
    for f in got:
        assert f.fails is KINDS[f.kind]
        assert (f.obj, f.tag) == (APP, "RUNPATH")
        assert f.message == f"{APP}: {f.reason}"
        assert f.reason.startswith(f"RUNPATH entry {f.entry}")
        assert "\n" not in f.message
        assert f.fix


def test_messages_say_why() -> None:
    def reasons(value: str, loaded: Optional[ListUse]) -> list[str]:
        items = entries(value, "/p/bin", CFG, True)
        return [f.reason for f in entry_findings(APP, "RPATH", items, loaded, FS)]

    assert reasons("/a:/gone", A_FROM_A) == ["RPATH entry /gone does not exist"]
    assert reasons("/a:/empty", A_FROM_A) == [
        "RPATH entry /empty holds none of the libraries the loader looks for through it (liba.so.1)"
    ]
    assert reasons("/a", NOTHING) == [
        "RPATH entry /a is never searched: the loader looks for no library through it"
    ]
    assert reasons("/a:/both", A_FROM_A) == [
        "RPATH entry /both holds only libraries the loader takes from elsewhere first "
        "(liba.so.1 from /a/liba.so.1)"
    ]
    assert reasons("$ORIGIN/../lib:/p/lib", NOTHING)[1] == (
        "RPATH entry /p/lib is the same directory as entry 1 ($ORIGIN/../lib (/p/bin/../lib)), "
        "which the loader searches first"
    )
    assert reasons("/a:/a/", A_FROM_A) == [
        "RPATH entry /a/ names the same directory as entry 1 (/a), which the loader searches first"
    ]
    assert reasons("/home/u/build/lib", NOTHING)[0] == (
        "RPATH entry /home/u/build/lib is in a build tree (/home/u/build/CMakeCache.txt exists)"
    )


@pytest.mark.parametrize(
    ("value", "origin", "cfg", "expected"),
    [
        ("$ORIGIN/../lib", "/p/bin", CFG, [Entry("$ORIGIN/../lib", "/p/bin/../lib")]),
        ("${ORIGIN}", "/p/bin", CFG, [Entry("${ORIGIN}", "/p/bin")]),
        ("/a/::/b//", "/o", CFG, [Entry("/a/", "/a"), Entry("", "."), Entry("/b//", "/b")]),
        ("/", "/o", CFG, [Entry("/", "/")]),
        ("/x/$LIB", "/o", CFG, [Entry("/x/$LIB", "/x/lib/x86_64-linux-gnu")]),
        ("/x/$PLATFORM:/y", "/o", replace(CFG, platform=None),
         [Entry("/x/$PLATFORM", None), Entry("/y", "/y")]),
        ("rel", "/o", CFG, [Entry("rel", "rel")]),
    ],
)  # fmt: skip
def test_entries_expand_as_the_loader_does(
    value: str, origin: str, cfg: LoaderConfig, expected: list[Entry]
) -> None:
    assert entries(value, origin, cfg, True) == expected


# -- what the loader did with a list, from its edges ------------------------------------------


def _edge(
    name: str,
    path: Optional[str],
    via: str,
    searched: list[Searched],
    by: str = APP,
    owner: Optional[str] = None,
) -> Edge:
    return Edge(name, by, path, via, 1, loaded=path is not None, lookup_name=name,
                via_object=owner, searched=searched)  # fmt: skip


def _result(edges: list[Edge], objects: Optional[list[LoadedObject]] = None) -> LoadResult:
    return LoadResult(APP, CFG, edges, objects=objects or [])


def test_list_use_runpath() -> None:
    mine = Searched(RUNPATH, APP, ["/a", "/b"])
    cache = Searched(LD_SO_CACHE, None, ["/etc/ld.so.cache"])
    edges = [
        _edge("/lib64/ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2", INTERPRETER, []),
        _edge("libb.so.2", "/b/libb.so.2", RUNPATH, [Searched(RUNPATH, APP, ["/a", "/b"])],
              owner=APP),
        _edge("libc.so.6", "/lib/libc.so.6", LD_SO_CACHE, [mine, cache]),
        _edge("libz.so.1", None, NOT_FOUND, [mine, cache]),
        # the same file again, under a second name: found there all the same
        _edge("libb-alias.so", "/b/libb.so.2", RUNPATH, [mine],
              owner=APP + " (same file as loaded object)"),
        # a need of libb, through libb's own RUNPATH: not app's list
        _edge("libq.so", "/q/libq.so", RUNPATH, [Searched(RUNPATH, "/b/libb.so.2", ["/q"])],
              by="/b/libb.so.2", owner="/b/libb.so.2"),
        _edge("/abs/libd.so", "/abs/libd.so", DIRECT, []),  # opened by path: not searched
    ]  # fmt: skip
    got = list_use(_result(edges), APP, RUNPATH)
    assert got.searched == ["libb.so.2", "libc.so.6", "libz.so.1", "libb-alias.so"]
    assert got.taken == {"/b": ["libb.so.2", "libb-alias.so"]}
    assert got.found == {
        "libb.so.2": "/b/libb.so.2",
        "libc.so.6": "/lib/libc.so.6",
        "libz.so.1": None,
        "libb-alias.so": "/b/libb.so.2",
    }


def test_list_use_rpath_counts_what_the_objects_it_loads_need() -> None:
    """RPATH is inherited: a library of the program, without RUNPATH, searches the
    program's RPATH after its own."""
    lib = "/a/liba.so.1"
    edges = [
        _edge("liba.so.1", lib, RPATH, [Searched(RPATH, APP, ["/a"])], owner=APP),
        _edge("libdep.so", "/dep/libdep.so", RPATH,
              [Searched(RPATH, lib, ["/own"]), Searched(RPATH, APP, ["/a", "/dep"])],
              by=lib, owner=APP),
        _edge("libown.so", "/own/libown.so", RPATH, [Searched(RPATH, lib, ["/own"])],
              by=lib, owner=lib),
    ]  # fmt: skip
    got = list_use(_result(edges), APP, RPATH)
    assert got.searched == ["liba.so.1", "libdep.so"]
    assert got.taken == {"/a": ["liba.so.1"], "/dep": ["libdep.so"]}


# -- which findings of the judged load a tree keeps -------------------------------------------


def _info(runpath: Optional[str] = None, rpath: Optional[str] = None) -> ElfInfo:
    return ElfInfo(X64, 3, 0, None, (), None, rpath, runpath, 0, True)


def _obj(path: str, info: ElfInfo) -> LoadedObject:
    return LoadedObject(path, info, set(), None, None, path.rsplit("/", 1)[0], 0)


IN_TREE = {APP, "/p/lib/libin.so"}


def test_load_findings_keep_what_is_this_files() -> None:
    cache = [Searched(LD_SO_CACHE, None, ["/etc/ld.so.cache"])]
    edges = [
        _edge("libmissing.so.1", None, NOT_FOUND, cache),
        _edge("libgone.so", None, NOT_FOUND, cache, by="/p/lib/libin.so"),  # its own audit
        _edge("libsys.so", None, NOT_FOUND, cache, by="/usr/lib/libout.so"),  # outside: here
        _edge("libenv.so", None, NOT_FOUND, cache),  # found only through the environment
    ]
    edges[0].error = "cannot open shared object file: No such file or directory"
    edges[2].error = "wrong ELF class: ELFCLASS32"
    verdict = Judgement(_result(edges))
    verdict.findings = [
        Finding(ENV_ONLY, "libenv.so is found only through LD_LIBRARY_PATH (/e)", True,
                "libenv.so", 3),
        Finding(EMPTY_ELEMENT, "/p/lib/libin.so: RUNPATH ':' ...", True, obj="/p/lib/libin.so"),
        Finding(EMPTY_ELEMENT, "/usr/lib/libout.so: RUNPATH ':' ...", True,
                obj="/usr/lib/libout.so"),
        Finding(SYSTEM_COPY, "libz.so.1 is loaded from ...", True, "libz.so.1", 1,
                obj="/p/lib/libin.so"),
    ]  # fmt: skip
    got = load_findings(verdict, IN_TREE.__contains__, {0: "relink"})
    assert [(f.kind, f.library or f.obj) for f in got] == [
        (UNRESOLVED, "libmissing.so.1"),
        (UNRESOLVED, "libsys.so"),
        (ENV_ONLY, "libenv.so"),
        (EMPTY_ELEMENT, "/usr/lib/libout.so"),
    ]
    assert got[0].reason == "libmissing.so.1 is not found" and got[0].fix == "relink"
    assert got[1].reason == (
        "libsys.so (needed by /usr/lib/libout.so) is not found: wrong ELF class: ELFCLASS32"
    )
    assert all(f.fails for f in got)


@pytest.mark.parametrize(
    ("by", "via", "expected"),
    [
        (APP, INTERPRETER, "the load cannot start: interpreter /lib64/x: No such file"),
        (APP, DIRECT, "the load aborts: interpreter /lib64/x: No such file"),
        ("/p/lib/libin.so", DIRECT, None),  # a corrupt library's own audit says it
    ],
)
def test_load_error(by: str, via: str, expected: Optional[str]) -> None:
    edge = _edge("x", None, via, [], by=by)
    edge.fatal = True
    result = _result([edge])
    result.fatal = "interpreter /lib64/x: No such file"
    got = load_findings(Judgement(result), IN_TREE.__contains__, {})
    assert [f.reason for f in got if f.kind == LOAD_ERROR] == ([expected] if expected else [])
    assert not [f for f in got if f.kind == UNRESOLVED]  # a fatal edge is the load error


def test_own_findings_empty_runpath_and_rpath_ignored() -> None:
    """An empty DT_RUNPATH names nothing, but the loader then ignores the DT_RPATH."""
    result = _result([], [_obj(APP, _info(runpath="", rpath="/r"))])
    got = own_findings(result, FS)
    assert [(f.kind, f.fails, f.tag) for f in got] == [(EMPTY_RUNPATH, False, "RUNPATH")]


def test_own_findings_reads_the_list_in_effect() -> None:
    """RUNPATH wins over RPATH; a static file and one without either have none."""
    result = _result([], [_obj(APP, _info(runpath="/gone", rpath="/empty"))])
    assert [(f.tag, f.entry) for f in own_findings(result, FS)] == [("RUNPATH", "/gone")]
    result = _result([], [_obj(APP, _info(rpath="/gone"))])
    assert [(f.tag, f.entry) for f in own_findings(result, FS)] == [("RPATH", "/gone")]
    assert own_findings(_result([], [_obj(APP, _info())]), FS) == []
    static = LoadResult(APP, CFG, [], static=True)
    assert own_findings(static, FS) == []


def test_every_kind_has_a_severity_and_the_hazards_fail() -> None:
    must_fail = {UNRESOLVED, LOAD_ERROR, EMPTY_ELEMENT, RELATIVE, BUILD_DIR, TEMP_DIR, STUB}
    assert {k for k in must_fail if not KINDS[k]} == set()
    assert not any(KINDS[k] for k in (UNUSED, SHADOWED, DUPLICATE, EMPTY_RUNPATH))
