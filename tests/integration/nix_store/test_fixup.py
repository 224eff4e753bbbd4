"""`ldwrap fixup --shrink` against a real Nix store: a private one (NIX_STORE_DIR and friends
under tmp_path, never the machine's /nix), filled with `nix-store --add`. The store path holds
a program whose RUNPATH has an entry that provides nothing, so fixup would trim it anywhere
else; in the store it is refused, and `nix-store --verify-path` still passes."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytest

from helpers import base_env, compile_c, read_runpath, run_program, store_hash
from ldwrap.fixup import fixup, replace_bytes
from ldwrap.link.trim import SHRUNK, plan_shrink

pytestmark = pytest.mark.integration


def nix_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NIX_", "LDWRAP_"))}
    env.update(
        NIX_STORE_DIR=str(root / "store"),
        NIX_STATE_DIR=str(root / "var"),
        NIX_LOG_DIR=str(root / "log"),
        NIX_CONF_DIR=str(root / "etc"),
    )
    return env


def nix_store(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["nix-store", *args], env=env, capture_output=True, text=True)


def test_fixup_refuses_a_real_store_path_and_it_still_verifies(tmp_path: Path) -> None:
    env = nix_env(tmp_path / "nix")
    pkg = tmp_path / "pkg"
    (pkg / "bin").mkdir(parents=True)
    (tmp_path / "main.c").write_text("int main(void) { return 0; }\n")
    app = pkg / "bin" / "app"
    subprocess.run(
        ["gcc", "-o", str(app), str(tmp_path / "main.c"), f"-Wl,-rpath,{tmp_path}/unused"],
        check=True,
    )
    # Outside the store the entry would go: fixup has something to do.
    assert plan_shrink(str(app)).status == SHRUNK
    added = nix_store(env, "--add", str(pkg))
    assert added.returncode == 0, added.stderr
    path = added.stdout.strip()
    assert path.startswith(env["NIX_STORE_DIR"] + "/")
    stored = Path(path) / "bin" / "app"
    before = stored.read_bytes()
    (tmp_path / "result").symlink_to(path)

    for given in (str(stored), path, str(tmp_path / "result")):
        out, err = io.StringIO(), io.StringIO()
        assert fixup([given], False, out, err, env) == 2
        assert err.getvalue() == (
            f"ldwrap fixup: error: {given}: in the Nix store {env['NIX_STORE_DIR']}; "
            "store files are never edited\n"
        )
        assert out.getvalue() == ""
    assert stored.read_bytes() == before
    verified = nix_store(env, "--verify-path", path)
    assert (verified.returncode, verified.stderr) == (0, "")

    # What the refusal prevents: the same edit made in place is caught by Nix.
    result = plan_shrink(str(stored))
    assert result.status == SHRUNK and result.old is not None
    replace_bytes(str(stored), result.offset, result.before, result.new)
    broken = nix_store(env, "--verify-path", path)
    assert broken.returncode != 0
    assert f"path '{path}' was modified!" in broken.stderr


def test_link_time_shrink_still_trims_an_output_in_the_store(tmp_path: Path, dropins: Path) -> None:
    """LDWRAP_SHRINK edits only the file the linker has just written, wherever it is: an
    output in the store (as a Nix build writes $out) is trimmed at link time, while `fixup`
    refuses the same file afterwards, outside a build."""
    store = tmp_path / "store"
    foo = store / f"{store_hash('foo')}-foo" / "lib"
    unused = store / f"{store_hash('unused')}-unused" / "lib"
    foo.mkdir(parents=True)
    unused.mkdir(parents=True)
    compile_c("int foo_value(void) { return 42; }\n", foo / "libfoo.so", "-shared", "-fPIC")
    compile_c("int unused_value(void) { return 1; }\n", unused / "libunused.so", "-shared")
    main = compile_c(
        "int foo_value(void);\nint main(void) { return foo_value() == 42 ? 0 : 1; }\n",
        tmp_path / "main.o",
        "-c",
    )
    out = store / f"{store_hash('out')}-app" / "bin" / "app"
    out.parent.mkdir(parents=True)
    env = base_env(NIX_STORE=str(store), LDWRAP_SHRINK="1")
    link = [
        "gcc",
        f"-B{dropins}",
        str(main),
        "-Wl,--as-needed",
        f"-L{foo}",
        f"-L{unused}",
        "-lfoo",
        "-lunused",
        "-o",
        str(out),
    ]
    proc = subprocess.run(link, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert read_runpath(out) == [str(foo)]
    assert run_program(out).returncode == 0
    before = out.read_bytes()
    err = io.StringIO()
    assert fixup([str(out)], False, io.StringIO(), err, env) == 2
    assert "store files are never edited" in err.getvalue()
    assert out.read_bytes() == before
