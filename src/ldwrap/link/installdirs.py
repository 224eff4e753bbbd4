"""Where a build tree will install what it builds, read from the build system's own
configuration in that tree: CMake's `CMakeCache.txt`, Meson's
`meson-info/intro-buildoptions.json`, autoconf's `config.status`, else a Makefile's variables
as make would see them (makevars.py: `prefix`/`PREFIX`/`INSTALLTOP`, `libdir`/`LIBDIR`, ...,
with make's command line read from MAKEFLAGS).

Read only for links that take a library from a build tree; the parsers are pure, `TreeView`
holds the file-system side (each tree read once per link). No json module: its import costs
about 13 ms, more than a whole link.
"""

import posix

from . import oslite as os
from .buildtrees import AUTOCONF, CMAKE, CONFIG_FILES, MAKE, MAKEFILES, MESON
from .model import is_library_name

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .makevars import MakeVars

# Config files larger than this are not what they claim to be.
_LIMIT = 16 << 20


class TreeInstall:
    """One build tree's install directories, absolute and normalised; for CMake, also the
    install RPATH its cache sets (CMAKE_INSTALL_RPATH, CMAKE_INSTALL_RPATH_USE_LINK_PATH),
    which `cmake --install` writes in place of the build rpath."""

    __slots__ = (
        "bindir",
        "install_prefix",
        "install_rpath",
        "kind",
        "libdir",
        "link_path",
        "root",
        "source",
    )

    def __init__(
        self, kind: str, root: str, source: str, prefix: str, libdir: str, bindir: str
    ) -> None:
        self.kind = kind  # CMAKE, MESON, AUTOCONF or MAKE
        self.root = root  # the directory holding the configuration
        self.source = source  # the file read
        self.install_prefix = prefix
        self.libdir = libdir
        self.bindir = bindir
        self.install_rpath: tuple[str, ...] = ()  # as written: `$ORIGIN/../lib`, `/opt/x/lib`
        # The install RPATH names every linked directory outside the build tree again.
        self.link_path = False

    def install_dir(self, output_name: str) -> "str | None":
        """Where an output of this name is installed: the library directory for a shared
        library (lib*.so, lib*.so.N), the bindir for a program; None for a module (another
        *.so: an engine, a plugin, a Python extension), which may go anywhere."""
        if output_name.endswith(".so") and not output_name.startswith("lib"):
            return None
        return self.libdir if is_library_name(output_name) else self.bindir

    def install_rpath_dirs(self, install_dir: "str | None") -> "set[str]":
        """The directories the install RPATH names for an output installed into install_dir
        (`$ORIGIN` expanded; entries it cannot know left out), normalised."""
        out: set[str] = set()
        for entry in self.install_rpath:
            if install_dir is not None:
                entry = entry.replace("${ORIGIN}", install_dir).replace("$ORIGIN", install_dir)
            if entry[:1] == "/" and "$" not in entry:
                out.add(os.path.normpath(entry))
        return out

    def __repr__(self) -> str:
        return f"TreeInstall({self.kind!r}, {self.root!r}, {self.libdir!r}, {self.bindir!r})"


# ---------------------------------------------------------------------------------------------
# Parsers (pure): text -> {"prefix", "libdir", "bindir", "exec_prefix"} as written


def _line_after(text: str, head: str) -> "tuple[int, str] | None":
    """Where the rest of the first line that starts with head begins, and that rest; None if
    no line does. A search rather than a pass over all lines: these files run to tens of
    kilobytes, and every link that takes a library from the tree reads one."""
    if text.startswith(head):
        start = len(head)
    else:
        at = text.find("\n" + head)
        if at < 0:
            return None
        start = at + 1 + len(head)
    end = text.find("\n", start)
    return start, text[start : end if end >= 0 else len(text)].rstrip("\r")


def parse_cmake_cache(text: str) -> "dict[str, str]":
    """CMAKE_INSTALL_PREFIX, CMAKE_INSTALL_LIBDIR and CMAKE_INSTALL_BINDIR (`NAME:TYPE=value`);
    without GNUInstallDirs the last two are absent: CMake's own defaults, lib and bin. Also
    CMAKE_INSTALL_RPATH (a `;` list) and CMAKE_INSTALL_RPATH_USE_LINK_PATH, when set."""
    out = {"libdir": "lib", "bindir": "bin"}
    for var, name in (
        ("CMAKE_INSTALL_PREFIX", "prefix"),
        ("CMAKE_INSTALL_LIBDIR", "libdir"),
        ("CMAKE_INSTALL_BINDIR", "bindir"),
        ("CMAKE_INSTALL_RPATH", "install_rpath"),
        ("CMAKE_INSTALL_RPATH_USE_LINK_PATH", "link_path"),
    ):
        for head in (var + ":", var + "="):
            found = _line_after(text, head)
            if found is not None:
                rest = found[1]
                out[name] = (rest.partition("=")[2] if head[-1] == ":" else rest).strip()
                break
    return out


