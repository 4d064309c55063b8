"""Validation of operator nodes: the class must exist in an installed provider, and the node's
parameters must be arguments the class accepts. Called by ``validation.validate_workflow``."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from typing import Any

from airflow_canvas.catalogue.moves import airflow3_path, provider_package
from airflow_canvas.spec.models import NodeType, Workflow, is_dotted_path, is_identifier, is_operator_path
from airflow_canvas.spec.problems import Problem, did_you_mean, pointer


def _module_exists(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package is missing
        return False


def load_operator_class(path: str) -> type | str:
    """The class at ``path``, or a message saying why it can't be loaded."""
    module_name, _, cls_name = path.rpartition(".")
    if not module_name or not _module_exists(module_name):
        return f"module {module_name or path!r} is not installed"
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # the provider is there but one of its dependencies is not
        return f"module {module_name!r} failed to import: {exc}"
    cls = getattr(module, cls_name, None)
    if not inspect.isclass(cls):
        return f"module {module_name!r} has no class {cls_name!r}"
    from airflow.sdk import BaseOperator

    if not issubclass(cls, BaseOperator):
        return f"{path!r} is not an Airflow operator (not a BaseOperator subclass)"
    return cls


def accepted_arguments(cls: type) -> tuple[set[str], set[str]]:
    """(every keyword the class or its bases accept, the ones its own constructor requires).
    Only the most derived ``__init__`` decides what is required: it may fill its bases' arguments."""
    accepted: set[str] = set()
    required: set[str] = set()
    first = next((k for k in cls.__mro__ if "__init__" in k.__dict__), cls)
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        try:
            params = inspect.signature(init).parameters
        except (TypeError, ValueError):
            continue
        for name, param in params.items():
            if name == "self" or param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
                continue
            accepted.add(name)
            if param.default is inspect.Parameter.empty and klass is first:
                required.add(name)
    return accepted, required - {"task_id"}


def _operator_problem(code: str, message: str, node_index: int, node_id: str, hint: str | None) -> Problem:
    return Problem(
        code=code,
        message=message,
        pointer=pointer("nodes", node_index, "operator"),
        node_id=node_id,
        hint=hint,
    )


def check_operator_nodes(wf: Workflow) -> list[Problem]:
    """One problem per operator node whose class is unknown, uninstalled, moved, or given
    parameters it does not accept."""
    problems: list[Problem] = []
    for index, node in enumerate(wf.nodes):
        if not node.operator:
            continue
        path = node.operator
        # Wrong node type, tool+operator and malformed paths are reported by validation.checks_nodes.
        if node.type is not NodeType.TOOL or node.tool or not is_dotted_path(path):
            continue
        if not is_operator_path(path):
            problems.append(
                _operator_problem(
                    "E_OPERATOR_PATH",
                    f"Node {node.id!r}: operator {path!r} is not an import path under 'airflow.'.",
                    index,
                    node.id,
                    "Use the class's full path, e.g. airflow.providers.standard.operators.bash.BashOperator.",
                )
            )
            continue
        loaded = load_operator_class(path)
        if isinstance(loaded, str):
            problems.append(_unloadable(path, loaded, index, node.id))
            continue
        problems.extend(_check_parameters(loaded, node.parameters, node.templates, index, node.id))
        problems.extend(_check_types(path, node.parameters, index, node.id))
    return problems


def _unloadable(path: str, reason: str, index: int, node_id: str) -> Problem:
    new_path = airflow3_path(path)
    if new_path != path:
        package = provider_package(new_path)
        hint = f"In Airflow 3 it lives at {new_path!r}" + (f" (package {package})." if package else ".")
        return _operator_problem(
            "E_OPERATOR_MOVED",
            f"Node {node_id!r}: operator {path!r} moved in Airflow 3.",
            index,
            node_id,
            hint,
        )
    package = provider_package(path)
    if package and not _module_exists(".".join(path.split(".")[:3])):
        return _operator_problem(
            "E_OPERATOR_PROVIDER_MISSING",
            f"Node {node_id!r}: operator {path!r} needs the provider package {package!r}, which is not installed.",
            index,
            node_id,
            f"pip install {package}",
        )
    from airflow_canvas.catalogue.operators import operator_catalogue

    cls_name = path.rpartition(".")[2]
    guess = did_you_mean(path, [e.operator for e in operator_catalogue()])
    same_name = [e.operator for e in operator_catalogue() if e.name == cls_name]
    suggestion = f"did you mean {same_name[0]!r}?" if same_name else guess
    if package:
        suggestion = (suggestion + " " if suggestion else "") + f"(the class should come from {package})"
    return _operator_problem(
        "E_OPERATOR_UNKNOWN", f"Node {node_id!r}: operator {path!r}: {reason}.", index, node_id, suggestion
    )


