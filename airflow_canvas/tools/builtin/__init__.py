"""Built-in tools shipped with the package. Their code lives in this package, so a Tool record
carries no code: ``entry_point`` is ``"airflow_canvas.tools.builtin.<module>:<function>"`` and the
loader imports it (in the worker, or in the sandbox child). Built-ins have no pip dependencies
beyond this package's, so the ToolOperator runs them in-process.
"""

from __future__ import annotations

from airflow_canvas.spec.models import Tool, ToolTest
from airflow_canvas.tools.builtin import files, http, notify, sql, transform

BUILTIN_VERSION = "1.0.0"
_PREFIX = "airflow_canvas.tools.builtin"


def _tool(
    name: str, entry: str, description: str, input_schema: dict, output_schema: dict, tests=(), network=False
) -> Tool:
    return Tool(
        name=name,
        version=BUILTIN_VERSION,
        description=description,
        entry_point=f"{_PREFIX}.{entry}",
        network=network,  # whether a sandboxed run (a node test on the API server) gets the network
        input_schema=input_schema,
        output_schema=output_schema,
        tests=list(tests),
    )


BUILTIN_TOOLS: list[Tool] = [
    _tool(
        "http_request",
        "http:run",
        "Fetch a web page or call an HTTP API: a full public `url`, or an Airflow **HTTP connection** "
        "(base URL, auth and headers live in the connection) plus an `endpoint`. Returns status, "
        "headers, text and the parsed JSON body.",
        http.INPUT_SCHEMA,
        http.OUTPUT_SCHEMA,
        network=True,
    ),
    _tool(
        "sql_query",
        "sql:run",
        "Run SQL through any Airflow **database connection** (common-sql). Rows come back as objects "
        "keyed by column name; parameters are bound, never formatted into the SQL.",
        sql.INPUT_SCHEMA,
        sql.OUTPUT_SCHEMA,
        network=True,
    ),
    _tool(
        "json_transform",
        "transform:json_transform",
        "Reshape JSON with a [JMESPath](https://jmespath.org) expression.",
        transform.JSON_INPUT,
        transform.JSON_OUTPUT,
        [
            ToolTest(
                name="pick names",
                input={"data": {"people": [{"name": "a"}, {"name": "b"}]}, "expression": "people[].name"},
                expected={"result": ["a", "b"]},
            )
        ],
    ),
    _tool(
        "text_template",
        "transform:text_template",
        "Render a Jinja template (sandboxed; undefined variables are errors).",
        transform.TEMPLATE_INPUT,
        transform.TEMPLATE_OUTPUT,
        [
            ToolTest(
                name="greet",
                input={"template": "Hi {{ who }}", "variables": {"who": "Ada"}},
                expected={"text": "Hi Ada"},
            )
        ],
    ),
    _tool(
        "file_read",
        "files:file_read",
        "Read a text file through Airflow's ObjectStoragePath (local, s3://, gs://, ... with a connection).",
        files.READ_INPUT,
        files.READ_OUTPUT,
    ),
    _tool(
        "file_write",
        "files:file_write",
        "Write a text file through Airflow's ObjectStoragePath.",
        files.WRITE_INPUT,
        files.WRITE_OUTPUT,
    ),
    _tool(
        "send_notification",
        "notify:run",
        "Send a message through an Airflow notifier: 'smtp' (SmtpNotifier with an SMTP connection) "
        "or the import path of an installed notifier class.",
        notify.INPUT_SCHEMA,
        notify.OUTPUT_SCHEMA,
        network=True,
    ),
]

__all__ = ["BUILTIN_TOOLS", "BUILTIN_VERSION"]
