"""Link-time stubs stay off RUNPATH; the driver's directory goes on it instead.

CUDA's toolkit ships lib64/stubs/libcuda.so only so that a program can link without a GPU
driver; loaded at run time it fails every call. There is no GPU here, so both libraries are
made for the test: a stub libcuda (SONAME libcuda.so.1) whose function answers "stub", and a
"driver" libcuda.so.1 answering "driver". In a container the stubs directory often holds a
libcuda.so.1 too (here: a symlink to the stub), which is what makes an rpath to it harmful.
Programs are started in a private mount namespace where /run is an empty tmpfs and
/run/opengl-driver/lib (NixOS' driver directory) holds only the driver library.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from helpers import base_env, compile_c, make_store, read_runpath

SYS_PATH = "/usr/local/bin:/usr/bin:/bin"
NIX_DRIVER = "/run/opengl-driver/lib"
MAIN = (
    "#include <stdio.h>\nconst char *cu_who(void);\n"
    'int main(void) { printf("%s\\n", cu_who()); return 0; }\n'
)


class Cuda:
    def __init__(self, root: Path) -> None:
        self.store = make_store(root)
        toolkit = self.store.libdir("cuda-12.4").parent
        self.stubs = toolkit / "lib64" / "stubs"
        self.stubs.mkdir(parents=True)
        self.driver = root / "driver"
        self.driver.mkdir()
        for where, who in (
            (self.stubs / "libcuda.so", "stub"),
            (self.driver / "libcuda.so.1", "driver"),
        ):
            compile_c(
                f'const char *cu_who(void) {{ return "{who}"; }}\n',
                where,
                "-shared",
                "-fPIC",
                "-Wl,-soname,libcuda.so.1",
            )
        (self.stubs / "libcuda.so.1").symlink_to("libcuda.so")  # as containers have it
        self.main = compile_c(MAIN, root / "main.o", "-c", "-fPIE")


@pytest.fixture(scope="module")
def cuda(tmp_path_factory: pytest.TempPathFactory) -> Cuda:
    return Cuda(tmp_path_factory.mktemp("cuda"))


def link(cuda: Cuda, dropins: Path | None, out: Path, *extra: str, **env: str) -> Path:
    path = f"{dropins}:{SYS_PATH}" if dropins is not None else SYS_PATH
    cmd = [
        "gcc",
        "-fuse-ld=lld",
        str(cuda.main),
        f"-L{cuda.stubs}",
        "-lcuda",
        *extra,
        "-o",
        str(out),
    ]
    p = subprocess.run(cmd, capture_output=True, text=True, env=base_env(PATH=path, **env))
    assert p.returncode == 0, p.stderr
    return out


def start(cuda: Cuda, prog: Path) -> subprocess.CompletedProcess[str]:
    """prog where /run/opengl-driver/lib holds the driver's libcuda.so.1 and nothing else."""
    setup = (
        "mount -t tmpfs -o size=4m none /run && mkdir -p /run/opengl-driver/lib && "
        f"cp {cuda.driver}/libcuda.so.1 /run/opengl-driver/lib/"
    )
    return subprocess.run(
        [
            "unshare",
            "-m",
            "--propagation",
            "private",
            "sh",
            "-c",
            f'{setup} && exec "$0"',
            str(prog),
        ],
        capture_output=True,
        text=True,
        env=base_env(PATH=SYS_PATH),
        timeout=60,
    )


def test_in_the_nix_modes_the_driver_directory_replaces_the_stubs(
    cuda: Cuda, dropins: Path, tmp_path: Path
) -> None:
    prog = link(cuda, dropins, tmp_path / "app", NIX_STORE=str(cuda.store.root))
    assert read_runpath(prog) == [NIX_DRIVER]
    p = start(cuda, prog)
    assert (p.returncode, p.stdout) == (0, "driver\n"), p.stderr


def test_an_rpath_to_the_stubs_loads_the_stub(cuda: Cuda, tmp_path: Path) -> None:
    """What nixpkgs' wrapper gives (its cudaPackages hook swaps the entry after the build):
    the program takes the stub, though the driver is there."""
    prog = link(cuda, None, tmp_path / "app", f"-Wl,-rpath,{cuda.stubs}")
    p = start(cuda, prog)
    assert (p.returncode, p.stdout) == (0, "stub\n"), p.stderr


def test_without_ldwrap_the_program_finds_no_driver(cuda: Cuda, tmp_path: Path) -> None:
    prog = link(cuda, None, tmp_path / "app")
    assert read_runpath(prog) is None
    p = start(cuda, prog)
    assert p.returncode == 127 and "libcuda.so.1: cannot open shared object file" in p.stderr


def test_elsewhere_a_configured_driver_directory(cuda: Cuda, dropins: Path, tmp_path: Path) -> None:
    prog = link(cuda, dropins, tmp_path / "app", LDWRAP_DRIVER_DIR=str(cuda.driver))
    assert read_runpath(prog) == [str(cuda.driver)]
    p = start(cuda, prog)
    assert (p.returncode, p.stdout) == (0, "driver\n"), p.stderr


def test_elsewhere_by_default_neither(cuda: Cuda, dropins: Path, tmp_path: Path) -> None:
    """Outside the Nix modes the loader finds the installed driver through its cache: no
    entry at all, and never the stubs."""
    prog = link(cuda, dropins, tmp_path / "app")
    assert read_runpath(prog) is None


def test_with_shrink_an_unused_driver_directory_goes(
    cuda: Cuda, dropins: Path, tmp_path: Path
) -> None:
    """The driver directory may not exist where the link runs (a build machine, a Nix
    sandbox): the post-link trim judges it by the stub's soname, not by what it holds."""
    unused = compile_c("int main(void) { return 0; }\n", tmp_path / "unused.o", "-c", "-fPIE")
    env = {"NIX_STORE": str(cuda.store.root), "LDWRAP_SHRINK": "1"}
    path = f"{dropins}:{SYS_PATH}"
    for obj, want in ((cuda.main, [NIX_DRIVER]), (unused, None)):
        out = tmp_path / obj.stem
        cmd = ["gcc", "-fuse-ld=lld", "-Wl,--as-needed", str(obj), f"-L{cuda.stubs}", "-lcuda"]
        p = subprocess.run([*cmd, "-o", str(out)], capture_output=True, text=True,
                           env=base_env(PATH=path, **env))  # fmt: skip
        assert p.returncode == 0, p.stderr
        assert read_runpath(out) == want