def _check_parameters(
    cls: type, parameters: dict[str, Any], templates: dict[str, str], index: int, node_id: str
) -> list[Problem]:
    """Both ``parameters`` and ``templates`` become the class's keyword arguments (the compiler
    writes them into one call), so each key must be an argument, a required argument may come from
    either, and no key may come from both (the template would silently win)."""
    accepted, required = accepted_arguments(cls)
    problems: list[Problem] = []
    for where, keys in (("parameters", parameters), ("templates", templates)):
        for name in keys:
            # A key that is no Python name is already E_OPERATOR_ARGUMENT (validation/checks_nodes):
            # one problem per key, the one that says what is wrong with it.
            if name not in accepted and is_identifier(name):
                problems.append(
                    Problem(
                        code="E_OPERATOR_PARAMETER_UNKNOWN",
                        message=f"Node {node_id!r}: {cls.__name__} has no argument {name!r} ({where}.{name}).",
                        pointer=pointer("nodes", index, where, name),
                        node_id=node_id,
                        hint=did_you_mean(name, accepted) or f"Remove {where}.{name}.",
                    )
                )
    for name in sorted(set(parameters) & set(templates)):
        problems.append(
            Problem(
                code="E_OPERATOR_PARAMETER_TWICE",
                message=f"Node {node_id!r}: {cls.__name__}'s argument {name!r} is set in both parameters "
                "and templates.",
                pointer=pointer("nodes", index, "templates", name),
                node_id=node_id,
                hint=f"Keep one: an operator renders its templated fields itself, so parameters.{name} "
                "may hold the Jinja text.",
            )
        )
    for name in sorted(required - set(parameters) - set(templates)):
        problems.append(
            Problem(
                code="E_OPERATOR_PARAMETER_MISSING",
                message=f"Node {node_id!r}: {cls.__name__} requires the argument {name!r}.",
                pointer=pointer("nodes", index, "parameters"),
                node_id=node_id,
                hint=f"Set parameters.{name}.",
            )
        )
    return problems


def _is_template(value: Any) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _check_types(path: str, parameters: dict[str, Any], index: int, node_id: str) -> list[Problem]:
    """W_OPERATOR_PARAMETER_TYPE: a value of another type than the catalogue's schema says. A
    warning, not an error: the schema is read from annotations and docstrings and can be narrower
    than what the class accepts. Jinja text in a templated field and ``$callable`` values are
    skipped (Airflow renders the one, the compiler imports the other)."""
    from airflow_canvas.catalogue.operators import get_entry
    from airflow_canvas.runtime.core import violations
    from airflow_canvas.spec.models import CALLABLE_KEY

    entry = get_entry(path)
    if entry is None:
        return []
    props: dict[str, Any] = entry.parameters_schema["properties"]
    typed = {
        k: v
        for k, v in parameters.items()
        if k in props
        and not (props[k].get("x-templated") and _is_template(v))
        and not (isinstance(v, dict) and CALLABLE_KEY in v)
    }
    schema = {"type": "object", "properties": props, "additionalProperties": True}
    return [
        Problem(
            code="W_OPERATOR_PARAMETER_TYPE",
            message=f"Node {node_id!r}: {entry.name} argument {v.describe('.', 'parameters')}",
            pointer=pointer("nodes", index, "parameters", *v.path),
            node_id=node_id,
            severity="warning",
            hint="Give a value of the type the form shows, or Jinja text in a templated field.",
        )
        for v in violations(typed, schema)
    ]
