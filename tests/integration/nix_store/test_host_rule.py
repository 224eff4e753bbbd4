"""Which rule chooses the prefixes on a real machine, whatever this one is: each case runs in a
private mount namespace (`unshare -m`) where a tmpfs on /nix holds a store or none, and a bind
mount or a tmpfs gives /etc an os-release with `ID=nixos` or an `/etc/NIXOS`. The machine's
own /nix and /etc are never touched.

Nix installed beside a distribution keeps the default mode: a prefix library outside the store
gets its rpath and the program starts; on NixOS only the store counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import base_env, compile_c
from ldwrap.link.config import (
    HOST_NIXOS_FILE,
    HOST_NIXOS_ID,
    HOST_NO_STORE,
    HOST_STORE,
    MODE_NIX,
    MODE_NONDEFAULT,
)
from ldwrap.link.verdicts import ADDED, OUTSIDE

LDWRAP = str(Path(sys.executable).parent / "ldwrap")
NO_STORE = "mount -t tmpfs tmpfs /nix"
STORE = NO_STORE + " && mkdir /nix/store"
NIXOS_ID = 'mount --bind "$NIXOS_OS_RELEASE" /etc/os-release'
NIXOS_FILE = "mount -t tmpfs tmpfs /etc && touch /etc/NIXOS"  # /etc holds nothing else then

MACHINES = {
    "no store": (NO_STORE, "default", MODE_NONDEFAULT, HOST_NO_STORE),
    "store beside a distribution": (STORE, "default", MODE_NONDEFAULT, HOST_STORE),
    "NixOS by os-release": (f"{STORE} && {NIXOS_ID}", "nixos", MODE_NIX, HOST_NIXOS_ID),
    "NixOS by /etc/NIXOS": (f"{STORE} && {NIXOS_FILE}", "nixos", MODE_NIX, HOST_NIXOS_FILE),
    "os-release of NixOS, no store": (
        f"{NO_STORE} && {NIXOS_ID}",
        "default",
        MODE_NONDEFAULT,
        HOST_NO_STORE,
    ),
}


def on_machine(
    setup: str, cmd: list[str], tmp_path: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run cmd after setup in a private mount namespace."""
    os_release = tmp_path / "os-release"
    os_release.write_text('NAME=NixOS\nID=nixos\nVERSION_ID="23.11"\n')
    return subprocess.run(
        ["unshare", "-m", "--", "sh", "-c", f'{setup} && exec "$@"', "sh", *cmd],
        env={**env, "NIXOS_OS_RELEASE": str(os_release)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def prefix_lib(tmp_path: Path) -> Path:
    """A prefix library outside the loader's directories and outside any store."""
    lib = tmp_path / "opt" / "greet" / "lib"
    lib.mkdir(parents=True)
    compile_c("int greet_value(void) { return 42; }\n", lib / "libnixhostgreet.so", "-shared")
    return lib


@pytest.mark.parametrize("machine", list(MACHINES))
def test_dry_run_names_the_rule_the_machine_chose(
    machine: str, prefix_lib: Path, tmp_path: Path
) -> None:
    setup, rule, mode, why = MACHINES[machine]
    args = ["-o", "app", "main.o", "-L", str(prefix_lib), "-lnixhostgreet"]
    cmd = [LDWRAP, "dry-run", "--json", "--as", "ld.lld", "--", *args]
    p = on_machine(setup, cmd, tmp_path, base_env(PATH="/usr/bin:/bin"))
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert (data["mode"], data["rule"], data["rule_why"]) == (mode, rule, why)
    if mode == MODE_NIX:
        assert data["prefixes"] == ["/nix/store"]
        assert [(d["path"], d["verdict"]) for d in data["directories"]] == [
            (str(prefix_lib), OUTSIDE)
        ]
    else:
        assert data["prefixes"] == []
        assert [(d["path"], d["verdict"]) for d in data["directories"]] == [
            (str(prefix_lib), ADDED)
        ]


@pytest.mark.parametrize(
    ("machine", "starts"), [("store beside a distribution", True), ("NixOS by os-release", False)]
)
def test_a_prefix_library_links_and_starts_beside_nix_not_on_nixos(
    machine: str, starts: bool, prefix_lib: Path, dropins: Path, tmp_path: Path
) -> None:
    setup = MACHINES[machine][0]
    main = tmp_path / "main.c"
    main.write_text(
        '#include <stdio.h>\nint greet_value(void);\nint main(void) { printf("greet %d\\n", '
        "greet_value()); return 0; }\n"
    )
    app = tmp_path / "app"
    link = ["gcc", "-fuse-ld=lld", str(main), f"-L{prefix_lib}", "-lnixhostgreet", "-o", str(app)]
    p = on_machine(setup, link, tmp_path, base_env(PATH=f"{dropins}:/usr/bin:/bin"))
    assert p.returncode == 0, p.stderr
    run = subprocess.run([str(app)], capture_output=True, text=True, env=base_env(), timeout=30)
    if starts:
        assert (run.returncode, run.stdout) == (0, "greet 42\n")
    else:
        assert run.returncode == 127
        assert "libnixhostgreet.so: cannot open shared object file" in run.stderr
