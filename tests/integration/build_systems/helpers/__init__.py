"""Builds with real build systems, installed and checked, one module per concern: `run`
(commands and their environment), `greet` (the library every case links), `case` (a case's
build and what it installed), `elf` (reading installed files), `checks` (what every case
must show), `shrink` (what LDWRAP_SHRINK and fixup must leave) and `projects` (each build
system's case)."""
