"""A target-prefixed drop-in called without `-m` links for its prefix, and ldwrap judges the
library candidates the same way: an aarch64 program linked through `aarch64-linux-gnu-ld*`
against a search path that holds an x86_64 and an aarch64 `libldwtgt.so` gets the aarch64
directory in its RUNPATH, and starts under `qemu-aarch64 -L /usr/aarch64-linux-gnu`.

No system copy can save the program: the library's name is this test's own, and the cross
sysroot qemu reads holds no such file. The same link without ldwrap fails to start."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import base_env, make_store, read_runpath

CROSS = "aarch64-linux-gnu"
SYSROOT = f"/usr/{CROSS}"
GCC = f"{CROSS}-gcc"
LIB = "ldwtgt"


def _file(name: str) -> str:
    return subprocess.run(
        [GCC, f"-print-file-name={name}"], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def cross(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An x86_64 and an aarch64 lib<LIB>.so in two store packages, an aarch64 main.o, and the
    prefixed drop-ins."""
    from ldwrap.launcher import install

    root = tmp_path_factory.mktemp("cross-target")
    store = make_store(root)
    x86, a64 = store.libdir("tgt-x86_64"), store.libdir("tgt-aarch64")
    src = root / "lib.c"
    src.write_text("int tgt_value(void) { return 42; }\n")
    for cc, d in (("gcc", x86), (GCC, a64)):
        subprocess.run(
            [
                cc,
                "-shared",
                "-fPIC",
                f"-Wl,-soname,lib{LIB}.so",
                "-o",
                str(d / f"lib{LIB}.so"),
                str(src),
            ],
            check=True,
            env=base_env(),
        )
    main = root / "main.c"
    main.write_text(
        '#include <stdio.h>\nint tgt_value(void);\nint main(void) { printf("%d\\n", tgt_value());'
        " return 0; }\n"
    )
    subprocess.run([GCC, "-c", "-o", str(root / "main.o"), str(main)], check=True, env=base_env())
    drop = root / "drop"
    install(
        str(drop),
        names=tuple(f"{CROSS}-{n}" for n in ("ld", "ld.bfd", "ld.gold", "ld.lld", "ld.mold")),
    )
    return {"root": root, "x86": x86, "a64": a64, "drop": drop}


def _link_args(c: dict[str, Path], out: Path, dirs: list[Path]) -> list[str]:
    """gcc's aarch64 link line, without its `-maarch64linux`."""
    return [
        "-o",
        str(out),
        "-dynamic-linker",
        "/lib/ld-linux-aarch64.so.1",
        _file("crt1.o"),
        _file("crti.o"),
        _file("crtbegin.o"),
        str(c["root"] / "main.o"),
        *[f"-L{d}" for d in dirs],
        f"-l{LIB}",
        f"-L{SYSROOT}/lib",
        "-lc",
        _file("crtend.o"),
        _file("crtn.o"),
    ]


def _qemu(program: Path) -> subprocess.CompletedProcess[str]:
    env = base_env()
    for k in ("LD_LIBRARY_PATH", "LD_PRELOAD", "QEMU_LD_PREFIX", "QEMU_SET_ENV"):
        env.pop(k, None)
    return subprocess.run(
        ["qemu-aarch64", "-L", SYSROOT, str(program)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


# (drop-in name, real linker when no prefixed one is installed, x86_64 dir first?)
# lld stops at an incompatible library instead of skipping it: aarch64 first there.
CASES = [
    ("ld", None, True),
    ("ld.bfd", None, True),
    ("ld.gold", None, True),
    ("ld.lld", "/usr/bin/ld.lld", False),
    ("ld.mold", "/usr/bin/ld.mold", True),
]


@pytest.mark.parametrize(("name", "real", "x86_first"), CASES, ids=[c[0] for c in CASES])
def test_prefixed_drop_in_links_an_aarch64_program_that_starts(
    cross: dict[str, Path], name: str, real: str | None, x86_first: bool, tmp_path: Path
) -> None:
    dirs = [cross["x86"], cross["a64"]] if x86_first else [cross["a64"], cross["x86"]]
    env = base_env(
        PATH=f"{cross['drop']}:/usr/bin:/bin", NIX_STORE=str(cross["root"] / "nix" / "store")
    )
    if real is not None:
        env["LDWRAP_LINKER"] = real
    app = tmp_path / "app"
    linked = subprocess.run(
        [str(cross["drop"] / f"{CROSS}-{name}"), *_link_args(cross, app, dirs)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert linked.returncode == 0, linked.stderr
    assert read_runpath(app) == [str(cross["a64"])]
    run = _qemu(app)
    assert (run.returncode, run.stdout) == (0, "42\n"), run.stderr

    # The same link by the real linker alone: no RUNPATH, and the program cannot start.
    plain = tmp_path / "plain"
    real_linker = real or f"/usr/bin/{CROSS}-{name}"
    subprocess.run([real_linker, *_link_args(cross, plain, dirs)], check=True, env=base_env())
    assert read_runpath(plain) is None
    failed = _qemu(plain)
    assert failed.returncode != 0
    assert f"lib{LIB}.so" in failed.stderr
