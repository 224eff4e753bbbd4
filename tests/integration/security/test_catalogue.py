"""The catalogue of bad inputs (README, "Security"): each one's documented behaviour, for real.

Runs go through an installed launcher. The real linker is the recording linker (conftest.py)
where the property is the argument vector, and ld.lld where it is the link.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from helpers.records import clean_env, fsencode_all, read_record, run
from ldwrap.link.plan import prepare


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """store/p/lib/libfoo.so (empty: only its name matters to the shim) and a work dir."""
    lib = tmp_path / "store" / "p" / "lib"
    lib.mkdir(parents=True)
    (lib / "libfoo.so").write_bytes(b"")
    (tmp_path / "work").mkdir()
    return tmp_path


def _env(tree: Path, recorder: Path, dropins: Path, **extra: str) -> dict[str, str]:
    return clean_env(
        PATH=f"{dropins}:{recorder}",
        NIX_STORE=str(tree / "store"),
        RECORD=str(tree / "record"),
        **extra,
    )


def _shim(
    dropins: Path,
    tree: Path,
    env: dict[str, str],
    *args: str | bytes,
    name: str = "ld.lld",
    timeout: float = 60,
) -> subprocess.CompletedProcess[bytes]:
    return run([dropins / name, *args], env, tree / "work", timeout=timeout)


def _lines(stderr: bytes) -> list[str]:
    return [ln for ln in stderr.decode(errors="replace").splitlines() if ln]


RPATH_ARGS = ["-rpath"]  # what the shim adds before each directory


# --- response files ------------------------------------------------------------------------

RSP_CASES = {
    "self-including": ({"self.rsp": "-lfoo @self.rsp"}, "@self.rsp", "includes itself"),
    "mutually including": (
        {"a.rsp": "@b.rsp", "b.rsp": "-lfoo @a.rsp"},
        "@a.rsp",
        "includes itself",
    ),
    "a directory": ({"dir.rsp/": ""}, "@dir.rsp", "is a directory"),
    "a device": ({}, "@/dev/null", "is not a regular file"),
}


@pytest.mark.parametrize("case", list(RSP_CASES))
def test_unreadable_response_file_runs_the_link_unchanged(
    case: str, tree: Path, recorder: Path, dropins: Path
) -> None:
    files, arg, message = RSP_CASES[case]
    for name, body in files.items():
        if name.endswith("/"):
            (tree / "work" / name).mkdir()
        else:
            (tree / "work" / name).write_text(body)
    args = ["-L", str(tree / "store/p/lib"), arg, "-lfoo"]
    proc = _shim(dropins, tree, _env(tree, recorder, dropins), *args, timeout=10)
    assert proc.returncode == 0
    assert read_record(tree / "record") == fsencode_all(args)  # nothing added
    [line] = _lines(proc.stderr)
    assert line.startswith("ldwrap: warning: response file") and message in line
    assert line.endswith("running the linker with the arguments unchanged")


def test_missing_response_file_is_left_to_the_linker(tree: Path, dropins: Path) -> None:
    env = clean_env(PATH=f"{dropins}:/usr/bin", NIX_STORE=str(tree / "store"))
    proc = _shim(dropins, tree, env, "@nonexistent.rsp", "-o", "out")
    assert proc.returncode == 1
    assert b"ld.lld: error: cannot open @nonexistent.rsp" in proc.stderr
    assert b"ldwrap" not in proc.stderr


def test_unterminated_quote_runs_to_end_of_file(tree: Path, recorder: Path, dropins: Path) -> None:
    """As in bfd, gold and lld: the quoted token takes the rest of the file."""
    (tree / "work/u.rsp").write_text(f"-L {tree}/store/p/lib -lfoo -soname 'lib x.so\n-lbar\n")
    proc = _shim(dropins, tree, _env(tree, recorder, dropins), "@u.rsp")
    assert proc.returncode == 0, proc.stderr
    assert read_record(tree / "record") == [b"@u.rsp", b"-rpath", os.fsencode(tree / "store/p/lib")]


def test_fifo_response_file_is_not_read(tree: Path, recorder: Path, dropins: Path) -> None:
    """A pipe (`@<(...)`, `@/dev/fd/N`) is left to the linker: reading it would block or take
    the linker's data."""
    fifo = tree / "work/p.rsp"
    os.mkfifo(fifo)
    proc = subprocess.Popen(
        [dropins / "ld.lld", "@p.rsp"],
        env=_env(tree, recorder, dropins),
        cwd=tree / "work",
        stderr=subprocess.PIPE,
    )
    with open(fifo, "wb") as w:  # opens once the linker opens the read end
        w.write(b"-lfoo\n")
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert (tree / "record.1").read_bytes() == b"-lfoo\n"  # the linker got every byte
    assert b"is not a regular file" in err


