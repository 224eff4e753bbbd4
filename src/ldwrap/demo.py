"""`ldwrap demo`: the whole job on a built-in example, with each linker the machine has.

A small shared library goes into a temporary store-like prefix; a program is linked against
it with each linker, once plainly and once through ldwrap's drop-ins; both are started.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

from .launcher import install
from .link.linkers import DROP_IN_NAMES, is_shim
from .loader.elf import read_elf

LIB_C = '#include <stdio.h>\nvoid greet(const char *who) { printf("hello, %s\\n", who); }\n'
MAIN_C = 'void greet(const char *);\nint main(void) { greet("ldwrap demo"); return 0; }\n'
HASH = "0123456789abcdfghijklmnpqrsvwxyz"  # 32 characters of Nix's base-32 alphabet
LINKERS = (("bfd", "ld.bfd"), ("gold", "ld.gold"), ("lld", "ld.lld"), ("mold", "ld.mold"))


def _runpath(path: str) -> str:
    with open(path, "rb") as f:
        info = read_elf(f)
    return info.runpath or info.rpath or ""


def _start(program: str, env: dict[str, str]) -> tuple[bool, str]:
    p = subprocess.run([program], capture_output=True, text=True, env=env, timeout=30)
    out = (p.stdout + p.stderr).strip().splitlines()
    return p.returncode == 0, out[-1] if out else f"exit {p.returncode}"


def _without_launchers(path: str) -> str:
    """PATH without the directories that hold ldwrap's drop-ins."""
    return os.pathsep.join(
        d
        for d in path.split(os.pathsep)
        if not any(is_shim(os.path.join(d, n)) for n in DROP_IN_NAMES)
    )


def run_demo(keep: bool = False) -> int:
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        print("ldwrap demo: no C compiler (cc or gcc) on PATH", file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="ldwrap-demo-")
    try:
        return _demo(cc, tmp)
    finally:
        if keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _build_library(cc: str, tmp: str) -> tuple[str, str]:
    """libgreet.so.1 in a store-like directory, and the program's source beside: the store
    and the library's directory."""
    store = os.path.join(tmp, "nix", "store")
    libdir = os.path.join(store, f"{HASH}-greet-1.0", "lib")
    os.makedirs(libdir)
    src = os.path.join(tmp, "greet.c")
    with open(src, "w") as f:
        f.write(LIB_C)
    with open(os.path.join(tmp, "main.c"), "w") as f:
        f.write(MAIN_C)
    out = os.path.join(libdir, "libgreet.so.1")
    subprocess.run(
        [cc, "-shared", "-fPIC", "-Wl,-soname,libgreet.so.1", "-o", out, src], check=True
    )
    os.symlink("libgreet.so.1", os.path.join(libdir, "libgreet.so"))
    return store, libdir


def _link_both_ways(
    cc: str, tmp: str, label: str, libdir: str, bindir: str, env: dict[str, str]
) -> bool:
    """One linker: the program linked without ldwrap and through it, each started; whether
    both behaved as expected (the first fails, the second runs)."""
    base = [cc, f"-fuse-ld={label}", os.path.join(tmp, "main.c"), f"-L{libdir}", "-lgreet"]
    plain = os.path.join(tmp, f"plain-{label}")
    wrapped = os.path.join(tmp, f"ldwrap-{label}")
    plain_env = {**env, "LDWRAP_DISABLE": "1"}  # should a compiler still reach a launcher
    subprocess.run([*base, "-o", plain], check=True, env=plain_env)
    subprocess.run([*base, f"-B{bindir}", "-o", wrapped], check=True, env=env)
    ok_plain, msg_plain = _start(plain, env)
    ok_wrapped, msg_wrapped = _start(wrapped, env)
    print(f"{label:5} without ldwrap: {'runs' if ok_plain else 'fails'}: {msg_plain}")
    print(f"{'':5} with ldwrap:    {'runs' if ok_wrapped else 'fails'}: {msg_wrapped}")
    print(f"{'':5} RUNPATH:        {_runpath(wrapped) or '(none)'}\n")
    return not ok_plain and ok_wrapped


def _demo(cc: str, tmp: str) -> int:
    store, libdir = _build_library(cc, tmp)
    bindir = os.path.join(tmp, "bin")
    install(bindir)
    # The user's own ldwrap settings must not change the example, and the plain link must
    # reach the real linker even with the drop-ins installed first on PATH.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LD_LIBRARY_PATH", "NIX_DONT_SET_RPATH") and not k.startswith("LDWRAP_")
    }
    env["NIX_STORE"] = store
    env["PATH"] = _without_launchers(env.get("PATH", ""))
    print(f"library: {libdir}/libgreet.so.1 (NIX_STORE={store})\n")
    failures = 0
    tried = 0
    for label, prog in LINKERS:
        if shutil.which(prog, path=env["PATH"]) is None:
            print(f"{label:5} skipped: {prog} is not installed\n")
            continue
        tried += 1
        if not _link_both_ways(cc, tmp, label, libdir, bindir, env):
            failures += 1
    if tried == 0:
        print("no linker found", file=sys.stderr)
        return 2
    if failures == 0:
        print("result: every linker behaved as expected through ldwrap")
    else:
        print(f"result: {failures} of {tried} linkers did not behave as expected")
    return 1 if failures else 0
