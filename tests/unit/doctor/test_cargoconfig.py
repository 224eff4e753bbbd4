"""doctor/cargoconfig.py: the rustflags and linker cargo would give rustc, chosen as cargo
chooses them: the four sources in order, the configuration files from the working directory
up and then cargo's home, arrays joined and strings replaced, the environment's keys, and the
`cfg(...)` target tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from ldwrap.doctor.cargoconfig import (
    CargoFlags,
    Layer,
    cargo_flags,
    cargo_home,
    cfg_matches,
    config_files,
    env_key,
    read_layers,
)

HOST = "x86_64-unknown-linux-gnu"
CFG = ["unix", 'target_os="linux"', 'target_arch="x86_64"', 'target_env="gnu"', "debug_assertions"]


def _never() -> list[str]:
    raise AssertionError("rustc --print cfg was asked without a cfg(...) table")


def _flags(env: dict[str, str], *layers: Layer) -> CargoFlags:
    return cargo_flags(env, list(layers), HOST, lambda: CFG)


@pytest.mark.parametrize(
    ("expr", "matches"),
    [
        ("cfg(unix)", True),
        ("cfg(windows)", False),
        ('cfg(target_os = "linux")', True),
        ('cfg(target_os="linux")', True),
        ('cfg(target_os = "macos")', False),
        ('cfg(all(unix, target_arch = "x86_64"))', True),
        ('cfg(all(unix, target_arch = "aarch64"))', False),
        ('cfg(any(windows, target_env = "gnu"))', True),
        ("cfg(not(windows))", True),
        ("cfg(not(unix))", False),
        ("cfg(all())", True),  # cargo's way to say "every target"
        ("cfg(any())", False),
        ('cfg(all(unix, not(target_env = "musl"),))', True),  # a trailing comma is allowed
        ("cfg( unix )", True),
        ('cfg(target_os = "linux" )', True),
    ],
)
def test_cfg_expressions(expr: str, matches: bool) -> None:
    assert cfg_matches(expr, CFG) is matches


@pytest.mark.parametrize(
    "expr",
    [
        "unix",  # not a cfg(...) key
        "cfg(unix",
        "cfg()",
        "cfg(unix, windows)",  # one predicate at the top
        "cfg(not(unix, windows))",
        "cfg(target_os = linux)",
        'cfg(target_os = "linux)',
        "cfg(all(unix windows))",
        "cfg(-)",
    ],
)
def test_what_is_not_a_cfg_expression(expr: str) -> None:
    assert cfg_matches(expr, CFG) is None


def _write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_config_files_from_cargo_home_then_root_down(tmp_path: Path) -> None:
    home = tmp_path / "home" / ".cargo"
    own = _write(home / "config.toml", "")
    outer = _write(tmp_path / "w" / ".cargo" / "config.toml", "")
    inner = _write(tmp_path / "w" / "p" / ".cargo" / "config.toml", "")
    cwd = tmp_path / "w" / "p" / "src"
    cwd.mkdir()
    assert config_files(str(cwd), str(home)) == [own, outer, inner]


def test_the_older_name_wins_and_cargo_home_is_read_once(tmp_path: Path) -> None:
    # The home directory's .cargo lies on the walk up from a project under it: read once,
    # as the lowest layer.
    home = tmp_path / ".cargo"
    own = _write(home / "config.toml", "")
    _write(tmp_path / "p" / ".cargo" / "config.toml", "")
    legacy = _write(tmp_path / "p" / ".cargo" / "config", "")
    assert config_files(str(tmp_path / "p"), str(home)) == [own, legacy]
    assert config_files(str(tmp_path / "q"), str(tmp_path / "none")) == [own]


def test_cargo_home() -> None:
    assert cargo_home({"CARGO_HOME": "/c", "HOME": "/h"}) == "/c"
    assert cargo_home({"HOME": "/h"}) == "/h/.cargo"


def test_a_file_cargo_cannot_read_is_named(tmp_path: Path) -> None:
    good = _write(tmp_path / "a.toml", "[build]\nrustflags = ['-Cx']\n")
    bad = _write(tmp_path / "b.toml", "[build\n")
    layers, problems = read_layers([good, bad, str(tmp_path / "gone.toml")])
    assert layers == [(good, {"build": {"rustflags": ["-Cx"]}})]
    assert len(problems) == 2
    assert problems[0].startswith(f"cargo cannot read {bad}: ")
    assert problems[1].startswith(f"cargo cannot read {tmp_path}/gone.toml: ")


TARGET: Layer = ("/p/.cargo/config.toml", {"target": {HOST: {"rustflags": ["-Ct"]}}})
BUILD: Layer = ("/p/.cargo/config.toml", {"build": {"rustflags": ["-Cb"]}})


@pytest.mark.parametrize(
    ("env", "layers", "flags", "where"),
    [
        ({}, [], [], ""),
        ({}, [BUILD], ["-Cb"], "/p/.cargo/config.toml [build]"),
        ({}, [BUILD, TARGET], ["-Ct"], f"/p/.cargo/config.toml [target.{HOST}]"),
        ({"RUSTFLAGS": " -Ca  -Cb "}, [BUILD, TARGET], ["-Ca", "-Cb"], "RUSTFLAGS"),
        # Set but empty: still the source cargo takes, so no flags at all.
        ({"RUSTFLAGS": ""}, [TARGET], [], "RUSTFLAGS"),
        (
            {"CARGO_ENCODED_RUSTFLAGS": "-Clink-arg=-B/a b\x1f-Cx", "RUSTFLAGS": "-Cr"},
            [TARGET],
            ["-Clink-arg=-B/a b", "-Cx"],
            "CARGO_ENCODED_RUSTFLAGS",
        ),
        ({"CARGO_ENCODED_RUSTFLAGS": "", "RUSTFLAGS": "-Cr"}, [], [], "CARGO_ENCODED_RUSTFLAGS"),
        # An empty list is a target table with rustflags: [build] is not reached.
        (
            {},
            [BUILD, ("/q/.cargo/config.toml", {"target": {HOST: {"rustflags": []}}})],
            [],
            f"/q/.cargo/config.toml [target.{HOST}]",
        ),
        # Another target's table is not the host's.
        (
            {},
            [BUILD, ("/f", {"target": {"aarch64-unknown-linux-gnu": {"rustflags": ["-Cz"]}}})],
            ["-Cb"],
            "/p/.cargo/config.toml [build]",
        ),
    ],
)
def test_the_first_source_of_rustflags_wins(
    env: dict[str, str], layers: list[Layer], flags: list[str], where: str
) -> None:
    got = cargo_flags(env, layers, HOST, _never)
    assert (got.rustflags, got.rustflags_from) == (flags, where)


def test_arrays_join_with_the_deeper_file_last_and_strings_replace() -> None:
    home: Layer = ("/h/config.toml", {"build": {"rustflags": ["-Ch"]}})
    outer: Layer = ("/w/.cargo/config.toml", {"build": {"rustflags": ["-Co"]}})
    inner: Layer = ("/w/p/.cargo/config.toml", {"build": {"rustflags": "-Ci -Cj"}})
    deepest: Layer = ("/w/p/q/.cargo/config.toml", {"build": {"rustflags": ["-Cq"]}})
    got = _flags({}, home, outer)
    assert got.rustflags == ["-Ch", "-Co"]
    assert got.rustflags_from == "/h/config.toml [build], /w/.cargo/config.toml [build]"
    assert _flags({}, home, outer, inner).rustflags == ["-Ci", "-Cj"]
    assert _flags({}, home, outer, inner, deepest).rustflags == ["-Ci", "-Cj", "-Cq"]


def test_the_environment_s_keys_come_after_the_files() -> None:
    var = f"CARGO_TARGET_{env_key(HOST)}_RUSTFLAGS"
    assert var == "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS"
    got = _flags({var: "-Ce"}, TARGET)
    assert (got.rustflags, got.rustflags_from) == (
        ["-Ct", "-Ce"],
        f"/p/.cargo/config.toml [target.{HOST}], {var}",
    )
    got = _flags({"CARGO_BUILD_RUSTFLAGS": "-Cv -Cw"}, BUILD)
    assert got.rustflags == ["-Cb", "-Cv", "-Cw"]
    # The target's variable alone makes a target source: [build] is not reached.
    assert _flags({var: "-Ce"}, BUILD).rustflags == ["-Ce"]


def test_cfg_tables_join_the_target_s_own() -> None:
    layer: Layer = (
        "/p/.cargo/config.toml",
        {
            "build": {"rustflags": ["-Cb"]},
            "target": {
                HOST: {"rustflags": ["-Ct"]},
                "cfg(unix)": {"rustflags": ["-Cu"]},
                "cfg(windows)": {"rustflags": ["-Cw"]},
                'cfg(target_os = "linux")': {"rustflags": ["-Cl"]},
            },
        },
    )
    got = _flags({}, layer)
    assert got.rustflags == ["-Ct", "-Cu", "-Cl"]
    assert got.rustflags_from == (
        f"/p/.cargo/config.toml [target.{HOST}], /p/.cargo/config.toml [target.'cfg(unix)'], "
        "/p/.cargo/config.toml [target.'cfg(target_os = \"linux\")']"
    )
    only_cfg: Layer = ("/p/c", {"target": {"cfg(all())": {"rustflags": ["-Ca"]}}})
    assert _flags({}, BUILD, only_cfg).rustflags == ["-Ca"]
    # A cfg table that matches nothing leaves [build] in force.
    other: Layer = ("/p/c", {"target": {"cfg(windows)": {"rustflags": ["-Cw"]}}})
    assert _flags({}, BUILD, other).rustflags == ["-Cb"]


def test_a_cfg_table_doctor_cannot_read_is_a_problem() -> None:
    layer: Layer = ("/p/c", {"target": {"cfg(unix": {"rustflags": ["-Cu"]}}})
    got = _flags({}, BUILD, layer)
    assert got.rustflags == ["-Cb"]
    assert got.problems == ["cannot read the target table [target.'cfg(unix']"]


def test_the_linker() -> None:
    layers: list[Layer] = [
        ("/h/config.toml", {"target": {HOST: {"linker": "gcc"}}}),
        ("/w/p/.cargo/config.toml", {"target": {HOST: {"linker": "clang"}}}),
    ]
    got = cargo_flags({}, layers, HOST, _never)
    assert (got.linker, got.linker_from) == ("clang", f"/w/p/.cargo/config.toml [target.{HOST}]")
    assert got.rustc_args() == ["-Clinker=clang"]
    # A path with a slash is relative to the directory holding .cargo.
    rel: Layer = ("/w/p/.cargo/config.toml", {"target": {HOST: {"linker": "tools/cc"}}})
    assert cargo_flags({}, [rel], HOST, _never).linker == "/w/p/tools/cc"
    var = f"CARGO_TARGET_{env_key(HOST)}_LINKER"
    got = cargo_flags({var: "/opt/cc", "RUSTFLAGS": "-Cx"}, layers, HOST, _never)
    assert (got.linker, got.linker_from) == ("/opt/cc", var)
    assert got.rustc_args() == ["-Clinker=/opt/cc", "-Cx"]
