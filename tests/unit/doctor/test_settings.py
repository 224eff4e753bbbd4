"""doctor/settings.py: what the environment's settings select, said as doctor says it. The
LDWRAP_LINKER finding is checked through `diagnose` too (it must be the only finding about the
variable); the stand-in linkers only need to exist (doctor runs none of them). Which prefix rule
the machine itself selects is faked at `config.nix_host`: a test cannot create /nix/store."""

from __future__ import annotations

from pathlib import Path

import pytest

from ldwrap import doctor
from ldwrap.doctor.model import Finding
from ldwrap.doctor.settings import linker_setting, policy
from ldwrap.link import config
from ldwrap.link.config import HOST_NIXOS_FILE, HOST_NO_STORE, HOST_STORE

from .conftest import doctor_env, exe


@pytest.mark.parametrize(
    ("setting", "problem", "text", "advice"),
    [
        (
            "/nope/ld",
            True,
            "LDWRAP_LINKER=/nope/ld points nowhere (no executable file there)",
            "unset LDWRAP_LINKER, or point it at a linker",
        ),
        (
            "nope-ld",
            True,
            "LDWRAP_LINKER=nope-ld points nowhere (not on PATH)",
            "unset LDWRAP_LINKER, or point it at a linker",
        ),
        (
            "{dropins}/ld.lld",
            True,
            "LDWRAP_LINKER={dropins}/ld.lld is one of ldwrap's own launchers",
            "point it at the real linker",
        ),
        (
            "ld.lld",
            False,
            "LDWRAP_LINKER=ld.lld: every drop-in runs {sys}/ld.lld, whatever -fuse-ld= asked for",
            "unset LDWRAP_LINKER to let -fuse-ld= choose the linker",
        ),
    ],
)
def test_ldwrap_linker_is_one_finding(
    tmp_path: Path,
    linkers: Path,
    dropins: Path,
    setting: str,
    problem: bool,
    text: str,
    advice: str,
) -> None:
    fill = {"dropins": dropins, "sys": linkers}
    env = doctor_env(tmp_path, f"{dropins}:{linkers}", LDWRAP_LINKER=setting.format(**fill))
    report = doctor.diagnose(env, compilers=False)
    about = [f for f in report.findings if "LDWRAP_LINKER" in f.text]
    assert len(about) == 1, report.findings
    assert about[0].problem == problem
    assert about[0].text.startswith(text.format(**fill))
    assert advice in about[0].advice
    assert report.ok == (not problem)


def test_no_ldwrap_linker_no_finding() -> None:
    assert linker_setting({}) is None
    assert linker_setting({"LDWRAP_LINKER": ""}) is None


def test_ldwrap_linker_by_name_is_looked_up_on_path(tmp_path: Path) -> None:
    real = exe(tmp_path / "bin" / "ld.real")
    (tmp_path / "bin" / "not-a-program").write_text("")
    found = linker_setting({"LDWRAP_LINKER": "ld.real", "PATH": f"/nowhere:{real.parent}"})
    assert found is not None and not found.problem
    assert f"every drop-in runs {real}," in found.text
    path = str(tmp_path / "bin" / "not-a-program")
    refused = linker_setting({"LDWRAP_LINKER": path, "PATH": "/nowhere"})
    assert refused is not None and refused.problem
    assert refused.text.startswith(f"LDWRAP_LINKER={path} points nowhere (no executable file")


# (id, env, the machine's own answer, expected policy text)
POLICIES = [
    (
        "a Nix build",
        {"NIX_STORE": "/s/store/"},
        HOST_STORE,
        "rpath for library dirs under /s/store (NIX_STORE)",
    ),
    (
        "prefixes",
        {"LDWRAP_RPATH_PREFIXES": "/p:/q"},
        HOST_NO_STORE,
        "rpath for library dirs under /p:/q (LDWRAP_RPATH_PREFIXES)",
    ),
    ("NixOS", {}, HOST_NIXOS_FILE, f"rpath for library dirs under /nix/store ({HOST_NIXOS_FILE})"),
    (
        "a distribution",
        {},
        HOST_NO_STORE,
        f"rpath for any library dir the loader does not search by itself ({HOST_NO_STORE})",
    ),
    (
        "a distribution with a store beside",
        {},
        HOST_STORE,
        f"rpath for any library dir the loader does not search by itself ({HOST_STORE})",
    ),
]


@pytest.mark.parametrize(
    ("env", "host", "text"), [c[1:] for c in POLICIES], ids=[c[0] for c in POLICIES]
)
def test_policy_names_the_prefixes_and_the_rule(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], host: str, text: str
) -> None:
    monkeypatch.setattr(config, "nix_host", lambda root="": host)
    assert policy(env) == (text, [])


OFF = Finding(
    True,
    "rpaths are turned off (NIX_DONT_SET_RPATH or LDWRAP_DISABLE)",
    "unset NIX_DONT_SET_RPATH and LDWRAP_DISABLE",
)


@pytest.mark.parametrize(
    ("env", "findings"),
    [
        ({"LDWRAP_DISABLE": "1"}, [OFF]),
        ({"NIX_DONT_SET_RPATH": "1"}, [OFF]),
        ({"NIX_DONT_SET_RPATH": "1", "LDWRAP_DISABLE": "1"}, [OFF]),  # said once
        ({"NIX_DONT_SET_RPATH": "0"}, []),
        (
            {"LDWRAP_DISABLE": "yes"},
            [
                Finding(
                    True,
                    "setting: ignoring LDWRAP_DISABLE='yes': only 1 turns it on",
                    "fix or unset the variable",
                )
            ],
        ),
        (
            {"LDWRAP_RPATH_PREFIXES": "rel:/p"},
            [
                Finding(
                    True,
                    "setting: LDWRAP_RPATH_PREFIXES: relative prefixes ignored: rel",
                    "fix or unset the variable",
                )
            ],
        ),
    ],
)
def test_policy_problems(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], findings: list[Finding]
) -> None:
    monkeypatch.setattr(config, "nix_host", lambda root="": HOST_NO_STORE)
    assert policy(env)[1] == findings
