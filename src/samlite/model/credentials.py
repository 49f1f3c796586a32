"""AWS credentials handed to users' tools and to function workers, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Credentials:
    """An access key pair, with the session token and expiry of temporary (AssumeRole) credentials."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    expiration: datetime | None = None

    def as_env(self) -> dict[str, str]:
        """The variables boto3, the AWS CLI and the Lambda runtime read credentials from."""
        env = {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }
        if self.session_token:
            env["AWS_SESSION_TOKEN"] = self.session_token
        return env
