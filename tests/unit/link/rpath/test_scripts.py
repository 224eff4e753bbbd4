"""Libraries that are GNU ld scripts: the directories of the shared libraries they name get an
rpath too, in the script's place, marked with the script (`via`). Through prepare, as the shim
and `dry-run --json` see it. The policy reads only a library's ELF header, so the shared
libraries are ELF files built by hand (helpers/elf.py), and the real linker prepare finds is
a placeholder (the `linker_path` fixture): nothing is linked."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import make_store
from helpers.elf import EM_AARCH64, build_elf
from ldwrap.link.plan import prepare
from ldwrap.link.verdicts import ADDED, DISABLED, DUPLICATE, INCOMPATIBLE, NO_LIBRARY, OUTSIDE


@pytest.fixture(scope="module")
def elf(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The bytes of an x86_64 and an aarch64 shared library."""
    d = tmp_path_factory.mktemp("elf")
    return {
        "elf": build_elf(d / "elf.so").read_bytes(),
        "arm": build_elf(d / "arm.so", machine=EM_AARCH64).read_bytes(),
    }


# Package -> {file: "elf" | "arm" | "a" (an archive) | "script text"}; {pkg} in a script, in
# the arguments and in the expectations is that package's lib directory; "/tmp-out" a
# directory outside the store.
# (id, packages, caller args, extra env, expected rpath, expected [given, path, verdict, via])
DEV_RUN = {"dev": {"libfoo.so": "GROUP ( {run}/libfoo.so.1 )"}, "run": {"libfoo.so.1": "elf"}}
CASES = [
    (
        "store-path",
        DEV_RUN,
        ["-L{dev}", "-lfoo"],
        {},
        ["dev", "run"],
        [
            ("{dev}", "{dev}", ADDED, ""),
            ("{run}/libfoo.so.1", "{run}", ADDED, "{dev}/libfoo.so"),
        ],
    ),
    (
        "by-path",
        DEV_RUN,
        ["{dev}/libfoo.so"],
        {},
        ["dev", "run"],
        [
            ("{dev}/libfoo.so", "{dev}", ADDED, ""),
            ("{run}/libfoo.so.1", "{run}", ADDED, "{dev}/libfoo.so"),
        ],
    ),
    (
        "dash-l-through-the-L-dirs",
        {"dev": {"libfoo.so": "INPUT(-limpl)"}, "c": {"libimpl.so": "elf"}},
        ["-L{dev}", "-lfoo", "-L{c}"],
        {},
        ["dev", "c"],
        [
            ("{dev}", "{dev}", ADDED, ""),
            ("-limpl", "{c}", ADDED, "{dev}/libfoo.so"),
            ("{c}", "{c}", NO_LIBRARY, ""),
        ],
    ),
    (
        "dash-l-finds-an-archive-first",
        {
            "dev": {"libfoo.so": "INPUT(-limpl)"},
            "s": {"libimpl.a": "a"},
            "c": {"libimpl.so": "elf"},
        },
        ["-L{dev}", "-L{s}", "-L{c}", "-lfoo"],
        {},
        ["dev"],
        [
            ("{dev}", "{dev}", ADDED, ""),
            ("{s}", "{s}", NO_LIBRARY, ""),
            ("{c}", "{c}", NO_LIBRARY, ""),
        ],
    ),
    (
        "bare-name-in-the-scripts-directory",
        {"dev": {"libfoo.so": "INPUT(libfoo_impl.so)", "libfoo_impl.so": "elf"}},
        ["-L{dev}", "-lfoo"],
        {},
        ["dev"],
        [
            ("{dev}", "{dev}", ADDED, ""),
            ("libfoo_impl.so", "{dev}", DUPLICATE, "{dev}/libfoo.so"),
        ],
    ),
    (
        "bare-name-in-an-L-dir",
        {"dev": {"libfoo.so": "INPUT(libimpl.so)"}, "c": {"libimpl.so": "elf"}},
        ["-L{dev}", "-L{c}", "-lfoo"],
        {},
        ["dev", "c"],
        [
            ("{dev}", "{dev}", ADDED, ""),
            ("libimpl.so", "{c}", ADDED, "{dev}/libfoo.so"),
            ("{c}", "{c}", NO_LIBRARY, ""),
        ],
    ),
    (
        "a-script-naming-a-script",
        {
            "dev": {"libfoo.so": "INPUT({mid}/libmid.so)"},
            "mid": {"libmid.so": "GROUP({run}/libfoo.so.1)"},
            "run": {"libfoo.so.1": "elf"},
        },
        ["-L{dev}", "-lfoo"],
        {},
        ["dev", "run"],
        [
            ("{dev}", "{dev}", ADDED, ""),
            ("{run}/libfoo.so.1", "{run}", ADDED, "{mid}/libmid.so"),
        ],
    ),
    (
        "a-cycle-ends",
        {"a": {"liba.so": "INPUT(libb.so)", "libb.so": "INPUT(liba.so)"}},
        ["-L{a}", "-la"],
        {},
        ["a"],
        [("{a}", "{a}", ADDED, "")],
    ),
    (
        "a-missing-library-changes-nothing",
        {"dev": {"libfoo.so": "GROUP ( /nonexistent/libfoo.so.1 )"}},
        ["-L{dev}", "-lfoo"],
        {},
        ["dev"],
        [("{dev}", "{dev}", ADDED, "")],
    ),
    (
        "another-target-is-skipped",
        {"dev": {"libfoo.so": "GROUP ( {arm}/libfoo.so.1 )"}, "arm": {"libfoo.so.1": "arm"}},
        ["-L{dev}", "-lfoo"],
        {},
        ["dev"],
        [
            ("{dev}", "{dev}", ADDED, ""),
            ("{arm}/libfoo.so.1", "{arm}", INCOMPATIBLE, "{dev}/libfoo.so"),
        ],
    ),
    (
        "outside-the-store",
        {"dev": {"libfoo.so": "GROUP ( /tmp-out/libfoo.so.1 )"}},
        ["-L{dev}", "-lfoo"],
        {},
        ["dev"],
        [
            ("{dev}", "{dev}", ADDED, ""),
            ("/tmp-out/libfoo.so.1", "/tmp-out", OUTSIDE, "{dev}/libfoo.so"),
        ],
    ),
    (
        "in-the-scripts-place",
        {**DEV_RUN, "x": {"libx.so": "elf"}, "y": {"liby.so": "elf"}},
        ["-L{x}", "-lx", "-L{dev}", "-lfoo", "-L{y}", "-ly"],
        {},
        ["x", "dev", "run", "y"],
        [
            ("{x}", "{x}", ADDED, ""),
            ("{dev}", "{dev}", ADDED, ""),
            ("{run}/libfoo.so.1", "{run}", ADDED, "{dev}/libfoo.so"),
            ("{y}", "{y}", ADDED, ""),
        ],
    ),
    (
        "a-directory-given-twice-follows-its-script-once",
        DEV_RUN,
        ["-L{dev}", "-L{dev}/", "-lfoo"],
        {},
        ["dev", "run"],
        [
            ("{dev}", "{dev}", ADDED, ""),
            ("{run}/libfoo.so.1", "{run}", ADDED, "{dev}/libfoo.so"),
            ("{dev}/", "{dev}", DUPLICATE, ""),
        ],
    ),
    (
        "rpath-off",
        DEV_RUN,
        ["-L{dev}", "-lfoo"],
        {"LDWRAP_DISABLE": "1"},
        [],
        [("{dev}", "{dev}", DISABLED, "")],
    ),
]


