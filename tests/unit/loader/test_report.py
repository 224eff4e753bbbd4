"""The text, tree and JSON forms of a judged load, on hand-built load results (the same forms on
real binaries are in tests/integration/loader/test_check.py)."""

from __future__ import annotations

import pytest

from ldwrap.link.targets import (
    ELFCLASS64,
    ELFDATA2LSB,
    EM_X86_64,
)
from ldwrap.loader.config import LoaderConfig
from ldwrap.loader.elf import (
    ElfInfo,
    Target,
)
from ldwrap.loader.finding import Finding
from ldwrap.loader.report import (
    fix_line,
    render_text,
    render_tree,
    result_json,
    searched_line,
)
from ldwrap.loader.resolve import (
    ALREADY_LOADED,
    DEFAULT_DIRS,
    INTERPRETER,
    LD_LIBRARY_PATH,
    LD_SO_CACHE,
    NOT_FOUND,
    RPATH,
    RUNPATH,
    Attempt,
    Edge,
    LoadedObject,
    LoadResult,
    Searched,
)
from ldwrap.loader.startup import (
    EMPTY_ELEMENT,
    ENV_CHANGES,
    ENV_ONLY,
    Judgement,
    empty_element_findings,
    env_findings,
)

X64 = Target(ELFCLASS64, ELFDATA2LSB, EM_X86_64)
SYS = ("/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/", "/lib/", "/usr/lib/")
CFG = LoaderConfig(
    "glibc",
    "/lib64/ld-linux-x86-64.so.2",
    X64,
    SYS,
    "lib/x86_64-linux-gnu",
    None,
    (),
    (),
    "/etc/ld.so.cache",
    (0x303,),
    0x303,
    1,
    "test",
)
APP = "/home/u/app"
NO_FILE = "cannot open shared object file: No such file or directory"
DEFAULTS = Searched(DEFAULT_DIRS, None, [d.rstrip("/") for d in SYS])
CACHE = Searched(LD_SO_CACHE, None, ["/etc/ld.so.cache"])


def interp() -> Edge:
    return Edge(CFG.interp, APP, CFG.interp, INTERPRETER, 1, loaded=True)


def libc() -> Edge:
    return Edge(
        "libc.so.6",
        APP,
        "/lib/x86_64-linux-gnu/libc.so.6",
        LD_SO_CACHE,
        1,
        loaded=True,
        lookup_name="libc.so.6",
    )


def missing(
    name: str = "libfoo.so.1",
    by: str = APP,
    searched: list[Searched] | None = None,
    probes: int = 77,
) -> Edge:
    tried = [
        Attempt(f"/lib/x86_64-linux-gnu/sub{i}/{name}", "default_dirs", "missing")
        for i in range(probes)
    ]
    return Edge(
        name,
        by,
        None,
        NOT_FOUND,
        1,
        lookup_name=name,
        tried=tried,
        searched=searched if searched is not None else [CACHE, DEFAULTS],
        error=NO_FILE,
    )


def judged(*edges: Edge, findings: tuple[Finding, ...] = ()) -> Judgement:
    return Judgement(LoadResult(APP, CFG, list(edges)), list(findings))


def test_one_missing_library_is_five_lines_and_verbose_adds_the_probes() -> None:
    verdict = judged(interp(), missing(), libc())
    fixes = {1: "/opt/x/lib"}
    text = render_text(verdict, fixes=fixes).splitlines()
    assert text == [
        APP,
        f"    {CFG.interp} [interpreter]",
        "    libfoo.so.1 => not found",
        "        searched: RUNPATH (none), ld.so.cache, /lib/x86_64-linux-gnu, "
        "/usr/lib/x86_64-linux-gnu, /lib, /usr/lib",
        "        fix: libfoo.so.1 is in /opt/x/lib: relink through ldwrap with -L/opt/x/lib, "
        "or add -Wl,-rpath,/opt/x/lib",
        "    libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 [ld.so.cache]",
    ]
    verbose = render_text(verdict, verbose=True, fixes=fixes).splitlines()
    assert len(verbose) == len(text) + 77
    assert "        tried /lib/x86_64-linux-gnu/sub0/libfoo.so.1 (default_dirs: missing)" in verbose


