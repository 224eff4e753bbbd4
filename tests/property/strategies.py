"""Hypothesis strategies: argument vectors, environments and library trees.

A tree is made on disk for every example: `store/<pkg>/lib` directories inside the allowed
prefix, `outside/lib` outside it, each holding a generated choice of libraries, plus response
files (plain, self-including, a directory) that the argument vectors may name.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from hypothesis import strategies as st

LIBS = ("foo", "bar", "baz")
LINKER_NAMES = ("ld", "ld.bfd", "ld.gold", "ld.lld", "ld.mold", "mold")

# Lone surrogates: text an OS cannot hand to a process.
SURROGATES: tuple[Literal["Cs"]] = ("Cs",)

# Arbitrary bytes as an OS would hand them to a process (no NUL), read as Python does.
raw_arg = st.binary(max_size=10).filter(lambda b: b"\0" not in b).map(os.fsdecode)
text_arg = st.text(
    alphabet=st.characters(exclude_categories=SURROGATES, exclude_characters="\0"), max_size=10
)
nasty_arg = st.sampled_from(
    [
        "",
        " ",
        "a b",
        "\n",
        "'",
        '"',
        "\\",
        "-",
        "--",
        "@",
        "-L",
        "-l",
        "=",
        "-flavor",
        "gnu",
        "-o",
        "-m",
        "elf_i386",
        "-rpath",
        "-soname",
        "-Bstatic",
        "-Bdynamic",
        "-static",
        "-static-pie",
        "-r",
        "-shared",
        "--push-state",
        "--pop-state",
        "--as-needed",
        "-v",
        "--version",
        "--help",
        "-lfoo",
        "-lbar",
        "-l:libbaz.so",
        "--library=foo",
        "-pie",
        "--no-dynamic-linker",
        "--sysroot=/",
        "-L=",
        "--enable-new-dtags",
        "a.o",
        "-x",
    ]
)


def tree_arg(root: str) -> st.SearchStrategy[str]:
    """Arguments that name parts of the tree made by make_tree(root)."""
    dirs = [f"{root}/store/p{i}/lib" for i in range(3)] + [
        f"{root}/outside/lib",
        f"{root}/missing",
        f"{root}/loop",
        f"{root}/store/p0/lib/../../p1/lib",
        "store/p2/lib",  # relative to the working directory, which is root
    ]
    dir_args = st.sampled_from(dirs).flatmap(
        lambda d: st.sampled_from(
            [["-L", d], ["-L" + d], ["--library-path=" + d], [d], ["-rpath", d], [d + "/libfoo.so"]]
        )
    )
    rsp = st.sampled_from(["@plain.rsp", "@self.rsp", "@adir", "@missing.rsp", f"@{root}/q.rsp"])
    return st.one_of(dir_args, rsp.map(lambda a: [a]))


def argv_lists(root: str) -> st.SearchStrategy[list[str]]:
    piece = st.one_of(
        raw_arg.map(lambda a: [a]),
        text_arg.map(lambda a: [a]),
        nasty_arg.map(lambda a: [a]),
        tree_arg(root),
        tree_arg(root),
    )
    body = st.lists(piece, max_size=14).map(lambda ps: [a for p in ps for a in p])
    flavour = st.sampled_from([[], [], [], ["-flavor", "gnu"], ["-flavor", "darwin"], ["-flavor"]])
    return st.tuples(flavour, body).map(lambda t: t[0] + t[1])


def environments(root: str) -> st.SearchStrategy[dict[str, str]]:
    prefix = st.sampled_from(
        [
            {"NIX_STORE": f"{root}/store"},
            {"NIX_STORE": f"{root}/store/"},
            {"LDWRAP_RPATH_PREFIXES": f"{root}/store"},
            {"LDWRAP_RPATH_PREFIXES": f"::{root}/store::rel:"},
            {"LDWRAP_RPATH_PREFIXES": ":"},
            {"LDWRAP_RPATH_PREFIXES": f"{root}/store:{root}/outside"},
            {},
        ]
    )
    optional = st.dictionaries(
        st.sampled_from(
            [
                "NIX_DONT_SET_RPATH",
                "LDWRAP_DISABLE",
                "NIX_SET_BUILD_ID",
                "LDWRAP_DYNAMIC_LINKER_M32",
                "NIX_BUILD_ID_STYLE",
                "NIX_DEBUG",
                "LDWRAP_VERIFY",
                "UNRELATED",
            ]
        ),
        st.one_of(st.sampled_from(["1", "0", "", "yes", "2", "/lib/ld-linux.so.2"]), raw_arg),
        max_size=4,
    )
    return st.tuples(prefix, optional).map(lambda t: {**t[0], **t[1]})


trees = st.fixed_dictionaries(
    {f"{where}": st.sets(st.sampled_from(LIBS)) for where in ("p0", "p1", "p2", "outside")}
)


def make_tree(root: Path, libs: dict[str, set[str]]) -> None:
    for where, names in libs.items():
        d = root / ("outside" if where == "outside" else f"store/{where}") / "lib"
        d.mkdir(parents=True, exist_ok=True)
        for n in names:
            (d / f"lib{n}.so").write_bytes(b"")  # only names matter to the policy
    (root / "loop").symlink_to("loop")
    (root / "plain.rsp").write_text(f"-L {root}/store/p0/lib -lfoo '-L{root}/store/p1/lib'\n")
    (root / "self.rsp").write_text("-lbar @self.rsp\n")
    (root / "q.rsp").write_text("\"-L\" store/p2/lib -l'baz' \\\n")
    (root / "adir").mkdir()
