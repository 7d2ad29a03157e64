"""The house keeps its shape: the core (values, the SOP model, stage decisions) imports nothing
that touches the disk, the clock, subprocesses or the network, and no shell module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PIPELINE = Path(__file__).parent.parent / "pipeline"
CORE = ("core", "engine")
PURE_STDLIB = frozenset(
    {
        "__future__", "collections", "collections.abc", "dataclasses", "datetime", "enum",
        "functools", "hashlib", "itertools", "json", "math", "re", "statistics", "string",
        "typing", "unicodedata", "zoneinfo", "pathlib",
    }
)  # fmt: skip
IO_CALLS = frozenset(
    {
        "read_text", "read_bytes", "write_text", "write_bytes", "open", "exists", "is_file",
        "is_dir", "stat", "lstat", "iterdir", "glob", "rglob", "mkdir", "unlink", "rename",
        "replace_file", "now", "today", "utcnow", "sleep", "monotonic", "getenv",
    }
)  # fmt: skip


def core_modules() -> list[Path]:
    return sorted(p for layer in CORE for p in (PIPELINE / layer).rglob("*.py"))


def imports(tree: ast.AST) -> set[str]:
    found = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    return found | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}


def allowed(module: str) -> bool:
    if module.startswith("pipeline."):
        return module.split(".")[1] in CORE
    return module in PURE_STDLIB


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.relative_to(PIPELINE).as_posix())
def test_a_core_module_imports_only_the_core_and_pure_libraries(path: Path) -> None:
    wrong = sorted(m for m in imports(ast.parse(path.read_text("utf-8"))) if not allowed(m))
    assert not wrong, f"{path.name} imports {wrong}: move the I/O to the shell and pass it in"


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.relative_to(PIPELINE).as_posix())
def test_a_core_module_calls_nothing_that_reads_the_disk_or_the_clock(path: Path) -> None:
    tree = ast.parse(path.read_text("utf-8"))
    calls = {
        n.func.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    }
    assert not calls & IO_CALLS, f"{path.name} calls {sorted(calls & IO_CALLS)}"


def test_the_check_catches_a_shell_import() -> None:
    """The rule can fail: a module reading the journal is not core."""
    tree = ast.parse("from pipeline.store.journal import Journal\nimport os\n")
    assert sorted(m for m in imports(tree) if not allowed(m)) == ["os", "pipeline.store.journal"]


def test_one_registry_of_stage_kinds() -> None:
    """Every stage kind module is in the registry, and nothing else keeps a table of kinds."""
    from pipeline.engine.registry import KINDS

    modules = {p.stem for p in (PIPELINE / "engine" / "kinds").glob("*.py")} - {
        "__init__",
        "base",
        "opening",
    }
    assert {k.replace("-", "_") for k in KINDS} == modules
