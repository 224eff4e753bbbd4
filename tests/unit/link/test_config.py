"""link/config.py: the settings read from the environment (switch values and their warnings,
which prefix rule applies, in order), and what the machine says about Nix when neither
NIX_STORE nor LDWRAP_RPATH_PREFIXES chooses the prefixes: `nix_host` on real temporary trees
standing for the machine's root, and which rule `explain` and `dry-run --json` then name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ldwrap.cli import cli
from ldwrap.link import config
from ldwrap.link.config import (
    HOST_NIXOS_FILE,
    HOST_NIXOS_ID,
    HOST_NO_STORE,
    HOST_STORE,
    MODE_NIX,
    MODE_NONDEFAULT,
    MODE_PREFIXES,
    RULE_DEFAULT,
    RULE_NIX_STORE,
    RULE_NIXOS,
    RULE_PREFIXES,
    Config,
    nix_host,
    os_release_id,
)
from ldwrap.link.plan import prepare

from .conftest import Dry

DEBIAN = b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nID=debian\n'
NIXOS = b'BUILD_ID="23.11"\nID=nixos\nNAME=NixOS\n'


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (DEBIAN, "debian"),
        (NIXOS, "nixos"),
        (b'ID="nixos"\n', "nixos"),
        (b"ID='nixos'\n", "nixos"),
        (b"ID=nixos", "nixos"),  # no final newline
        (b"VERSION_ID=23.11\nID_LIKE=nixos\nID=ubuntu\n", "ubuntu"),  # ID_LIKE is not ID
        (b"# ID=nixos\nNAME=x\n", ""),
        (b"", ""),
    ],
)
def test_os_release_id(text: bytes, want: str) -> None:
    assert os_release_id(text) == want


def machine(
    root: Path, store: bool = False, nixos_file: bool = False, os_release: bytes | None = None
) -> str:
    """A tree standing for a machine's root; returns it as nix_host's root argument."""
    if store:
        (root / "nix" / "store").mkdir(parents=True)
    (root / "etc").mkdir()
    if nixos_file:
        (root / "etc" / "NIXOS").touch()
    if os_release is not None:
        (root / "etc" / "os-release").write_bytes(os_release)
    return str(root)


@pytest.mark.parametrize(
    ("store", "nixos_file", "os_release", "want"),
    [
        (False, False, DEBIAN, HOST_NO_STORE),
        (False, True, NIXOS, HOST_NO_STORE),  # no store: nothing to narrow the prefixes to
        (True, False, DEBIAN, HOST_STORE),  # Nix installed beside the distribution
        (True, False, None, HOST_STORE),  # no os-release at all
        (True, True, DEBIAN, HOST_NIXOS_FILE),
        (True, True, None, HOST_NIXOS_FILE),
        (True, False, NIXOS, HOST_NIXOS_ID),
    ],
)
def test_nix_host(
    tmp_path: Path, store: bool, nixos_file: bool, os_release: bytes | None, want: str
) -> None:
    assert nix_host(machine(tmp_path, store, nixos_file, os_release)) == want


def test_a_store_that_is_a_file_is_no_store(tmp_path: Path) -> None:
    (tmp_path / "nix").mkdir()
    (tmp_path / "nix" / "store").touch()
    assert nix_host(str(tmp_path)) == HOST_NO_STORE


@pytest.mark.parametrize(
    ("store", "os_release", "file_reads"),
    [(False, NIXOS, 0), (True, None, 0), (True, DEBIAN, 1)],
)
def test_os_release_is_read_only_on_a_machine_with_a_store_and_no_etc_nixos(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    store: bool,
    os_release: bytes | None,
    file_reads: int,
) -> None:
    from ldwrap.link import oslite

    reads: list[str] = []
    real = oslite.read_file

    def counting(path: str, limit: int) -> bytes | None:
        reads.append(path)
        return real(path, limit)

    monkeypatch.setattr(oslite, "read_file", counting)
    root = machine(tmp_path, store, nixos_file=os_release is None, os_release=os_release)
    nix_host(root)
    assert reads == [f"{root}/etc/os-release"] * file_reads


# The machine's own answer is faked below: a test cannot create /nix/store or /etc/NIXOS.
HOSTS = [HOST_NO_STORE, HOST_STORE, HOST_NIXOS_FILE, HOST_NIXOS_ID]


@pytest.mark.parametrize(
    ("env", "host", "mode", "rule", "why"),
    [
        *[
            ({"NIX_STORE": "/s"}, h, MODE_NIX, RULE_NIX_STORE, "NIX_STORE is set (a Nix build)")
            for h in HOSTS
        ],
        *[({"LDWRAP_RPATH_PREFIXES": "/p"}, h, MODE_PREFIXES, RULE_PREFIXES, None) for h in HOSTS],
        ({}, HOST_NO_STORE, MODE_NONDEFAULT, RULE_DEFAULT, HOST_NO_STORE),
        ({}, HOST_STORE, MODE_NONDEFAULT, RULE_DEFAULT, HOST_STORE),
        ({}, HOST_NIXOS_FILE, MODE_NIX, RULE_NIXOS, HOST_NIXOS_FILE),
        ({}, HOST_NIXOS_ID, MODE_NIX, RULE_NIXOS, HOST_NIXOS_ID),
    ],
)
def test_the_rule_and_its_reason(
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    host: str,
    mode: str,
    rule: str,
    why: str | None,
) -> None:
    asked: list[str] = []

    def nix_host(root: str = "") -> str:
        asked.append(root)
        return host

    monkeypatch.setattr(config, "nix_host", nix_host)
    s = Config.from_env(env)
    assert (s.mode, s.rule, s.rule_why) == (mode, rule, why or "LDWRAP_RPATH_PREFIXES is set")
    # The machine is asked only when neither variable decides.
    assert asked == ([] if env else [""])


def test_doctor_style_callers_that_know_the_store_still_ask_about_nixos(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(config, "nix_host", lambda root="": HOST_NIXOS_ID)
    s = Config.from_env({}, nix_store_exists=True)
    assert (s.mode, s.prefixes, s.rule_why) == (MODE_NIX, ("/nix/store",), HOST_NIXOS_ID)
    assert Config.from_env({}, nix_store_exists=False).rule_why == HOST_NO_STORE


@pytest.mark.parametrize(
    ("host", "prefixes", "rule"),
    [
        (HOST_NO_STORE, "any directory the loader does not search by itself", RULE_DEFAULT),
        (HOST_STORE, "any directory the loader does not search by itself", RULE_DEFAULT),
        (HOST_NIXOS_FILE, "/nix/store (nix)", RULE_NIXOS),
        (HOST_NIXOS_ID, "/nix/store (nix)", RULE_NIXOS),
    ],
)
def test_explain_and_dry_run_json_name_the_rule(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, host: str, prefixes: str, rule: str
) -> None:
    monkeypatch.setattr(config, "nix_host", lambda root="": host)
    real = tmp_path / "ld.lld"  # found, never run
    real.write_text("#!/bin/sh\nexit 0\n")
    real.chmod(0o755)
    env = {"PATH": str(tmp_path), "NIX_STORE": None, "LDWRAP_RPATH_PREFIXES": None}
    args = ["--as", "ld.lld", "--", "-o", "x", "a.o"]
    out = CliRunner().invoke(cli, ["explain", *args], env=env)
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[1:3] == [f"prefixes: {prefixes}", f"rule:     {host}"]
    out = CliRunner().invoke(cli, ["dry-run", "--json", *args], env=env)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert (data["rule"], data["rule_why"]) == (rule, host)


def test_a_switch_with_another_value_warns() -> None:
    s = Config.from_env({"LDWRAP_DISABLE": "yes"})
    assert not s.disable_rpath
    assert any("LDWRAP_DISABLE" in w for w in s.warnings)


N, P, D = MODE_NIX, MODE_PREFIXES, MODE_NONDEFAULT


@pytest.mark.parametrize(
    ("env", "exists", "nixos", "mode", "prefixes", "rule"),
    [
        # NIX_STORE first, whatever the machine is.
        (
            {"NIX_STORE": "/s", "LDWRAP_RPATH_PREFIXES": "/p"},
            True,
            True,
            N,
            ("/s",),
            RULE_NIX_STORE,
        ),
        ({"NIX_STORE": "/s/"}, False, False, N, ("/s",), RULE_NIX_STORE),  # a trailing slash works
        ({"NIX_STORE": "/s//"}, True, False, N, ("/s",), RULE_NIX_STORE),
        # Then LDWRAP_RPATH_PREFIXES, also on NixOS.
        ({"LDWRAP_RPATH_PREFIXES": "/p:/q/"}, True, True, P, ("/p", "/q"), RULE_PREFIXES),
        ({"LDWRAP_RPATH_PREFIXES": "/p::rel"}, False, False, P, ("/p",), RULE_PREFIXES),
        ({"NIX_STORE": "", "LDWRAP_RPATH_PREFIXES": "/p"}, True, False, P, ("/p",), RULE_PREFIXES),
        # Then NixOS: its store only.
        ({"LDWRAP_RPATH_PREFIXES": ":"}, True, True, N, ("/nix/store",), RULE_NIXOS),
        ({}, True, True, N, ("/nix/store",), RULE_NIXOS),
        # Else the default mode, with a store beside the distribution or not.
        ({"LDWRAP_RPATH_PREFIXES": ":"}, True, False, D, (), RULE_DEFAULT),
        ({}, True, False, D, (), RULE_DEFAULT),
        ({}, False, False, D, (), RULE_DEFAULT),
        ({}, False, True, D, (), RULE_DEFAULT),  # NixOS without a store: nothing to narrow to
    ],
)
def test_prefix_selection_order(
    env: dict[str, str],
    exists: bool,
    nixos: bool,
    mode: str,
    prefixes: tuple[str, ...],
    rule: str,
) -> None:
    s = Config.from_env(env, nix_store_exists=exists, nixos=nixos)
    assert (s.mode, s.prefixes, s.rule) == (mode, prefixes, rule)


@pytest.mark.parametrize(
    ("env", "field", "value", "warnings"),
    [
        ({}, "ld_run_path", True, []),
        ({"LDWRAP_LD_RUN_PATH": ""}, "ld_run_path", True, []),
        ({"LDWRAP_LD_RUN_PATH": "0"}, "ld_run_path", False, []),
        ({"LDWRAP_LD_RUN_PATH": "1"}, "ld_run_path", True, []),
        (
            {"LDWRAP_LD_RUN_PATH": "no"},
            "ld_run_path",
            True,
            ["ignoring LDWRAP_LD_RUN_PATH='no': use 1 or 0"],
        ),
        ({"LDWRAP_SHRINK": "1"}, "shrink_on", True, []),
        ({"LDWRAP_SHRINK": "0"}, "shrink_on", False, []),
        ({"LDWRAP_SHRINK": "on"}, "shrink_on", False, ["ignoring LDWRAP_SHRINK='on': use 1 or 0"]),
        ({"LDWRAP_DISABLE": "1"}, "disable_rpath", True, []),
        ({"LDWRAP_DISABLE": "0"}, "disable_rpath", False, []),
        (
            {"LDWRAP_DISABLE": "true"},
            "disable_rpath",
            False,
            ["ignoring LDWRAP_DISABLE='true': only 1 turns it on"],
        ),
        ({"LDWRAP_DEBUG": "2"}, "debug", False, ["ignoring LDWRAP_DEBUG='2': only 1 turns it on"]),
        ({"NIX_DEBUG": "2"}, "debug", True, []),
        ({"LDWRAP_DRY_RUN": "yes"}, "dry_run", True, []),
        ({"LDWRAP_DRY_RUN": "0"}, "dry_run", False, []),
        ({"NIX_ENFORCE_PURITY": "1"}, "enforce_purity", True, []),
        (
            {"NIX_ENFORCE_PURITY": "yes"},
            "enforce_purity",
            False,
            ["ignoring NIX_ENFORCE_PURITY='yes': only 1 turns it on"],
        ),
        (
            {"NIX_DONT_SET_RPATH": "01"},
            "disable_rpath",
            False,
            ["ignoring NIX_DONT_SET_RPATH='01': only 1 turns it on"],
        ),
        (
            {"NIX_SET_BUILD_ID": "on"},
            "disable_rpath",
            False,
            ["ignoring NIX_SET_BUILD_ID='on': only 1 turns it on"],
        ),
    ],
)
def test_switch_values(env: dict[str, str], field: str, value: bool, warnings: list[str]) -> None:
    config = Config.from_env({"NIX_STORE": "/nix/store", **env})
    assert (getattr(config, field), config.warnings) == (value, warnings)


class _Asked(dict[str, str]):
    """An environment that records every name looked up in it."""

    def __init__(self, *args: object, **kwargs: str) -> None:
        super().__init__(*args, **kwargs)
        self.asked: set[str] = set()

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"NIX_BINTOOLS_WRAPPER_TARGET_HOST_x86_64_unknown_linux_gnu": "1"},
        {
            "NIX_BINTOOLS_WRAPPER_TARGET_HOST_x86_64_unknown_linux_gnu": "1",
            "NIX_BINTOOLS_WRAPPER_TARGET_BUILD_x86_64_unknown_linux_gnu": "1",
            "NIX_BINTOOLS_WRAPPER_TARGET_TARGET_aarch64_unknown_linux_gnu": "1",
        },
        {"NIX_WRAPPER_VERSION": "2", "NIX_WRAPPER_OPERATION": "link"},
    ],
)
def test_the_nix_reader_reads_only_what_nix_read_names(env: dict[str, str]) -> None:
    """Config.nix_vars decides whether a link loads the Nix reader at all: every name the
    reader looks up must start with one of NIX_READ's prefixes (or be the cc-wrapper's
    wrapper_* record, which it reads only when NIX_WRAPPER_VERSION says so)."""
    from ldwrap.link.config import NIX_READ
    from ldwrap.link.nix import read

    for emulation in (None, "elf_i386", "aarch64linux"):
        asked = _Asked(env)
        read(asked, emulation, "x86_64")
        stray = [k for k in asked.asked if not k.startswith((*NIX_READ, "wrapper_"))]
        assert stray == [], stray
        assert asked.asked  # the reader really looked things up


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"NIX_STORE": "/nix/store"}, False),
        ({"NIX_STORE": "/nix/store", "NIX_DEBUG": "1", "NIX_BUILD_TOP": "/build"}, False),
        ({"NIX_LDFLAGS": "-L/x"}, True),
        ({"NIX_LDFLAGS_AFTER_FOR_TARGET": "-L/x"}, True),
        ({"NIX_DONT_SET_RPATH_x86_64_unknown_linux_gnu": "1"}, True),
        ({"NIX_BINTOOLS_WRAPPER_TARGET_HOST_x86_64_unknown_linux_gnu": "1"}, True),
        ({"NIX_WRAPPER_VERSION": "2"}, True),
    ],
)
def test_nix_vars(env: dict[str, str], expected: bool) -> None:
    assert Config.from_env(env).nix_vars is expected


@pytest.mark.parametrize(
    ("env", "driver", "stubs", "warnings"),
    [
        ({}, None, (), []),
        ({"NIX_STORE": "/nix/store"}, "/run/opengl-driver/lib", (), []),
        ({"NIX_STORE": "/nix/store", "LDWRAP_DRIVER_DIR": "0"}, None, (), []),
        ({"LDWRAP_DRIVER_DIR": "/opt/drv/"}, "/opt/drv", (), []),
        ({"LDWRAP_DRIVER_DIR": ""}, None, (), []),
        (
            {"NIX_STORE": "/s", "LDWRAP_DRIVER_DIR": "drv"},
            "/run/opengl-driver/lib",
            (),
            ["ignoring LDWRAP_DRIVER_DIR='drv': not an absolute directory"],
        ),
        ({"LDWRAP_STUB_DIRS": "/a/stubs/:rel::/b"}, None, ("/a/stubs", "/b"), []),
    ],
)
def test_stub_and_driver_directories(
    env: dict[str, str], driver: str | None, stubs: tuple[str, ...], warnings: list[str]
) -> None:
    c = Config.from_env(env, nix_store_exists=False)
    assert (c.driver_dir, c.stub_dirs, c.warnings) == (driver, stubs, warnings)


@pytest.mark.parametrize(
    ("env", "nix_build"),
    [
        ({}, False),
        ({"out": "/nix/store/abc-x"}, False),
        ({"NIX_STORE": "/nix/store", "out": "/nix/store/abc-x"}, True),
        ({"NIX_STORE": "/nix/store/", "out": "/nix/store/abc-x"}, True),
        # nix develop: $out is ./outputs/out, outside the store.
        ({"NIX_STORE": "/nix/store", "out": "/home/u/p/outputs/out"}, False),
        ({"NIX_STORE": "/nix/store", "out": "/nix/storex/abc"}, False),
    ],
)
def test_a_nix_build_is_known_by_its_output_in_the_store(
    env: dict[str, str], nix_build: bool
) -> None:
    c = Config.from_env(env, nix_store_exists=False)
    assert c.nix_build == nix_build
    assert c.own_rpath_on == (not nix_build)


def test_bad_settings_warn(dry: Dry, tmp_path: Path, linker_path: str) -> None:
    full = {"PATH": linker_path, "LDWRAP_DTAGS": "x", "LDWRAP_LD_RUN_PATH": "yes"}
    inv = prepare("ld.lld", ["m.o"], full, str(tmp_path))
    assert inv.config.warnings == [
        "ignoring LDWRAP_DTAGS='x': use runpath or rpath",
        "ignoring LDWRAP_LD_RUN_PATH='yes': use 1 or 0",
    ]
    # A value it ignores leaves LDWRAP_LD_RUN_PATH's default (on): LD_RUN_PATH is still passed.
    assert dry(["m.o"], {"LDWRAP_LD_RUN_PATH": "yes", "LD_RUN_PATH": "/r1"}) == [
        "m.o",
        "-rpath",
        "/r1",
    ]
