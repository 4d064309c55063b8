"""Reading dag-factory YAML values: the file itself, its ``defaults.yml`` chain, and the typed
values (``__type__`` objects, dates, durations) dag-factory understands."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from airflow_canvas.importers.report import ImportError_
from airflow_canvas.importers.untrusted import check_shape

DEFAULTS_FILE_NAMES = ("defaults.yml", "defaults.yaml")


def load_yaml_text(text: str, source: str) -> Any:
    """Parse YAML exactly as written. Unlike dag-factory, nothing is expanded: ``$VAR`` stays
    ``$VAR`` (the text comes from whoever uploaded it, and expanding it in the API server would
    hand them the server's environment: its secret key, its database URL). Only plain YAML is
    built (safe_load): tags such as ``!!python/object`` would run code on the server."""
    try:
        value = yaml.safe_load(text)
    except yaml.constructor.ConstructorError as exc:
        raise ImportError_(source, _tag_problem(exc)) from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ImportError_(source, f"not valid YAML{_where(exc)}: {problem}.") from None
    except RecursionError:
        raise ImportError_(source, "the YAML nests too deeply to be read.") from None
    check_shape(value, source)
    return value


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def _tag_problem(exc: yaml.constructor.ConstructorError) -> str:
    tag = re.search(r"tag '([^']*)'", str(exc.problem or ""))
    if tag is None:
        return f"not valid YAML{_where(exc)}: {exc.problem}."
    name = tag.group(1).replace("tag:yaml.org,2002:", "!!")
    return (
        f"the YAML tag {name!r}{_where(exc)} is refused: an import reads "
        "plain YAML only (tags that build Python objects would run code on the server). Write the "
        "value as plain YAML."
    )


def defaults_chain(yaml_path: Path, root: Path | None = None) -> list[dict[str, Any]]:
    """The ``defaults.yml`` configs that apply to a DAG file, lowest priority first: the file's own
    folder, then each parent up to ``root`` (dag-factory's ``defaults_config_path``)."""
    folders = [yaml_path.parent]
    if root is not None:
        root = root.resolve()
        for parent in yaml_path.resolve().parents:
            if parent == yaml_path.parent.resolve():
                continue
            if root not in parent.parents and parent != root:
                break
            folders.append(parent)
    configs = []
    for folder in folders:
        for name in DEFAULTS_FILE_NAMES:
            candidate = folder / name
            if candidate.is_file():
                loaded = load_yaml_text(candidate.read_text(encoding="utf-8"), str(candidate))
                if isinstance(loaded, dict):
                    configs.append(loaded)
                break
    return list(reversed(configs))


def merge_defaults(
    global_configs: list[dict[str, Any]], file_default: dict[str, Any], dag: dict[str, Any]
) -> dict[str, Any]:
    """The DAG config after dag-factory 1.1's inheritance rules: default_args merge
    defaults.yml < the file's `default` block < the DAG; other keys: the file's `default` block <
    defaults.yml < the DAG (defaults.yml keys are applied to the DAG before the `default` block)."""
    default_args: dict[str, Any] = {}
    global_level: dict[str, Any] = {}
    for config in global_configs:
        default_args.update(config.get("default_args") or {})
        for key, value in config.items():
            if key == "tags":
                global_level["tags"] = sorted(set(global_level.get("tags", [])) | set(value or []))
            elif key != "default_args":
                global_level[key] = value
    default_args.update(file_default.get("default_args") or {})
    default_args.update(dag.get("default_args") or {})
    merged = {**file_default, **global_level, **dag}
    merged["default_args"] = default_args
    return merged


def seconds(value: Any) -> float | None:
    """A duration in seconds from a number or a ``__type__: datetime.timedelta`` mapping."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dict) and str(value.get("__type__", "")).endswith("timedelta"):
        args = {k: v for k, v in value.items() if k not in ("__type__", "__args__")}
        try:
            return dt.timedelta(*(value.get("__args__") or []), **args).total_seconds()
        except TypeError:
            return None
    return None


def iso_date(value: Any) -> str | None:
    """An ISO date string from a YAML date, datetime, or 'YYYY-MM-DD...' string."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict) and str(value.get("__type__", "")).endswith("datetime"):
        args = value.get("__args__") or [value.get(k) for k in ("year", "month", "day")]
        try:
            numbers = [int(a) for a in args if a is not None]
            # datetime's positional numbers: year, month, day, then hour .. microsecond (default 0)
            if not 3 <= len(numbers) <= 7:
                return None
            year, month, day, hour, minute, second, microsecond = (numbers + [0, 0, 0, 0])[:7]
            return dt.datetime(year, month, day, hour, minute, second, microsecond).isoformat()
        except (TypeError, ValueError):
            return None
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
        return value.strip()
    return None


def plain(value: Any) -> Any:
    """A JSON-safe copy of a YAML value (dates become ISO strings); None when it has typed objects
    (``__type__``) that only dag-factory's loader understands."""
    if isinstance(value, dict):
        if "__type__" in value:
            raise ValueError(f"typed value {value.get('__type__')!r}")
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
