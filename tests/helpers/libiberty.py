"""A line-by-line port of libiberty's `buildargv` (what bfd and gold run on a response file):
the oracle of the response-file reader's tests."""

from __future__ import annotations

WHITE = b" \t\n\r\v\f"


def buildargv(data: bytes) -> list[bytes]:
    """libiberty's buildargv (binutils 2.40, argv.c) as expandargv calls it; a NUL ends an
    argument as lld does (bfd would stop reading the file there)."""
    if all(c in WHITE for c in data):  # expandargv: an all-blank file gives no arguments
        return []
    out: list[bytes] = []
    i, n = 0, len(data)
    while True:
        while i < n and data[i] in WHITE:
            i += 1
        arg = bytearray()
        squote = dquote = bsquote = False
        while i < n:
            c = data[i]
            if c in WHITE and not squote and not dquote and not bsquote:
                break
            if bsquote:
                bsquote = False
                arg.append(c)
            elif c == 0x5C:
                bsquote = True
            elif squote:
                if c == 0x27:
                    squote = False
                else:
                    arg.append(c)
            elif dquote:
                if c == 0x22:
                    dquote = False
                else:
                    arg.append(c)
            elif c == 0x27:
                squote = True
            elif c == 0x22:
                dquote = True
            else:
                arg.append(c)
            i += 1
        out.append(bytes(arg).partition(b"\0")[0])
        while i < n and data[i] in WHITE:
            i += 1
        if i >= n:
            return out
