"""Every error samlite reports to a user, in one place: the message is complete and names what is wrong.

The command line prints `str(error)` of any `SamliteError` as one line and exits with status 2; the
pytest plugin fails the test with the same line. Nothing else is caught that way, so a bug in samlite
still shows its traceback instead of hiding behind a friendly message.

- `TemplateError`: the template, its parameters or `--env-vars` cannot be used as given (raised by the
  template model, which names the resource and property).
- `CloudError` and its kinds: the local cloud could not start or go on (endpoint, provisioning,
  credentials, saved state: `StateError`); `GatewayConfigError` / `PortInUseError`: the API gateway
  could not serve the template.
- `UnsupportedError`: the template uses something samlite cannot emulate (a container-image function,
  code in S3, a layer it cannot find...). Raised the same way everywhere: one line naming the resource
  and the property, exit status 2, and `samlite start` refuses the whole template rather than start
  part of it and drop the events meant for the rest.
- `ConfigError`: samlite's own configuration (`samlite.toml`, `[tool.samlite]`, a flag's value).
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


class StateError(CloudError):
    """The saved state (`--persist`) or the saved credentials cannot be used as they are; the message
    names the file and how to start afresh (`--reset-state`)."""


class GatewayConfigError(SamliteError):
    """An API of the template cannot be served as written; the message names the resource and route."""


class PortInUseError(SamliteError, OSError):
    """The gateway's port is already taken by another process (`--api-port` picks another one)."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(f"cannot serve the API gateway on {host}:{port}: the port is already in use")
        self.host = host
        self.port = port


class UnsupportedError(SamliteError):
    """The template uses a feature samlite cannot emulate; the message names the resource and property.

    Its message reads `Function 'F' property 'Layers': ...` (or `Resource 'R' ...`), so that whoever
    prints it (the command line, the pytest plugin) says once what is missing and where, the same way.
    """


class ConfigError(SamliteError):
    """samlite's configuration (a `samlite.toml`, `[tool.samlite]` in pyproject.toml, or a flag) is wrong;
    the message names the file or flag and the key."""
