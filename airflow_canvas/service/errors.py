"""Domain errors of the service layer. The API maps each to a status code (plugin/routes); the CLI
prints them. The store's own errors (NotFound, StaleBase) pass through unchanged."""

from __future__ import annotations

from typing import Any, TypedDict


class MergeVersions(TypedDict, total=False):
    """The branch heads a refused merge was planned on (the API returns them with the 409)."""

    source_version: int
    target_version: int
    base_version: int | None  # None: the branches share no version


class ServiceError(Exception):
    """A refused change; nothing was written."""


class StillDeployed(ServiceError):
    def __init__(self, workflow_id: str, environments: list[str]):
        self.environments = environments
        super().__init__(
            f"Workflow {workflow_id!r} is deployed to {', '.join(environments)}; undeploy it first."
        )


class SameBranch(ServiceError):
    def __init__(self) -> None:
        super().__init__("source and target must be different branches.")


class MergeConflicts(ServiceError):
    """Both branches changed the same thing differently; resend with resolutions to settle."""

    def __init__(self, source: str, target: str, conflicts: list[Any], versions: MergeVersions):
        self.conflicts = conflicts
        self.versions = versions  # source_version, target_version, base_version
        super().__init__(f"{len(conflicts)} conflict(s) merging {source!r} into {target!r}.")


class NothingToMerge(ServiceError):
    def __init__(self, source: str, target: str, versions: MergeVersions):
        self.versions = versions  # source_version, target_version
        super().__init__(f"Branch {source!r} has nothing to merge into {target!r}.")


class NotDeployed(ServiceError):
    def __init__(self, workflow_id: str, environment: str):
        super().__init__(f"Workflow {workflow_id!r} is not deployed to {environment!r}.")


class UndeployRefused(ServiceError):
    """The file in the deploy folder is not one this package generated: it is never deleted."""
