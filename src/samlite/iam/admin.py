"""The administrator of the embedded AWS: an IAM user allowed everything, for the user's own tools.

moto enforces IAM over HTTP (see `enforcement`): every request's SigV4 signature is checked against a
known access key and the caller's policies are evaluated. The user's shell, boto3 scripts and the
AWS CLI get this user's access key.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from samlite.model import Credentials

if TYPE_CHECKING:
    from moto.iam.models import IAMBackend

ADMIN_USER_NAME = "samlite-admin"
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def create_admin(iam: IAMBackend, region: str) -> Credentials:
    """Create the administrator user and its access key, allowed everything; reuse them if they exist.

    Several embedded endpoints in one process share moto's global backends (and IAM allows two keys
    per user), so a later start in the same process gets the same key.
    """
    if ADMIN_USER_NAME not in iam.users:
        iam.create_user(region_name=region, user_name=ADMIN_USER_NAME)
        iam.put_user_policy(ADMIN_USER_NAME, "samlite-admin-all", json.dumps(ADMIN_POLICY))
    user = iam.users[ADMIN_USER_NAME]
    key = user.access_keys[0] if user.access_keys else iam.create_access_key(ADMIN_USER_NAME)
    return Credentials(key.access_key_id, key.secret_access_key)
