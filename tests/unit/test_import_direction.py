"""Packages import in one direction: every import of every module (inside functions too) goes to
its own package or to a lower layer of ``airflow_canvas/layers.py``. Since no package may import a
sibling of its layer either, this also rules out any cycle between packages.

The imports still going the wrong way are listed in KNOWN_UPWARD, each with the module that has it:
the list may only shrink (an entry that no longer occurs fails the test too, so it gets deleted).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import airflow_canvas
from airflow_canvas.layers import LAYERS, allowed, layer_of

ROOT = Path(airflow_canvas.__file__).parent

# (importing module, imported package): upward or sibling imports not yet removed (issue 15, item 3).
KNOWN_UPWARD: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted, e.g. airflow_canvas.cli.store
    line: int
    target: str  # the imported module, dotted

    @property
    def source_package(self) -> str:
        return package_of(self.module)

    @property
    def target_package(self) -> str:
        return package_of(self.target)


def package_of(dotted: str) -> str:
    """The first part under airflow_canvas ('' for the root package itself)."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else ""


def module_name(path: Path) -> tuple[str, bool]:
    """(dotted name, is a package __init__) of a file under airflow_canvas."""
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute module an ``from ... import`` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(path: Path) -> list[Import]:
    module, is_package = module_name(path)
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = resolve(node, module, is_package)
            # `from airflow_canvas import templates` imports the subpackage, not the root
            targets = (
                [_submodule(target, a.name) for a in node.names] if target == "airflow_canvas" else [target]
            )
        else:
            continue
        found += [Import(module, node.lineno, t) for t in targets if t.split(".")[0] == "airflow_canvas"]
    return found


def _submodule(package: str, name: str) -> str:
    """``from airflow_canvas import templates`` imports a subpackage; ``... import __version__`` does not."""
    exists = (ROOT / name).is_dir() or (ROOT / f"{name}.py").is_file()
    return f"{package}.{name}" if exists else package


def all_imports() -> list[Import]:
    return [imp for path in sorted(ROOT.rglob("*.py")) for imp in imports_of(path)]


def test_every_package_is_in_a_layer() -> None:
    packages = {package_of(module_name(p)[0]) for p in ROOT.rglob("*.py")}
    for package in packages:
        layer_of(package)  # raises naming a package no layer lists


def test_layers_name_each_package_once() -> None:
    names = [name for layer in LAYERS for name in layer]
    assert len(names) == len(set(names))


def test_imports_go_down_only() -> None:
    wrong: list[str] = []
    seen_known: set[tuple[str, str]] = set()
    for imp in all_imports():
        src, dst = imp.source_package, imp.target_package
        if allowed(src, dst):
            continue
        if (imp.module, dst) in KNOWN_UPWARD:
            seen_known.add((imp.module, dst))
            continue
        how = "a sibling in the same layer as" if layer_of(src) == layer_of(dst) else "in a higher layer than"
        wrong.append(f"{imp.module}:{imp.line} imports {imp.target} ({dst!r} is {how} {src!r})")
    stale = sorted(KNOWN_UPWARD - seen_known)
    assert not wrong, "imports against airflow_canvas/layers.py:\n" + "\n".join(wrong)
    assert not stale, f"no longer imported: delete from KNOWN_UPWARD: {stale}"


@pytest.mark.parametrize(
    ("source", "level", "module", "is_package", "expected"),
    [
        ("from . import x", 1, None, False, "airflow_canvas.spec"),
        ("from .models import x", 1, "models", False, "airflow_canvas.spec.models"),
        ("from ..tools import x", 2, "tools", False, "airflow_canvas.tools"),
        ("from .load import x", 1, "load", True, "airflow_canvas.spec.load"),
    ],
)
def test_relative_imports_resolve(
    source: str, level: int, module: str | None, is_package: bool, expected: str
) -> None:
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.ImportFrom) and node.level == level and node.module == module
    importer = "airflow_canvas.spec" if is_package else "airflow_canvas.spec.load"
    assert resolve(node, importer, is_package) == expected
