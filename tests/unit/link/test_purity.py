"""NIX_ENFORCE_PURITY: impure search paths dropped in every spelling, other impure paths
refused, response files rewritten into new files, never the caller's. Real links at the end."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ldwrap.link.plan import ShimError, prepare
from ldwrap.link.purity import ImpurePathError, filter_args, is_pure, roots

STORE = "/nix/store"
ALLOWED = (STORE, "/build", "/tmp")


EnvFor = Callable[..., dict[str, str]]


@pytest.fixture
def env_for(tmp_path: Path, linker_path: str) -> EnvFor:
    """env_for(**extra): a Nix build's environment with purity enforced; the real linker on
    its PATH is a placeholder (nothing is linked here)."""

    def env(**extra: str) -> dict[str, str]:
        return {
            "PATH": linker_path,
            "NIX_ENFORCE_PURITY": "1",
            "NIX_STORE": STORE,
            "TMPDIR": str(tmp_path),
            **extra,
        }

    return env


def test_roots_without_build_top_do_not_crash() -> None:
    assert roots({"NIX_STORE": "/nix/store/"}) == ("/nix/store", "/tmp")
    assert roots({"NIX_STORE": STORE, "NIX_BUILD_TOP": "/build", "TMPDIR": "/build/t"}) == (
        STORE,
        "/build",
        "/tmp",
        "/build/t",
    )


@pytest.mark.parametrize(
    ("path", "pure"),
    [
        ("/nix/store/abc-x/lib", True),
        ("/nix/store", True),
        ("/nix/storex/lib", False),
        ("/tmpx/lib", False),
        ("/tmp/x", True),
        ("/nix/store/../../etc", False),
        ("//nix//store/a", True),
        ("/dev/null", True),
        ("/usr/lib", False),
        ("rel/lib", True),
        ("/build/src/a.o", True),
        ("/tmp/", True),
        ("/nix/store/./a", True),
        ("/tmp/./../etc", False),
        ("/build/", True),
        ("/buildx", False),
        ("/", False),
    ],
)
def test_is_pure(path: str, pure: bool) -> None:
    assert is_pure(path, ALLOWED) is pure


@pytest.mark.parametrize("path", ["/", "/usr/lib", "/etc/../x", "rel"])
def test_everything_is_pure_under_a_root_of_slash(path: str) -> None:
    assert is_pure(path, ("/",))


# (id, flavour, args, kept args)
DROPS = [
    ("-L dir", "lld", ["-L", "/usr/lib", "a.o"], ["a.o"]),
    ("-Ldir", "lld", ["-L/usr/lib", "a.o"], ["a.o"]),
    ("--library-path=dir", "lld", ["--library-path=/usr/lib", "a.o"], ["a.o"]),
    ("--library-path dir", "lld", ["--library-path", "/usr/lib", "a.o"], ["a.o"]),
    ("-rpath dir", "bfd", ["-rpath", "/opt/x", "a.o"], ["a.o"]),
    ("-rpath=dir", "lld", ["-rpath=/opt/x", "a.o"], ["a.o"]),
    ("--rpath dir", "mold", ["--rpath", "/opt/x", "a.o"], ["a.o"]),
    ("-R dir", "lld", ["-R", "/opt/x", "a.o"], ["a.o"]),
    (
        "-rpath list keeps its pure entries",
        "lld",
        ["-rpath", "/opt/x:/nix/store/a/lib:$ORIGIN", "a.o"],
        ["-rpath", "/nix/store/a/lib:$ORIGIN", "a.o"],
    ),
    ("joined list", "lld", ["--rpath=/opt/x:/tmp/l", "a.o"], ["--rpath=/tmp/l", "a.o"]),
    ("-rpath-link", "gold", ["-rpath-link", "/usr/lib", "a.o"], ["a.o"]),
    ("-dynamic-linker", "bfd", ["-dynamic-linker", "/lib64/ld-linux-x86-64.so.2", "a.o"], ["a.o"]),
    ("--dynamic-linker=", "lld", ["--dynamic-linker=/lib/ld.so", "a.o"], ["a.o"]),
    ("-I (bfd's -dynamic-linker)", "bfd", ["-I", "/lib/ld.so", "a.o"], ["a.o"]),
    ("--sysroot=/", "lld", ["--sysroot=/", "a.o"], ["a.o"]),
    (
        "pure ones stay",
        "lld",
        ["-L", "/nix/store/a/lib", "-L/build/l", "-Lrel", "-L=/usr/lib", "a.o"],
        ["-L", "/nix/store/a/lib", "-L/build/l", "-Lrel", "-L=/usr/lib", "a.o"],
    ),
    ("an -L's value is not an input", "bfd", ["-L", "/usr/lib/x.o", "a.o"], ["a.o"]),
]


@pytest.mark.parametrize(
    ("flavour", "args", "kept"), [d[1:] for d in DROPS], ids=[d[0] for d in DROPS]
)
def test_drops(tmp_path: Path, flavour: str, args: list[str], kept: list[str]) -> None:
    f = filter_args(flavour, args, str(tmp_path), ALLOWED)
    assert f.args == kept
    assert f.expanded == kept
    assert f.changed is (kept != args)


@pytest.mark.parametrize(
    ("args", "bad"),
    [
        (["/usr/lib/crt1.o"], "/usr/lib/crt1.o"),
        (["-o", "/usr/bin/x", "a.o"], "/usr/bin/x"),
        (["--version-script=/etc/v.map", "a.o"], "/etc/v.map"),
        (["-T", "/etc/x.ld"], "/etc/x.ld"),
        (["a.o", "--", "/usr/lib/b.o"], "/usr/lib/b.o"),
        (["/tmpx/a.o"], "/tmpx/a.o"),
    ],
)
def test_refused(tmp_path: Path, args: list[str], bad: str) -> None:
    with pytest.raises(ImpurePathError) as e:
        filter_args("bfd", args, str(tmp_path), ALLOWED)
    assert str(e.value) == f"impure path '{bad}' used in link"


def test_prepare_uses_filtered_args(env_for: EnvFor, tmp_path: Path) -> None:
    env = env_for(NIX_HARDENING_ENABLE="relro", NIX_BUILD_TOP=str(tmp_path))
    inv = prepare(
        "ld.lld", ["-flavor", "gnu", "-L", "/usr/lib", "a.o", "-rpath", "/opt"], env, str(tmp_path)
    )
    assert inv.argv[1:] == ["-flavor", "gnu", "-z", "relro", "a.o"]
    assert inv.caller_args == ["-flavor", "gnu", "-L", "/usr/lib", "a.o", "-rpath", "/opt"]
    assert inv.extras is not None
    assert inv.purity_notes == ["skipping impure path /usr/lib", "skipping impure path /opt"]


def test_no_purity_without_store_or_switch(linker_path: str, tmp_path: Path) -> None:
    args = ["-L", "/usr/lib", "/etc/a.o"]
    for env in (
        {"NIX_ENFORCE_PURITY": "1"},
        {"NIX_STORE": STORE},
        {"NIX_ENFORCE_PURITY": "0", "NIX_STORE": STORE},
    ):
        inv = prepare("ld.lld", args, {"PATH": linker_path, **env}, str(tmp_path))
        assert inv.argv[1:] == args


def test_ignore_ld_through_gcc(env_for: EnvFor, tmp_path: Path) -> None:
    env = env_for(NIX_IGNORE_LD_THROUGH_GCC="1", NIX_LINK_TYPE_x86_64_unknown_linux_gnu="dynamic")
    inv = prepare("ld.lld", ["-L", "/usr/lib", "a.o"], env, str(tmp_path))
    assert inv.argv[1:] == ["-L", "/usr/lib", "a.o"]
    del env["NIX_LINK_TYPE_x86_64_unknown_linux_gnu"]  # not through the cc-wrapper: filtered
    assert prepare("ld.lld", ["-L", "/usr/lib", "a.o"], env, str(tmp_path)).argv[1:] == ["a.o"]


@pytest.mark.parametrize(
    ("value", "filtered"),
    [
        # nixpkgs gathers it as a list and tests it for being empty: 0, yes, a blank are "on".
        ("1", False),
        ("0", False),
        ("yes", False),
        (" ", False),
        ("", True),
        (None, True),
    ],
)
def test_ignore_ld_through_gcc_any_value(
    env_for: EnvFor, tmp_path: Path, value: str | None, filtered: bool
) -> None:
    env = env_for(NIX_LINK_TYPE_x86_64_unknown_linux_gnu="dynamic")
    if value is not None:
        env["NIX_IGNORE_LD_THROUGH_GCC"] = value
    inv = prepare("ld.lld", ["-L", "/usr/lib", "a.o"], env, str(tmp_path))
    assert inv.argv[1:] == (["a.o"] if filtered else ["-L", "/usr/lib", "a.o"])


def test_enforce_purity_other_values_warn(env_for: EnvFor, tmp_path: Path) -> None:
    # nixpkgs compares NIX_ENFORCE_PURITY with the string 1: anything else is off.
    for value, warnings in (
        ("yes", ["ignoring NIX_ENFORCE_PURITY='yes': only 1 turns it on"]),
        ("0", []),
        ("", []),
    ):
        env = env_for(NIX_ENFORCE_PURITY=value)
        inv = prepare("ld.lld", ["-L", "/usr/lib", "a.o"], env, str(tmp_path))
        assert (inv.argv[1:], inv.config.warnings) == (["-L", "/usr/lib", "a.o"], warnings)


def test_refusal_through_prepare(env_for: EnvFor, tmp_path: Path) -> None:
    with pytest.raises(ShimError, match=r"^impure path '/usr/lib/crt1\.o' used in link$"):
        prepare("ld.bfd", ["/usr/lib/crt1.o"], env_for(), str(tmp_path))


def test_response_file_rewritten_not_edited(env_for: EnvFor, tmp_path: Path) -> None:
    rsp = tmp_path / "args.rsp"
    text = "-L /usr/lib\n-lm\n'a b.o'\n"
    rsp.write_text(text)
    untouched = tmp_path / "keep.rsp"
    untouched.write_text("-lz\n")
    env = env_for(NIX_HARDENING_ENABLE="relro", NIX_LDFLAGS="-lc")
    inv = prepare("ld.lld", ["x.o", f"@{rsp}", f"@{untouched}", "--", "y"], env, str(tmp_path))
    assert inv.argv[1:] == ["-z", "relro", "x.o", "-lm", "a b.o", f"@{untouched}", "-lc", "--", "y"]
    assert inv.extras is not None
    assert [inv.argv[s:e] for s, e in inv.rsp_writeback] == [["-lm", "a b.o"]]
    assert rsp.read_text() == text


def test_ld_run_path_filtered(env_for: EnvFor, tmp_path: Path) -> None:
    env = env_for(LD_RUN_PATH="/opt/x:/nix/store/a/lib")
    inv = prepare("ld.lld", ["a.o"], env, str(tmp_path))
    assert inv.argv[1:] == ["a.o", "-rpath", "/nix/store/a/lib"]


def test_shim_error_is_not_internal(tmp_path: Path, linker_path: str) -> None:
    with pytest.raises(ShimError, match=r"^impure path '/etc/x\.o' used in link$"):
        prepare(
            "ld.lld",
            ["/etc/x.o"],
            {"PATH": linker_path, "NIX_ENFORCE_PURITY": "1", "NIX_STORE": "/nix/store"},
            str(tmp_path),
        )


def test_a_path_is_normalised_as_normpath_does_with_or_without_the_shortcut() -> None:
    import random

    from ldwrap.link import oslite
    from ldwrap.link.purity import _norm

    rnd = random.Random(3)
    for _ in range(50000):
        path = "".join(rnd.choice("/a.b") for _ in range(rnd.randint(0, 10)))
        full = oslite.path.normpath(path)
        assert _norm(path) == ("/" + full.lstrip("/") if full[:1] == "/" else full), path
