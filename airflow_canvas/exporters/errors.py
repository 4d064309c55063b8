from __future__ import annotations


class ExportError(ValueError):
    """The workflow can't be expressed in the requested format; the message names the node."""

    def __init__(self, message: str, node_id: str | None = None):
        self.node_id = node_id
        super().__init__(message)
