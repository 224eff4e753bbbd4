"""What `ldwrap install` read of this machine for the hot path, carried in the bundle.

The default mode asks ld.so.conf which directories the loader searches by itself. Reading and
parsing it and its includes costs about 0.2 ms of every link; the bundle's copy of this module
holds the answer as install found it (bundle.build fills it in), with each file's and
directory's modification time and size, and a link only stats them to trust it
(sysdirs.snapshot_dirs). Here, outside the bundle, there is no snapshot: ld.so.conf is read.
"""

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    # The file it starts from, the directories, and (path, mtime_ns, size) of every file
    # read and directory listed ((-1, -1): missing).
    ConfSnapshot = tuple[str, tuple[str, ...], tuple[tuple[str, int, int], ...]]

LD_SO_CONF: "ConfSnapshot | None" = None
