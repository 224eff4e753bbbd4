"""A Makefile's variables as GNU make would see them in the recipe that runs a link. Pure but
for the `read` callback that brings in included files.

Hand-written Makefiles name their install directories in variables that make's command line
usually sets (`make PREFIX=/opt/x`: lz4, zstd) or that a configure script wrote (openssl's
`INSTALLTOP`, `LIBDIR`, `libdir=$(INSTALLTOP)/$(LIBDIR)`). A linker started by make sees the
command line's variables in MAKEFLAGS (after ` -- `) and in its environment. Precedence is
make's own: the command line, then the Makefile's own assignments (`=`, `:=`, `::=`, `+=`),
then the environment, then `?=` defaults.

Only what a prefix needs is understood: assignments (with `export` and `override`), line
continuations, `include` of literal names, and `ifdef`/`ifndef`/`ifeq`/`ifneq` on values
that can be expanded; a condition that cannot be (a function call, say) takes its first
branch. A value is known only when every reference in it expands (an undefined variable, as in make,
to nothing): make functions (`$(shell ...)`) make it unknown.
"""

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

_MAX_DEPTH = 16  # references of references: deeper than any real Makefile, short of a loop
_MAX_INCLUDES = 8
_ASSIGN_OPS = ("::=", ":=", "?=", "+=", "!=", "=")
_UNKNOWN = "$(? not known here)"  # a value no expansion can give: reads as unknown


def command_line(makeflags: str) -> "dict[str, str]":
    """The variables make's command line set, from MAKEFLAGS (`flags -- NAME=value ...`, a
    space inside a value escaped with a backslash)."""
    if makeflags.startswith("-- "):
        rest = makeflags[3:]
    else:
        _, sep, rest = makeflags.partition(" -- ")
        if not sep:
            return {}
    words: list[str] = []
    word: list[str] = []
    i = 0
    while i < len(rest):
        c = rest[i]
        if c == "\\" and i + 1 < len(rest):
            word.append(rest[i + 1])
            i += 2
            continue
        if c == " ":
            if word:
                words.append("".join(word))
                word = []
        else:
            word.append(c)
        i += 1
    if word:
        words.append("".join(word))
    out: dict[str, str] = {}
    for w in words:
        name, eq, value = w.partition("=")
        name = name.rstrip(":")
        if eq and name and " " not in name:
            out[name] = value
    return out


def _logical_lines(text: str) -> "list[str]":
    """Lines with backslash continuations joined (as make does: one space for the break),
    recipe lines (starting with a tab) left out, comments removed."""
    out: list[str] = []
    pending = ""
    for raw in text.splitlines():
        if not pending and raw[:1] == "\t":
            continue
        line = pending + raw.lstrip() if pending else raw
        if line.endswith("\\") and not line.endswith("\\\\"):
            pending = line[:-1].rstrip() + " "
            continue
        pending = ""
        hash_at = line.find("#")
        while hash_at > 0 and line[hash_at - 1] == "\\":
            line = line[: hash_at - 1] + line[hash_at:]
            hash_at = line.find("#", hash_at)
        if hash_at >= 0:
            line = line[:hash_at]
        out.append(line.strip())
    return out


def _split_assignment(line: str) -> "tuple[str, str, str] | None":
    """(name, operator, value) of an assignment line, or None."""
    first = len(line)
    op = ""
    for candidate in _ASSIGN_OPS:
        at = line.find(candidate)
        if 0 <= at < first or (at == first and len(candidate) > len(op)):
            first, op = at, candidate
    if not op:
        return None
    name = line[:first].strip()
    if not name or " " in name or "$" in name or ":" in name:
        return None  # a rule (`target: prereq`), or a name this reader cannot know
    return name, op, line[first + len(op) :].strip()


