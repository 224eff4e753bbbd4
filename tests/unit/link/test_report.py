"""link/report.py: shell quoting, the command line a dry run prints, and the NIX_DEBUG
report (on hand-built invocations, and through the shim in a child process; the real linker
it names is a placeholder: nothing is linked)."""

from __future__ import annotations

import shlex
import string
import subprocess
import sys
from pathlib import Path

import pytest

from ldwrap.link.config import Config
from ldwrap.link.model import Extras, Invocation, RealLinker
from ldwrap.link.report import debug_report, format_command, print_command, shell_quote

SAFE = "@%+=:,./-_"  # the punctuation a word may hold bare


@pytest.mark.parametrize(
    ("arg", "quoted"),
    [
        ("", "''"),
        ("m.o", "m.o"),
        ("-L/usr/lib", "-L/usr/lib"),
        ("--build-id=sha1", "--build-id=sha1"),
        ("@args.rsp", "@args.rsp"),
        ("-Wl,-z,now", "-Wl,-z,now"),
        ("libc++.so", "libc++.so"),
        ("50%", "50%"),
        ("dir/été", "dir/été"),  # letters of any script are no shell syntax
        ("a b", "'a b'"),
        ("a\tb", "'a\tb'"),
        ("a\nb", "'a\nb'"),
        ("$ORIGIN/../lib", "'$ORIGIN/../lib'"),
        ("*.o", "'*.o'"),
        ("~/lib", "'~/lib'"),
        ("it's", r"'it'\''s'"),
        ("'", r"''\'''"),
        ('"x y"', "'\"x y\"'"),
    ],
)
def test_shell_quote(arg: str, quoted: str) -> None:
    assert shell_quote(arg) == quoted


@pytest.mark.parametrize("char", string.punctuation)
def test_a_punctuation_character_stays_bare_only_when_safe(char: str) -> None:
    word = f"a{char}b"
    assert (shell_quote(word) == word) == (char in SAFE)


@pytest.mark.parametrize(
    "arg", ["", "plain", "a b", "it's", "''", "a'b'c", "$HOME", "`x`", "a\\b", '"', "x\ny", "#c"]
)
def test_a_quoted_word_reads_back_as_itself(arg: str) -> None:
    # shlex in POSIX mode splits as a POSIX shell does.
    assert shlex.split(shell_quote(arg)) == [arg]


def test_format_command_quotes_each_argument_and_joins_them_with_spaces() -> None:
    argv = ["/usr/bin/ld.lld", "-o", "my app", "m.o", "", "-rpath", "$ORIGIN"]
    assert format_command(argv) == "/usr/bin/ld.lld -o 'my app' m.o '' -rpath '$ORIGIN'"
    assert shlex.split(format_command(argv)) == argv


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["/bin/ld", "m.o"], b"ldwrap: /bin/ld m.o\n"),
        # An argument that is not UTF-8 (os.fsdecode's surrogates) prints as its own bytes.
        (["/bin/ld", "lib\udcff.so"], b"ldwrap: /bin/ld 'lib\xff.so'\n"),
        # A lone surrogate no file name decodes to: escaped rather than an error.
        (["/bin/ld", "\ud800"], b"ldwrap: /bin/ld '\\ud800'\n"),
    ],
)
def test_print_command_writes_the_bytes_to_stderr(
    capsysbinary: pytest.CaptureFixture[bytes], argv: list[str], line: bytes
) -> None:
    print_command(argv)
    out, err = capsysbinary.readouterr()
    assert (out, err) == (b"", line)


def _invocation(caller: list[str], before: list[str], after: list[str]) -> Invocation:
    inv = Invocation("ld.lld", caller, Config.from_env({}), RealLinker("/bin/ld.lld"), "lld")
    inv.extras = Extras()
    inv.extras.before, inv.extras.after = before, after
    return inv


def test_debug_report_lists_the_three_parts_one_argument_a_line() -> None:
    inv = _invocation(["m.o", "a b"], ["-z", "relro"], ["-rpath", "/s/lib"])
    assert debug_report(inv) == (
        "extra flags before to /bin/ld.lld:\n  -z\n  relro\n"
        "original flags to /bin/ld.lld:\n  m.o\n  'a b'\n"
        "extra flags after to /bin/ld.lld:\n  -rpath\n  /s/lib\n"
    )


def test_debug_report_shows_the_arguments_as_run_after_the_purity_notes() -> None:
    inv = _invocation(["-L/usr/lib", "m.o"], [], [])
    inv.args_as_run = ["m.o"]
    inv.purity_notes = ["skipping impure path /usr/lib"]
    assert debug_report(inv) == (
        "skipping impure path /usr/lib\n"
        "extra flags before to /bin/ld.lld:\n"
        "original flags to /bin/ld.lld:\n  m.o\n"
        "extra flags after to /bin/ld.lld:\n"
    )


def test_debug_report_without_flags_composed() -> None:
    inv = Invocation("ld", ["--version"], Config.from_env({}), RealLinker("/bin/ld"), "bfd")
    assert debug_report(inv) == (
        "extra flags before to /bin/ld:\n"
        "original flags to /bin/ld:\n  --version\n"
        "extra flags after to /bin/ld:\n"
    )


def test_nix_debug_report(tmp_path: Path, linker_path: str) -> None:
    env = {
        "PATH": linker_path,
        "NIX_HARDENING_ENABLE": "relro",
        "NIX_LDFLAGS": "-lm",
        "NIX_DEBUG": "1",
        "LDWRAP_DRY_RUN": "1",
        "NIX_STORE": str(tmp_path),
    }
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from ldwrap.link.shim import main; main(['ld.lld', 'm.o', 'a b'])",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    lld = f"{linker_path}/ld.lld"
    assert r.returncode == 0
    assert r.stderr == (
        f"extra flags before to {lld}:\n  -z\n  relro\n"
        f"original flags to {lld}:\n  m.o\n  'a b'\n"
        f"extra flags after to {lld}:\n  -lm\n"
        f"ldwrap: {lld} -z relro m.o 'a b' -lm\n"
    )
