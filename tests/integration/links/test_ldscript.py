"""Real links against a `libimpl.so` that is a GNU ld script naming the real library in
another store directory: through ldwrap the program starts, without it the loader cannot find
the library. The library names are unique to this test, so no system copy can stand in."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import base_env, compile_c, make_store, read_needed, read_runpath, run_program

SYS_PATH = "/usr/local/bin:/usr/bin:/bin"
FUSE = ["bfd", "gold", "lld", "mold"]

# (id, the script's text with {run} for the runtime output's lib dir, extra -L dirs)
SCRIPTS = [
    ("store-path", "/* dev output */\nGROUP ( {run}/libimplrt.so.1 )\n", False),
    ("dash-l", "INPUT(-limplrt)\n", True),
    ("as-needed", "GROUP ( AS_NEEDED ( {run}/libimplrt.so.1 ) )\n", False),
    ("bare-name", "INPUT ( libimplrt.so.1 )\n", True),
]


def _build(tmp_path: Path, script: str) -> tuple[Path, Path, Path]:
    """A runtime output with libimplrt.so.1, a dev output whose libimpl.so is the script,
    and main.o calling the library; returns (run dir, dev dir, main.o)."""
    store = make_store(tmp_path)
    run = store.libdir("implrt-1.0")
    compile_c(
        "int impl_value(void) { return 42; }\n",
        run / "libimplrt.so.1",
        "-shared",
        "-fPIC",
        "-Wl,-soname,libimplrt.so.1",
    )
    (run / "libimplrt.so").symlink_to("libimplrt.so.1")
    dev = store.libdir("implrt-1.0-dev")
    (dev / "libimpl.so").write_text(script.format(run=run))
    main = compile_c(
        "int impl_value(void);\nint main(void) { return impl_value() == 42 ? 0 : 1; }\n",
        tmp_path / "main.o",
        "-c",
    )
    return run, dev, main


def _link(tmp_path: Path, fuse: str, main: Path, args: list[str], dropins: Path | None) -> Path:
    out = tmp_path / f"app-{fuse}-{'ldwrap' if dropins else 'plain'}"
    cmd = ["gcc", f"-fuse-ld={fuse}", "-o", str(out), str(main), *args]
    if dropins is not None:
        cmd[1:1] = [f"-B{dropins}"]
    env = base_env(PATH=SYS_PATH, NIX_STORE=str(tmp_path / "nix" / "store"))
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return out


@pytest.mark.parametrize("fuse", FUSE)
@pytest.mark.parametrize(
    ("script", "with_run_dir"), [s[1:] for s in SCRIPTS], ids=[s[0] for s in SCRIPTS]
)
def test_a_script_leads_to_the_real_librarys_directory(
    dropins: Path, tmp_path: Path, fuse: str, script: str, with_run_dir: bool
) -> None:
    run, dev, main = _build(tmp_path, script)
    args = [f"-L{dev}", *([f"-L{run}"] if with_run_dir else []), "-limpl"]

    plain = _link(tmp_path, fuse, main, args, None)
    assert read_needed(plain)[0] == "libimplrt.so.1"
    started = run_program(plain)
    assert started.returncode == 127 and "libimplrt.so.1" in started.stderr

    wrapped = _link(tmp_path, fuse, main, args, dropins)
    assert read_needed(wrapped)[0] == "libimplrt.so.1"
    assert read_runpath(wrapped) == [str(dev), str(run)]
    assert run_program(wrapped).returncode == 0
