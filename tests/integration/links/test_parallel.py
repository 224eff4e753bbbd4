"""64 links at once through the shim, as `cargo build -j` or `make -j` start them: every one
succeeds with its own correct RUNPATH, and no temporary file is left or shared."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from helpers.records import clean_env

N = 64


def test_parallel_links(tmp_path: Path, dropins: Path) -> None:
    store = tmp_path / "store"
    libdirs = []
    for k in range(4):  # four libraries, each link uses one: outputs must not mix them up
        d = store / f"{k:032d}-lib{k}" / "lib"
        d.mkdir(parents=True)
        subprocess.run(
            ["gcc", "-shared", "-fPIC", "-o", str(d / f"libv{k}.so"), "-x", "c", "-"],
            input=f"int v(void){{return {k};}}\n".encode(),
            check=True,
        )
        libdirs.append(d)
    (tmp_path / "main.c").write_text("int v(void);\nint main(void){return v();}\n")
    subprocess.run(
        ["gcc", "-c", "-o", str(tmp_path / "main.o"), str(tmp_path / "main.c")], check=True
    )
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = clean_env(PATH=f"{dropins}:/usr/bin:/bin", NIX_STORE=str(store), TMPDIR=str(tmpdir))

    def link(i: int) -> tuple[int, str, int]:
        k, linker = i % 4, ("lld", "bfd")[i % 2]
        out = tmp_path / f"prog{i}"
        proc = subprocess.run(
            [
                "gcc",
                "-B",
                str(dropins),
                f"-fuse-ld={linker}",
                "-o",
                str(out),
                str(tmp_path / "main.o"),
                "-L",
                str(libdirs[k]),
                f"-lv{k}",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        dyn = subprocess.run(
            ["readelf", "-d", str(out)], capture_output=True, text=True, check=True
        ).stdout
        runpath = next(ln for ln in dyn.splitlines() if "runpath" in ln.lower())
        ran = subprocess.run([str(out)], env=clean_env(), timeout=30).returncode
        return k, runpath, ran

    with ThreadPoolExecutor(N) as pool:
        results = list(pool.map(link, range(N)))
    for k, runpath, ran in results:
        assert runpath.endswith(f"[{libdirs[k]}]"), runpath
        assert ran == k  # found its own library, no LD_LIBRARY_PATH
    assert list(tmpdir.iterdir()) == []
