"""The bundle's loader: runs the shim's modules from the bundle file (bundle.py) before any of
ldwrap is imported. `ldwrap install` compiles this module into the bundle itself; a launcher
reads the bundle, runs this code in a namespace of its own and calls `load`.

It runs before anything else, so it imports only `sys` (loaded already) and, inside the
functions, the C modules `posix` and `marshal`; not even `from __future__ import
annotations` (importing `__future__` costs a link 0.3 ms): its annotations are strings.
Anything wrong leaves `sys.modules` as it was and says why: the launcher then imports the
modules the ordinary way, so a stale or broken bundle costs speed, never correctness.

The bundle file, all of it written by marshal:
  1. the header: (FORMAT, sys.version, length of record 2);
  2. record 2: (this module's code, the eager entries, the lazy index);
  3. each lazy module's code, one after the other (the index says where).
An eager entry, one per module the shim imports at start, in the order they run:
  (name, source file, is a package, source mtime_ns, source size, code).
The lazy index, for the modules a link imports only when it needs them:
  name -> (source file, is a package, source mtime_ns, source size, offset, length), the
  offset counted from the end of record 2.
FORMAT (bundle.py) changes whenever anything in this layout changes, and only then: a
launcher compares it before it decodes record 2.
"""

import sys

TYPE_CHECKING = False  # this module runs before typing could be imported; mypy reads the name
if TYPE_CHECKING:
    from types import CodeType
    from typing import Final

    Entry = tuple[str, str, bool, int, int, CodeType]
    LazyEntry = tuple[str, bool, int, int, int, int]

# The fields of an eager entry.
NAME: "Final" = 0
FILE: "Final" = 1
PACKAGE: "Final" = 2
MTIME: "Final" = 3
SIZE: "Final" = 4
CODE: "Final" = 5
# The fields of a lazy index value.
LAZY_FILE: "Final" = 0
LAZY_PACKAGE: "Final" = 1
LAZY_MTIME: "Final" = 2
LAZY_SIZE: "Final" = 3
LAZY_OFFSET: "Final" = 4
LAZY_LENGTH: "Final" = 5
USED = "used"  # what load() says when the bundle's modules run


def load(record: "tuple[object, list[Entry], dict[str, LazyEntry]]", path: str, base: int) -> str:
    """Run the eager modules of record 2 (read from the bundle at path, whose lazy modules
    start at offset base) and put the lazy ones in sys.modules; USED, or why not (nothing
    changed then)."""
    import posix

    _, entries, lazy = record
    for e in entries:
        try:
            st = posix.stat(e[FILE])
        except OSError:
            return f"{e[FILE]} is gone"
        if st.st_mtime_ns != e[MTIME] or st.st_size != e[SIZE]:
            return f"{e[FILE]} changed after the bundle was written"
    mods = sys.modules
    spec = mods["_frozen_importlib"].ModuleSpec
    try:
        for e in entries:
            # What the import system would give the module: a spec, and its name on the
            # parent package (without it every `from . import x` raises and formats an
            # AttributeError inside CPython before it looks in sys.modules).
            name, file, pkg = e[NAME], e[FILE], e[PACKAGE]
            m = type(sys)(name)
            m.__file__ = file
            s = m.__spec__ = spec(name, None, origin=file, is_package=pkg)
            if pkg:
                m.__path__ = s.submodule_search_locations = [file.rpartition("/")[0]]
            parent, _, child = name.rpartition(".")
            m.__package__ = name if pkg else parent
            mods[name] = m
            exec(e[CODE], m.__dict__)
            if parent:
                setattr(mods[parent], child, m)
    except Exception as exc:
        for e in entries:
            mods.pop(e[NAME], None)
        return f"running {name} failed: {type(exc).__name__}: {exc}"
    for name, le in lazy.items():
        if name not in mods:
            _lazy(name, le, path, base)
    return USED


def _lazy(name: str, e: "LazyEntry", path: str, base: int) -> None:
    """Put the module in sys.modules as an empty module whose __getattr__ (PEP 562) fills it
    on first use: from the bundle (one pread) while its source is unchanged, else from the
    source. An import of it then never reaches the import system, whose machinery costs a
    cold link about 0.15 ms a module before any of the module's own code runs."""
    m = type(sys)(name)
    file = e[LAZY_FILE]
    m.__file__ = file
    parent, _, child = name.rpartition(".")
    m.__package__ = parent

    def fill(attr: str) -> object:
        import marshal
        import posix

        del m.__getattr__
        code = None
        try:
            st = posix.stat(file)
            if st.st_mtime_ns == e[LAZY_MTIME] and st.st_size == e[LAZY_SIZE]:
                fd = posix.open(path, posix.O_RDONLY | posix.O_CLOEXEC)
                try:
                    code = marshal.loads(posix.pread(fd, e[LAZY_LENGTH], base + e[LAZY_OFFSET]))
                finally:
                    posix.close(fd)
        except Exception:
            code = None  # the source below is always right
        if code is None:
            with open(file, "rb") as f:
                code = compile(f.read(), file, "exec")
        exec(code, m.__dict__)
        return getattr(m, attr)

    m.__getattr__ = fill  # type: ignore[method-assign]
    sys.modules[name] = m
    setattr(sys.modules[parent], child, m)
