"""`ldwrap doctor`: does a link reach the shim, and if not, why not.

`diagnose` gathers facts (PATH, the C compilers, rustc, toolchains, settings) and turns them
into findings; `render` only formats. A finding of kind "problem" carries a one-line
recommendation and makes the command exit 1; a note may carry a hint.

One module per concern: `model` (the report), `pathcheck` (the linkers first on PATH),
`compilers` (what each C compiler runs), `rust` (rustc and its toolchains), `settings`
(the environment's policy), `diagnose` (all of them in order), `render` (the text).
"""

from .diagnose import diagnose
from .model import Compiler, Finding, LinkerChoice, OnPath, Report, RustcInfo
from .render import render

__all__ = [
    "Compiler",
    "Finding",
    "LinkerChoice",
    "OnPath",
    "Report",
    "RustcInfo",
    "diagnose",
    "render",
]
