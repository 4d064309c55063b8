"""A workflow with a SQL tool (SQLite connection) feeding a shell tool, for the DAG-run test and
the API tests."""

from __future__ import annotations

from typing import Any

ORDERS_SQL = {
    "name": "customer_orders",
    "version": "1.0.0",
    "description": "The orders of one customer.",
    "language": "sql",
    "connection_type": "sqlite",
    "code": "SELECT id, amount, placed FROM orders WHERE customer = :customer ORDER BY id",
    "input_schema": {
        "type": "object",
        "properties": {"customer": {"type": "string"}},
        "required": ["customer"],
    },
    "output_schema": {"type": "array", "items": {"type": "object"}},
    "tests": [
        {
            "name": "two orders",
            "input": {"customer": "ada"},
            "fixtures": [
                "CREATE TABLE orders (id INTEGER, customer TEXT, amount NUMERIC, placed DATE)",
                "INSERT INTO orders VALUES (1, 'ada', 12.5, '2026-01-02'), (2, 'bob', 3, '2026-01-03'),"
                " (3, 'ada', 7, '2026-01-04')",
            ],
            "expected": [
                {"id": 1, "amount": 12.5, "placed": "2026-01-02"},
                {"id": 3, "amount": 7, "placed": "2026-01-04"},
            ],
        },
        {
            "name": "an injection attempt stays a value",
            "input": {"customer": "ada' OR '1'='1"},
            "fixtures": [
                "CREATE TABLE orders (id INTEGER, customer TEXT, amount NUMERIC, placed DATE)",
                "INSERT INTO orders VALUES (1, 'ada', 12.5, '2026-01-02')",
            ],
            "expected": [],
        },
    ],
}

SUMMARY_SHELL = {
    "name": "order_summary",
    "version": "1.0.0",
    "description": "Count the orders (the SQL node's rows arrive as JSON in INPUT_ORDERS) with plain bash.",
    "language": "shell",
    "code": (
        'rows=$(grep -o \'"id"\' <<< "$INPUT_ORDERS" | wc -l)\n'
        'printf \'{"customer": "%s", "orders": %s}\\n\' "$INPUT_CUSTOMER" "$rows"\n'
    ),
    "input_schema": {
        "type": "object",
        "properties": {"customer": {"type": "string"}, "orders": {"type": "array"}},
        "required": ["customer", "orders"],
    },
    "output_schema": {"type": "object", "required": ["customer", "orders"]},
    "tests": [
        {
            "input": {"customer": "ada", "orders": [{"id": 1}, {"id": 3}]},
            "expected": {"customer": "ada", "orders": 2},
        }
    ],
}


def workflow(dag_id: str, conn_id: str) -> dict[str, Any]:
    return {
        "id": dag_id,
        "name": "SQL feeds shell",
        "tools": [ORDERS_SQL, SUMMARY_SHELL],
        "nodes": [
            {"id": "start", "type": "input", "input_schema": {"type": "object",
             "properties": {"customer": {"type": "string", "default": "ada"}}}},
            {"id": "orders", "type": "tool", "tool": "customer_orders@1.0.0", "parameters": {"conn_id": conn_id}},
            {"id": "summary", "type": "tool", "tool": "order_summary@1.0.0"},
        ],
        "edges": [
            {"source": "start", "target": "orders", "mapping": [{"source": "customer", "target": "customer"}]},
            {"source": "start", "target": "summary", "mapping": [{"source": "customer", "target": "customer"}]},
            {"source": "orders", "target": "summary"},  # a list: it arrives as the argument `orders`
        ],
    }  # fmt: skip
