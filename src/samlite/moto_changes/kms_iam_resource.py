"""Resource-level IAM for KMS in moto: policies scoped to a key's ARN work as on AWS.

moto checks KMS calls against the resource "*", so a policy allowing `kms:Decrypt` on
`arn:aws:kms:REGION:ACCOUNT:key/ID`, what SAM's KMSDecryptPolicy template expands to, would deny the
call. This gives the handler the resource AWS authorizes: the ARN of the key `KeyId` names (an id, a
key ARN, an alias name or an alias ARN, the alias resolved to its key); for Decrypt without `KeyId`,
the key the ciphertext was made with (moto writes its id into the ciphertext); calls naming no key
(CreateKey, ListKeys) stay "*". Reference: "Actions, resources, and condition keys for AWS KMS".
"""

from __future__ import annotations

import base64
import binascii
from struct import error as struct_error
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target


def _key_id(self: Any) -> str | None:
    key_id = self._get_param("KeyId")
    if isinstance(key_id, str) and key_id:
        try:
            return str(self.kms_backend.any_id_to_key_id(key_id))
        except Exception:  # an unknown alias: moto answers NotFound itself
            return None
    blob = self._get_param("CiphertextBlob")  # moto's KmsResponse decodes it from base64
    if isinstance(blob, str):
        blob = base64.b64decode(blob)
    if isinstance(blob, bytes) and blob:
        from moto.kms.utils import _deserialize_ciphertext_blob

        try:
            return _deserialize_ciphertext_blob(blob).key_id
        except (binascii.Error, ValueError, UnicodeDecodeError, struct_error):
            return None
    return None


def _determine_resource(self: Any) -> str:
    key_id = _key_id(self)
    if not key_id:
        return "*"
    return f"arn:aws:kms:{self.region}:{self.current_account}:key/{key_id}"


CHANGE = MotoChange(
    name="kms-iam-resource",
    reason="moto checks every KMS call against resource '*', so key-scoped policies deny all",
    patches=(
        Patch(
            Target("moto.kms.responses:KmsResponse._determine_resource", None), lambda _: _determine_resource
        ),
    ),
    service="kms",
)
