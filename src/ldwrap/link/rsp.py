"""Read `@file` response files the way GNU ld, gold and lld do (libiberty's expandargv).

Used for analysis only: the real linker always receives the caller's `@file` arguments as they
were. Rules: white space separates; single and double quotes may open and close anywhere in a
token; a backslash escapes the next character everywhere, inside single quotes too; an
unterminated quote runs to the end of the file; nested `@file`s are expanded relative to the
working directory; a missing or unreadable file stays a literal argument. An argument ends at
a NUL byte, as in lld (bfd and gold ignore the rest of the file after a NUL).

The reader is bounded: it never opens anything but regular files (a pipe or a device given as
`@/dev/fd/N` would block, or lose data the linker needs), and it stops with ResponseFileError at
MAX_FILES files, MAX_BYTES bytes or MAX_ARGS arguments in total, so a hostile or broken file
costs at most a fraction of a second and a few tens of MB.
"""

from . import oslite as os

MAX_FILES = 2000  # distinct file reads, far above any real build
MAX_BYTES = 32 << 20  # total bytes read; real response files are at most a few MB
MAX_ARGS = 1_000_000  # total arguments; real links have at most some 100 000
MAX_DEPTH = 100  # nesting; the reader recurses, and Python's stack ends near 1000
_CHUNK = 1 << 20  # plain files are split this many bytes at a time, to bound memory
_WHITE = (b" ", b"\t", b"\n", b"\r", b"\v", b"\f")


class ResponseFileError(Exception):
    """A response file the shim will not analyse: it includes itself, is a directory, a pipe
    or a device, or is too large. The shim then runs the linker with the arguments unchanged."""


class _Budget:
    __slots__ = ("args", "bytes", "files")

    def __init__(self) -> None:
        self.files = MAX_FILES
        self.bytes = MAX_BYTES
        self.args = MAX_ARGS


def expand(args: "list[str]", cwd: "str | None" = None) -> "list[str]":
    """Return args with every readable `@file` replaced by its tokens, recursively."""
    if not any(a[:1] == "@" for a in args):
        return args
    out: list[str] = []
    _expand_into(args, out, (), cwd, _Budget())
    return out


def expand_each(args: "list[str]", cwd: "str | None" = None) -> "list[list[str]]":
    """What each argument expands to (one budget for all): `expand` kept per argument, so
    that a filter can tell which tokens came from which @file."""
    budget = _Budget()
    out: list[list[str]] = []
    for arg in args:
        piece: list[str] = []
        _expand_into([arg], piece, (), cwd, budget)
        out.append(piece)
    return out


def _expand_into(
    args: "list[str]",
    out: "list[str]",
    chain: "tuple[str, ...]",
    cwd: "str | None",
    budget: "_Budget",
) -> None:
    for arg in args:
        if arg[:1] != "@" or len(arg) == 1:
            out.append(arg)
            continue
        path = arg[1:]
        if cwd is not None and not os.path.isabs(path):
            path = os.path.join(cwd, path)
        data = _read(arg, path, budget)
        if data is None:
            out.append(arg)  # the linker will report it as a missing input, as it should
            continue
        key = os.path.realpath(path)
        if key in chain:
            raise ResponseFileError(f"response file {arg!r} includes itself")
        if len(chain) >= MAX_DEPTH:
            raise ResponseFileError(f"response files nested more than {MAX_DEPTH} deep")
        tokens = tokenize(data, budget.args)
        budget.args -= len(tokens)
        _expand_into(tokens, out, (*chain, key), cwd, budget)


def _read(arg: str, path: str, budget: "_Budget") -> "bytes | None":
    """The bytes of a regular file, None when it cannot be read (a literal argument)."""
    try:
        st = os.stat(path)  # before any open(): opening a FIFO would block
    except (OSError, ValueError):
        return None
    if os.S_ISDIR(st.st_mode):
        raise ResponseFileError(f"response file {arg!r} is a directory")
    if not os.S_ISREG(st.st_mode):
        raise ResponseFileError(f"response file {arg!r} is not a regular file; not read")
    budget.files -= 1
    if budget.files < 0:
        raise ResponseFileError(f"more than {MAX_FILES} response files")
    if st.st_size > budget.bytes:
        raise ResponseFileError(_too_big(arg))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if not os.S_ISREG(os.fstat(fd).st_mode):  # swapped since the stat above
            raise ResponseFileError(f"response file {arg!r} is not a regular file; not read")
        data = os.read_upto(fd, budget.bytes + 1)  # the file may have grown since the stat
    except OSError:
        return None
    finally:
        os.close(fd)
    budget.bytes -= len(data)
    if budget.bytes < 0:
        raise ResponseFileError(_too_big(arg))
    return data


def _too_big(arg: str) -> str:
    return f"response file {arg!r} is too large to analyse (over {MAX_BYTES >> 20} MiB in all)"


_SPECIAL = (b"'", b'"', b"\\", b"\0")


def tokenize(data: bytes, limit: int = MAX_ARGS) -> "list[str]":
    """Split response-file bytes into arguments (GNU quoting); undecodable bytes survive.

    Raises ResponseFileError beyond `limit` arguments."""
    if not any(c in data for c in _SPECIAL):
        # The common case (gcc writes one plain argument per line): C-speed split.
        return _split_plain(data, limit)
    return [t.decode("utf-8", "surrogateescape") for t in _tokenize_quoted(data, limit)]


def _split_plain(data: bytes, limit: int) -> "list[str]":
    out: list[str] = []
    pos, n = 0, len(data)
    while pos < n:
        end = pos + _CHUNK
        if end >= n:
            end = n
        else:
            # Cut after the chunk's last white space so no token is split across chunks.
            cut = max(data.rfind(c, pos, end) for c in _WHITE)
            if cut < 0:  # one token longer than a chunk: extend to its end
                ends = [i for i in (data.find(c, end) for c in _WHITE) if i >= 0]
                cut = min(ends) if ends else n
            end = cut + 1 if cut < n else n
        out.extend(t.decode("utf-8", "surrogateescape") for t in data[pos:end].split())
        if len(out) > limit:
            raise ResponseFileError(f"response files hold more than {MAX_ARGS} arguments")
        pos = end
    return out


# One token: runs of plain bytes, backslash escapes and quoted stretches (an unterminated
# quote runs to the end of the file).
_SEG = rb"""[^\s'"\\]+|\\[\s\S]?|'(?:[^'\\]|\\[\s\S]?)*'?|"(?:[^"\\]|\\[\s\S]?)*"?"""


def _tokenize_quoted(data: bytes, limit: int) -> "list[bytes]":
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
        # lld and gold see each argument as a C string: it ends at a NUL byte.
        tokens.append(b"".join(parts).partition(b"\0")[0])
        if len(tokens) > limit:
            raise ResponseFileError(f"response files hold more than {MAX_ARGS} arguments")
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
