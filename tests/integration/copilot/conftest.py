"""Reuse the API tests' real Airflow app, users and tokens for the co-pilot routes."""

from tests.fakes.fixtures import openai_server  # noqa: F401
from tests.integration.api.conftest import api_app, api_users, auth, client, tokens  # noqa: F401
