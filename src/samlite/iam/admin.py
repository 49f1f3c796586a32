"""The administrator of the embedded AWS: an IAM user allowed everything, for the user's own tools.

moto enforces IAM over HTTP (see `enforcement`): every request's SigV4 signature is checked against a
known access key and the caller's policies are evaluated. The user's shell, boto3 scripts and the
AWS CLI get this user's access key.

moto makes a new random key for every user it creates, so a restarted `samlite start` (a new process,
an empty moto) would hand out a new key and every client that kept running would get
InvalidAccessKeyId. The local cloud keeps the key it handed out (`samlite.persistence.credentials`)
and passes it back here: the admin user is then given exactly that key.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from samlite.model import Credentials

if TYPE_CHECKING:
    from moto.iam.models import IAMBackend, User

ADMIN_USER_NAME = "samlite-admin"
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def create_admin(iam: IAMBackend, region: str, key: Credentials | None = None) -> Credentials:
    """Create the administrator user, allowed everything, and return its access key; reuse them if
    they exist.

    With `key`, the user holds that access key (added if it is not one of its keys yet): the key a
    previous start handed out. Without it, the user's first key (moto makes one when there is none).
    Several embedded endpoints in one process share moto's global backends, so a later start in the
    same process finds the user, and the keys earlier starts gave it still work.
    """
    if ADMIN_USER_NAME not in iam.users:
        iam.create_user(region_name=region, user_name=ADMIN_USER_NAME)
        iam.put_user_policy(ADMIN_USER_NAME, "samlite-admin-all", json.dumps(ADMIN_POLICY))
    user = iam.users[ADMIN_USER_NAME]
    if key is not None:
        _hold_key(iam, user, key)
        return Credentials(key.access_key_id, key.secret_access_key)
    found = user.access_keys[0] if user.access_keys else iam.create_access_key(ADMIN_USER_NAME)
    return Credentials(found.access_key_id, found.secret_access_key)


def _hold_key(iam: IAMBackend, user: User, key: Credentials) -> None:
    """Give `user` the access key `key` in moto's IAM (moto only ever generates keys itself).

    moto finds a request's key in `IAMBackend.access_keys` (by id) and lists a user's keys from
    `User.access_keys`; both are set. IAM's limit of two keys per user is not applied to keys samlite
    hands back: an earlier start in this process may have given the user others.
    """
    from moto.iam.models import AccessKey

    for existing in user.access_keys:
        if existing.access_key_id == key.access_key_id:
            existing.secret_access_key = key.secret_access_key
            existing.status = "Active"
            iam.access_keys[key.access_key_id] = existing
            return
    access_key = AccessKey(user.name, prefix="AKIA", account_id=iam.account_id)
    access_key.access_key_id = key.access_key_id
    access_key.secret_access_key = key.secret_access_key
    user.access_keys.append(access_key)
    iam.access_keys[key.access_key_id] = access_key
