"""What keeps the console the developer's own: no other origin may read it or act through it.

- **Host**: the request's Host header must name the address the endpoint is bound to (or a loopback
  name when it is bound to loopback). A web page cannot then reach the console through a domain name
  it controls that resolves to 127.0.0.1 (DNS rebinding), which would make it same-origin.
- **Token**: every API call carries the per-start token (`X-Samlite-Token`, or `token=` in the query
  for the downloads and image previews a browser fetches by URL). The page gets it from the HTML the
  console serves, which another origin cannot read; when the endpoint is bound beyond loopback the
  HTML does not carry it and the address printed at start does (after `#`, never sent on the wire).
  So a cross-site form or `fetch` can never change state (no CSRF), and nothing is readable without it.
- **Origin**: a state-changing request whose `Origin` or `Sec-Fetch-Site` says it comes from another
  origin is refused even with a token; API answers carry no CORS headers, so no other origin reads them.
- **Headers**: a strict Content-Security-Policy (scripts and styles from the console only, no inline
  script), no framing, no sniffing, no referrer, no caching. The page renders every user-controlled
  string as text (`textContent`), and the CSP would stop an inline handler if one ever slipped through.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass

from samlite.console.http import ConsoleError, ConsoleRequest

TOKEN_HEADER = "x-samlite-token"
SAFE_METHODS = frozenset({"GET", "HEAD"})

PAGE_HEADERS: tuple[tuple[str, str], ...] = (
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
        "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)
# What an object's bytes are served with: never run as a page of the console's origin.
CONTENT_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", "default-src 'none'; sandbox"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
)

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def new_token() -> str:
    return secrets.token_urlsafe(24)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_wildcard(host: str) -> bool:
    return host.strip("[]") in ("0.0.0.0", "::", "")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _split_host(value: str) -> tuple[str, str]:
    """`name:port`, `[v6]:port` or a bare name, lower-cased, brackets dropped."""
    value = value.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        return name, rest[1:] if rest.startswith(":") else ""
    name, _, port = value.rpartition(":") if value.count(":") == 1 else (value, "", "")
    return name, port


@dataclass(frozen=True)
class Guard:
    """Checks one console request (see the module docstring); `bind_host` is where the endpoint
    listens, `port` its port."""

    bind_host: str
    port: int
    token: str

    @property
    def token_in_page(self) -> bool:
        """Whether the HTML carries the token (only where nobody else can load the page)."""
        return is_loopback(self.bind_host)

    def check_host(self, request: ConsoleRequest) -> None:
        name, port = _split_host(request.headers.get("host", ""))
        if port != str(self.port) or not self._allowed_name(name):
            raise ConsoleError(
                403, "WrongHost", "the console answers only on the address the endpoint is bound to"
            )

    def _allowed_name(self, name: str) -> bool:
        bind = self.bind_host.strip("[]").lower()
        if name == bind:
            return True
        if (is_loopback(bind) or _is_wildcard(bind)) and name in _LOOPBACK_NAMES:
            return True
        return _is_wildcard(bind) and _is_ip(name)

    def check_api(self, request: ConsoleRequest) -> None:
        """An API call: same origin, and the token."""
        site = request.headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            raise ConsoleError(403, "CrossOrigin", "the console's API answers its own page only")
        if request.method not in SAFE_METHODS:
            origin = request.headers.get("origin")
            if origin is not None and origin.lower() != f"http://{request.headers.get('host', '').lower()}":
                raise ConsoleError(403, "CrossOrigin", "a request from another origin cannot change anything")
        given = request.headers.get(TOKEN_HEADER)
        if given is None and request.method in SAFE_METHODS:
            given = request.arg("token")
        if not given or not secrets.compare_digest(given.encode(), self.token.encode()):
            raise ConsoleError(
                403, "MissingToken", "this request lacks the console's token: reload the console's page"
            )
