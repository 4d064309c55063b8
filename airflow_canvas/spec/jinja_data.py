"""Jinja as data: whether a template reads only the run's own values (params, dates, the task
instance's ids) with pure filters, so that it is data, not code (spec/code_surface.py asks this of
every template a spec holds). Anything else (``conn``, ``var``, ``macros``, object methods) reads
connections, Variables or other DAGs' XComs, and counts as code."""

from __future__ import annotations

from typing import Any

# What a template may read and stay data: the run's own values. Airflow's context also holds
# ``conn``, ``var``, ``macros`` and objects (``ti``, ``task``, ``dag``, ``dag_run``...) whose
# methods reach connections, Variables and other DAGs' XComs; none of them is listed.
RUN_DATA_NAMES = frozenset(
    {
        "params",
        "ds",
        "ds_nodash",
        "ts",
        "ts_nodash",
        "ts_nodash_with_tz",
        "logical_date",
        "data_interval_start",
        "data_interval_end",
        "run_id",
    }
)
# Plain values of context objects a template may read (``ti.task_id``), never the objects.
_TI_ATTRIBUTES = ("task_id", "dag_id", "run_id", "try_number", "map_index")
RUN_DATA_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "ti": _TI_ATTRIBUTES,
    "task_instance": _TI_ATTRIBUTES,
    "task": ("task_id",),
    "dag": ("dag_id",),
    "dag_run": ("run_id", "run_type", "logical_date", "conf"),
}
# Filters that transform a value they are given (no attribute lookups by name, no calls).
SAFE_FILTERS = frozenset(
    {
        "abs", "capitalize", "center", "d", "default", "ds", "ds_nodash", "e", "escape", "first",
        "float", "format", "indent", "int", "join", "last", "length", "count", "list", "lower",
        "replace", "reverse", "round", "string", "title", "tojson", "trim", "truncate", "ts",
        "ts_nodash", "ts_nodash_with_tz", "upper", "urlencode", "wordcount",
    }
)  # fmt: skip


def _jinja_nodes_are_data(node: Any, names: frozenset[str]) -> bool:
    from jinja2 import nodes as j

    if isinstance(node, j.For):
        if node.recursive or node.test is not None or not _jinja_nodes_are_data(node.iter, names):
            return False
        targets = [node.target, *node.target.find_all(j.Name)]
        bound = {n.name for n in targets if isinstance(n, j.Name)} | {"loop"}
        inner = names | bound
        return all(_jinja_nodes_are_data(n, inner) for n in node.body) and all(
            _jinja_nodes_are_data(n, names) for n in node.else_
        )
    if isinstance(node, j.Getattr) and isinstance(node.node, j.Name) and node.node.name not in names:
        # ``ti.task_id``: a plain value of a context object, not the object (whose methods reach
        # the context again); a loop variable of the same name shadows it (checked as a Name).
        return node.attr in RUN_DATA_ATTRIBUTES.get(node.node.name, ())
    if isinstance(node, j.Name):
        return node.ctx == "load" and node.name in names
    if isinstance(node, j.Filter) and node.name not in SAFE_FILTERS:
        return False
    if isinstance(node, (j.Getattr, j.Getitem)) and node.node is None:
        return False
    allowed = (
        j.Template, j.Output, j.TemplateData, j.Const, j.If, j.CondExpr, j.Getattr, j.Getitem, j.Slice,
        j.Filter, j.Test, j.Compare, j.Operand, j.And, j.Or, j.Not, j.Neg, j.Pos, j.BinExpr, j.Concat,
        j.List, j.Tuple, j.Dict, j.Pair, j.Keyword, j.MarkSafeIfAutoescape,
    )  # fmt: skip
    if not isinstance(node, allowed):
        return False  # calls, set, with, macros, include/import/extends, do, blocks...
    return all(_jinja_nodes_are_data(child, names) for child in node.iter_child_nodes())


def jinja_is_data(text: str) -> bool:
    """Whether Jinja ``text`` reads only run data (:data:`RUN_DATA_NAMES`) through plain expressions,
    conditions, loops and :data:`SAFE_FILTERS`; text without Jinja is data. Anything else, and text
    that does not parse, is code (fail closed)."""
    if not any(mark in text for mark in ("{{", "{%", "{#")):
        return True
    from jinja2 import TemplateSyntaxError
    from jinja2.sandbox import SandboxedEnvironment

    try:
        tree = SandboxedEnvironment(extensions=["jinja2.ext.do"]).parse(text)
    except (TemplateSyntaxError, RecursionError):
        return False
    try:
        return _jinja_nodes_are_data(tree, RUN_DATA_NAMES)
    except RecursionError:
        return False
