"""Every error samlite reports to a user, in one place: the message is complete and names what is wrong.

The command line prints `str(error)` of any `SamliteError` as one line and exits with status 2; the
pytest plugin fails the test with the same line. Nothing else is caught that way, so a bug in samlite
still shows its traceback instead of hiding behind a friendly message.

- `TemplateError`: the template, its parameters or `--env-vars` cannot be used as given (raised by the
  template model, which names the resource and property).
- `CloudError` and its kinds: the local cloud could not start or go on (endpoint, provisioning,
  credentials); `GatewayConfigError` / `PortInUseError`: the API gateway could not serve the template.
"""

from __future__ import annotations


class SamliteError(Exception):
    """Base class: the message is complete and meant for the user."""


class TemplateError(SamliteError):
    """A template, its parameters or its --env-vars cannot be used as given; the message says where."""


class CloudError(SamliteError):
    """The local cloud could not do what was asked; the message names the resource or option."""


class EndpointError(CloudError):
    """The embedded AWS endpoint could not start (e.g. the port is already in use)."""


class ProvisionError(CloudError):
    """A template resource could not be created in the embedded AWS; the message names the resource."""


class CredentialsError(CloudError):
    """A function's role credentials could not be issued (e.g. the function has no role)."""


class GatewayConfigError(SamliteError):
    """An API of the template cannot be served as written; the message names the resource and route."""


class PortInUseError(SamliteError, OSError):
    """The gateway's port is already taken by another process (`--api-port` picks another one)."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(f"cannot serve the API gateway on {host}:{port}: the port is already in use")
        self.host = host
        self.port = port
