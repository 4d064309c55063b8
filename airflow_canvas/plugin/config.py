"""The ``[airflow_canvas]`` settings (airflow.cfg or AIRFLOW__AIRFLOW_CANVAS__* env vars)."""

from __future__ import annotations

from dataclasses import dataclass

from airflow.configuration import conf

# The deploy environments are resolved in one place for the API and the CLI (service/environments.py).
from airflow_canvas.service.environments import ConfigError as ConfigError
from airflow_canvas.service.environments import deploy_dir as deploy_dir
from airflow_canvas.service.environments import environments as environments

SECTION = "airflow_canvas"
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024


def max_body_bytes() -> int:
    return conf.getint(SECTION, "max_body_bytes", fallback=DEFAULT_MAX_BODY_BYTES)


def airflow_ui_base() -> str:
    """Prefix for links into Airflow's UI (relative by default: same origin as the plugin)."""
    return conf.get(SECTION, "ui_base_url", fallback="").rstrip("/")


# Co-pilot limits: a slow or hostile model endpoint must not hold the API server's resources.
COPILOT_DEFAULTS: dict[str, float] = {
    "copilot_turn_timeout": 120.0,  # seconds a whole turn may take, whatever bytes keep arriving
    "copilot_max_chats": 8,  # turns running at once on one API server process
    "copilot_max_chats_per_user": 2,  # ... of them for one user
    "copilot_max_reply_chars": 200_000,  # one stored (and streamed) co-pilot reply
    "copilot_max_conversation_chars": 2_000_000,  # everything stored in one conversation
}


@dataclass(frozen=True)
class CopilotLimits:
    turn_timeout: float
    max_chats: int
    max_chats_per_user: int
    max_reply_chars: int
    max_conversation_chars: int


def copilot_limits() -> CopilotLimits:
    """Read on every chat (cheap), so a changed environment applies without a restart."""
    values: dict[str, float] = {}
    for key, default in COPILOT_DEFAULTS.items():
        raw = conf.get(SECTION, key, fallback="")
        try:
            value = float(raw) if str(raw).strip() else default
        except ValueError:
            raise ConfigError(f"[{SECTION}] {key} must be a number, not {raw!r}") from None
        if not value > 0 or value == float("inf"):
            raise ConfigError(f"[{SECTION}] {key} must be a positive number, not {raw!r}")
        values[key] = value
    return CopilotLimits(
        turn_timeout=values["copilot_turn_timeout"],
        max_chats=max(1, int(values["copilot_max_chats"])),
        max_chats_per_user=max(1, int(values["copilot_max_chats_per_user"])),
        max_reply_chars=max(1, int(values["copilot_max_reply_chars"])),
        max_conversation_chars=max(1, int(values["copilot_max_conversation_chars"])),
    )
