"""file_read / file_write through Airflow's ObjectStoragePath: local paths, s3://, gs://... with
credentials from an Airflow connection (``conn_id``), never from the spec."""

from __future__ import annotations

from typing import Any

READ_INPUT = {
    "type": "object",
    "properties": {
        "path": {
            "type": "string",
            "minLength": 1,
            "description": "e.g. file:///data/a.txt or s3://bucket/key",
        },
        "conn_id": {"type": ["string", "null"], "default": None},
        "encoding": {"type": "string", "default": "utf-8"},
        "max_bytes": {"type": "integer", "minimum": 1, "default": 10_000_000},
    },
    "required": ["path"],
    "additionalProperties": False,
}
READ_OUTPUT = {
    "type": "object",
    "properties": {"path": {"type": "string"}, "content": {"type": "string"}, "size": {"type": "integer"}},
    "required": ["path", "content", "size"],
}
WRITE_INPUT = {
    "type": "object",
    "properties": {
        "path": {"type": "string", "minLength": 1},
        "content": {"type": "string"},
        "conn_id": {"type": ["string", "null"], "default": None},
        "encoding": {"type": "string", "default": "utf-8"},
    },
    "required": ["path", "content"],
    "additionalProperties": False,
}
WRITE_OUTPUT = {
    "type": "object",
    "properties": {"path": {"type": "string"}, "size": {"type": "integer"}},
    "required": ["path", "size"],
}


def _path(path: str, conn_id: str | None) -> Any:
    from airflow.sdk import ObjectStoragePath

    if "://" not in path:
        path = f"file://{path}"
    return ObjectStoragePath(path, conn_id=conn_id) if conn_id else ObjectStoragePath(path)


def file_read(
    path: str, conn_id: str | None = None, encoding: str = "utf-8", max_bytes: int = 10_000_000
) -> dict:
    target = _path(path, conn_id)
    with target.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"{path} is larger than max_bytes={max_bytes}")
    return {"path": str(target), "content": data.decode(encoding), "size": len(data)}


def file_write(path: str, content: str, conn_id: str | None = None, encoding: str = "utf-8") -> dict:
    target = _path(path, conn_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode(encoding)
    with target.open("wb") as fh:
        fh.write(data)
    return {"path": str(target), "size": len(data)}