class MakeVars:
    """The variables of one Makefile (and what it includes) for a make run with cmdline set
    on its command line and env as its environment."""

    def __init__(
        self,
        text: str,
        cmdline: "Mapping[str, str]",
        env: "Mapping[str, str]",
        read: "Callable[[str], str | None] | None" = None,
    ) -> None:
        self._cmdline = dict(cmdline)
        self._env = env
        self._read = read
        # name -> (recursive, value as written); the Makefile's own and `?=` defaults.
        self._vars: dict[str, tuple[bool, str]] = {}
        self._overrides: set[str] = set()  # `override` assignments beat the command line
        self._includes = 0
        self._run(_logical_lines(text))

    # -- reading the file

    def _run(self, lines: "list[str]") -> None:
        # One entry per open conditional: (this branch taken, a branch was taken already,
        # the whole block is inside a branch not taken).
        stack: list[tuple[bool, bool, bool]] = []
        in_define = False
        for line in lines:
            if not line:
                continue
            word = line.split(None, 1)[0]
            if in_define or word == "define":  # a multi-line value: no assignments inside
                in_define = word != "endef"
                continue
            if word in ("ifdef", "ifndef", "ifeq", "ifneq"):
                outer_off = bool(stack) and not (stack[-1][0] and not stack[-1][2])
                taken = self._condition(word, line[len(word) :].strip())
                stack.append((taken, taken, outer_off))
                continue
            if word == "else" and stack:
                _, done, outer_off = stack[-1]
                rest = line[4:].strip()
                if done:
                    stack[-1] = (False, True, outer_off)
                elif rest:
                    cond = rest.split(None, 1)
                    taken = self._condition(cond[0], cond[1] if len(cond) > 1 else "")
                    stack[-1] = (taken, taken, outer_off)
                else:
                    stack[-1] = (True, True, outer_off)
                continue
            if word == "endif" and stack:
                stack.pop()
                continue
            if stack and (not stack[-1][0] or stack[-1][2]):
                continue
            if word in ("include", "-include", "sinclude"):
                self._include(line[len(word) :].strip())
                continue
            self._assign(line)

    def _condition(self, kind: str, args: str) -> bool:
        """Whether a conditional's first branch is taken; True when it cannot be told."""
        if kind in ("ifdef", "ifndef"):
            if "$" in args:
                return True
            raw = self._cmdline.get(args)
            if raw is None:
                got = self._vars.get(args)
                raw = got[1] if got is not None else self._env.get(args)
            return bool(raw) == (kind == "ifdef")  # make: defined means a non-empty value
        if kind not in ("ifeq", "ifneq"):
            return True
        pair = _condition_args(args)
        if pair is None:
            return True
        left, right = (self.expand(p) for p in pair)
        if left is None or right is None:
            return True
        return (left.strip() == right.strip()) == (kind == "ifeq")

    def _include(self, names: str) -> None:
        if self._read is None or self._includes >= _MAX_INCLUDES:
            return
        expanded = self.expand(names)
        if expanded is None:
            return  # `include $(wildcard $(DEPFILES))` and the like: nothing for the prefix
        for name in expanded.split():
            text = self._read(name)
            self._includes += 1
            if text is not None and self._includes <= _MAX_INCLUDES:
                self._run(_logical_lines(text))

    def _assign(self, line: str) -> None:
        override = False
        for word in ("export ", "override "):
            if line.startswith(word):
                override = override or word == "override "
                line = line[len(word) :].lstrip()
        found = _split_assignment(line)
        if found is None:
            return
        name, op, value = found
        if override:
            self._overrides.add(name)
        elif name in self._cmdline:
            return  # the command line wins over the Makefile
        old = self._vars.get(name)
        if op == "?=":
            if old is None and name not in self._env:
                self._vars[name] = (True, value)
        elif op == "=":
            self._vars[name] = (True, value)
        elif op in (":=", "::="):
            got = self.expand(value)
            self._vars[name] = (False, got) if got is not None else (True, _UNKNOWN)
        elif op == "+=":
            base = old if old is not None else (True, self._env.get(name, ""))
            self._vars[name] = (base[0], (base[1] + " " + value).strip())
        else:  # `!=` runs a shell command: not known here
            self._vars[name] = (True, _UNKNOWN)

    # -- answers

    def value(self, name: str) -> "str | None":
        """The expanded value of a variable (None: undefined, or not expandable here)."""
        return self._value(name, 0)

    def _value(self, name: str, depth: int) -> "str | None":
        if name in self._cmdline and name not in self._overrides:
            return self._cmdline[name]
        got = self._vars.get(name)
        if got is None:
            return self._env.get(name)
        recursive, raw = got
        return self._expand(raw, depth + 1) if recursive else raw

    def expand(self, text: str) -> "str | None":
        """text with every variable reference replaced; None when one cannot be."""
        return self._expand(text, 0)

    def _expand(self, text: str, depth: int) -> "str | None":
        if "$" not in text:
            return text
        if depth > _MAX_DEPTH:
            return None
        out: list[str] = []
        i = 0
        while True:
            at = text.find("$", i)
            if at < 0:
                out.append(text[i:])
                return "".join(out)
            out.append(text[i:at])
            opener = text[at + 1 : at + 2]
            if opener in ("(", "{"):
                close = ")" if opener == "(" else "}"
                end = text.find(close, at + 2)
                name = text[at + 2 : end] if end >= 0 else ""
                if not name or any(c in name for c in " $,:(){}"):
                    return None  # a function call or a substitution reference
                i = end + 1
            elif opener and opener not in "$ \t":
                name, i = opener, at + 2
            else:
                return None
            got = self._value(name, depth + 1)
            if got is None:
                if name in self._vars:
                    return None  # defined, but not expandable here
                got = ""  # make expands an undefined variable to nothing
            out.append(got)


def _condition_args(args: str) -> "tuple[str, str] | None":
    """The two sides of `(a,b)`, `"a" "b"` or `'a' 'b'`; None when not of that form."""
    if args[:1] == "(" and args[-1:] == ")":
        inner = args[1:-1]
        depth = 0
        for i, c in enumerate(inner):
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "," and depth == 0:
                return inner[:i], inner[i + 1 :]
        return None
    parts = args.split()
    if len(parts) == 2 and all(p[:1] in "\"'" and p[-1:] == p[:1] and len(p) >= 2 for p in parts):
        return parts[0][1:-1], parts[1][1:-1]
    return None
