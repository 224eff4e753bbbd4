"""Small file facts doctor needs: the first executable of a name, nixpkgs' own wrapper."""

from __future__ import annotations

import os


def first_on_path(name: str, dirs: list[str]) -> str | None:
    for d in dirs:
        cand = os.path.join(d, name)
        if os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


def is_nix_wrapper(path: str) -> bool:
    """nixpkgs' own ld-wrapper: it adds rpaths itself."""
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        return False
    return head[:2] == b"#!" and b"NIX_BINTOOLS" in head
