"""The console's guard on its own: which Host names, origins and tokens it lets through."""

from __future__ import annotations

import pytest

from samlite.console.http import ConsoleError, ConsoleRequest
from samlite.console.security import Guard


def _request(method: str = "GET", **headers: str) -> ConsoleRequest:
    return ConsoleRequest(
        method, "/api/stack", {}, {name.replace("_", "-"): v for name, v in headers.items()}, b""
    )


@pytest.mark.parametrize(
    ("bind", "host", "allowed"),
    [
        ("127.0.0.1", "127.0.0.1:4566", True),
        ("127.0.0.1", "localhost:4566", True),
        ("127.0.0.1", "[::1]:4566", True),
        ("127.0.0.1", "127.0.0.1:9999", False),
        ("127.0.0.1", "127.0.0.1", False),
        ("127.0.0.1", "rebound.example:4566", False),
        ("0.0.0.0", "192.168.1.20:4566", True),
        ("0.0.0.0", "rebound.example:4566", False),
        ("10.0.0.5", "10.0.0.5:4566", True),
        ("10.0.0.5", "10.0.0.6:4566", False),
    ],
)
def test_the_host_must_be_where_the_endpoint_is_bound(bind: str, host: str, allowed: bool) -> None:
    guard = Guard(bind, 4566, "secret")
    if allowed:
        guard.check_host(_request(host=host))
    else:
        with pytest.raises(ConsoleError):
            guard.check_host(_request(host=host))


def test_the_token_is_needed_and_only_the_page_may_carry_it_on_loopback() -> None:
    guard = Guard("127.0.0.1", 4566, "secret")
    guard.check_api(_request(x_samlite_token="secret"))
    with pytest.raises(ConsoleError):
        guard.check_api(_request(x_samlite_token="other"))
    with pytest.raises(ConsoleError):
        guard.check_api(_request())
    assert guard.token_in_page
    assert not Guard("0.0.0.0", 4566, "secret").token_in_page


def test_a_token_in_the_query_is_for_reads_only() -> None:
    guard = Guard("127.0.0.1", 4566, "secret")
    read = ConsoleRequest("GET", "/api/x", {"token": ["secret"]}, {"host": "127.0.0.1:4566"}, b"")
    guard.check_api(read)
    write = ConsoleRequest("DELETE", "/api/x", {"token": ["secret"]}, {"host": "127.0.0.1:4566"}, b"")
    with pytest.raises(ConsoleError):
        guard.check_api(write)


def test_changes_from_another_origin_are_refused() -> None:
    guard = Guard("127.0.0.1", 4566, "secret")
    same = {"host": "127.0.0.1:4566", "x_samlite_token": "secret"}
    guard.check_api(_request("POST", origin="http://127.0.0.1:4566", sec_fetch_site="same-origin", **same))
    with pytest.raises(ConsoleError):
        guard.check_api(_request("POST", origin="http://127.0.0.1:3000", **same))
    with pytest.raises(ConsoleError):
        guard.check_api(_request("POST", sec_fetch_site="same-site", **same))
