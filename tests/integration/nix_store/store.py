"""A real Nix store for the tests in this directory (the session fixture is in conftest.py).

Nix (`nix-bin`, single user, run as root) builds the derivations of derivations.nix with
`sandbox = false` and no substituters. Everything lives in one temporary directory, which every
Nix command and every program run sees as `/nix` through a bind mount in a private mount
namespace (`unshare -m`): store paths are the real `/nix/store/...` ones, and the machine's own
`/nix` is never touched. The directory is removed at the end of the session.

Nix runs builds as its `nixbld` users, as it does by default for root. They must be able to run
the drop-ins, their Python and read ldwrap's package, through every directory above them;
pytest's temporary directories are private (0700). So the drop-ins and a copy of the package
under test sit in `/nix/ldwrap`, inside the mounted directory (0755), and run the system's
Python (`/usr/bin/python3`): what a user of Nix builds has to do too. (An empty
`build-users-group`, builds as root, would hide exactly the failure users meet.) A second set
of drop-ins uses a Python under a 0700 directory, as a venv in root's home does, for the test
of that failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import ldwrap
from ldwrap.launchertext import launcher_text
from ldwrap.link.linkers import DROP_IN_NAMES

HERE = Path(__file__).resolve().parent
EXPRESSION = HERE / "derivations.nix"
SYSTEM_PYTHON = "/usr/bin/python3"
# Where the drop-ins are, as the builds see them.
DROPINS = "/nix/ldwrap/bin"
LOCKED_DROPINS = "/nix/ldwrap/locked-bin"
LOCKED_PYTHON = "/nix/locked/python3"  # its directory is 0700
# Everything derivations.nix builds but the app whose build fails.
ATTRS = (
    "nixgreet",
    "nixunused",
    "app-bfd",
    "app-gold",
    "app-lld",
    "app-mold",
    "app-plain",
    "app-shrink",
    "app-noshrink",
)
NIX_CONF = """\
sandbox = false
substituters =
"""
# Bind root on /nix in a new mount namespace (private propagation: the mount never reaches
# the machine), then run the command.
_IN_NAMESPACE = 'mount --bind "$0" /nix && exec "$@"'


class NixStore:
    """The session's store; `root` is the directory the commands see as /nix."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.roots = root / "gcroots"  # out-links: the outputs' GC roots
        self.conf = root / "etc"
        self.home = root / "home"
        self._built: dict[str, str] = {}

    def env(self) -> dict[str, str]:
        """Nix's environment: its own configuration and nothing of the caller's."""
        return {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.home),
            "XDG_CACHE_HOME": str(self.home / "cache"),
            "NIX_CONF_DIR": str(self.conf),
            "NIX_USER_CONF_FILES": str(self.conf / "nix.conf"),
            "NIX_REMOTE": "local",
            "LANG": "C",
        }

    def run(
        self, cmd: list[str], env: dict[str, str] | None = None, timeout: int = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run cmd where /nix is this store."""
        return subprocess.run(
            ["unshare", "-m", "--", "sh", "-c", _IN_NAMESPACE, str(self.root), *cmd],
            env=self.env() if env is None else env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def nix(self, *args: str) -> str:
        p = self.run(list(args))
        assert p.returncode == 0, f"{args}:\n{p.stderr[-4000:]}"
        return p.stdout

    def build_all(self) -> None:
        """Build every attribute in one Nix run, then give each output its root."""
        self.nix(*self._build_args(ATTRS), "--no-out-link")
        for attr in ATTRS:
            self.build(attr)

    def build(self, attr: str) -> str:
        """The output path of attr, built if it is not valid, with an out-link as its GC root."""
        path = self._built.get(attr)
        if path is not None and self.physical(path).exists() and (self.roots / attr).exists():
            return path
        out = self.nix(*self._build_args([attr]), "-o", str(self.roots / attr)).strip()
        self._built[attr] = out
        return out

    def try_build(self, attr: str) -> subprocess.CompletedProcess[str]:
        return self.run([*self._build_args([attr]), "--no-out-link"])

    def drop_root(self, attr: str) -> None:
        """Remove attr's GC root: nothing keeps its output any more, unless another refers to it."""
        (self.roots / attr).unlink()

    def _build_args(self, attrs: tuple[str, ...] | list[str]) -> list[str]:
        args = ["nix-build", str(EXPRESSION), "--argstr", "dropins", DROPINS]
        args += ["--argstr", "locked", LOCKED_DROPINS]
        for a in attrs:
            args += ["-A", a]
        return args

    def references(self, path: str) -> list[str]:
        return sorted(self.nix("nix-store", "-q", "--references", path).split())

    def physical(self, path: str) -> Path:
        """Where a /nix/... path is outside the namespace (to read files, not to run them)."""
        assert path.startswith("/nix/"), path
        return self.root / path[len("/nix/") :]


def install_dropins(root: Path) -> None:
    """ldwrap's package (the one under test) copied to /nix/ldwrap/lib; drop-ins that run it
    with the system Python in /nix/ldwrap/bin, and with a Python behind a 0700 directory in
    /nix/ldwrap/locked-bin."""
    lib = root / "ldwrap" / "lib"
    package = Path(ldwrap.__file__).resolve().parent
    shutil.copytree(package, lib / "ldwrap", ignore=shutil.ignore_patterns("__pycache__"))
    # Compiled once here: the build users cannot write __pycache__ beside the sources.
    subprocess.run([SYSTEM_PYTHON, "-m", "compileall", "-q", str(lib)], check=True)
    locked = root / "locked"
    locked.mkdir(mode=0o700)
    (locked / "python3").symlink_to(SYSTEM_PYTHON)
    for where, python in ((DROPINS, SYSTEM_PYTHON), (LOCKED_DROPINS, LOCKED_PYTHON)):
        d = root / where[len("/nix/") :]
        d.mkdir(parents=True)
        text = launcher_text(python=python, package_parent="/nix/ldwrap/lib").encode()
        for name in DROP_IN_NAMES:
            (d / name).write_bytes(text)
            (d / name).chmod(0o755)
    for top, _dirs, files in os.walk(root / "ldwrap"):
        os.chmod(top, 0o755)
        for f in files:
            p = os.path.join(top, f)
            os.chmod(p, os.stat(p).st_mode | 0o444)
