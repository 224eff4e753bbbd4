"""The shim as a process: what it execs, how it fails, and how it refuses to loop.

In-process tests call `shim.main` with `os.execve` replaced by a recorder (the exec must not
really happen inside pytest). Tests that need a real chain of processes run the launchers
written by `ldwrap install`; their "real linkers" are small shell scripts standing in for a
linker where only the argv or the exit matters, and say so.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from helpers import Store, base_env
from ldwrap.link import shim
from ldwrap.link.linkers import CHAIN_VAR, MAX_DEPTH

from .conftest import shim_fails

Setup = tuple[Path, Path]  # (store lib dir holding libfoo.so, dir of the fake real linkers)


class Exec(Exception):
    """Raised by the recording os.execve instead of replacing the process."""

    def __init__(self, path: str, argv: list[str], env: dict[str, str]) -> None:
        super().__init__(path)
        self.path, self.argv, self.env = path, list(argv), dict(env)


@pytest.fixture
def no_exec(monkeypatch: pytest.MonkeyPatch, keep_signals: None) -> None:
    """Replace os.execve by a recorder that raises Exec."""

    def record(path: str, argv: list[str], env: dict[str, str]) -> None:
        raise Exec(path, argv, env)

    monkeypatch.setattr(os, "execve", record)


def fake_linker(path: Path, body: str = "exit 0") -> Path:
    """A stand-in for a real linker (never a real link here): a shell script."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_env: None, no_exec: None) -> Setup:
    """A store with libfoo.so, a fake real ld.lld / ld on PATH, NIX_STORE set."""
    store = Store(tmp_path)
    lib = Path(store.lib("foo", "libfoo.so"))
    sysbin = tmp_path / "sys"
    for n in ("ld.lld", "ld", "ld.mold"):
        fake_linker(sysbin / n)
    monkeypatch.setenv("PATH", str(sysbin))
    monkeypatch.setenv("NIX_STORE", str(store.root))
    monkeypatch.chdir(tmp_path)
    return lib, sysbin


def run_main(argv: list[str]) -> Exec:
    with pytest.raises(Exec) as e:
        shim.main(argv)
    return e.value


def test_execs_the_real_linker_with_the_callers_args_then_the_rpath(setup: Setup) -> None:
    lib, sysbin = setup
    args = ["-o", "out", "main.o", "-L", str(lib), "-lfoo"]
    ex = run_main(["/shims/ld.lld", *args])
    real = str(sysbin / "ld.lld")
    assert ex.path == real
    assert ex.argv == [real, *args, "-rpath", str(lib)]
    assert ex.env[CHAIN_VAR] == f"{os.getpid()}:{real}"
    assert ex.env["NIX_STORE"] == os.environ["NIX_STORE"]


def test_response_file_is_passed_unchanged(setup: Setup, tmp_path: Path) -> None:
    lib, sysbin = setup
    (tmp_path / "args.rsp").write_text(f"-L {lib}\n-lfoo\n")
    ex = run_main(["/shims/ld.lld", "@args.rsp", "-o", "x"])
    assert ex.argv == [str(sysbin / "ld.lld"), "@args.rsp", "-o", "x", "-rpath", str(lib)]


def test_caller_flavor_pair_stays_first(setup: Setup) -> None:
    lib, sysbin = setup
    ex = run_main(["/shims/ld.lld", "-flavor", "gnu", "-L", str(lib), "-lfoo"])
    assert ex.argv == [
        str(sysbin / "ld.lld"),
        "-flavor",
        "gnu",
        "-L",
        str(lib),
        "-lfoo",
        "-rpath",
        str(lib),
    ]


