"""The `ldwrap` console script: a shim under a linker's name, the CLI under any other."""

from __future__ import annotations

import os
import sys


def main() -> None:
    from .link.linkers import linker_name

    if linker_name(os.path.basename(sys.argv[0])) is not None:
        from .link.shim import main as shim_main

        shim_main()
    else:
        from .cli import main as cli_main

        cli_main()


if __name__ == "__main__":
    main()
