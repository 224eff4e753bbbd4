"""What became of each candidate directory: the words `explain` shows and `dry-run --json`
gives as `verdict`, one home for all of them. A leaf module: it imports nothing.

The first group puts an entry of ldwrap's into the command (landing.py says where); every
other verdict says why a directory got none.
"""

# An entry of ldwrap's.
ADDED = "added"
COPY = "added as DIR/ before the caller's rpath, which names it too"
DRIVER = "the driver's directory, for libraries linked against their stubs"
OWN_ORIGIN = "the project's install directory, seen from the installed output: before the caller's"
OWN_ABSOLUTE = "the project's install directory: after the caller's arguments"
ENTRIES = (ADDED, COPY, DRIVER, OWN_ORIGIN, OWN_ABSOLUTE)

# No entry: where the directory is.
OUTSIDE = "outside allowed prefixes"
DEFAULT_DIR = "searched by the loader already"
STORE_ROOT = "the store itself, not a path in it"
BUILD_TREE = "inside a build tree"
STUB = "link-time stubs only: the driver's real library is found at run time"
# No entry: what it holds.
NO_LIBRARY = "no requested shared library here"
STATIC_ONLY = "requested libraries are linked statically"
INCOMPATIBLE = "requested libraries here are for another target"
MISSING = "file not found"
# No entry: another entry names it already, or will.
DUPLICATE = "already added"
CALLER_KEEPS = "the caller's rpath names it, and no install removes that entry"
REINSTALLED = "the caller's rpath names it, and CMake's install RPATH names it again"
SHADOWS = "the caller names it after an entry with the same library: not copied"
OWN_NAMED = "the caller's rpath names the project's install directory already"
OWN_INSTALL_NAMED = "CMake's install RPATH names the project's install directory already"
OWN_UNSAFE = (
    "the project's install directory: $ORIGIN would reach a directory others may create "
    "from the build tree, and CMake's install would leave an empty element after it"
)
# No entry: none for this link at all.
DISABLED = "rpath disabled"
NOT_DYNAMIC = "not a dynamic link"
