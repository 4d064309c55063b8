"""What an imported file may not make the server do.

An import runs in the API server for anyone allowed to create workflows, so the file is untrusted
data: nothing in it is expanded from the server's environment (``$VAR`` stays ``$VAR``), no path
in it is opened, no module it names is imported unless it is an Airflow operator module, and its
YAML may not expand (aliases) or nest without bound. What dag-factory itself would resolve at DAG
parse time (``os.path.expandvars`` over the whole file, ``*_file`` keys, ``schedule.file``) is
kept literally or refused with a report item naming the key, never silently dropped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from airflow_canvas.importers.report import ImportError_, ImportReport

# A legitimate DAG file has thousands of values; a few YAML aliases of aliases can stand for
# billions of them, which the importer would walk (a denial of service on the API server).
MAX_VALUES = 1_000_000
MAX_DEPTH = 100

# What os.path.expandvars (and so dag-factory's loader) would replace: $NAME and ${...}.
_VARIABLE_RE = re.compile(r"\$(\w+|\{[^}]*\})")

# dag-factory keys that make it read a file, or import code from a file path, when it parses the
# DAG (dagfactory/dagbuilder.py). The canvas never does that on the server for an uploaded file.
_CODE_FROM_FILE = (
    "python_callable",
    "response_check",
    "success_check",
    "failure_check",
    "execution_date_fn",
    "doc_md_python_callable",
    "on_execute_callback",
    "on_success_callback",
    "on_failure_callback",
    "on_retry_callback",
    "on_skipped_callback",
    "sla_miss_callback",
)


def _file_key_hint(base: str) -> str:
    if base == "doc_md_python_callable":
        return "Paste the Markdown into `doc_md` instead."
    if base.endswith("callback"):
        return "Use an Airflow notifier (`{callback: airflow.providers....Notifier, ...}`) instead."
    return f"Use `{base}: package.module.function` (an importable path) instead."


FILE_KEYS: dict[str, str] = {
    "doc_md_file_path": "Paste the Markdown into `doc_md` instead.",
    "doc_md_python_arguments": "Paste the Markdown into `doc_md` instead.",
    **{f"{base}_{suffix}": _file_key_hint(base) for base in _CODE_FROM_FILE for suffix in ("file", "name")},
}


def check_shape(value: Any, source: str) -> None:
    """ImportError_ when the loaded document refers to itself, nests deeper than MAX_DEPTH, or
    holds more than MAX_VALUES values once aliases are counted as often as they are used. Bounded:
    it stops at the first value over the limit, so it costs at most MAX_VALUES steps."""
    count = 0
    on_path: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(value, 0, False)]
    while stack:
        item, depth, leaving = stack.pop()
        if leaving:
            on_path.discard(id(item))
            continue
        count += 1
        if count > MAX_VALUES:
            raise ImportError_(
                source,
                f"the document stands for more than {MAX_VALUES:,} values once its YAML aliases are "
                "expanded; write the values out or use fewer nested aliases.",
            )
        if not isinstance(item, dict | list):
            continue
        if depth >= MAX_DEPTH:
            raise ImportError_(source, f"the document nests more than {MAX_DEPTH} levels deep.")
        if id(item) in on_path:
            raise ImportError_(source, "a YAML alias refers to a value that contains it (a cycle).")
        on_path.add(id(item))
        stack.append((item, depth, True))
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1, False) for child in children)


def _segment(item: Any, index: int) -> str:
    """A list item's name in a report path: its task_id or group_name when it has one."""
    if isinstance(item, dict):
        for key in ("task_id", "group_name"):
            name = item.get(key)
            if isinstance(name, str):
                return name
    return str(index)


def variable_references(value: Any, path: str) -> Iterator[tuple[str, list[str]]]:
    """(report path, the ``$NAME``/``${...}`` references in it) for every string, key or value,
    that dag-factory's loader would have expanded from the environment."""
    if isinstance(value, str):
        found = [m.group(0) for m in _VARIABLE_RE.finditer(value)]
        if found:
            yield path, found
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from variable_references(key, f"{path}/{key}")
            yield from variable_references(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from variable_references(item, f"{path}/{_segment(item, index)}")


def report_variables(value: Any, path: str, report: ImportReport) -> None:
    """One warning per key holding environment variable references: they are kept as written."""
    for where, found in variable_references(value, path):
        names = ", ".join(dict.fromkeys(found))
        report.add(
            where,
            f"{names} is kept as written: an import never expands environment variables (dag-factory "
            "would replace it with a value from the environment of whatever parses the DAG). A shell "
            "command still expands it when the task runs; elsewhere use an Airflow Variable "
            "('{{ var.value.NAME }}') or a connection.",
        )


def refuse_file_keys(conf: dict[str, Any], where: str, report: ImportReport) -> dict[str, Any]:
    """``conf`` without the keys that would make dag-factory read a file or load code from a path;
    each one is reported as an error naming it and what to write instead."""
    refused = [key for key in conf if isinstance(key, str) and key in FILE_KEYS]
    for key in refused:
        report.add(
            f"{where}/{key}",
            f"{key} is refused: an import never reads files or loads code from a path on the server. "
            + FILE_KEYS[key],
            "error",
        )
    return {k: v for k, v in conf.items() if k not in refused}


def refuse_datasets_file(where: str, report: ImportReport, consequence: str) -> None:
    """dag-factory's ``{file: PATH, datasets: [names]}`` reads PATH to turn names into URIs. The
    path is not opened, not even checked for existence (which would tell the uploader what the
    server's disk holds)."""
    report.add(
        f"{where}/file",
        "file is refused: an import never reads files on the server, so the dataset names can't be "
        "looked up. List the dataset URIs under `datasets` instead (e.g. datasets: ['s3://bucket/a']). "
        + consequence,
        "error",
    )


def load_airflow_operator(path: str) -> type | str:
    """The operator class at ``path``, importing only modules under ``airflow.`` (installed Airflow
    and its providers, as validation does); any other path is refused without being imported or
    even looked up, since finding ``a.b`` imports ``a``."""
    if not path.startswith("airflow."):
        return (
            f"{path!r} is not under 'airflow.'; an import only loads operator classes of installed "
            "Airflow providers"
        )
    from airflow_canvas.catalogue.check import load_operator_class

    return load_operator_class(path)
