"""Emulation of glibc's ld.so library search (docs/check.md lists the rules).

:class:`Resolver` walks the load list breadth first exactly as ld.so does and
records, for every DT_NEEDED edge, where it resolved, which rule found it
and every candidate that was tried.  No inspected file is ever executed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .config import LoaderConfig, default_interp, discover
from .elf import ElfInfo, NotElfError, Target
from .fs import FileId, FileSystem
from .ldcache import LdCache, load_cache, lookup

# Values of Edge.found_via.
RPATH, LD_LIBRARY_PATH, RUNPATH = "rpath", "ld_library_path", "runpath"
LD_SO_CACHE, DEFAULT_DIRS = "ld_so_cache", "default_dirs"
ALREADY_LOADED, PRELOAD, DIRECT, INTERPRETER = "already_loaded", "preload", "direct", "interpreter"
NOT_FOUND, DROPPED = "not_found", "dropped"

_DST = re.compile(r"\$(?:\{(ORIGIN|LIB|PLATFORM)\}|(ORIGIN|LIB|PLATFORM)(?![A-Za-z0-9_]))")


class InputError(Exception):
    """The input file cannot be checked (missing, unreadable, not ELF)."""


@dataclass(frozen=True)
class Options:
    ld_library_path: str | None = None
    preload: str | None = None
    secure: bool = False
    root: str | None = None
    cwd: str | None = None
    preload_file: bool = True  # honour /etc/ld.so.preload
    ldd_compat: bool = False  # main $ORIGIN from the path as given (ld.so PROG before 2.42)
    ld_so_cache: str | None = None  # read this cache file instead of the loader's own


@dataclass(frozen=True)
class Attempt:
    path: str
    source: str
    result: str  # "found", "missing", "wrong_class", ..., or a message


@dataclass
class Searched:
    """One search list as the loader went through it: which rule, whose tag, which dirs."""

    source: str  # RPATH, LD_LIBRARY_PATH, RUNPATH, LD_SO_CACHE or DEFAULT_DIRS
    owner: str | None = None  # the object whose RPATH/RUNPATH this is
    dirs: list[str] = field(default_factory=list)  # searched, in order (the cache: its file)
    note: str = ""  # why the list was skipped, when it was


@dataclass
class LoadedObject:
    path: str
    info: ElfInfo
    names: set[str]
    loader: LoadedObject | None
    file_id: FileId | None
    origin: str
    depth: int


@dataclass
class Edge:
    name: str
    needed_by: str | None
    path: str | None
    found_via: str
    depth: int
    loaded: bool = False  # this edge brought a new object into the process
    lookup_name: str | None = None  # name after $ORIGIN/$LIB/$PLATFORM expansion
    via_object: str | None = None  # whose RPATH, or what matched for already_loaded
    tried: list[Attempt] = field(default_factory=list)
    searched: list[Searched] = field(default_factory=list)  # the lists tried, collapsed
    error: str | None = None
    fatal: bool = False
    ignored: bool = False  # a failed preload: reported by ld.so, not fatal

    @property
    def missing(self) -> bool:
        return self.path is None and not self.ignored and self.found_via != DROPPED


@dataclass
class LoadResult:
    file: str
    config: LoaderConfig
    edges: list[Edge]
    fatal: str | None = None
    static: bool = False
    objects: list[LoadedObject] = field(default_factory=list)  # the file, then each one loaded

    @property
    def ok(self) -> bool:
        return self.fatal is None and not any(e.missing for e in self.edges)


def split_path(value: str, llp: bool) -> list[str]:
    """Split a search-path string; LD_LIBRARY_PATH also splits on ';'."""
    return re.split(r"[:;]", value) if llp else value.split(":")


def expand_dst(
    text: str,
    origin: str | None,
    cfg: LoaderConfig,
    secure: bool = False,
    whole_element: bool = True,
    owner_is_main: bool = False,
) -> str | None:
    """Expand $ORIGIN/$LIB/$PLATFORM; None means the element is dropped."""
    out: list[str] = []
    pos = 0
    for m in _DST.finditer(text):
        token = m.group(1) or m.group(2)
        if token == "ORIGIN":
            rest = text[m.end() :]
            if secure and not (whole_element and m.start() == 0 and (not rest or rest[0] == "/")):
                return None
            value = origin
        elif token == "LIB":
            value = cfg.lib
        else:
            value = cfg.platform
        if value is None:
            return None
        out.append(text[pos : m.start()])
        out.append(value)
        pos = m.end()
    if pos == 0:
        return text
    result = "".join(out) + text[pos:]
    if secure and owner_is_main and "ORIGIN" in text:
        norm = os.path.normpath(result) + "/"
        if not any(norm.startswith(d) for d in cfg.system_dirs):
            return None
    return result


def path_dirs(
    value: str,
    origin: str | None,
    cfg: LoaderConfig,
    llp: bool,
    secure: bool,
    owner_is_main: bool,
) -> list[str]:
    """Directories (each ending in '/') from RPATH, RUNPATH or LD_LIBRARY_PATH."""
    dirs: list[str] = []
    if not value:
        return dirs
    for element in split_path(value, llp):
        if element == "":
            element = "./"  # an empty element is the current directory
        expanded = expand_dst(element, origin, cfg, secure, True, owner_is_main)
        if not expanded:
            continue
        stripped = expanded.rstrip("/") or "/"
        d = stripped if stripped == "/" else stripped + "/"
        if d not in dirs:
            dirs.append(d)
    return dirs


class Resolver:
    """One emulated loader environment; reuse it across files to share caches."""

    def __init__(self, options: Options | None = None, fs: FileSystem | None = None) -> None:
        self.opts = options or Options()
        self.fs = fs or FileSystem(self.opts.root, self.opts.cwd)
        self._configs: dict[tuple[str, Target], LoaderConfig] = {}
        self._caches: dict[str, LdCache | None] = {}

    # -- environment lookups (memoised) -------------------------------------
    def config(self, interp: str, target: Target) -> LoaderConfig:
        key = (interp, target)
        if key not in self._configs:
            self._configs[key] = discover(interp, target, self.opts.root)
        return self._configs[key]

    def cache(self, cfg: LoaderConfig) -> LdCache | None:
        if cfg.cache_path is None:
            return None
        if cfg.cache_path not in self._caches:
            file = self.opts.ld_so_cache or self.fs.host(cfg.cache_path)
            self._caches[cfg.cache_path] = load_cache(file)
        return self._caches[cfg.cache_path]

    def forget_ld_cache(self) -> None:
        """Drop parsed ld.so.cache contents (re-read on next use)."""
        self._caches.clear()

    # -- the load ------------------------------------------------------------
    def load(self, file: str) -> LoadResult:
        try:
            info = self.fs.elf(file)
        except (OSError, NotElfError) as exc:
            msg = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise InputError(f"{file}: {msg}") from exc
        if info.e_type == 0:
            raise InputError(f"{file}: not an executable or shared library")
        interp = info.interp or default_interp(info.target)
        cfg = self.config(interp, info.target)
        path = self.fs.absolute(file)
        if not info.has_dynamic:
            return LoadResult(path, cfg, [], static=True)
        run = _Load(self, cfg, info)
        return run.execute(path)


class _Load:
    """State of one emulated process start."""

    def __init__(self, resolver: Resolver, cfg: LoaderConfig, main_info: ElfInfo) -> None:
        self.r = resolver
        self.fs = resolver.fs
        self.opts = resolver.opts
        self.cfg = cfg
        self.target = main_info.target
        self.main_info = main_info
        self.objects: list[LoadedObject] = []
        self.edges: list[Edge] = []
        self.fatal: str | None = None
        self.interp_error: str | None = None  # the kernel cannot start it; deps still listed

    def execute(self, path: str) -> LoadResult:
        info = self.main_info
        if info.interp and not self.opts.ldd_compat:
            origin = os.path.dirname(self.fs.realpath(path))  # the kernel resolves symlinks
        else:
            origin = os.path.dirname(path)
        main = LoadedObject(path, info, set(), None, self.fs.file_id(path), origin, 0)
        self.main = main
        self.objects.append(main)
        if info.soname:
            main.names.add(info.soname)
        self._interpreter(path)
        queue = [main]
        for name in self._preload_names():
            obj = self._map(name, main, preload=True)
            if obj is not None:
                queue.append(obj)
            if self.fatal:
                break
        i = 0
        while i < len(queue) and not self.fatal:
            obj = queue[i]
            i += 1
            for name in obj.info.needed:
                new = self._map(name, obj)
                if new is not None:
                    queue.append(new)
                if self.fatal:
                    break
        return LoadResult(
            path, self.cfg, self.edges, self.fatal or self.interp_error, objects=self.objects
        )

    def _interpreter(self, path: str) -> None:
        interp = self.main_info.interp
        if interp is None:
            interp = self.cfg.interp  # ld.so PROG: the system loader of this class
            edge_name = None
        else:
            edge_name = interp
        probe = self.fs.probe(interp, self.target)
        soname: str | None = None
        if probe.kind == "ok":
            try:
                soname = self.fs.elf(interp).soname
            except (OSError, NotElfError):
                soname = None
        names = {interp} | ({soname} if soname else set())
        self.rtld = LoadedObject(
            interp, self.main_info, names, self.main, probe.file_id, os.path.dirname(interp), 1
        )
        if edge_name is None:
            return
        ok = probe.kind == "ok"
        edge = Edge(
            interp,
            path,
            interp if ok else None,
            INTERPRETER,
            1,
            loaded=ok,
            lookup_name=interp,
            tried=[Attempt(interp, INTERPRETER, "found" if ok else probe.kind)],
        )
        if probe.kind != "ok":
            edge.error = f"interpreter {interp}: " + (probe.message or "No such file or directory")
            edge.found_via = NOT_FOUND
            edge.fatal = True
            self.interp_error = edge.error
        self.edges.append(edge)

    def _preload_names(self) -> Iterator[str]:
        if self.opts.preload:
            yield from (n for n in re.split(r"[ :]", self.opts.preload) if n)
        if self.opts.preload_file:
            text = self.fs.read_text("/etc/ld.so.preload")
            if text:
                for line in text.splitlines():
                    yield from (n for n in re.split(r"[\s:]", line.split("#", 1)[0]) if n)

    # -- one DT_NEEDED -------------------------------------------------------
    def _map(self, raw: str, req: LoadedObject, preload: bool = False) -> LoadedObject | None:
        depth = req.depth + 1
        edge = Edge(raw, req.path, None, NOT_FOUND, depth)
        self.edges.append(edge)
        if self.opts.secure and _DST.search(raw):
            if preload:
                edge.ignored, edge.error = True, "DST in preload ignored in secure mode"
                return None
            edge.error = "DST not allowed in SUID/SGID programs"
            edge.fatal, self.fatal = True, f"{raw}: {edge.error}"
            return None
        name = expand_dst(raw, req.origin, self.cfg)
        edge.lookup_name = name
        if not name:
            edge.found_via = DROPPED
            edge.error = "dynamic string token has no value; entry ignored"
            return None
        match = self._match_loaded(name)
        if match is not None:
            obj, how = match
            edge.path, edge.found_via, edge.via_object = obj.path, ALREADY_LOADED, how
            if preload:
                edge.found_via = PRELOAD
            return None
        if "/" in name:
            if preload and self.opts.secure:
                edge.ignored, edge.error = True, "preload with '/' ignored in secure mode"
                return None
            return self._finish(
                edge, name, req, self._direct(name, edge), PRELOAD if preload else DIRECT, preload
            )
        found = self._search(name, req, edge, preload)
        return self._finish(edge, name, req, found, PRELOAD if preload else None, preload)

    def _match_loaded(self, name: str) -> tuple[LoadedObject, str] | None:
        for obj in [*self.objects, self.rtld]:
            if name in obj.names or (obj is not self.main and obj.path == name):
                return obj, "name"
            if obj.info.soname == name and obj is not self.rtld:
                obj.names.add(name)
                return obj, "soname"
        return None

    def _direct(self, name: str, edge: Edge) -> tuple[str, str, str | None] | None:
        path = self.fs.absolute(name)
        probe = self.fs.probe(path, self.target)
        shown = probe.message if probe.kind == "fatal" else probe.kind
        edge.tried.append(Attempt(path, DIRECT, shown))
        if probe.kind == "ok":
            return path, DIRECT, None
        if probe.kind == "fatal":
            self._fatal(edge, f"{path}: {probe.message}")
        elif probe.kind.startswith("wrong"):
            edge.error = probe.message
        return None

    def _fatal(self, edge: Edge, msg: str) -> None:
        edge.fatal, edge.error = True, msg
        self.fatal = f"{edge.name}: {msg}"

    def _search(
        self, name: str, req: LoadedObject, edge: Edge, preload: bool
    ) -> tuple[str, str, str | None] | None:
        secure = self.opts.secure
        for source, owner, dirs in self._sources(req):
            hit = self._search_dirs(name, dirs, source, owner, edge, secure and preload)
            if hit or self.fatal:
                return hit
        cache = self.r.cache(self.cfg) if not (secure and preload) else None
        if cache is not None:
            edge.searched.append(Searched(LD_SO_CACHE, None, [self.cfg.cache_path or ""]))
            found = lookup(
                cache,
                name,
                self.cfg.cache_flags,
                self.cfg.cache_default_flag,
                self.cfg.hwcaps,
                self.cfg.isa_supported,
            )
            if found is None:
                edge.tried.append(Attempt(self.cfg.cache_path or "", LD_SO_CACHE, "no entry"))
            elif req.info.nodeflib and found.startswith(self.cfg.system_dirs):
                edge.tried.append(Attempt(found, LD_SO_CACHE, "rejected: nodefaultlib"))
            else:
                kind = self._try(found, LD_SO_CACHE, None, edge, secure and preload)
                if kind == "ok":
                    return found, LD_SO_CACHE, None
                if self.fatal:
                    return None
        if req.info.nodeflib:
            edge.tried.append(Attempt("", DEFAULT_DIRS, "skipped: nodefaultlib"))
            edge.searched.append(Searched(DEFAULT_DIRS, None, [], "skipped: nodefaultlib"))
            return None
        return self._search_dirs(
            name, list(self.cfg.system_dirs), DEFAULT_DIRS, None, edge, secure and preload
        )

    def _sources(self, req: LoadedObject) -> Iterator[tuple[str, str | None, list[str]]]:
        cfg, secure = self.cfg, self.opts.secure
        if self.cfg.flavour == "musl":
            yield from self._musl_sources(req)
            return
        if req.info.runpath is None:
            seen_main = False
            obj: LoadedObject | None = req
            while obj is not None:
                if obj is self.main:
                    seen_main = True
                if obj.info.rpath and obj.info.runpath is None:
                    yield (
                        RPATH,
                        obj.path,
                        path_dirs(obj.info.rpath, obj.origin, cfg, False, secure, obj is self.main),
                    )
                obj = obj.loader
            m = self.main
            if not seen_main and m.info.rpath and m.info.runpath is None:
                yield RPATH, m.path, path_dirs(m.info.rpath, m.origin, cfg, False, secure, True)
        llp = self.opts.ld_library_path
        if llp and not secure:
            yield LD_LIBRARY_PATH, None, path_dirs(llp, self.main.origin, cfg, True, False, False)
        if req.info.runpath:
            yield (
                RUNPATH,
                req.path,
                path_dirs(req.info.runpath, req.origin, cfg, False, secure, req is self.main),
            )

    def _musl_sources(self, req: LoadedObject) -> Iterator[tuple[str, str | None, list[str]]]:
        # musl: LD_LIBRARY_PATH, then RUNPATH-or-RPATH of the requester and its
        # loaders, then the configured system path; no cache, no SONAME reuse rules.
        if self.opts.ld_library_path and not self.opts.secure:
            yield (
                LD_LIBRARY_PATH,
                None,
                path_dirs(
                    self.opts.ld_library_path, self.main.origin, self.cfg, False, False, False
                ),
            )
        obj: LoadedObject | None = req
        while obj is not None:
            value = obj.info.runpath or obj.info.rpath
            if value:
                kind = RUNPATH if obj.info.runpath else RPATH
                yield kind, obj.path, path_dirs(value, obj.origin, self.cfg, False, False, False)
            obj = obj.loader

    def _search_dirs(
        self,
        name: str,
        dirs: list[str],
        source: str,
        owner: str | None,
        edge: Edge,
        need_suid: bool,
    ) -> tuple[str, str, str | None] | None:
        subdirs = [f"glibc-hwcaps/{h}/" for h in self.cfg.hwcaps]
        subdirs += [s + "/" for s in self.cfg.legacy_subdirs]
        searched = Searched(source, owner)
        edge.searched.append(searched)
        for d in dirs:
            searched.dirs.append(d.rstrip("/") or "/")
            for sub in [*subdirs, ""]:
                cand = d + sub + name
                result = self._try(cand, source, owner, edge, need_suid)
                if result == "ok":
                    return self.fs.absolute(cand), source, owner
                if self.fatal:
                    return None
            if result == "abandon":
                # glibc <= 2.38: an errno other than ENOENT/EACCES in an existing
                # directory (e.g. ELOOP) ends this list; a missing dir does not.
                return None
        return None

    def _try(self, cand: str, source: str, owner: str | None, edge: Edge, need_suid: bool) -> str:
        probe = self.fs.probe(cand, self.target)
        kind = probe.kind
        if kind == "abandon" and not self.fs.is_dir(os.path.dirname(cand) or "."):
            kind = "missing"  # the loader stats the directory and marks it nonexisting
        if kind == "ok" and need_suid and not probe.setuid:
            kind = "missing"
        shown = self.fs.absolute(cand)
        label = source if owner is None else f"{source} of {owner}"
        if kind == "fatal":
            edge.tried.append(Attempt(shown, label, probe.message))
            self._fatal(edge, f"{shown}: {probe.message}")
        else:
            edge.tried.append(Attempt(shown, label, "found" if kind == "ok" else kind))
            if kind.startswith("wrong"):
                edge.error = probe.message
        return kind

    def _finish(
        self,
        edge: Edge,
        name: str,
        req: LoadedObject,
        found: tuple[str, str, str | None] | None,
        override_via: str | None,
        preload: bool,
    ) -> LoadedObject | None:
        if found is None:
            if self.fatal:
                return None
            if preload:
                edge.ignored = True
                edge.found_via = PRELOAD
                edge.error = (
                    f"object '{edge.name}' cannot be preloaded"
                    f" ({edge.error or 'cannot open shared object file'}): ignored"
                )
            elif edge.error is None or not edge.error.startswith("wrong ELF class"):
                edge.error = "cannot open shared object file: No such file or directory"
            return None
        path, source, owner = found
        edge.error = None
        edge.path, edge.found_via, edge.via_object = path, override_via or source, owner
        fid = self.fs.file_id(path)
        for obj in [*self.objects, self.rtld]:
            if fid is not None and obj.file_id == fid:
                obj.names.add(name)
                edge.path = obj.path  # same file already loaded: reused under a new name
                edge.via_object = (owner or "") + " (same file as loaded object)"
                return None
        try:
            info = self.fs.elf(path)
        except (OSError, NotElfError) as exc:
            self._fatal(edge, f"{path}: {exc}")
            return None
        obj = LoadedObject(path, info, {name}, req, fid, os.path.dirname(path), edge.depth)
        self.objects.append(obj)
        edge.loaded = True
        return obj