def _limited(mib: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (mib << 20, mib << 20))


@pytest.mark.parametrize("kind", ["sparse 400 MB", "24 MiB of short arguments"])
def test_huge_response_file_is_bounded(
    kind: str, tree: Path, recorder: Path, dropins: Path
) -> None:
    """Refused after at most MAX_BYTES read or MAX_ARGS arguments: time and memory bounded
    (the shim runs under a 300 MB address-space limit)."""
    big = tree / "work/big.rsp"
    if kind.startswith("sparse"):
        with open(big, "wb") as f:
            f.truncate(400 << 20)
    else:
        big.write_bytes(b"-la " * (6 << 20))
    env = _env(tree, recorder, dropins)
    start = time.monotonic()
    proc = subprocess.run(
        [dropins / "ld.lld", "@big.rsp"],
        env=env,
        cwd=tree / "work",
        capture_output=True,
        timeout=60,
        preexec_fn=lambda: _limited(300),
    )
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr
    assert read_record(tree / "record") == [b"@big.rsp"]
    [line] = _lines(proc.stderr)
    assert "too large to analyse" in line or "more than 1000000 arguments" in line
    assert elapsed < 10, elapsed


# --- library directories -------------------------------------------------------------------


def test_odd_library_directories_are_skipped(tree: Path, recorder: Path, dropins: Path) -> None:
    work = tree / "work"
    (work / "loop").symlink_to("loop")
    locked = tree / "store/locked"
    locked.mkdir()
    (locked / "libfoo.so").write_bytes(b"")
    locked.chmod(0)
    good = tree / "store/p/lib"
    args = [
        "-L",
        str(tree / "store/missing"),
        "-Lloop",
        "-L",
        str(locked),
        "-L",
        str(good),
        "-lfoo",
    ]
    env = _env(tree, recorder, dropins)
    try:
        proc = _shim(dropins, tree, env, *args)
        inv = prepare(str(dropins / "ld.lld"), args, env, str(work))
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    added = read_record(tree / "record")[len(args) :]
    # Root reads a mode-0 directory anyway; anyone else gets nothing from it.
    expected = [str(locked), str(good)] if os.geteuid() == 0 else [str(good)]
    assert added == [x for d in expected for x in (b"-rpath", os.fsencode(d))]
    verdicts = {d.given: d.verdict for d in inv.plan.decisions} if inv.plan else {}
    assert verdicts["loop"] == "outside allowed prefixes"
    assert verdicts[str(tree / "store/missing")] == "no requested shared library here"


# --- bytes and malformed variables ---------------------------------------------------------


def test_non_utf8_argv_and_environment(tree: Path, recorder: Path, dropins: Path) -> None:
    env = {os.fsencode(k): os.fsencode(v) for k, v in _env(tree, recorder, dropins).items()}
    record = os.fsencode(tree) + b"/rec\xff\xfe"
    env[b"RECORD"] = record  # the recording linker only finds it if the bytes arrived
    env[b"LDWRAP_RPATH_PREFIXES"] = b"/\xff"
    env[b"SOME_VAR"] = b"\xc3\x28"
    args = [b"-L", os.fsencode(tree / "store/p/lib"), b"-lfoo", b"\xff\xfe", b"a b\n'\"", b""]
    proc = run([dropins / "ld.lld", *args], env, tree / "work")
    assert proc.returncode == 0, proc.stderr
    assert read_record(Path(os.fsdecode(record))) == [
        *args,
        b"-rpath",
        os.fsencode(tree / "store/p/lib"),
    ]