def _json_string(text: str, at: int) -> "str | None":
    """The JSON string literal starting at text[at] (a `"`), decoded; None if malformed."""
    if text[at : at + 1] != '"':
        return None
    out: list[str] = []
    i = at + 1
    escapes = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r"}
    escapes["t"] = "\t"
    while i < len(text):
        c = text[i]
        if c == '"':
            return "".join(out)
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = text[i + 1 : i + 2]
        if e == "u":
            digits = text[i + 2 : i + 6]
            if len(digits) != 4 or not all(d in "0123456789abcdefABCDEF" for d in digits):
                return None
            out.append(chr(int(digits, 16)))
            i += 6
        elif e in escapes:
            out.append(escapes[e])
            i += 2
        else:
            return None
    return None


def parse_meson_options(text: str) -> "dict[str, str]":
    """prefix, libdir and bindir from intro-buildoptions.json, a list of objects that each
    start `{"name": NAME, "value": VALUE` (Meson writes them so)."""
    out: dict[str, str] = {}
    for name in ("prefix", "libdir", "bindir"):
        head = '{"name": "' + name + '", "value": '
        at = text.find(head)
        if at >= 0:
            value = _json_string(text, at + len(head))
            if value is not None:
                out[name] = value
    return out


def parse_config_status(text: str) -> "dict[str, str]":
    """prefix, exec_prefix, libdir and bindir from autoconf's substitutions: lines
    `S["NAME"]="VALUE"` (autoconf >= 2.62; a long value continued as `"..."\\` on the next
    lines), else sed commands `s,@NAME@,VALUE,;t t` (older autoconf, any delimiter). Empty
    when the file is neither (a config.status of another tool's)."""
    out: dict[str, str] = {}
    for name in ("prefix", "exec_prefix", "libdir", "bindir"):
        found = _line_after(text, 'S["' + name + '"]=')
        if found is None:
            value = _sed_substitution(text, name)
            if value is not None:
                out[name] = value
            continue
        at, rest = found
        parts = []
        while True:
            more = rest.endswith("\\")
            piece = rest[:-1] if more else rest
            if len(piece) < 2 or piece[0] != '"' or piece[-1] != '"':
                break
            parts.append(piece[1:-1])
            if not more:
                break
            at = text.find("\n", at) + 1
            if at <= 0:
                break
            end = text.find("\n", at)
            rest = text[at : end if end >= 0 else len(text)]
        out[name] = "".join(parts)
    return out


def _sed_substitution(text: str, name: str) -> "str | None":
    """VALUE of an old config.status's `s<d>@NAME@<d>VALUE<d>...` line, or None."""
    key = "@" + name + "@"
    at = text.find(key)
    while at >= 2:
        line_start = text.rfind("\n", 0, at) + 1
        delim = text[at - 1]
        if at - 2 == line_start and text[line_start] == "s" and delim not in "\\\n@":
            end = text.find(delim, at + len(key) + 1)
            if end > at:
                return text[at + len(key) + 1 : end]
        at = text.find(key, at + 1)
    return None


# A hand-written Makefile's names for each directory, in the order they are looked for: the
# GNU conventions first, then the upper-case spellings (BSD, lz4, zstd) and openssl's.
MAKE_NAMES = (
    ("prefix", ("prefix", "PREFIX", "INSTALLTOP")),
    ("exec_prefix", ("exec_prefix", "EXEC_PREFIX")),
    ("libdir", ("libdir", "LIBDIR")),
    ("bindir", ("bindir", "BINDIR")),
)


def make_values(vars: "MakeVars") -> "dict[str, str]":
    """prefix, exec_prefix, libdir and bindir as the Makefile's variables give them: each the
    first of its names that has a value (expanded by make's rules: see makevars)."""
    out: dict[str, str] = {}
    for role, names in MAKE_NAMES:
        for name in names:
            value = vars.value(name)
            if value:
                out[role] = value
                break
    return out


def expand(value: str, values: "dict[str, str]", depth: int = 0) -> "str | None":
    """${prefix}, $(prefix), ${exec_prefix} and $(exec_prefix) replaced; None when anything
    else is left to expand (a value this reader cannot know)."""
    if "$" not in value:
        return value
    if depth > 4:
        return None
    for name in ("exec_prefix", "prefix"):
        for ref in ("${" + name + "}", "$(" + name + ")"):
            if ref in value:
                inner = values.get(name)
                if inner is None and name == "exec_prefix":
                    inner = "${prefix}"
                if inner is None:
                    return None
                got = expand(inner, values, depth + 1)
                if got is None:
                    return None
                value = value.replace(ref, got)
    return None if "$" in value else value


