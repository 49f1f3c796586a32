"""A token issuer on 127.0.0.1 for the JWT authorizer tests: OpenID discovery, a JWKS, and tokens.

There is no internet here, so the tests stand in for an identity provider: the issuer URL is
`http://127.0.0.1:{port}/issuer`, `/.well-known/openid-configuration` names the JWKS, and `token()`
signs claims with the issuer's key (or, for forged tokens, with another key under the same kid).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

KID = "local-key-1"


class LocalIssuer:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.key = RSAKey.generate_key(2048, parameters={"kid": KID})
        self.requests: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/issuer"

    def documents(self, path: str) -> dict[str, Any] | None:
        self.requests.append(path)
        if path == "/issuer/.well-known/openid-configuration":
            return {"issuer": self.url, "jwks_uri": f"{self.url}/jwks.json"}
        if path == "/issuer/jwks.json":
            return {"keys": [self.key.as_dict(private=False)]}
        return None

    def token(self, *, key: RSAKey | None = None, alg: str = "RS256", **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": self.url, "sub": "user-1", "aud": "samlite-tests", "iat": now, "exp": now + 300}
        payload.update(claims)
        payload = {name: value for name, value in payload.items() if value is not None}
        return jwt.encode({"alg": alg, "kid": KID}, payload, key or self.key)


@contextmanager
def running_issuer() -> Iterator[LocalIssuer]:
    holder: dict[str, LocalIssuer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            document = holder["issuer"].documents(self.path)
            body = json.dumps(document).encode() if document is not None else b"{}"
            self.send_response(200 if document is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["issuer"] = LocalIssuer(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["issuer"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
