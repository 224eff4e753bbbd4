"""The data of one link: what it asks for, what ldwrap decided, and the command it runs.

Plain classes with __slots__ and no behaviour beyond describing themselves; this module imports
nothing of ldwrap's, so every other module can use it.
"""

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from .config import Config  # the type only: no import at run time

DYNAMIC = "dynamic"
STATIC = "static"
STATIC_PIE = "static-pie"


def is_shared_name(name: str) -> bool:
    """libx.so, libx.so.1, libx.so.1.2: a file the linker takes as a shared library."""
    base = name.rsplit("/", 1)[-1]
    return base.endswith(".so") or ".so." in base


def is_library_name(name: str) -> bool:
    """lib*.so, lib*.so.N: a file name a loader finds a shared library by."""
    return name[:3] == "lib" and is_shared_name(name)


class LibRequest:
    """One `-l`: the file names it matches, and whether it was asked for in static mode."""

    __slots__ = ("exact", "spec", "static")

    def __init__(self, spec: str, static: bool) -> None:
        self.spec = spec
        self.static = static
        self.exact = spec[:1] == ":"

    def filenames(self) -> "tuple[str, ...]":
        """The shared-library file names that would satisfy this request."""
        if self.exact:
            name = self.spec[1:]
            return (name,) if is_shared_name(name) else ()
        return (f"lib{self.spec}.so",)

    def __repr__(self) -> str:
        return f"LibRequest({self.spec!r}, static={self.static})"


class LinkRequest:
    """What the shim needs to know about one link."""

    __slots__ = (
        "as_needed",
        "dashdash",
        "emulation",
        "end_state",
        "kinds",
        "lib_dirs",
        "lib_files",
        "libs",
        "link_type",
        "no_interp",
        "output",
        "query",
        "relocatable",
        "rpaths",
        "sysroot",
    )

    def __init__(self) -> None:
        self.lib_dirs: list[str] = []  # in -L order, sysroot applied
        self.libs: list[LibRequest] = []
        self.lib_files: list[str] = []  # shared libraries named directly
        # In argv order, 1 for each -L directory and 0 for each library file: where each
        # stands among the other (one byte each: a link may have tens of thousands).
        self.kinds = bytearray()
        self.rpaths: list[str] = []  # the caller's own -rpath / -R values
        self.link_type = DYNAMIC
        self.relocatable = False
        self.emulation: str | None = None
        self.sysroot: str | None = None
        self.output: str | None = None
        self.no_interp = False  # --no-dynamic-linker: the output gets no PT_INTERP
        self.query = False  # --version / --help: pass through untouched
        self.dashdash = False  # a top-level `--` (bfd drops what follows it)
        # Shared-library file names asked for (by -l or by path) while --as-needed was in
        # effect: the linker may leave them out of DT_NEEDED.
        self.as_needed: set[str] = set()
        # (static, as-needed) in effect after the last argument: where words added after
        # the caller's arguments start.
        self.end_state = (False, False)

    @property
    def is_32bit(self) -> bool:
        return self.emulation == "elf_i386"  # the emulation that wants the 32-bit loader


class DirDecision:
    """What happened to one candidate directory, and why."""

    __slots__ = ("given", "libraries", "path", "verdict", "via")

    def __init__(
        self,
        given: str,
        path: str,
        verdict: str,
        libraries: "tuple[str, ...]" = (),
        via: str = "",
    ):
        self.given = given  # as the caller (or the linker script) wrote it
        self.path = path  # normalised; what goes into the rpath
        self.verdict = verdict
        self.libraries = libraries  # the requested files found there
        self.via = via  # the GNU ld script that named the library, if one did

    def as_dict(self) -> "dict[str, object]":
        out: dict[str, object] = {
            "given": self.given,
            "path": self.path,
            "verdict": self.verdict,
            "libraries": list(self.libraries),
        }
        if self.via:
            out["via"] = self.via
        return out

    def __repr__(self) -> str:
        return f"DirDecision({self.given!r}, {self.path!r}, {self.verdict!r})"


class RpathPlan:
    """ldwrap's rpath entries for one link, as decided: `entries`, (value, verdict) in the
    order they were decided, the verdict one of verdicts.ENTRIES (landing.py says where each
    goes in the command); a decision for every candidate directory; `vouched`: each entry
    whose libraries are known from the link rather than from what the directory holds now
    (the project's own install directory: the build tree's library files; the driver's
    directory: the stubs linked against), with those library files."""

    __slots__ = ("decisions", "entries", "vouched")

    def __init__(self) -> None:
        self.entries: list[tuple[str, str]] = []
        self.decisions: list[DirDecision] = []
        self.vouched: dict[str, tuple[str, ...]] = {}

    def values(self) -> "list[str]":
        """Every entry's value, as decided."""
        return [value for value, _ in self.entries]


