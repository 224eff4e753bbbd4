"""Read `@file` response files the way GNU ld, gold and lld do (libiberty's expandargv).

Used for analysis only: the real linker always receives the caller's `@file` arguments as they
were. Rules: white space separates; single and double quotes may open and close anywhere in a
token; a backslash escapes the next character everywhere, inside single quotes too; an
unterminated quote runs to the end of the file; nested `@file`s are expanded relative to the
working directory; a missing file stays a literal argument.
"""

from __future__ import annotations

import os

MAX_FILES = 2000  # an upper bound on distinct files, far above any real build


class ResponseFileError(Exception):
    """A response file that no linker could read: it includes itself, or is a directory."""


def expand(args: list[str], cwd: str | None = None) -> list[str]:
    """Return args with every readable `@file` replaced by its tokens, recursively."""
    if not any(a[:1] == "@" for a in args):
        return args
    out: list[str] = []
    _expand_into(args, out, (), cwd, [0])
    return out


def _expand_into(
    args: list[str], out: list[str], chain: tuple[str, ...], cwd: str | None, count: list[int]
) -> None:
    for arg in args:
        if arg[:1] != "@" or len(arg) == 1:
            out.append(arg)
            continue
        name = arg[1:]
        path = name if cwd is None or os.path.isabs(name) else os.path.join(cwd, name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except IsADirectoryError:
            raise ResponseFileError(f"response file {arg!r} is a directory") from None
        except OSError:
            out.append(arg)  # the linker will report it as a missing input, as it should
            continue
        key = os.path.realpath(path)
        if key in chain:
            raise ResponseFileError(f"response file {arg!r} includes itself") from None
        count[0] += 1
        if count[0] > MAX_FILES:
            raise ResponseFileError(f"more than {MAX_FILES} response files") from None
        _expand_into(tokenize(data), out, (*chain, key), cwd, count)


_SPECIAL = (b"'", b'"', b"\\")


def tokenize(data: bytes) -> list[str]:
    """Split response-file bytes into arguments (GNU quoting); undecodable bytes survive."""
    if not any(c in data for c in _SPECIAL):
        # The common case (gcc writes one plain argument per line): C-speed split.
        return [t.decode("utf-8", "surrogateescape") for t in data.split()]
    return [t.decode("utf-8", "surrogateescape") for t in _tokenize_quoted(data)]


# One token: runs of plain bytes, backslash escapes and quoted stretches (an unterminated
# quote runs to the end of the file).
_SEG = rb"""[^\s'"\\]+|\\[\s\S]?|'(?:[^'\\]|\\[\s\S]?)*'?|"(?:[^"\\]|\\[\s\S]?)*"?"""


def _tokenize_quoted(data: bytes) -> list[bytes]:
    import re  # only response files with quotes or backslashes pay for it

    seg = re.compile(_SEG)
    token = re.compile(b"(?:" + _SEG + b")+")
    unescape = re.compile(rb"\\([\s\S]?)")
    tokens = []
    for m in token.finditer(data):
        parts = []
        for s in seg.findall(m.group()):
            if s[:1] in (b"'", b'"'):
                body = s[1:-1] if len(s) > 1 and s[-1:] == s[:1] and not _escaped_end(s) else s[1:]
                parts.append(unescape.sub(rb"\1", body))
            elif s[:1] == b"\\":
                parts.append(s[1:])
            else:
                parts.append(s)
        tokens.append(b"".join(parts))
    return tokens


def _escaped_end(s: bytes) -> bool:
    """Whether the closing quote of s is itself escaped (so the quote never closed)."""
    n = 0
    for c in reversed(s[1:-1]):
        if c != 0x5C:
            break
        n += 1
    return n % 2 == 1


def quote(arg: str) -> str:
    """Quote one argument for a response file read by GNU ld, gold, lld or mold."""
    if arg and not any(c in arg for c in " \t\n\r\v\f'\"\\"):
        return arg
    # A quote at the start of the token is the one form every tokenizer agrees on.
    return "'" + arg.replace("\\", "\\\\").replace("'", "\\'") + "'"
