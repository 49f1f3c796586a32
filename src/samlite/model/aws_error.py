"""An AWS error as a decision, before it is written in any protocol's shape.

IAM, the S3 checks and the APIs samlite answers itself decide *that* a request fails and *why* (status,
AWS error code, message, and the extra elements some codes carry, such as S3's `ProposedSize`); the
endpoint alone writes that down in the caller's protocol (S3's XML, the query protocol's XML, JSON,
REST-JSON), so every service answers errors in its own shape and no part formats them twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AwsError:
    """`status` is the HTTP status; `code` the AWS error code (`AccessDenied`, `EntityTooLarge`, ...)."""

    status: int
    code: str
    message: str
    extra: Mapping[str, str] = field(default_factory=dict)
