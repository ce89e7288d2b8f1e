"""Packaging (the metadata is in pyproject.toml): with ``REVGATE_COMPILE=1`` the gateway's request
path, listed in ``[tool.revgate] compiled``, is compiled with mypyc.

Opt-in because mypyc type-checks what it compiles against the installed dependencies, which an
isolated build (a plain ``pip install .``) does not have: ``make install`` compiles in the
project's virtualenv, and a production wheel is built the same way,
``REVGATE_COMPILE=1 pip wheel --no-build-isolation .`` with the dependencies installed. Uncompiled,
the same code runs, slower. Why and the rules for compiled modules: docs/architecture.md.
"""

import os
import tomllib

from setuptools import Extension, setup

ext_modules: list[Extension] = []
if os.environ.get("REVGATE_COMPILE") == "1":
    from mypyc.build import mypycify

    with open("pyproject.toml", "rb") as file:
        compiled = tomllib.load(file)["tool"]["revgate"]["compiled"]
    # One shared library inside the package (not at the top level, where an installed revgate
    # could not import it), so that calls between the compiled modules are direct C calls.
    ext_modules = mypycify(compiled, opt_level="3", group_name="gateway._request_path")

setup(ext_modules=ext_modules)