@pytest.mark.parametrize(
    ("extra", "warning", "adds"),
    [
        (
            {"NIX_DONT_SET_RPATH": "yes"},
            "ignoring NIX_DONT_SET_RPATH='yes': only 1 turns it on",
            True,
        ),
        ({"NIX_DONT_SET_RPATH": "1"}, None, False),
        (
            {"NIX_STORE": "", "LDWRAP_RPATH_PREFIXES": "::{store}::"},
            "LDWRAP_RPATH_PREFIXES has empty parts; they are ignored",
            True,
        ),
        (
            {"NIX_STORE": "", "LDWRAP_RPATH_PREFIXES": "rel:{store}"},
            "LDWRAP_RPATH_PREFIXES: relative prefixes ignored: rel",
            True,
        ),
        ({"NIX_DEBUG": "lots"}, None, True),
        ({"LDWRAP_VERIFY": "maybe"}, "ignoring LDWRAP_VERIFY='maybe': use warn or error", True),
        ({"LDWRAP_SHRINK": "yes"}, "ignoring LDWRAP_SHRINK='yes': use 1 or 0", True),
    ],
)
def test_malformed_variables(
    extra: dict[str, str],
    warning: str | None,
    adds: bool,
    tree: Path,
    recorder: Path,
    dropins: Path,
) -> None:
    env = _env(tree, recorder, dropins)
    env.update({k: v.format(store=tree / "store") for k, v in extra.items()})
    args = ["-L", str(tree / "store/p/lib"), "-lfoo"]
    proc = _shim(dropins, tree, env, *args)
    assert proc.returncode == 0
    lines = _lines(proc.stderr)
    assert lines == ([f"ldwrap: warning: {warning}"] if warning else [])
    added = read_record(tree / "record")[len(args) :]
    assert added == ([b"-rpath", os.fsencode(tree / "store/p/lib")] if adds else [])


# --- the kernel's argument size limit ------------------------------------------------------


def _fits(argv0: str, args: list[str], env: dict[str, str]) -> bool:
    """Whether the kernel starts argv0 with args (the shim in dry-run mode: it links nothing)."""
    try:
        subprocess.run(
            [argv0, *args], env={**env, "LDWRAP_DRY_RUN": "1"}, check=True, capture_output=True
        )
    except OSError as e:
        assert e.errno == 7
        return False
    return True


def _at_the_limit(argv0: str, head: list[str], env: dict[str, str]) -> list[str]:
    """head plus filler `-L` arguments (no such directories) that bring argv and environment
    to the largest size with which the kernel still starts the launcher."""
    chunk = "-L/nonexistent/" + "x" * 4000
    lo, hi = 0, 1000  # whole chunks
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _fits(argv0, head + [chunk] * mid, env) else (lo, mid)
    base = head + [chunk] * lo
    lo2, hi2 = 0, 4001  # then one shorter argument, to the byte
    while lo2 + 1 < hi2:
        mid = (lo2 + hi2) // 2
        extra = ["-L/n/" + "y" * mid]
        lo2, hi2 = (mid, hi2) if _fits(argv0, base + extra, env) else (lo2, mid)
    return [*base, "-L/n/" + "y" * lo2]


