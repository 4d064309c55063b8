"""http_request with a full URL: no connection needed ("fetch this URL"), no credentials sent, and
no way to make a worker or a node test on the API server reach private addresses (loopback, the
cloud metadata address, private ranges), including through a redirect, unless the operator of
the workers allows it with [airflow_canvas] http_request_private_hosts."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from airflow_canvas.tools.builtin import http
from airflow_canvas.validation import Resources, validate
from tests.fakes.http_server import LoopbackHTTPServer
from tests.unit.spec.helpers import node, spec

PRIVATE_OK = "AIRFLOW__AIRFLOW_CANVAS__HTTP_REQUEST_PRIVATE_HOSTS"


def test_a_loopback_url_is_refused_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PRIVATE_OK, raising=False)
    with LoopbackHTTPServer({"/api/items": (200, {"items": [1]})}) as server:
        with pytest.raises(PermissionError, match="not a public address"):
            http.run(url=server.url + "/api/items")
        assert server.requests == []  # refused before any request left


@pytest.mark.parametrize("address", ["169.254.169.254", "10.1.2.3", "192.168.0.9", "::1", "fd00::1"])
def test_private_and_metadata_addresses_are_refused(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    monkeypatch.delenv(PRIVATE_OK, raising=False)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(family, 1, 6, "", (address, 80))])
    with pytest.raises(PermissionError, match=address.replace(".", r"\.")):
        http._require_public("http://innocent-looking.example/latest/meta-data")


def test_a_public_host_passes_and_credentials_in_the_url_do_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PRIVATE_OK, raising=False)
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, 1, 6, "", ("93.184.216.34", 80))]
    )
    http._require_public("https://example.com/page")
    for bad in ("https://user:pw@example.com/", "file:///etc/passwd", "ftp://example.com/x"):
        with pytest.raises(ValueError):
            http._require_public(bad)


def test_a_redirect_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first host is public; its answer redirects to the metadata address: the second hop is
    checked like the first and never requested."""
    import requests

    monkeypatch.delenv(PRIVATE_OK, raising=False)
    resolved = {"example.com": "93.184.216.34", "169.254.169.254": "169.254.169.254"}
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda host, *a, **k: [(socket.AF_INET, 1, 6, "", (resolved[host], 80))]
    )
    asked: list[str] = []

    class Redirect:
        status_code, is_redirect = 302, True
        headers = {"Location": "http://169.254.169.254/latest/meta-data"}

    def fake_request(method: str, url: str, **kwargs: Any) -> Redirect:
        asked.append(url)
        return Redirect()

    monkeypatch.setattr(requests, "request", fake_request)
    with pytest.raises(PermissionError, match="169.254.169.254"):
        http.run(url="http://example.com/start")
    assert asked == ["http://example.com/start"]


def test_fetch_when_private_hosts_are_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PRIVATE_OK, "true")
    routes = {"/api/items": (200, {"items": [1, 2]}), "/old": (302, {"location": "/api/items"})}
    with LoopbackHTTPServer(routes) as server:
        out = http.run(url=server.url + "/api/items", params={"q": "x"})
        assert out["ok"] and out["json"] == {"items": [1, 2]}
        assert (
            server.requests[0]["query"] == {"q": ["x"]}
            and "authorization" not in server.requests[0]["headers"]
        )
        assert http.run(url=server.url + "/old")["json"] == {"items": [1, 2]}  # redirects are followed
        posted = http.run(url=server.url + "/api/items", method="POST", json={"a": 1})
        assert posted["ok"] and server.requests[-1]["method"] == "POST"


def test_with_a_url_no_connection_is_needed_at_design_time() -> None:
    with_url = spec([node("f", "tool", tool="http_request@1.0.0", parameters={"url": "https://example.com"})])
    without = spec([node("f", "tool", tool="http_request@1.0.0", parameters={"endpoint": "/x"})])
    checked = Resources(connections={})
    assert not [
        p for p in validate(with_url, resources=checked).problems if p.code.startswith("W_CONNECTION")
    ]
    assert [p.code for p in validate(without, resources=checked).problems] == ["W_CONNECTION_UNKNOWN"]
    bad = spec([node("f", "tool", tool="http_request@1.0.0", parameters={"url": "http://u:p@example.com"})])
    [problem] = [p for p in validate(bad).problems if p.severity == "error"]
    assert problem.node_id == "f" and "url" in problem.pointer
