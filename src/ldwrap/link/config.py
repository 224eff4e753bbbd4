"""Everything a link reads from the environment, read once into one value: `Config`.

Pure but for one probe (does /nix/store exist?), made only when no prefix is set. The Nix
wrapper variables, whose names depend on the link's target, are read by nix.py from
`Config.env`; the real linker's search reads PATH from it.
"""

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Mapping

# How the allowed rpath prefixes were chosen.
MODE_NIX = "nix"  # $NIX_STORE or /nix/store
MODE_PREFIXES = "prefixes"  # LDWRAP_RPATH_PREFIXES
MODE_NONDEFAULT = "nondefault"  # any directory the loader does not search by itself

# Whether the post-link RUNPATH trim runs when LDWRAP_SHRINK is not set. Off: the trim makes
# the link run as a child (no exec) and costs about 2 ms per link that may need it
# (benchmarks/bench_shrink.py), over the 2 ms a default-on hook may cost.
SHRINK_DEFAULT = False


def _flag(env: "Mapping[str, str]", name: str, warnings: "list[str]") -> bool:
    """A switch that is on only for the exact value 1, like nixpkgs' own switches (but for
    LDWRAP_DRY_RUN: see dry_run_on)."""
    value = env.get(name)
    if value is None or value in ("", "0"):
        return False
    if value == "1":
        return True
    warnings.append(f"ignoring {name}={value!r}: only 1 turns it on")
    return False


def dry_run_on(env: "Mapping[str, str]") -> bool:
    """LDWRAP_DRY_RUN is a safety switch: any value but "" and "0" turns it on, so that a
    misspelt "yes" never links for real."""
    return env.get("LDWRAP_DRY_RUN") not in (None, "", "0")


def _strip(path: str) -> str:
    """A prefix without trailing slashes ('/' stays '/')."""
    stripped = path.rstrip("/")
    return stripped or "/"


class Config:
    """The environment's settings for one link. Not changed once read (assignment raises)."""

    __slots__ = (
        "_frozen",
        "_heads",
        "build_id_style",
        "debug",
        "disable_rpath",
        "dry_run",
        "dtags",
        "dynamic_linker_m32",
        "enforce_purity",
        "env",
        "ld_run_path",
        "linker",
        "mode",
        "nix_debug",
        "prefixes",
        "run_path",
        "shrink",
        "verify",
        "warnings",
    )

    def __init__(self) -> None:
        self._frozen = False
        self.env: Mapping[str, str] = {}
        self.mode = MODE_NONDEFAULT
        self.prefixes: tuple[str, ...] = ()
        self._heads: tuple[str, ...] = ()  # prefixes with their trailing slash
        self.disable_rpath = False
        self.dry_run = False
        self.debug = False
        self.linker: str | None = None
        self.dynamic_linker_m32: str | None = None
        self.build_id_style = "sha1"
        self.verify: str | None = None
        self.shrink = SHRINK_DEFAULT  # LDWRAP_SHRINK: trim unused added RUNPATH entries
        self.dtags: str | None = None  # "runpath" or "rpath": LDWRAP_DTAGS
        self.ld_run_path = True  # every linker honours LD_RUN_PATH as GNU ld does
        self.nix_debug = 0
        self.enforce_purity = False  # NIX_ENFORCE_PURITY=1 with a NIX_STORE, as in nixpkgs
        self.run_path: list[str] = []  # LD_RUN_PATH's directories, empty entries dropped
        self.warnings: list[str] = []

    def __setattr__(self, name: str, value: object) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"Config is read once; cannot set {name}")
        object.__setattr__(self, name, value)

    @classmethod
    def from_env(cls, env: "Mapping[str, str]", nix_store_exists: "bool | None" = None) -> "Config":
        """Read env; nix_store_exists None looks at the file system when it matters."""
        s = cls()
        s.env = env
        w = s.warnings
        store = env.get("NIX_STORE")
        prefixes = env.get("LDWRAP_RPATH_PREFIXES")
        if nix_store_exists is None and not store and not (prefixes or "").strip(":"):
            from .oslite import path

            nix_store_exists = path.isdir("/nix/store")
        if store:
            s.mode, s.prefixes = MODE_NIX, (_strip(store),)
        elif prefixes is not None and prefixes.strip(":"):
            parts = prefixes.split(":")
            if "" in parts:
                w.append("LDWRAP_RPATH_PREFIXES has empty parts; they are ignored")
            s.mode, s.prefixes = MODE_PREFIXES, tuple(_strip(p) for p in parts if p)
            rel = [p for p in s.prefixes if p[:1] != "/"]
            if rel:
                w.append(f"LDWRAP_RPATH_PREFIXES: relative prefixes ignored: {':'.join(rel)}")
                s.prefixes = tuple(p for p in s.prefixes if p[:1] == "/")
        elif nix_store_exists:
            s.mode, s.prefixes = MODE_NIX, ("/nix/store",)
        # NIX_DONT_SET_RPATH and NIX_SET_BUILD_ID are read per role and protocol (nix.py);
        # here only their values are checked, so that a wrong one is reported once.
        _flag(env, "NIX_DONT_SET_RPATH", w)
        _flag(env, "NIX_SET_BUILD_ID", w)
        s.disable_rpath = _flag(env, "LDWRAP_DISABLE", w)
        s.dry_run = dry_run_on(env)
        nix_debug = env.get("NIX_DEBUG", "")
        s.nix_debug = int(nix_debug) if nix_debug.isdigit() else 0
        s.debug = _flag(env, "LDWRAP_DEBUG", w) or s.nix_debug >= 1
        s.linker = env.get("LDWRAP_LINKER") or None
        s.dynamic_linker_m32 = env.get("LDWRAP_DYNAMIC_LINKER_M32") or None
        s.build_id_style = env.get("NIX_BUILD_ID_STYLE") or "sha1"
        verify = env.get("LDWRAP_VERIFY") or None
        if verify not in (None, "warn", "error"):
            w.append(f"ignoring LDWRAP_VERIFY={verify!r}: use warn or error")
            verify = None
        s.verify = verify
        shrink = env.get("LDWRAP_SHRINK") or ""
        if shrink in ("0", "1"):
            s.shrink = shrink == "1"
        elif shrink:
            w.append(f"ignoring LDWRAP_SHRINK={shrink!r}: use 1 or 0")
        dtags = env.get("LDWRAP_DTAGS") or None
        if dtags not in (None, "runpath", "rpath"):
            w.append(f"ignoring LDWRAP_DTAGS={dtags!r}: use runpath or rpath")
            dtags = None
        s.dtags = dtags
        if env.get("LDWRAP_LD_RUN_PATH") not in (None, ""):
            s.ld_run_path = _flag(env, "LDWRAP_LD_RUN_PATH", w)
        s.enforce_purity = env.get("NIX_ENFORCE_PURITY") == "1" and bool(store)
        s.run_path = [d for d in (env.get("LD_RUN_PATH") or "").split(":") if d]
        # str.startswith with a tuple: one C call per directory, on the hot path.
        s._heads = tuple(p if p == "/" else p + "/" for p in s.prefixes)
        s._frozen = True
        return s

    def allows(self, path: str) -> bool:
        """Whether an absolute, normalised directory is inside an allowed prefix."""
        return path in self.prefixes or (bool(self._heads) and path.startswith(self._heads))
