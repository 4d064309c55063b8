"""Security regression tests: each file proves that one way to climb or escape is closed.

They run against the real Airflow API app with FAB users of every role (the integration fixtures)."""

from tests.integration.api.conftest import api_app, api_users, auth, client, tokens  # noqa: F401
