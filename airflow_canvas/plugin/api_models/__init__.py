"""The API's response models, one module per area: what each route of ``plugin/routes`` returns.

Routes name their model with ``response_model=`` (FastAPI checks every answer against it and the
OpenAPI document describes it: ``ui/openapi.json``, from which the UI's types are generated). The
spec's own models (``spec.models.Workflow``, ``copilot.responses.Reply``, ...) are reused, never
copied; ``spec.wire`` has the field types for stored JSON passed through as it is.
"""
