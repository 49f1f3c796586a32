"""Errors of the local cloud that the command line prints as one line, without a traceback."""

from __future__ import annotations


class CloudError(Exception):
    """Base class: the message is complete and meant for the user (the CLI prints `str(error)`)."""


class EndpointError(CloudError):
    """The embedded AWS endpoint could not start (e.g. the port is already in use)."""


class ProvisionError(CloudError):
    """A template resource could not be created in the embedded AWS; the message names the resource."""


class CredentialsError(CloudError):
    """A function's role credentials could not be issued (e.g. the function has no role)."""