@pytest.mark.parametrize(
    ("searched", "expected"),
    [
        (
            [CACHE, DEFAULTS],
            "RUNPATH (none), ld.so.cache, /lib/x86_64-linux-gnu, "
            "/usr/lib/x86_64-linux-gnu, /lib, /usr/lib",
        ),
        (
            [Searched(RUNPATH, APP, ["/opt/a/lib", "/opt/b/lib"]), CACHE],
            "RUNPATH (/opt/a/lib, /opt/b/lib), ld.so.cache",
        ),
        (
            [Searched(RPATH, "/x/libp.so", ["/p"]), Searched(RPATH, APP, ["/q"])],
            "RPATH of libp.so (/p), RPATH of app (/q)",
        ),
        (
            [Searched(LD_LIBRARY_PATH, None, ["/l"]), Searched(RUNPATH, APP, [])],
            "LD_LIBRARY_PATH (/l), RUNPATH (no usable directory)",
        ),
        (
            [CACHE, Searched(DEFAULT_DIRS, None, [], "skipped: nodefaultlib")],
            "RUNPATH (none), ld.so.cache, default dirs (skipped: nodefaultlib)",
        ),
    ],
)
def test_searched_line_collapses_each_list(searched: list[Searched], expected: str) -> None:
    assert searched_line(missing(searched=searched)) == "searched: " + expected


@pytest.mark.parametrize(
    ("by", "where", "expected"),
    [
        (
            APP,
            "/opt/x/lib",
            "fix: libfoo.so.1 is in /opt/x/lib: relink through ldwrap with "
            "-L/opt/x/lib, or add -Wl,-rpath,/opt/x/lib",
        ),
        (
            APP,
            None,
            "fix: relink through ldwrap with -L<directory of libfoo.so.1>, or add "
            "-Wl,-rpath,<that directory>",
        ),
        # A library's own need: the library is what has to record the directory.
        (
            "/opt/y/lib/liby.so",
            "/opt/x/lib",
            "fix: libfoo.so.1 is in /opt/x/lib: relink liby.so "
            "through ldwrap with -L/opt/x/lib, or add "
            "-Wl,-rpath,/opt/x/lib to its link",
        ),
    ],
)
def test_fix_line(by: str, where: str | None, expected: str) -> None:
    assert fix_line(missing(by=by), APP, where) == expected


@pytest.mark.parametrize(
    ("edge", "line"),
    [
        (
            Edge("liba.so", APP, "/r/liba.so", RUNPATH, 1, via_object=APP),
            "liba.so => /r/liba.so [runpath]",
        ),
        (
            Edge("liba.so", "/r/libp.so", "/r/liba.so", RPATH, 2, via_object=APP),
            f"liba.so => /r/liba.so [rpath of {APP}]",
        ),
        (
            Edge("liba.so", APP, "/l/liba.so", LD_LIBRARY_PATH, 1),
            "liba.so => /l/liba.so [LD_LIBRARY_PATH]",
        ),
        (
            Edge("liba.so", APP, "/lib/liba.so", DEFAULT_DIRS, 1),
            "liba.so => /lib/liba.so [default dir]",
        ),
        (
            Edge(
                "liba.so",
                APP,
                "/lib/liba.so",
                LD_SO_CACHE,
                1,
                via_object=" (same file as loaded object)",
            ),
            "liba.so => /lib/liba.so [ld.so.cache, same file as a loaded object]",
        ),
        (
            Edge("liba.so", APP, None, NOT_FOUND, 1, error="wrong ELF class: ELFCLASS32"),
            "liba.so => not found (wrong ELF class: ELFCLASS32)",
        ),
    ],
)
def test_one_line_per_library_says_how(edge: Edge, line: str) -> None:
    assert render_text(judged(edge), show_all=True).splitlines()[1] == "    " + line


def test_environment_only_library_is_marked_and_warned() -> None:
    edges = [interp(), missing(), libc()]
    env = [
        interp(),
        Edge("libfoo.so.1", APP, "/opt/demo/lib/libfoo.so.1", LD_LIBRARY_PATH, 1, loaded=True),
        libc(),
    ]
    findings = env_findings(LoadResult(APP, CFG, edges), LoadResult(APP, CFG, env), "/opt/demo/lib")
    assert [(f.kind, f.index, f.fails, f.how) for f in findings] == [
        (ENV_ONLY, 1, True, "LD_LIBRARY_PATH")
    ]
    verdict = judged(*edges, findings=tuple(findings))
    assert not verdict.ok
    text = render_text(verdict, fixes={1: "/opt/demo/lib"}).splitlines()
    assert "    libfoo.so.1 => not found [only through LD_LIBRARY_PATH]" in text
    assert text[-1] == (
        "warning: libfoo.so.1 is found only through LD_LIBRARY_PATH "
        "(/opt/demo/lib); the program will not start without it"
    )
    tree = render_tree(verdict).splitlines()
    assert "├── libfoo.so.1 => not found [only through LD_LIBRARY_PATH]" in tree
    assert tree[-1].startswith("warning: libfoo.so.1 is found only through")


