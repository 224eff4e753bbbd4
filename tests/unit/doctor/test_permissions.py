"""doctor's check that other users (Nix's build users) can run a launcher's Python and read
ldwrap: every directory above them searchable by others, the interpreter executable and the
package readable by them. The files are made in tmp_path with the modes under test; whatever
shuts others out above tmp_path itself is the same for every case (`base`)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ldwrap.doctor.model import Finding
from ldwrap.doctor.permissions import DEFAULT_BUILD_GROUP, blocked, build_group, launcher_findings
from ldwrap.launchertext import SHIM_MODULE_FILE, launcher_text


def _tree(root: Path) -> None:
    """root/opt/python3 (a stand-in interpreter, never run), root/home (mode 700) holding a
    venv whose bin/python links to it, and root/pkg/ldwrap/link/shim.py."""
    (root / "opt").mkdir(mode=0o755)
    real = root / "opt" / "python3"
    real.write_text("")
    real.chmod(0o755)
    venv = root / "home" / "venv" / "bin"
    venv.mkdir(parents=True)
    (root / "home").chmod(0o700)
    (venv / "python").symlink_to(real)
    module = root.joinpath("pkg", *SHIM_MODULE_FILE)
    module.parent.mkdir(parents=True)
    module.write_text("")
    module.chmod(0o644)


@pytest.mark.parametrize(
    ("path", "bits", "setup", "extra"),
    [
        ("opt/python3", stat.S_IXOTH, None, []),
        # The link's own directory counts (exec walks it), its target's too.
        ("home/venv/bin/python", stat.S_IXOTH, None, ["home"]),
        ("opt/python3", stat.S_IXOTH, ("opt/python3", 0o750), ["opt/python3"]),
        ("opt/python3", stat.S_IXOTH, ("opt", 0o750), ["opt"]),
        (
            "pkg/ldwrap/link/shim.py",
            stat.S_IROTH,
            ("pkg/ldwrap/link/shim.py", 0o600),
            ["pkg/ldwrap/link/shim.py"],
        ),
        ("pkg/ldwrap/link/shim.py", stat.S_IROTH, ("pkg/ldwrap", 0o700), ["pkg/ldwrap"]),
    ],
)
def test_blocked(
    tmp_path: Path, path: str, bits: int, setup: tuple[str, int] | None, extra: list[str]
) -> None:
    _tree(tmp_path)
    if setup is not None:
        os.chmod(tmp_path / setup[0], setup[1])
    base = blocked(str(tmp_path), stat.S_IXOTH)
    assert blocked(str(tmp_path / path), bits) == [*base, *(str(tmp_path / e) for e in extra)]


def _finding(
    launcher: Path, python: Path, parent: Path, closed: list[str], group: str, fix: str = ""
) -> Finding:
    who = (
        f"Nix builds run as other users (here the {group} group's), whose links then"
        if group
        else "Nix builds with build users (a multi-user Nix) run as other users, whose links "
        "would then"
    )
    return Finding(
        bool(group),
        f"{launcher}: other users cannot run it, its Python ({python}) or ldwrap "
        f"({parent}): {', '.join(closed)} shut them out. {who} fail with "
        "`collect2: fatal error: execvp: Permission denied`",
        f"{fix or 'chmod o+x ' + ' '.join(closed)}, or install ldwrap with a Python every user "
        f"can run (a venv made under /opt, say) and run `ldwrap install {launcher.parent}` "
        "again",
    )


@pytest.mark.parametrize("build_users", ["nixbld", ""])
def test_a_launcher_others_cannot_run_is_flagged_with_the_fix(
    tmp_path: Path, build_users: str
) -> None:
    _tree(tmp_path)
    python = tmp_path / "home" / "venv" / "bin" / "python"
    launcher = tmp_path / "bin" / "ld"
    launcher.parent.mkdir()
    launcher.write_text(launcher_text(str(python), str(tmp_path / "pkg")))
    launcher.chmod(0o755)
    closed = [*blocked(str(tmp_path), stat.S_IXOTH), str(tmp_path / "home")]
    assert launcher_findings([str(launcher)], build_users) == [
        _finding(launcher, python, tmp_path / "pkg", closed, build_users)
    ]


def test_a_launcher_everyone_can_run_draws_nothing(tmp_path: Path) -> None:
    _tree(tmp_path)
    python = tmp_path / "opt" / "python3"
    launcher = tmp_path / "ld"
    launcher.write_text(launcher_text(str(python), str(tmp_path / "pkg")))
    launcher.chmod(0o755)
    # Below tmp_path everything is open: only what shuts others out above it is named.
    outside = blocked(str(tmp_path), stat.S_IXOTH)
    found = launcher_findings([str(launcher)], "nixbld")
    assert found == (
        [_finding(launcher, python, tmp_path / "pkg", outside, "nixbld")] if outside else []
    )


@pytest.mark.parametrize(
    ("conf", "nix_config", "group"),
    [
        (None, None, DEFAULT_BUILD_GROUP),  # run as root here: Nix's default for root
        ("build-users-group = builders\n", None, "builders"),
        ("# build-users-group = no\nsandbox = false\n", None, DEFAULT_BUILD_GROUP),
        ("build-users-group =\n", None, ""),  # empty: builds run as the calling user
        ("build-users-group = builders\n", "build-users-group = other", "other"),
        (None, "sandbox = false\nbuild-users-group =", ""),
    ],
)
def test_build_group(tmp_path: Path, conf: str | None, nix_config: str | None, group: str) -> None:
    assert os.geteuid() == 0, "the default depends on the user; the suite runs as root"
    if conf is not None:
        (tmp_path / "nix.conf").write_text(conf)
    env = {"NIX_CONF_DIR": str(tmp_path)}
    if nix_config is not None:
        env["NIX_CONFIG"] = nix_config
    assert build_group(env) == group


def test_a_launcher_only_its_owner_can_run(tmp_path: Path) -> None:
    _tree(tmp_path)
    python = tmp_path / "opt" / "python3"
    launcher = tmp_path / "ld"
    launcher.write_text(launcher_text(str(python), str(tmp_path / "pkg")))
    launcher.chmod(0o700)
    outside = blocked(str(tmp_path), stat.S_IXOTH)
    fix = " and ".join(
        [*([f"chmod o+x {' '.join(outside)}"] if outside else []), f"chmod o+rx {launcher}"]
    )
    assert launcher_findings([str(launcher)], "nixbld") == [
        _finding(launcher, python, tmp_path / "pkg", [*outside, str(launcher)], "nixbld", fix)
    ]
