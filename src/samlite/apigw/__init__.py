"""samlite's local API Gateway: the template's REST and HTTP APIs served in front of its functions.

    gateway = LocalApiGateway(stack, runtime.invoke, port=3000)
    gateway.start()
    gateway.urls       # {"ServerlessRestApi": "http://127.0.0.1:3000/Prod"}
    gateway.api_keys   # {"ServerlessRestApiLocalApiKey": "..."}: send as x-api-key
    gateway.stop()

Routes come from the translated template's API `Body` (routes.py); events, responses and API
Gateway's own error answers follow AWS (event_builder.py, responses.py, gateway_responses.py).
Authorizers are enforced by `authorizers/` (Lambda, JWT, Cognito user pools); integrations other
than Lambda proxy (REST MOCK and AWS, HTTP API service integrations, mapping templates) live in
`integrations/`; CORS per API type in cors.py. `GatewayConfigError` is a template the gateway cannot
serve, `PortInUseError` a port already taken.
"""

from samlite.apigw.gateway import DEFAULT_PORT, INTEGRATION_TIMEOUT_S, LocalApiGateway
from samlite.apigw.routes import ApiDefinition, Route, load_routes
from samlite.errors import GatewayConfigError, PortInUseError

__all__ = [
    "DEFAULT_PORT",
    "INTEGRATION_TIMEOUT_S",
    "ApiDefinition",
    "GatewayConfigError",
    "LocalApiGateway",
    "PortInUseError",
    "Route",
    "load_routes",
]
