"""Flags besides the rpath that nixpkgs' wrapper adds, and where they go.

Final order: [flags before] caller's arguments [flags after], where "after" ends with the
32-bit dynamic linker, the `-rpath`s and `--build-id`, as in nixpkgs.
"""

from __future__ import annotations

from .args import DYNAMIC, LinkRequest
from .settings import Settings

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy reads this name
if TYPE_CHECKING:
    from collections.abc import Mapping


class Extras:
    """Arguments to add around the caller's."""

    __slots__ = ("after", "before")

    def __init__(self) -> None:
        self.before: list[str] = []
        self.after: list[str] = []


def compose(
    req: LinkRequest, settings: Settings, env: Mapping[str, str], rpath_args: list[str]
) -> Extras:
    ex = Extras()
    if (
        req.is_32bit
        and settings.dynamic_linker_m32
        and req.link_type == DYNAMIC
        and not req.relocatable
    ):
        ex.after += ("-dynamic-linker", settings.dynamic_linker_m32)
    ex.after += rpath_args
    if settings.build_id and not req.relocatable:
        ex.after.append("--build-id=" + settings.build_id_style)
    return ex
