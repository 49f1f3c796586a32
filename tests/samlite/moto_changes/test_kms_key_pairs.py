"""KMS keys made through the embedded AWS get their key pair on first use, and it behaves as moto's:
Sign, Verify and GetPublicKey agree with each other and with the cryptography library ("Digital
signing with the new asymmetric keys feature of AWS KMS" in the AWS KMS developer guide)."""

from __future__ import annotations

import threading

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from samlite.moto_changes.kms_key_pairs import KeyPairOnFirstUse
from tests.samlite.embedded import client, running_endpoint


@pytest.fixture(scope="module")
def aws():
    with running_endpoint(iam=True) as running:
        yield running.aws


def _key_pair(aws, key_id: str) -> KeyPairOnFirstUse:
    placeholder = aws.backend("kms").keys[key_id].private_key
    assert isinstance(placeholder, KeyPairOnFirstUse)
    return placeholder


def test_a_symmetric_key_never_generates_a_key_pair(aws):
    kms = client(aws, "kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"hello")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"hello"
    assert not _key_pair(aws, key_id).generated


def test_an_rsa_signature_verifies_with_the_public_key_kms_hands_out(aws):
    kms = client(aws, "kms")
    key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    assert not _key_pair(aws, key_id).generated
    signature = kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256")[
        "Signature"
    ]
    assert _key_pair(aws, key_id).generated
    verified = kms.verify(
        KeyId=key_id, Message=b"m", Signature=signature, SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256"
    )
    assert verified["SignatureValid"] is True
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    public.verify(signature, b"m", padding.PKCS1v15(), hashes.SHA256())  # raises if it does not match


def test_an_ecc_key_made_on_first_use_is_the_spec_asked_for(aws):
    kms = client(aws, "kms")
    key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    assert isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp256r1"
    signature = kms.sign(KeyId=key_id, Message=b"m", SigningAlgorithm="ECDSA_SHA_256")["Signature"]
    public.verify(signature, b"m", ec.ECDSA(hashes.SHA256()))


def test_first_uses_at_once_make_one_key_pair():
    made: list[str] = []
    barrier = threading.Barrier(8)

    def make(key_spec: str) -> object:
        made.append(key_spec)
        return object()

    placeholder = KeyPairOnFirstUse(make, "RSA_2048")

    def use() -> None:
        barrier.wait()
        placeholder.real()

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert made == ["RSA_2048"]
