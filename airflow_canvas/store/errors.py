"""Store errors the API maps to HTTP statuses (404, 409)."""

from __future__ import annotations

from typing import Any


class StoreError(Exception):
    status = 400

    def __init__(self, detail: str, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(StoreError):
    status = 404


class Conflict(StoreError):
    status = 409


class StaleBase(Conflict):
    """A save named a base version that is no longer the head of its branch."""

    def __init__(self, workflow_id: str, branch: str, base_version: int, head_version: int):
        super().__init__(
            f"Workflow {workflow_id!r} branch {branch!r} has moved on: you edited version {base_version}, "
            f"the head is now version {head_version}. Review the diff, then save on the new head.",
            head_version=head_version,
            base_version=base_version,
            branch=branch,
        )
        self.head_version = head_version
        self.base_version = base_version
