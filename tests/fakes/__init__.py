"""Test doubles shared by the test packages: servers that stand in for outside services."""

from tests.fakes.openai_server import RecordedRequest, ScriptedOpenAIServer, ScriptedReply, ToolCall

__all__ = ["RecordedRequest", "ScriptedOpenAIServer", "ScriptedReply", "ToolCall"]