def test_argv_at_the_kernel_limit(tmp_path: Path, dropins: Path, recorder: Path) -> None:
    """The caller's argv is as large as the kernel takes; our additions push it over, so they
    reach the real ld.lld through a response file, which is removed afterwards."""
    lib = tmp_path / "store" / ("d" * 60) / "lib"
    lib.mkdir(parents=True)
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-o", str(lib / "libfoo.so"), "-x", "c", "-"],
        input=b"int foo(void){return 1;}\n",
        check=True,
    )
    (tmp_path / "main.c").write_text("int foo(void);\nint main(void){return foo()-1;}\n")
    subprocess.run(
        ["gcc", "-c", "-o", str(tmp_path / "main.o"), str(tmp_path / "main.c")], check=True
    )
    crt = subprocess.run(
        ["gcc", "-print-file-name=crt1.o"], capture_output=True, text=True, check=True
    ).stdout.strip()
    crtdir = os.path.dirname(crt)
    tmpdir = Path(tempfile.mkdtemp(dir="/tmp"))  # short: the file's name goes into argv
    env = clean_env(
        PATH=f"{dropins}:/usr/bin:/bin", NIX_STORE=str(tmp_path / "store"), TMPDIR=str(tmpdir)
    )
    gccdir = os.path.dirname(
        subprocess.run(
            ["gcc", "-print-libgcc-file-name"], capture_output=True, text=True
        ).stdout.strip()
    )
    head = [
        "-o",
        str(tmp_path / "prog"),
        "-dynamic-linker",
        "/lib64/ld-linux-x86-64.so.2",
        f"{crtdir}/crt1.o",
        f"{crtdir}/crti.o",
        str(tmp_path / "main.o"),
        "-L",
        str(lib),
        "-lfoo",
        f"-L{gccdir}",
        f"-L{crtdir}",
        "-lc",
        f"{crtdir}/crtn.o",
    ]
    argv0 = str(dropins / "ld.lld")
    args = _at_the_limit(argv0, head, env)
    inv = prepare(argv0, args, env, str(tmp_path))
    assert inv.added_after == ["-rpath", str(lib)]
    with pytest.raises(OSError, match="Argument list too long"):  # really over the limit
        subprocess.run(inv.argv, env=inv.env, check=False)
    proc = run([argv0, *args], env, tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr == b""
    out = subprocess.run(
        ["readelf", "-d", str(tmp_path / "prog")], capture_output=True, text=True, check=True
    ).stdout
    assert f"Library runpath: [{lib}]" in out
    assert subprocess.run([str(tmp_path / "prog")], env=clean_env()).returncode == 0
    assert list(tmpdir.iterdir()) == []  # the response file is gone
    # What exactly the linker got: the recording linker, same argv, same limit.
    # (the linker's path goes into argv and LDWRAP_CHAIN: keep it as short as /usr/bin's)
    short = Path(tempfile.mkdtemp(dir="/tmp"))
    shutil.copy(recorder / "ld.lld", short / "ld.lld")
    renv = {**env, "PATH": f"{dropins}:{short}", "RECORD": str(tmp_path / "rec")}
    grown = sum(len(k) + len(v) + 2 for k, v in renv.items()) - sum(
        len(k) + len(v) + 2 for k, v in env.items()
    )
    args[-1] = args[-1][: len(args[-1]) - grown - 64]  # as before, less the longer path
    proc = run([argv0, *args], renv, tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = read_record(tmp_path / "rec")
    assert got[:-1] == fsencode_all(args)
    assert got[-1].startswith(b"@" + os.fsencode(tmpdir) + b"/ldwrap-")
    assert (tmp_path / f"rec.{len(got)}").read_text() == f"-rpath\n{lib}\n"
    assert list(tmpdir.iterdir()) == []
    tmpdir.rmdir()
    shutil.rmtree(short)


# --- the real linker -----------------------------------------------------------------------


def _script(path: Path, body: str) -> Path:
    path.write_text(body)
    path.chmod(0o755)
    return path


def test_real_linker_missing(tree: Path, dropins: Path) -> None:
    env = clean_env(PATH=f"{dropins}:{tree}/nothing-here")
    proc = _shim(dropins, tree, env, "-lfoo")
    assert proc.returncode == 127
    [line] = _lines(proc.stderr)
    assert line.startswith("ldwrap: cannot find the real ld.lld: searched PATH")


@pytest.mark.parametrize(
    ("body", "mode", "status", "message"),
    [
        ("not a program\n", 0o644, 127, "is not an executable file"),
        ("\x00\x01 not a program\n", 0o755, 126, "Exec format error"),
    ],
)
def test_real_linker_not_executable(
    body: str, mode: int, status: int, message: str, tree: Path, dropins: Path
) -> None:
    bad = tree / "bad-ld"
    bad.write_text(body)
    bad.chmod(mode)
    env = clean_env(PATH=str(dropins), LDWRAP_LINKER=str(bad))
    proc = _shim(dropins, tree, env, "-lfoo")
    assert proc.returncode == status
    [line] = _lines(proc.stderr)
    assert line.startswith("ldwrap: ") and message in line


@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGTERM, signal.SIGKILL])
@pytest.mark.parametrize("verify", ["", "warn"])
def test_linker_killed_by_a_signal(sig: int, verify: str, tree: Path, dropins: Path) -> None:
    """The shim's process ends the same way: by exec (the process is the linker), or, with
    LDWRAP_VERIFY, by re-raising the child's signal."""
    fake = _script(tree / "dying-ld", f"#!/bin/sh\nkill -{int(sig)} $$\n")
    env = clean_env(PATH=str(dropins), LDWRAP_LINKER=str(fake), LDWRAP_VERIFY=verify)
    proc = _shim(dropins, tree, env, "-o", "x")
    assert proc.returncode == -sig


@pytest.mark.parametrize("verify", ["", "warn"])
def test_exit_status_passes_through(verify: str, tree: Path, recorder: Path, dropins: Path) -> None:
    env = _env(tree, recorder, dropins, RECORD_EXIT="42", LDWRAP_VERIFY=verify)
    assert _shim(dropins, tree, env, "-o", "x").returncode == 42


