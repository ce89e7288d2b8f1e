"""The request path compiled with mypyc (setup.py): what may be compiled, and that a build is whole."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import msgspec
import pytest

from gateway._build import request_path_compiled

ROOT = Path(__file__).parent.parent
COMPILED: list[str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["revgate"]["compiled"]


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


@pytest.mark.parametrize("path", COMPILED)
def test_a_compiled_module_defines_no_msgspec_struct(path: str) -> None:
    # mypyc drops a class's keywords: a Struct compiled would lose frozen=True, rename="camel" and
    # the like without a word. Structs live in modules that stay interpreted.
    module = importlib.import_module(module_name(path))
    structs = [
        name
        for name, value in vars(module).items()
        if isinstance(value, type)
        and issubclass(value, msgspec.Struct)
        and value.__module__ == module.__name__
    ]
    assert structs == []


def test_a_compiled_build_has_every_listed_module_compiled() -> None:
    if not request_path_compiled():
        pytest.skip("interpreted build (`make interpreted`)")
    interpreted = [
        path for path in COMPILED if str(importlib.import_module(module_name(path)).__file__).endswith(".py")
    ]
    assert interpreted == []