def test_preload_match_is_named_as_preload() -> None:
    edges = [missing("libp.so")]
    env = [
        Edge("/p/libp.so", APP, "/p/libp.so", "preload", 1, loaded=True),
        Edge("libp.so", APP, "/p/libp.so", ALREADY_LOADED, 1, via_object="soname"),
    ]
    (f,) = env_findings(LoadResult(APP, CFG, edges), LoadResult(APP, CFG, env), None)
    assert f.how == "LD_PRELOAD" and "found only through LD_PRELOAD (/p/libp.so)" in f.message


def test_environment_that_moves_a_library_is_a_note() -> None:
    edges = [Edge("libx.so", APP, "/r/libx.so", RUNPATH, 1, loaded=True)]
    env = [Edge("libx.so", APP, "/l/libx.so", LD_LIBRARY_PATH, 1, loaded=True)]
    (f,) = env_findings(LoadResult(APP, CFG, edges), LoadResult(APP, CFG, env), "/l")
    assert (f.kind, f.fails) == (ENV_CHANGES, False)
    verdict = judged(*edges, findings=(f,))
    assert verdict.ok
    assert render_text(verdict).splitlines()[-1] == (
        "note: libx.so would be loaded from /l/libx.so through LD_LIBRARY_PATH (/l), "
        "which is ignored"
    )


def _obj(path: str, rpath: str | None, runpath: str | None) -> LoadedObject:
    info = ElfInfo(X64, 3, 0, None, (), None, rpath, runpath, 0, True)
    return LoadedObject(path, info, set(), None, None, "/", 0)


@pytest.mark.parametrize(
    ("rpath", "runpath", "warned"),
    [
        (None, "/a::/b", "RUNPATH '/a::/b'"),
        (None, ":/a", "RUNPATH ':/a'"),
        ("/a:", None, "RPATH '/a:'"),
        ("/a:", "/b", None),  # RPATH is not used when there is a RUNPATH
        (None, "/a:/b", None),
        (None, None, None),
    ],
)
def test_empty_path_element(rpath: str | None, runpath: str | None, warned: str | None) -> None:
    result = LoadResult(APP, CFG, [], objects=[_obj(APP, rpath, runpath)])
    findings = empty_element_findings(result)
    if warned is None:
        assert findings == []
        return
    (f,) = findings
    assert (f.kind, f.fails, f.obj) == (EMPTY_ELEMENT, True, APP)
    assert f.message == (
        f"{APP}: {warned} has an empty element; the loader searches it as the current directory"
    )
    assert render_text(Judgement(result, findings)).splitlines()[-2:] == [
        "warning: " + f.message,
        "    fix: remove the empty element (a leading or trailing ':', or '::'); for the file's "
        "own directory write $ORIGIN",
    ]


def test_tree_shows_details_under_the_missing_library() -> None:
    liba = Edge("liba.so", APP, "/r/liba.so", RUNPATH, 1, loaded=True, via_object=APP)
    gone = missing("libb.so", by="/r/liba.so", probes=3)
    tree = render_tree(judged(interp(), liba, gone, libc()), fixes={2: None}).splitlines()
    assert tree == [
        APP,
        f"├── {CFG.interp} [interpreter]",
        "├── liba.so => /r/liba.so [runpath]",
        "│   └── libb.so => not found",
        "│         searched: RUNPATH (none), ld.so.cache, /lib/x86_64-linux-gnu, "
        "/usr/lib/x86_64-linux-gnu, /lib, /usr/lib",
        "│         fix: relink liba.so through ldwrap with -L<directory of libb.so>, or add "
        "-Wl,-rpath,<that directory> to its link",
        "└── libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 [ld.so.cache]",
    ]


def test_json_keeps_schema_one_and_adds_fields() -> None:
    edges = [interp(), missing(probes=5), libc()]
    doc = result_json(judged(*edges), {1: "/opt/x/lib"})
    assert doc["schema"] == 1 and doc["ok"] is False
    assert doc["warnings"] == [] and doc["ld_library_path"] is None
    foo = doc["libraries"][1]
    assert len(foo["tried"]) == 5 and foo["fix_dir"] == "/opt/x/lib"
    assert foo["environment"] is None
    assert foo["searched"][0] == {
        "source": "ld_so_cache",
        "owner": None,
        "dirs": ["/etc/ld.so.cache"],
        "note": "",
    }
    assert doc["libraries"][2]["fix_dir"] is None