def test_python_ignored_signals_are_restored(tree: Path, dropins: Path) -> None:
    """Python ignores SIGPIPE and SIGXFSZ, and exec keeps an ignored signal ignored; the linker
    must see the dispositions it would have had without the shim."""
    fake = _script(tree / "ld.lld", '#!/bin/sh\n/bin/grep SigIgn /proc/self/status > "$OUT"\n')
    for verify, out in (("", "a"), ("warn", "b")):
        env = clean_env(PATH=f"{dropins}:{tree}", OUT=str(tree / out), LDWRAP_VERIFY=verify)
        assert _shim(dropins, tree, env, "-o", "x").returncode == 0
    direct = subprocess.run([fake], env=clean_env(OUT=str(tree / "c")), check=True)
    assert direct.returncode == 0
    # glibc's posix_spawn leaves its two internal signals (32, 33) ignored in the child; no
    # program can use them, so they are masked out here.
    masks = [int((tree / n).read_text().split()[1], 16) & ~(3 << 31) for n in "abc"]
    assert masks[0] == masks[1] == masks[2]


# --- loops ---------------------------------------------------------------------------------


def test_ldwrap_linker_naming_the_shim(tree: Path, dropins: Path, tmp_path: Path) -> None:
    from ldwrap.launcher import install

    other = tmp_path / "other"
    install(str(other))
    for target in (dropins / "ld.lld", other / "ld.lld"):  # itself, and another shim
        env = clean_env(PATH=f"{dropins}:/usr/bin", LDWRAP_LINKER=str(target))
        proc = _shim(dropins, tree, env, "--version")
        assert proc.returncode == 127
        [line] = _lines(proc.stderr)
        assert line == f"ldwrap: LDWRAP_LINKER={str(target)!r} is ldwrap itself, not a linker"


def test_shims_calling_each_other_end(tree: Path, dropins: Path, tmp_path: Path) -> None:
    """Wrapper scripts (not recognisable as ldwrap) that call the shim again, twelve deep:
    the chain guard stops it with one line instead of looping."""
    dirs = []
    for i in range(12):
        d = tmp_path / f"w{i}"
        d.mkdir()
        _script(d / "ld.lld", f'#!/bin/sh\nexec "{dropins}/ld.lld" "$@"\n')
        dirs.append(str(d))
    env = clean_env(PATH=":".join([str(dropins), *dirs]))
    proc = _shim(dropins, tree, env, "-lfoo", timeout=60)
    assert proc.returncode == 127
    [line] = _lines(proc.stderr)
    assert line.startswith("ldwrap: the real linker leads back to ldwrap (8 nested calls")


def test_internal_error_runs_the_link_unchanged(tree: Path, recorder: Path, dropins: Path) -> None:
    """A bug in the shim (injected here: the parser raises) costs one line, not the link."""
    code = (
        "import sys; import ldwrap.link.plan as p; from ldwrap.link.shim import main\n"
        "def broken(*a): raise RuntimeError('injected')\n"
        "p.parse = broken\n"
        "main([sys.argv[1], *sys.argv[2:]])\n"
    )
    args = ["-L", str(tree / "store/p/lib"), "-lfoo", "x y"]
    env = _env(tree, recorder, dropins)
    proc = run([sys.executable, "-c", code, str(dropins / "ld.lld"), *args], env, tree / "work")
    assert proc.returncode == 0, proc.stderr
    assert read_record(tree / "record") == fsencode_all(args)
    [line] = _lines(proc.stderr)
    assert line == (
        f"ldwrap: internal error (RuntimeError: injected); running {recorder / 'ld.lld'} unchanged"
    )


def test_permission_denied(tree: Path, recorder: Path, dropins: Path) -> None:
    """A mode-0 @file and -L directory, for real: as root the shim runs without the
    capabilities that bypass file permissions (setpriv). Both are skipped; the link runs."""
    work = tree / "work"
    (work / "secret.rsp").write_text("-L /x -lbar")
    (work / "secret.rsp").chmod(0)
    locked = tree / "store/q/lib"
    locked.mkdir(parents=True)
    (locked / "libfoo.so").write_bytes(b"")
    locked.chmod(0)
    args = ["@secret.rsp", "-L", str(locked), "-L", str(tree / "store/p/lib"), "-lfoo"]
    drop = (
        [
            "/usr/bin/setpriv",
            "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search",
            "--",
        ]
        if os.geteuid() == 0
        else []
    )
    try:
        proc = run([*drop, dropins / "ld.lld", *args], _env(tree, recorder, dropins), work)
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == b""
    assert read_record(tree / "record") == fsencode_all(
        [*args, "-rpath", str(tree / "store/p/lib")]
    )