class RealLinker:
    """The program to exec, and arguments it needs first (rust-lld's `-flavor gnu`)."""

    __slots__ = ("lead", "path")

    def __init__(self, path: str, lead: "tuple[str, ...]" = ()) -> None:
        self.path = path
        self.lead = lead  # arguments that go before everything else

    def __repr__(self) -> str:
        return f"RealLinker({self.path!r}, {self.lead!r})"


class Extras:
    """The flags ldwrap adds around the caller's arguments."""

    __slots__ = ("after", "before")

    def __init__(self) -> None:
        self.before: list[str] = []
        self.after: list[str] = []


class Invocation:
    """Everything decided about one link: the command to run and why. Built once, by
    `plan.prepare`, and read by the runner and the reports."""

    __slots__ = (
        "added_span",
        "args_as_run",
        "argv",
        "caller_args",
        "config",
        "env",
        "extras",
        "flavour",
        "linker_name",
        "plan",
        "purity_notes",
        "real",
        "request",
        "rsp_writeback",
        "shrink_candidates",
        "warnings",
        "why_unchanged",
    )

    def __init__(
        self,
        linker_name: str,
        caller_args: "list[str]",
        config: "Config",
        real: "RealLinker",
        flavour: str,
    ) -> None:
        # Known at the start of plan.prepare.
        self.linker_name = linker_name  # the linker the shim stands for (ld.lld, ...)
        self.caller_args = caller_args  # the caller's arguments, untouched
        self.config = config
        self.real = real
        self.flavour = flavour  # the grammar the arguments were read with
        self.warnings = config.warnings  # to print
        # Set by the steps of plan.prepare, each under its own name.
        self.request: LinkRequest | None = None
        # The caller's arguments as the linker gets them: not caller_args only when
        # NIX_ENFORCE_PURITY removed something (see purity.py).
        self.args_as_run = caller_args
        self.purity_notes: list[str] = []  # "skipping impure path X", for NIX_DEBUG
        self.plan: RpathPlan | None = None
        self.extras: Extras | None = None  # set when flags were composed
        # Added rpath entries the post-link trim may remove (LDWRAP_SHRINK); empty: no trim,
        # and the linker can be exec'd.
        self.shrink_candidates: list[str] = []
        self.argv: list[str] = []  # the command to run: the real linker and every argument
        self.env: dict[str, str] = {}  # the command's environment
        # Where the added "before" run starts and the "after" run ends in argv (E2BIG retry).
        self.added_span = (1, 1)
        self.rsp_writeback: list[tuple[int, int]] = []  # argv runs to write back into @files
        self.why_unchanged = ""  # why nothing was added, when nothing was

    @property
    def added_before(self) -> "list[str]":
        return self.extras.before if self.extras is not None else []

    @property
    def added_after(self) -> "list[str]":
        return self.extras.after if self.extras is not None else []

    def as_dict(self) -> "dict[str, object]":
        return {
            "argv": self.argv,
            "linker": self.real.path,
            "flavour": self.flavour,
            "added_before": self.added_before,
            "added_after": self.added_after,
            "note": self.why_unchanged,
            "prefixes": list(self.config.prefixes),
            "mode": self.config.mode,
            "rule": self.config.rule,
            "rule_why": self.config.rule_why,
            "directories": [d.as_dict() for d in self.plan.decisions] if self.plan else [],
            "shrink": list(self.shrink_candidates),
        }


class NixEnv:
    """The nixpkgs ld-wrapper settings that apply to one link."""

    __slots__ = (
        "cc_applied",
        "dont_set_rpath",
        "dynamic_linker",
        "hardening",
        "ignore_ld_through_gcc",
        "ldflags",
        "ldflags_after",
        "ldflags_before",
        "protocol",
        "salt",
        "set_build_id",
    )

    def __init__(self) -> None:
        self.salt = ""
        self.protocol = "salt"  # or "v2": values taken from a cc-wrapper's wrapper_* record
        self.ldflags_before: list[str] = []
        self.ldflags: list[str] = []
        self.ldflags_after: list[str] = []
        self.dynamic_linker: str | None = None
        self.hardening: list[str] = []  # the ld flags: relro, bindnow, in that order
        self.set_build_id = False
        self.dont_set_rpath = False
        self.cc_applied = False  # a cc-wrapper already passed LDFLAGS(_BEFORE), dynamic linker
        self.ignore_ld_through_gcc = False