def test_rust_lld_gets_flavor_gnu_first(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    lib, sysbin = setup
    (sysbin / "ld.lld").unlink()
    rl = fake_linker(sysbin / "rust-lld")
    ex = run_main(["/shims/ld.lld", "-L", str(lib), "-lfoo"])
    assert ex.argv == [str(rl), "-flavor", "gnu", "-L", str(lib), "-lfoo", "-rpath", str(lib)]


def test_non_elf_flavour_passes_untouched(setup: Setup) -> None:
    lib, sysbin = setup
    args = ["-flavor", "darwin", "-L", str(lib), "-lfoo"]
    assert run_main(["/shims/ld.lld", *args]).argv == [str(sysbin / "ld.lld"), *args]


def test_bfd_flags_go_before_dashdash(setup: Setup) -> None:
    lib, sysbin = setup
    ex = run_main(["/shims/ld", "-L", str(lib), "-lfoo", "--", "ignored.o"])
    assert ex.argv == [
        str(sysbin / "ld"),
        "-L",
        str(lib),
        "-lfoo",
        "-rpath",
        str(lib),
        "--",
        "ignored.o",
    ]


@pytest.mark.parametrize("query", ["--version", "--help"])
def test_version_and_help_pass_through_untouched(setup: Setup, query: str) -> None:
    lib, sysbin = setup
    args = ["-L", str(lib), "-lfoo", query]
    assert run_main(["/shims/ld.lld", *args]).argv == [str(sysbin / "ld.lld"), *args]


def test_short_version_alone_passes_through_untouched(setup: Setup) -> None:
    lib, sysbin = setup
    args = ["-L", str(lib), "-v"]
    assert run_main(["/shims/ld.lld", *args]).argv == [str(sysbin / "ld.lld"), *args]


def test_short_version_in_a_real_link_still_gets_the_rpath(setup: Setup) -> None:
    # gcc -v hands -v to the linker of a real link: it prints the version, then links.
    lib, sysbin = setup
    args = ["-v", "-L", str(lib), "-lfoo"]
    assert run_main(["/shims/ld.lld", *args]).argv == [
        str(sysbin / "ld.lld"),
        *args,
        "-rpath",
        str(lib),
    ]


def test_nested_shim_adds_nothing(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    lib, sysbin = setup
    monkeypatch.setenv(CHAIN_VAR, f"{os.getpid()}:/outer/real/ld.lld")
    ex = run_main(["/shims/ld.lld", "-L", str(lib), "-lfoo"])
    assert ex.argv == [str(sysbin / "ld.lld"), "-L", str(lib), "-lfoo"]
    assert ex.env[CHAIN_VAR] == f"{os.getpid()}:/outer/real/ld.lld:{sysbin}/ld.lld"


def test_dry_run_prints_and_execs_nothing(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, sysbin = setup
    monkeypatch.setenv("LDWRAP_DRY_RUN", "1")
    with pytest.raises(SystemExit) as e:
        shim.main(["/shims/ld.lld", "-L", str(lib), "-lfoo"])
    assert e.value.code == 0
    err = capsys.readouterr().err
    assert err == f"ldwrap: {sysbin}/ld.lld -L {lib} -lfoo -rpath {lib}\n"


def test_debug_prints_and_execs(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, sysbin = setup
    monkeypatch.setenv("LDWRAP_DEBUG", "1")
    ex = run_main(["/shims/ld.lld", "-L", str(lib), "-lfoo"])
    assert ex.argv[-2:] == ["-rpath", str(lib)]
    assert f"ldwrap: {sysbin}/ld.lld -L {lib} -lfoo -rpath {lib}" in capsys.readouterr().err


def test_linker_not_found_is_one_line_and_127(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _lib, sysbin = setup
    monkeypatch.setenv("PATH", f"{sysbin}/none:rel:")
    code, err = shim_fails(["/shims/ld.mold", "-lfoo"], capsys)
    assert code == 127
    assert err.count("\n") == 1 and err.startswith("ldwrap: cannot find the real ld.mold")
    assert f"{sysbin}/none" in err


def test_unknown_invoked_name_is_127(setup: Setup, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = shim_fails(["/shims/my-linker", "-lfoo"], capsys)
    assert code == 127 and "cannot tell which linker" in err


def test_chain_too_deep_is_a_clear_error(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(CHAIN_VAR, ":".join(f"/loop/{i}/ld.lld" for i in range(MAX_DEPTH)))
    code, err = shim_fails(["/shims/ld.lld", "-lfoo"], capsys)
    assert code == 127 and "leads back to ldwrap" in err and err.count("\n") == 1


def test_ldwrap_linker_naming_a_shim_is_refused(
    dropins: Path,
    setup: Setup,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LDWRAP_LINKER", str(dropins / "ld.lld"))
    code, err = shim_fails(["/elsewhere/ld.lld", "-lfoo"], capsys)
    assert code == 127 and "ldwrap itself" in err


def test_relative_path_entries_never_searched_in_process(
    setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _lib, sysbin = setup
    fake_linker(tmp_path / "ld.lld", "echo planted")  # in the working directory
    fake_linker(tmp_path / "bin" / "ld.lld", "echo planted")  # in a relative PATH entry
    monkeypatch.setenv("PATH", f"bin::.:{sysbin}")
    assert run_main(["/shims/ld.lld", "-lfoo"]).path == str(sysbin / "ld.lld")


# --- real processes ---------------------------------------------------------------------------


def _run(
    argv: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=60)


def test_two_shims_pointing_at_each_other_stop_with_an_error(dropins: Path, tmp_path: Path) -> None:
    # A launcher whose LDWRAP_LINKER is a plain script that calls the launcher again.
    shims = dropins
    back = fake_linker(tmp_path / "b" / "ld.lld", f'exec "{shims}/ld.lld" "$@"')
    env = base_env(PATH="/usr/bin:/bin", LDWRAP_LINKER=str(back))
    p = _run([str(shims / "ld.lld"), "--version"], env)
    assert p.returncode == 127
    assert "leads back to ldwrap" in p.stderr
    assert p.stderr.count("ldwrap:") == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("exit 0", 0),
        ("exit 3", 3),
        ("exit 1", 1),
        ("kill -TERM $$", -signal.SIGTERM),
        ("kill -SEGV $$", -signal.SIGSEGV),
    ],
)
def test_exit_status_and_signals_are_the_real_linkers(
    dropins: Path, tmp_path: Path, body: str, status: int
) -> None:
    shims = dropins
    fake_linker(tmp_path / "sys" / "ld.mold", body)  # a stand-in that only exits or dies
    env = base_env(PATH=f"{tmp_path}/sys:/usr/bin:/bin")
    assert _run([str(shims / "ld.mold"), "-o", "x"], env).returncode == status


def test_stdin_and_stdout_are_the_real_linkers(dropins: Path, tmp_path: Path) -> None:
    shims = dropins
    fake_linker(tmp_path / "sys" / "ld", 'cat; echo "args:$*"')  # echoes stdin and argv
    env = base_env(PATH=f"{tmp_path}/sys:/usr/bin:/bin")
    p = subprocess.run(
        [str(shims / "ld"), "-o", "x"],
        input="from stdin\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert p.stdout == "from stdin\nargs:-o x\n"


@pytest.mark.parametrize(
    ("value", "links"),
    [
        ("1", False),
        ("yes", False),
        ("true", False),
        ("2", False),
        ("no", False),
        ("0", True),
        ("", True),
        (None, True),
    ],
)
def test_any_dry_run_value_but_empty_and_0_links_nothing(
    dropins: Path, tmp_path: Path, value: str | None, links: bool
) -> None:
    """LDWRAP_DRY_RUN is a safety switch: a value it does not know must not link for real."""
    shims = dropins
    ran = tmp_path / "ran"
    fake_linker(tmp_path / "sys" / "ld", f'touch "{ran}"')  # a stand-in: it only leaves a mark
    env = base_env(PATH=f"{tmp_path}/sys:/usr/bin:/bin")
    if value is not None:
        env["LDWRAP_DRY_RUN"] = value
    p = _run([str(shims / "ld"), "-o", "x", "a.o"], env, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert ran.exists() == links
    assert "warning" not in p.stderr
    assert (f"ldwrap: {tmp_path}/sys/ld -o x a.o" in p.stderr) == (not links)


# --- LDWRAP_SHRINK: what the plan leaves for the post-link trim ------------------------------


@pytest.mark.parametrize(
    ("value", "args", "trims"),
    [
        (None, ["--as-needed", "-lfoo"], []),  # off by default
        ("", ["--as-needed", "-lfoo"], []),
        ("0", ["--as-needed", "-lfoo"], []),
        ("1", ["--as-needed", "-lfoo"], ["LIB"]),
        ("1", ["-lfoo"], []),  # without --as-needed every library stays needed
        # The caller's entry stays, and outside a CMake or Meson tree ldwrap adds no copy.
        ("1", ["--as-needed", "-lfoo", "-rpath", "LIB"], []),
        ("1", ["-r", "--as-needed", "-lfoo"], []),
    ],
)
def test_shrink_candidates_in_the_plan(
    setup: Setup,
    monkeypatch: pytest.MonkeyPatch,
    value: str | None,
    args: list[str],
    trims: list[str],
) -> None:
    from ldwrap.link.plan import prepare

    lib, _sysbin = setup
    if value is not None:
        monkeypatch.setenv("LDWRAP_SHRINK", value)
    argv = ["-o", "out", "main.o", "-L", str(lib), *(a.replace("LIB", str(lib)) for a in args)]
    inv = prepare("/shims/ld.lld", argv, os.environ, "/")
    assert inv.shrink_candidates == [t.replace("LIB", str(lib)) for t in trims]
    assert inv.config.warnings == []


def test_shrink_value_other_than_0_or_1_warns() -> None:
    from ldwrap.link.config import SHRINK_DEFAULT, Config

    cfg = Config.from_env({"LDWRAP_SHRINK": "yes"})
    assert cfg.warnings == ["ignoring LDWRAP_SHRINK='yes': use 1 or 0"]
    assert cfg.shrink_on is SHRINK_DEFAULT
