"""makevars: a Makefile's variables as GNU make sees them in a recipe (its command line from
MAKEFLAGS, the Makefile, the environment, `?=` defaults). The precedence rows were checked
against GNU make 4.3 (`make -f F print` with each combination); the integration tests run
real make."""

from __future__ import annotations

import pytest

from ldwrap.link.makevars import MakeVars, command_line


@pytest.mark.parametrize(
    ("makeflags", "want"),
    [
        ("", {}),
        ("s", {}),
        (" -- PREFIX=/opt/x", {"PREFIX": "/opt/x"}),
        ("-- PREFIX=/opt/x", {"PREFIX": "/opt/x"}),
        (
            "s -j2 --jobserver-auth=3,4 -- LIBDIR=/opt/x/lib64 PREFIX=/opt/x",
            {"LIBDIR": "/opt/x/lib64", "PREFIX": "/opt/x"},
        ),
        (" -- LIBDIR=/opt/my\\ lib PREFIX=/opt/x", {"LIBDIR": "/opt/my lib", "PREFIX": "/opt/x"}),
        ("k -- prefix:=/a DESTDIR=", {"prefix": "/a", "DESTDIR": ""}),
        ("k -- not-an-assignment", {}),
    ],
)
def test_command_line(makeflags: str, want: dict[str, str]) -> None:
    assert command_line(makeflags) == want


LZ4 = """\
include ../Makefile.inc
ifeq ($(POSIX_ENV),Yes)
DESTDIR     ?=
PREFIX      ?= /usr/local
prefix      ?= $(PREFIX)
EXEC_PREFIX ?= $(prefix)
exec_prefix ?= $(EXEC_PREFIX)
LIBDIR      ?= $(exec_prefix)/lib
libdir      ?= $(LIBDIR)
endif
"""

OPENSSL = """\
DESTDIR=
INSTALLTOP=/opt/ssl
OPENSSLDIR=/opt/ssl/ssl
LIBDIR=lib
# $(libdir) is chosen to be compatible with the GNU coding standards
libdir=$(INSTALLTOP)/$(LIBDIR)
ENGINESDIR=$(libdir)/engines-3
install_sw: install_dev
\t@echo libdir=/recipe/not/an/assignment
"""


@pytest.mark.parametrize(
    ("text", "cmdline", "env", "name", "want"),
    [
        # make's precedence: command line > Makefile > environment > ?=
        ("PREFIX ?= /usr/local", {}, {}, "PREFIX", "/usr/local"),
        ("PREFIX ?= /usr/local", {}, {"PREFIX": "/env"}, "PREFIX", "/env"),
        ("PREFIX ?= /usr/local", {"PREFIX": "/cmd"}, {"PREFIX": "/env"}, "PREFIX", "/cmd"),
        ("PREFIX = /mk", {}, {"PREFIX": "/env"}, "PREFIX", "/mk"),
        ("PREFIX = /mk", {"PREFIX": "/cmd"}, {}, "PREFIX", "/cmd"),
        ("override PREFIX = /mk", {"PREFIX": "/cmd"}, {}, "PREFIX", "/mk"),
        ("export PREFIX := /mk", {}, {}, "PREFIX", "/mk"),
        ("PREFIX ?= /a\nPREFIX ?= /b", {}, {}, "PREFIX", "/a"),
        ("PREFIX = /a\nPREFIX = /b", {}, {}, "PREFIX", "/b"),
        # Recursive (=) expands late, simple (:=) at once.
        ("libdir = $(prefix)/lib\nprefix = /late", {}, {}, "libdir", "/late/lib"),
        ("libdir := $(prefix)/lib\nprefix = /late", {}, {}, "libdir", "/lib"),
        ("a = ${b}/x\nb = $c\nc = /y", {}, {}, "a", "/y/x"),
        ("CFLAGS = -O2\nCFLAGS += -g", {}, {}, "CFLAGS", "-O2 -g"),
        ("x = 1 \\\n  2", {}, {}, "x", "1 2"),
        ("x = /a # comment", {}, {}, "x", "/a"),
        ("x = /a\\#b", {}, {}, "x", "/a#b"),
        # What cannot be known: functions, shell assignments, undefined names.
        ("x = $(shell pwd)/lib", {}, {}, "x", None),
        ("x = $(patsubst %,%,a)", {}, {}, "x", None),
        ("x != pwd", {}, {}, "x", None),
        ("x = $(undefined)/lib", {}, {}, "x", "/lib"),
        ("x = $(DESTDIR)$(p)/lib\np = /opt", {}, {}, "x", "/opt/lib"),
        ("x = $(y)/lib\ny = $(shell pwd)", {}, {}, "x", None),
        ("x = $(x)", {}, {}, "x", None),
        ("", {}, {}, "nothing", None),
        # Rules, recipes and target-specific values are no assignments.
        ("all: x = 1\n\tprefix = /recipe", {}, {}, "prefix", None),
        ("define x\nprefix = /in-define\nendef", {}, {}, "prefix", None),
        # Conditionals: evaluated where they can be, else the first branch.
        ("ifdef A\nx = a\nelse\nx = b\nendif", {"A": "1"}, {}, "x", "a"),
        ("ifdef A\nx = a\nelse\nx = b\nendif", {}, {}, "x", "b"),
        ("ifndef A\nx = a\nendif", {}, {"A": "1"}, "x", None),
        (
            "ifeq ($(A),yes)\nx = a\nelse ifeq ($(A),no)\nx = b\nelse\nx = c\nendif",
            {"A": "no"},
            {},
            "x",
            "b",
        ),
        (
            "ifeq ($(A),yes)\nx = a\nelse ifeq ($(A),no)\nx = b\nelse\nx = c\nendif",
            {"A": "?"},
            {},
            "x",
            "c",
        ),
        ('ifneq "$(A)" ""\nx = set\nendif', {"A": "1"}, {}, "x", "set"),
        ("ifeq ($(shell uname),Linux)\nx = first\nelse\nx = second\nendif", {}, {}, "x", "first"),
        ("ifeq (a,b)\nifeq (c,c)\nx = inner\nendif\nendif", {}, {}, "x", None),
        # Real Makefiles: lz4's lib/Makefile, with its include brought by `read`, and
        # openssl's as Configure writes it.
        (LZ4, {"PREFIX": "/opt/x"}, {}, "libdir", "/opt/x/lib"),
        (LZ4, {"PREFIX": "/opt/x", "LIBDIR": "/opt/x/lib64"}, {}, "libdir", "/opt/x/lib64"),
        (LZ4, {}, {}, "libdir", "/usr/local/lib"),
        (OPENSSL, {}, {}, "libdir", "/opt/ssl/lib"),
        (OPENSSL, {"INSTALLTOP": "/cmd"}, {}, "ENGINESDIR", "/cmd/lib/engines-3"),
    ],
)
def test_values(
    text: str, cmdline: dict[str, str], env: dict[str, str], name: str, want: str | None
) -> None:
    included = {"../Makefile.inc": "POSIX_ENV = Yes\n"}
    assert MakeVars(text, cmdline, env, included.get).value(name) == want


def test_includes_are_bounded_and_unknown_names_skipped() -> None:
    read_names: list[str] = []

    def read(name: str) -> str | None:
        read_names.append(name)
        return "include self.mk\nx = 1\n"

    got = MakeVars("include self.mk\ninclude $(wildcard *.d)\n", {}, {}, read)
    assert got.value("x") == "1"
    assert read_names == ["self.mk"] * 8