def install_dirs(
    kind: str, root: str, source: str, values: "dict[str, str]"
) -> "TreeInstall | None":
    """The tree's absolute install directories from what its configuration says; None when
    the prefix is unknown or not absolute."""
    prefix = expand(values.get("prefix", ""), values)
    if not prefix or prefix[:1] != "/":
        return None
    prefix = os.path.normpath(prefix)
    defaults = {"libdir": "${exec_prefix}/lib", "bindir": "${exec_prefix}/bin"}
    if kind in (CMAKE, MESON):
        defaults = {"libdir": "lib", "bindir": "bin"}
    dirs = []
    for name in ("libdir", "bindir"):
        raw = expand(values.get(name) or defaults[name], values)
        if raw is None:
            return None
        # CMake and Meson give these relative to the prefix, or absolute.
        dirs.append(os.path.normpath(os.path.join(prefix, raw)))
    tree = TreeInstall(kind, root, source, prefix, dirs[0], dirs[1])
    if kind == CMAKE:
        rpath = values.get("install_rpath", "")
        tree.install_rpath = tuple(e for part in rpath.split(";") for e in part.split(":") if e)
        # CMake's true constants (ON, YES, TRUE, Y, a non-zero number), in any case.
        flag = values.get("link_path", "").upper()
        tree.link_path = flag in ("ON", "YES", "TRUE", "Y") or (flag.isdigit() and int(flag) != 0)
    return tree


_PARSERS: "dict[str, Callable[[str], dict[str, str]]]" = {
    CMAKE: parse_cmake_cache,
    MESON: parse_meson_options,
    AUTOCONF: parse_config_status,
}


# ---------------------------------------------------------------------------------------------
# The file-system side


def _read(path: str) -> "str | None":
    data = os.read_file(path, _LIMIT)
    if data is None or len(data) >= _LIMIT:
        return None
    return data.decode("utf-8", "surrogateescape")


class TreeView:
    """Answers about build trees, each asked once: which configuration holds a directory, and
    whether a directory outside any tree could be created by someone else. env: the link's
    environment (make's command-line variables reach a Makefile through it)."""

    def __init__(self, env: "Mapping[str, str] | None" = None) -> None:
        self._env: Mapping[str, str] = env if env is not None else {}
        self._trees: dict[str, TreeInstall | None] = {}

    def lookup(self, directory: str) -> "TreeInstall | None":
        """The install directories of the build tree holding directory (the nearest
        configuration up from it), or None when none can be read."""
        if directory in self._trees:
            return self._trees[directory]
        found: TreeInstall | None = None
        makefile: tuple[str, str] | None = None
        d = directory
        while True:
            hit = next(
                ((kind, d + "/" + name) for kind, name in CONFIG_FILES if _exists(d, name)),
                None,
            )
            if hit is not None:
                found = self._parse(hit[0], d, hit[1])
                if found is None and hit[0] == AUTOCONF:
                    # A config.status of another tool's: its Makefile says the rest.
                    name = next((m for m in MAKEFILES if _exists(d, m)), None)
                    if name is not None:
                        found = self._parse_makefile(d, d + "/" + name)
                break
            if makefile is None:
                name = next((m for m in MAKEFILES if _exists(d, m)), None)
                if name is not None:
                    makefile = (d, d + "/" + name)
            if d in ("/", ""):
                if makefile is not None:
                    found = self._parse_makefile(*makefile)
                break
            d = d.rsplit("/", 1)[0] or "/"
        self._trees[directory] = found
        return found

    @staticmethod
    def _parse(kind: str, root: str, source: str) -> "TreeInstall | None":
        text = _read(source)
        if text is None:
            return None
        return install_dirs(kind, root, source, _PARSERS[kind](text))

    def _parse_makefile(self, root: str, source: str) -> "TreeInstall | None":
        text = _read(source)
        if text is None:
            return None
        from .makevars import MakeVars, command_line

        def read(name: str) -> "str | None":
            # make reads an included name relative to its working directory: the Makefile's.
            return _read(name if name[:1] == "/" else root + "/" + name)

        cmdline = command_line(self._env.get("MAKEFLAGS", ""))
        values = make_values(MakeVars(text, cmdline, self._env, read))
        return install_dirs(MAKE, root, source, values)

    @staticmethod
    def realpath(path: str) -> str:
        return os.path.realpath(path)

    @staticmethod
    def others_may_create(path: str) -> bool:
        """Whether someone other than this user (or root) could make path exist: it exists
        already, or the nearest existing directory above it is writable by group or others
        or owned by someone else, or a directory above that lets others replace it."""
        if os.path.lexists(path):
            return True
        d = path
        me = posix.geteuid()
        first = True
        while d not in ("/", ""):
            d = d.rsplit("/", 1)[0] or "/"
            try:
                st = os.stat(d)
            except OSError:
                continue  # not there either: the one above decides
            if first:
                if st.st_mode & 0o022 or st.st_uid not in (me, 0):
                    return True
                first = False
            elif st.st_mode & 0o022 and not st.st_mode & 0o1000:
                return True  # others may rename what lies below (no sticky bit)
        return False


def _exists(directory: str, name: str) -> bool:
    return os.access(directory + "/" + name, os.F_OK)
