"""Everything a link reads from the environment, read once into one value: `Config`.

Pure but for one probe of the machine (`nix_host`: is there a /nix/store, and is this NixOS?),
made only when neither variable chooses the prefixes. The Nix wrapper variables, whose names
depend on the link's target, are read by nix.py from `Config.env`; the real linker's search
reads PATH from it.
"""

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Mapping

# How the allowed rpath prefixes were chosen.
MODE_NIX = "nix"  # $NIX_STORE, or /nix/store on NixOS
MODE_PREFIXES = "prefixes"  # LDWRAP_RPATH_PREFIXES
MODE_NONDEFAULT = "nondefault"  # any directory the loader does not search by itself

# Which rule chose them, first match wins (explain and `dry-run --json` show it).
RULE_NIX_STORE = "NIX_STORE"  # set: a Nix build, whose store is the only prefix
RULE_PREFIXES = "LDWRAP_RPATH_PREFIXES"
RULE_NIXOS = "nixos"  # NixOS: /nix/store only, as nixpkgs' wrapper would do
RULE_DEFAULT = "default"  # elsewhere, with or without a /nix/store beside the distribution

# What the machine says, asked only when neither variable is set (see nix_host).
HOST_NO_STORE = "default: no /nix/store here"
HOST_STORE = (
    "default: /nix/store exists but this is not NixOS; store paths count like any directory"
)
HOST_NIXOS_FILE = "NixOS (/etc/NIXOS exists): the store only"
HOST_NIXOS_ID = "NixOS (ID=nixos in /etc/os-release): the store only"

# Where NixOS keeps the graphics and compute driver's libraries (libcuda.so.1, ...): what
# nixpkgs' autoAddDriverRunpath puts on RUNPATH.
DRIVER_DIR_NIX = "/run/opengl-driver/lib"

# Whether the post-link RUNPATH trim runs when LDWRAP_SHRINK is not set. Off: the trim makes
# the link run as a child (no exec) and costs about 2 ms per link that may need it
# (benchmarks/bench_shrink.py), over the 2 ms a default-on hook may cost.
SHRINK_DEFAULT = False


def _flag(env: "Mapping[str, str]", name: str, warnings: "list[str]") -> bool:
    """A switch that is on only for the exact value 1, as nixpkgs tests its own switches (but
    for LDWRAP_DRY_RUN: see dry_run_on). Another value but "" and "0" is reported."""
    value = env.get(name)
    if value is None or value in ("", "0"):
        return False
    if value == "1":
        return True
    warnings.append(f"ignoring {name}={value!r}: only 1 turns it on")
    return False


def _switch(env: "Mapping[str, str]", name: str, default: bool, warnings: "list[str]") -> bool:
    """A switch with a default: 1 on, 0 off, unset or empty the default; another value is
    reported and leaves the default."""
    value = env.get(name) or ""
    if value in ("0", "1"):
        return value == "1"
    if value:
        warnings.append(f"ignoring {name}={value!r}: use 1 or 0")
    return default


def dry_run_on(env: "Mapping[str, str]") -> bool:
    """LDWRAP_DRY_RUN is a safety switch: any value but "" and "0" turns it on, so that a
    misspelt "yes" never links for real."""
    return env.get("LDWRAP_DRY_RUN") not in (None, "", "0")


def os_release_id(text: bytes) -> str:
    """The ID= value of an os-release file (quotes removed), or "" when it has none."""
    for line in text.splitlines():
        if line[:3] == b"ID=":
            return line[3:].strip().strip(b"\"'").decode("ascii", "replace")
    return ""


def nix_host(root: str = "") -> str:
    """HOST_NO_STORE, HOST_STORE, HOST_NIXOS_FILE or HOST_NIXOS_ID for the machine whose file
    system starts at root + "/". A machine without a store costs one stat; /etc/NIXOS is
    asked only where a store exists, /etc/os-release read only where a store exists and
    /etc/NIXOS does not."""
    from .oslite import path, read_file

    if not path.isdir(root + "/nix/store"):
        return HOST_NO_STORE
    if path.lexists(root + "/etc/NIXOS"):
        return HOST_NIXOS_FILE
    text = read_file(root + "/etc/os-release", 8192)
    return HOST_NIXOS_ID if text and os_release_id(text) == "nixos" else HOST_STORE


def _host(nix_store_exists: bool, nixos: "bool | None") -> str:
    """The host answer for a caller that says whether a store exists (tests, doctor)."""
    if not nix_store_exists:
        return HOST_NO_STORE
    if nixos is None:
        host = nix_host()
        return host if host != HOST_NO_STORE else HOST_STORE
    return HOST_NIXOS_FILE if nixos else HOST_STORE


def _strip(path: str) -> str:
    """A prefix without trailing slashes ('/' stays '/')."""
    stripped = path.rstrip("/")
    return stripped or "/"


