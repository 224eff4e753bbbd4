"""GNU ld scripts that stand in for a shared library: which files they name. Pure.

A `libfoo.so` may be a text file such as `GROUP ( /lib/libfoo.so.1 AS_NEEDED ( libbar.so ) )`
or `INPUT(-limpl)`: the linker reads the files it names instead, and the output's DT_NEEDED is
theirs, so their directories need an rpath too. Only the commands that name inputs are read:
`GROUP`, `INPUT` and `AS_NEEDED` inside them; comments (`/* */`), quoted names and commas are
understood; every other command (`OUTPUT_FORMAT`, `SEARCH_DIR`, ...) is skipped.
"""

_INPUT_COMMANDS = ("GROUP", "INPUT")
_PUNCT = "(),"
_MAX_TOKENS = 10000  # a real script names a handful of files


def tokens(text: str) -> "list[str]":
    """The script's words and `(`, `)`, `,`; comments dropped, quotes removed."""
    # Stretch by stretch between comments and quoted names, with str methods: a loop over
    # characters costs a Nix build's link (glibc's libc.so and libm.so are scripts) about a
    # microsecond a character.
    out: list[str] = []
    i, n = 0, len(text)
    while i < n and len(out) < _MAX_TOKENS:
        quote = text.find('"', i)
        comment = text.find("/*", i)
        quote = n if quote < 0 else quote
        comment = n if comment < 0 else comment
        stop = min(quote, comment)
        plain = text[i:stop]
        for p in _PUNCT:
            plain = plain.replace(p, f" {p} ")
        out += plain.split()
        if stop == n:
            break
        if stop == comment:
            end = text.find("*/", comment + 2)
            i = n if end < 0 else end + 2
        else:
            end = text.find('"', quote + 1)
            end = n if end < 0 else end
            out.append(text[quote + 1 : end])
            i = end + 1
    return out[:_MAX_TOKENS]


def named_inputs(text: str) -> "list[str]":
    """The files a script names in GROUP/INPUT (AS_NEEDED included), in order, as written:
    a path, a bare file name, or `-lNAME`."""
    toks = tokens(text)
    out: list[str] = []
    depth = 0  # parentheses open inside an input command
    i = 0
    while i < len(toks):
        t = toks[i]
        if depth == 0:
            if t in _INPUT_COMMANDS and toks[i + 1 : i + 2] == ["("]:
                depth = 1
                i += 2
                continue
            if t == "(":
                # Another command's arguments: skip to its closing parenthesis.
                skip = 1
                i += 1
                while i < len(toks) and skip:
                    skip += (toks[i] == "(") - (toks[i] == ")")
                    i += 1
                continue
            i += 1
            continue
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        elif t != "," and not (t == "AS_NEEDED" and toks[i + 1 : i + 2] == ["("]):
            out.append(t)
        i += 1
    return out