@pytest.mark.parametrize(
    ("packages", "args", "env", "rpath", "decisions"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_scripts(
    tmp_path: Path,
    linker_path: str,
    elf: dict[str, bytes],
    packages: dict[str, dict[str, str]],
    args: list[str],
    env: dict[str, str],
    rpath: list[str],
    decisions: list[tuple[str, str, str, str]],
) -> None:
    store = make_store(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "libfoo.so.1").write_bytes(elf["elf"])  # a library outside the store
    dirs = {pkg: str(store.libdir(pkg)) for pkg in packages}

    def fill(text: str) -> str:
        return text.format(**dirs).replace("/tmp-out", str(out))

    for pkg, files in packages.items():
        for name, kind in files.items():
            path = Path(dirs[pkg]) / name
            if kind in elf:
                path.write_bytes(elf[kind])
            elif kind == "a":
                path.write_bytes(b"!<arch>\n")
            else:
                path.write_text(fill(kind))
    caller = [fill(a) for a in args]
    full_env = {"PATH": linker_path, "NIX_STORE": str(store.root), **env}
    data = prepare("ld.bfd", caller, full_env, str(tmp_path)).as_dict()
    expected_argv = [f"{linker_path}/ld.bfd", *caller]
    for pkg in rpath:
        expected_argv += ["-rpath", dirs[pkg]]
    assert data["argv"] == expected_argv
    directories = data["directories"]
    assert isinstance(directories, list)
    got = [(d["given"], d["path"], d["verdict"], d.get("via", "")) for d in directories]
    assert got == [tuple(fill(x) for x in d) for d in decisions]


def test_explain_names_the_script(tmp_path: Path, linker_path: str, elf: dict[str, bytes]) -> None:
    from click.testing import CliRunner

    from ldwrap.cli import cli

    store = make_store(tmp_path)
    run, dev = store.libdir("run"), store.libdir("dev")
    (run / "libfoo.so.1").write_bytes(elf["elf"])
    (dev / "libfoo.so").write_text(f"GROUP ( {run}/libfoo.so.1 )\n")
    env = {"PATH": linker_path, "NIX_STORE": str(store.root)}
    r = CliRunner().invoke(cli, ["explain", "--as", "ld.bfd", "--", f"-L{dev}", "-lfoo"], env=env)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-3:] == [
        f"+ {dev}: added [libfoo.so]",
        f"+ {run}/libfoo.so.1 -> {run}: added [libfoo.so.1] "
        f"(named by the linker script {dev}/libfoo.so)",
        f"adds after:  -rpath {dev} -rpath {run}",
    ]
