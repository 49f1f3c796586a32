"""A KMS key's key pair is generated when something first signs, verifies or reads its public key.

moto's `Key.__init__` generates a private key (RSA 2048 for a symmetric key) for every key it creates,
though only Sign, Verify and GetPublicKey of an asymmetric key ever use it. DynamoDB's SSESpecification
makes moto create the account's `alias/aws/dynamodb` key when the table is created, so a template with
an encrypted table (upload-catalog's) paid a 2048-bit RSA key generation (30-150 ms, varying with the
prime search) during `samlite start`. The key now stands behind a placeholder that generates it, once,
on its first use, with moto's own function: every answer that used it is unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from samlite.moto_changes.seam import MotoChange, Patch, Target

_OWN = ("_make", "_key_spec", "_key", "_lock")


class KeyPairOnFirstUse:
    """Stands in for moto's private key object (`moto.kms.utils.AbstractPrivateKey`) until it is used."""

    def __init__(self, make: Callable[[str], Any], key_spec: str) -> None:
        self._make = make
        self._key_spec = key_spec
        self._key: Any = None
        self._lock = threading.Lock()

    @property
    def generated(self) -> bool:
        return self._key is not None

    def real(self) -> Any:
        with self._lock:  # two first uses at once must not make two different key pairs
            if self._key is None:
                self._key = self._make(self._key_spec)
            return self._key

    def __getattr__(self, name: str) -> Any:
        # Only called for what the placeholder lacks: moto's methods (sign, verify, public_key...).
        if name.startswith("__") or name in _OWN:
            raise AttributeError(name)
        return getattr(self.real(), name)


def _on_first_use(original: Callable[[str], Any]) -> Callable[[str], Any]:
    def generate_private_key(key_spec: str) -> Any:
        return KeyPairOnFirstUse(original, key_spec)

    return generate_private_key


CHANGE = MotoChange(
    name="kms-key-pairs-on-first-use",
    reason="moto generates an RSA key pair for every KMS key it creates, DynamoDB's default key included",
    patches=(
        # models.py imported the function by name: that is the reference Key.__init__ calls.
        Patch(Target("moto.kms.models:generate_private_key", "(key_spec)"), _on_first_use),
    ),
)
