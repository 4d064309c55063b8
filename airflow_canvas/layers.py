"""The direction of imports between the packages of ``airflow_canvas``, in one place.

Layers are listed bottom-up. A module may import from its own package and from packages in lower
layers, never from a higher layer, and never from another package of its own layer (siblings stay
independent, so no two packages can form a cycle). ``tests/unit/test_import_direction.py`` enforces
this for every import in every module, imports inside functions included.

The order follows DESIGN.md ("Shape and the direction of imports"), with two choices spelt out:
``policies`` sits above ``catalogue`` and ``tools`` (its notifier resolution reads the catalogue's
docstring and parameter-type helpers), and ``templates`` (gallery data + instantiation, checked by
validation) sits beside compiler/operators/store so the co-pilot, the API and the CLI can use it.
``runtime`` (the node logic shared by operators, node tests and eject) imports nothing and sits
at the bottom beside ``spec``.

The root package (``airflow_canvas/__init__.py``: the version), ``provider_info`` and this module
are below everything and import nothing of the project but the root.
"""

from __future__ import annotations

LAYERS: tuple[tuple[str, ...], ...] = (
    ("spec", "runtime"),
    ("catalogue", "tools"),
    ("policies",),
    ("validation",),
    ("compiler", "operators", "store", "templates"),
    ("service",),
    ("copilot", "importers", "exporters"),
    ("plugin", "cli"),
    ("__main__",),  # `python -m airflow_canvas` runs the CLI
)

# Modules everyone may import: the root package (the version number) and what it alone feeds.
BASE: frozenset[str] = frozenset({"", "provider_info", "layers"})


def layer_of(package: str) -> int:
    """The index of ``package``'s layer (the first part of a dotted name under airflow_canvas)."""
    if package in BASE:
        return -1
    for index, members in enumerate(LAYERS):
        if package in members:
            return index
    raise KeyError(f"package {package!r} is in no layer of airflow_canvas/layers.py: add it there")


def allowed(importer: str, imported: str) -> bool:
    """May a module of package ``importer`` import from package ``imported``?"""
    if importer == imported or imported == "":
        return True
    return layer_of(imported) < layer_of(importer)
