"""Whether other users can run the drop-ins: Nix builds run as its build users (nixbld1, ...),
and a launcher whose Python or package they cannot reach fails every link of every build
(`collect2: fatal error: execvp: Permission denied`)."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping

from ..launchertext import SHIM_MODULE_FILE, parse
from .model import Finding

# Nix's build-users-group when no configuration sets it: builds started as root run as its
# members (nixbld1, ...), a single-user Nix's as the user.
DEFAULT_BUILD_GROUP = "nixbld"


def blocked(path: str, file_bits: int) -> list[str]:
    """The directories above path that other users cannot enter, then path itself when they
    lack file_bits on it; for the path as written and for what its links resolve to."""
    out: list[str] = []
    for p in dict.fromkeys((os.path.abspath(path), os.path.realpath(path))):
        parts = p.split("/")[1:]
        for i in range(len(parts)):
            d = "/" + "/".join(parts[:i])
            if not _mode(d) & stat.S_IXOTH and d not in out:
                out.append(d)
    real = os.path.realpath(path)
    if (_mode(real) & file_bits) != file_bits and real not in out:
        out.append(real)
    return out


def _mode(path: str) -> int:
    try:
        return os.stat(path).st_mode
    except OSError:
        return 0o777  # gone: launcher_problem says so


def build_group(env: Mapping[str, str]) -> str:
    """Nix's build-users-group: nix.conf (in NIX_CONF_DIR, else /etc/nix), then NIX_CONFIG;
    the last setting wins."""
    group = DEFAULT_BUILD_GROUP if os.geteuid() == 0 else ""
    conf = os.path.join(env.get("NIX_CONF_DIR") or "/etc/nix", "nix.conf")
    try:
        with open(conf, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        text = ""
    for line in (text + "\n" + env.get("NIX_CONFIG", "")).splitlines():
        key, eq, value = line.split("#", 1)[0].partition("=")
        if eq and key.strip() == "build-users-group":
            group = value.strip()
    return group


def build_users(env: Mapping[str, str]) -> str:
    """The group of Nix's build users when this machine has them (then Nix builds run as
    other users), else ""."""
    import grp

    group = build_group(env)
    try:
        return group if group and grp.getgrnam(group) else ""
    except KeyError:
        return ""


def launcher_findings(launchers: list[str], build_users: str) -> list[Finding]:
    """One finding per launcher that other users cannot run, or whose Python or ldwrap
    package they cannot reach: a problem where Nix has build_users (their group), a note
    elsewhere."""
    found = []
    for launcher in launchers:
        try:
            with open(launcher, encoding="utf-8", errors="replace") as f:
                launched = parse(f.read(4096))
            python, parent = launched.python, launched.package_parent
        except OSError:
            continue
        # The kernel opens the launcher (a script) and its interpreter; Python reads ldwrap.
        closed = blocked(launcher, stat.S_IROTH | stat.S_IXOTH)
        if python:
            closed += [p for p in blocked(python, stat.S_IXOTH) if p not in closed]
        if parent is not None:
            module = os.path.join(parent, *SHIM_MODULE_FILE)
            closed += [p for p in blocked(module, stat.S_IROTH) if p not in closed]
        if not closed:
            continue
        dirs = [p for p in closed if os.path.isdir(p)]
        files = [p for p in closed if p not in dirs]
        fix = " and ".join(
            part
            for part in (
                f"chmod o+x {' '.join(dirs)}" if dirs else "",
                f"chmod o+rx {' '.join(files)}" if files else "",
            )
            if part
        )
        who = (
            f"Nix builds run as other users (here the {build_users} group's), whose links then"
            if build_users
            else "Nix builds with build users (a multi-user Nix) run as other users, whose "
            "links would then"
        )
        found.append(
            Finding(
                bool(build_users),
                f"{launcher}: other users cannot run it, its Python ({python}) or ldwrap "
                f"({parent}): {', '.join(closed)} shut them out. {who} fail with "
                "`collect2: fatal error: execvp: Permission denied`",
                f"{fix}, or install ldwrap with a Python every user can run (a venv made "
                f"under /opt, say) and run `ldwrap install {os.path.dirname(launcher)}` again",
            )
        )
    return found
