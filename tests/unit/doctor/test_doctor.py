"""doctor/__init__.py: the package gives its callers (the `doctor` command, tests) the report's
types, `diagnose` and `render`, each the object of the module that makes it."""

from __future__ import annotations

from importlib import import_module

import ldwrap.doctor
from ldwrap.doctor import model

# The package's names `diagnose` and `render` are the functions: the modules by their path.
DIAGNOSE = import_module("ldwrap.doctor.diagnose")
RENDER = import_module("ldwrap.doctor.render")


def test_the_package_exports_what_its_modules_make() -> None:
    exported = {name: getattr(ldwrap.doctor, name) for name in ldwrap.doctor.__all__}
    assert exported == {
        "Compiler": model.Compiler,
        "Finding": model.Finding,
        "LinkerChoice": model.LinkerChoice,
        "OnPath": model.OnPath,
        "Report": model.Report,
        "RustcInfo": model.RustcInfo,
        "diagnose": DIAGNOSE.diagnose,
        "render": RENDER.render,
    }