# The names nix.read consults, by prefix (with their role and target suffixes): the wrapper's
# settings, its markers and the cc-wrapper's signals. A test holds nix.py to this list.
NIX_READ = (
    "NIX_LDFLAGS",
    "NIX_DYNAMIC_LINKER",
    "NIX_HARDENING_ENABLE",
    "NIX_IGNORE_LD_THROUGH_GCC",
    "NIX_SET_BUILD_ID",
    "NIX_DONT_SET_RPATH",
    "NIX_WRAPPER_",
    "NIX_BINTOOLS_WRAPPER_",
    "NIX_LINK_TYPE_",
)


class Config:
    """The environment's settings for one link. Not changed once read (assignment raises)."""

    __slots__ = (
        "_frozen",
        "_heads",
        "build_id_style",
        "debug",
        "disable_rpath",
        "driver_dir",
        "dry_run",
        "dtags",
        "dynamic_linker_m32",
        "enforce_purity",
        "env",
        "ld_run_path",
        "linker",
        "mode",
        "nix_build",
        "nix_debug",
        "nix_vars",
        "prefixes",
        "rule",
        "rule_why",
        "run_path",
        "self_rpath",
        "self_rpath_off",
        "shrink_on",
        "stub_dirs",
        "verify",
        "warnings",
    )

    _frozen: bool  # set first, past __setattr__, which reads it

    def __init__(self) -> None:
        object.__setattr__(self, "_frozen", False)
        self.env: Mapping[str, str] = {}
        self.mode = MODE_NONDEFAULT
        self.rule = RULE_DEFAULT  # which rule chose mode and prefixes
        self.rule_why = HOST_NO_STORE  # what made it apply, in words (explain)
        self.prefixes: tuple[str, ...] = ()
        self._heads: tuple[str, ...] = ()  # prefixes with their trailing slash
        self.disable_rpath = False
        self.dry_run = False
        self.debug = False
        self.linker: str | None = None
        self.dynamic_linker_m32: str | None = None
        self.build_id_style = "sha1"
        self.verify: str | None = None
        self.shrink_on = SHRINK_DEFAULT  # LDWRAP_SHRINK: trim unused added RUNPATH entries
        self.dtags: str | None = None  # "runpath" or "rpath": LDWRAP_DTAGS
        self.ld_run_path = True  # every linker honours LD_RUN_PATH as GNU ld does
        self.nix_debug = 0
        self.enforce_purity = False  # NIX_ENFORCE_PURITY=1 with a NIX_STORE, as in nixpkgs
        # A variable the Nix reader reads (NIX_READ): without one it has nothing to read, and
        # a link outside a Nix build (NIX_STORE alone, say) never loads it.
        self.nix_vars = False
        self.run_path: list[str] = []  # LD_RUN_PATH's directories, empty entries dropped
        # LDWRAP_SELF_RPATH: the project's own install directories (empty: read from the
        # build tree's configuration), or 0 for none.
        self.self_rpath: tuple[str, ...] = ()
        self.self_rpath_off = False
        # A Nix build ($NIX_STORE set, $out a path in it): stdenv gives the project's own
        # directory itself (`-rpath $out/lib` in NIX_LDFLAGS), and ldwrap adds nothing of its
        # own for it, as nixpkgs' wrapper adds nothing.
        self.nix_build = False
        # Directories of link-time stubs (CUDA's lib64/stubs): never on RUNPATH. Besides any
        # directory named `stubs`, LDWRAP_STUB_DIRS.
        self.stub_dirs: tuple[str, ...] = ()
        # Where the real driver libraries live, for a link against their stubs (nixpkgs'
        # /run/opengl-driver/lib in the Nix modes, LDWRAP_DRIVER_DIR); None: the loader
        # finds them by itself.
        self.driver_dir: str | None = None
        self.warnings: list[str] = []

    def __setattr__(self, name: str, value: object) -> None:
        if self._frozen:
            raise AttributeError(f"Config is read once; cannot set {name}")
        object.__setattr__(self, name, value)

    @classmethod
    def from_env(
        cls,
        env: "Mapping[str, str]",
        nix_store_exists: "bool | None" = None,
        nixos: "bool | None" = None,
    ) -> "Config":
        """Read env. nix_store_exists None looks at the machine when it matters (nix_host);
        given, it stands for the /nix/store probe, and nixos (None: looked up) for the NixOS
        one."""
        config = cls()
        config.env = env
        w = config.warnings
        store = env.get("NIX_STORE")
        prefixes = env.get("LDWRAP_RPATH_PREFIXES")
        if store:
            config.mode, config.prefixes = MODE_NIX, (_strip(store),)
            config.rule, config.rule_why = RULE_NIX_STORE, "NIX_STORE is set (a Nix build)"
        elif prefixes is not None and prefixes.strip(":"):
            parts = prefixes.split(":")
            if "" in parts:
                w.append("LDWRAP_RPATH_PREFIXES has empty parts; they are ignored")
            config.mode, config.prefixes = MODE_PREFIXES, tuple(_strip(p) for p in parts if p)
            config.rule, config.rule_why = RULE_PREFIXES, "LDWRAP_RPATH_PREFIXES is set"
            rel = [p for p in config.prefixes if p[:1] != "/"]
            if rel:
                w.append(f"LDWRAP_RPATH_PREFIXES: relative prefixes ignored: {':'.join(rel)}")
                config.prefixes = tuple(p for p in config.prefixes if p[:1] == "/")
        else:
            # A store beside a distribution (Nix installed on Debian, say) keeps the default
            # mode, where store paths count like any other prefix: only NixOS, whose
            # libraries all live in the store, narrows the prefixes to it.
            host = nix_host() if nix_store_exists is None else _host(nix_store_exists, nixos)
            config.rule_why = host
            if host in (HOST_NIXOS_FILE, HOST_NIXOS_ID):
                config.mode, config.prefixes, config.rule = MODE_NIX, ("/nix/store",), RULE_NIXOS
        # NIX_DONT_SET_RPATH and NIX_SET_BUILD_ID are read per role and protocol (nix.py);
        # here only their values are checked, so that a wrong one is reported once.
        _flag(env, "NIX_DONT_SET_RPATH", w)
        _flag(env, "NIX_SET_BUILD_ID", w)
        config.disable_rpath = _flag(env, "LDWRAP_DISABLE", w)
        config.dry_run = dry_run_on(env)
        nix_debug = env.get("NIX_DEBUG", "")
        config.nix_debug = int(nix_debug) if nix_debug.isdigit() else 0
        config.debug = _flag(env, "LDWRAP_DEBUG", w) or config.nix_debug >= 1
        config.linker = env.get("LDWRAP_LINKER") or None
        config.dynamic_linker_m32 = env.get("LDWRAP_DYNAMIC_LINKER_M32") or None
        config.build_id_style = env.get("NIX_BUILD_ID_STYLE") or "sha1"
        verify = env.get("LDWRAP_VERIFY") or None
        if verify not in (None, "warn", "error"):
            w.append(f"ignoring LDWRAP_VERIFY={verify!r}: use warn or error")
            verify = None
        config.verify = verify
        config.shrink_on = _switch(env, "LDWRAP_SHRINK", SHRINK_DEFAULT, w)
        dtags = env.get("LDWRAP_DTAGS") or None
        if dtags not in (None, "runpath", "rpath"):
            w.append(f"ignoring LDWRAP_DTAGS={dtags!r}: use runpath or rpath")
            dtags = None
        config.dtags = dtags
        config.ld_run_path = _switch(env, "LDWRAP_LD_RUN_PATH", True, w)
        # As in nixpkgs, purity needs a NIX_STORE too.
        config.enforce_purity = _flag(env, "NIX_ENFORCE_PURITY", w) and bool(env.get("NIX_STORE"))
        config.run_path = [d for d in (env.get("LD_RUN_PATH") or "").split(":") if d]
        config.nix_vars = any(k.startswith(NIX_READ) for k in env)
        own = env.get("LDWRAP_SELF_RPATH") or ""
        if own == "0":
            config.self_rpath_off = True
        elif own.strip(":"):
            dirs = [d for d in own.split(":") if d]
            rel = [d for d in dirs if d[:1] != "/"]
            if rel:
                w.append(f"LDWRAP_SELF_RPATH: relative directories ignored: {':'.join(rel)}")
            config.self_rpath = tuple(_strip(d) for d in dirs if d[:1] == "/")
        config.stub_dirs = tuple(
            _strip(d) for d in (env.get("LDWRAP_STUB_DIRS") or "").split(":") if d[:1] == "/"
        )
        driver = env.get("LDWRAP_DRIVER_DIR")
        if driver is None or driver == "":
            config.driver_dir = DRIVER_DIR_NIX if config.mode == MODE_NIX else None
        elif driver == "0":
            config.driver_dir = None
        elif driver[:1] != "/":
            w.append(f"ignoring LDWRAP_DRIVER_DIR={driver!r}: not an absolute directory")
            config.driver_dir = DRIVER_DIR_NIX if config.mode == MODE_NIX else None
        else:
            config.driver_dir = _strip(driver)
        out = env.get("out") or ""
        config.nix_build = bool(store) and out.startswith(_strip(store or "/") + "/")
        # str.startswith with a tuple: one C call per directory, on the hot path.
        config._heads = tuple(p if p == "/" else p + "/" for p in config.prefixes)
        config._frozen = True
        return config

    @property
    def own_rpath_on(self) -> bool:
        """Whether a link that takes a library from a build tree gets the project's own
        install directory (not with LDWRAP_SELF_RPATH=0, nor in a Nix build)."""
        return not self.self_rpath_off and not self.nix_build

    def allows(self, path: str) -> bool:
        """Whether an absolute, normalised directory is inside an allowed prefix."""
        return path in self.prefixes or (bool(self._heads) and path.startswith(self._heads))
