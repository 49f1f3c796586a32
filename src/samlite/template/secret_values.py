"""The value an `AWS::SecretsManager::Secret` of the template starts with: its `SecretString`, or the
password its `GenerateSecretString` asks for.

CloudFormation generates the password with Secrets Manager's GetRandomPassword (32 characters by
default, from upper and lower case letters, digits and the punctuation `!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~`,
at least one of each included type unless `RequireEachIncludedType` is false, no space unless
`IncludeSpace`), and with `SecretStringTemplate` and `GenerateStringKey` puts it into the template's
JSON object under that key. samlite does the same, with the `secrets` module's random source, once per
start: the value is computed when the template loads so that dynamic references to it resolve before
anything runs. References: "AWS::SecretsManager::Secret GenerateSecretString" (CloudFormation
template reference) and "GetRandomPassword" (Secrets Manager API reference).
"""

from __future__ import annotations

import json
import secrets
import string
from collections.abc import Mapping
from typing import Any

from samlite.template.locations import Location

DEFAULT_PASSWORD_LENGTH = 32
MAX_PASSWORD_LENGTH = 4096
_BOOLEAN_KEYS = (
    "ExcludeLowercase",
    "ExcludeUppercase",
    "ExcludeNumbers",
    "ExcludePunctuation",
    "IncludeSpace",
    "RequireEachIncludedType",
)
_KNOWN_KEYS = frozenset(
    {*_BOOLEAN_KEYS, "PasswordLength", "ExcludeCharacters", "SecretStringTemplate", "GenerateStringKey"}
)


def initial_secret_string(logical_id: str, properties: Mapping[str, Any]) -> str | None:
    """The secret's first value (None for a secret created empty)."""
    loc = Location("Resource", logical_id)
    given, generate = properties.get("SecretString"), properties.get("GenerateSecretString")
    if given is not None and generate is not None:
        raise loc.error("specify SecretString or GenerateSecretString, not both")
    if given is not None:
        if not isinstance(given, str):
            raise loc.child("SecretString").error(f"must be a string, not {type(given).__name__}")
        return given
    if generate is None:
        return None
    if not isinstance(generate, Mapping):
        raise loc.child("GenerateSecretString").error("must be a mapping")
    return generated_secret_string(generate, loc.child("GenerateSecretString"))


def generated_secret_string(spec: Mapping[str, Any], loc: Location) -> str:
    """What GenerateSecretString `spec` produces: the password, or the template's JSON with it."""
    unknown = sorted(set(spec) - _KNOWN_KEYS)
    if unknown:
        raise loc.error(f"unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(_KNOWN_KEYS))})")
    password = random_password(spec, loc)
    template, key = spec.get("SecretStringTemplate"), spec.get("GenerateStringKey")
    if template is None and key is None:
        return password
    if template is None or key is None:
        raise loc.error("SecretStringTemplate and GenerateStringKey go together: give both or neither")
    try:
        document = json.loads(str(template))
    except ValueError as error:
        raise loc.child("SecretStringTemplate").error(f"is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise loc.child("SecretStringTemplate").error("must be a JSON object")
    document[str(key)] = password
    return json.dumps(document)


def random_password(spec: Mapping[str, Any], loc: Location) -> str:
    """A password following GetRandomPassword's rules for the options in `spec`."""
    flags = {key: _boolean(spec.get(key), loc.child(key)) for key in _BOOLEAN_KEYS}
    length = _length(spec.get("PasswordLength"), loc.child("PasswordLength"))
    excluded = set(str(spec.get("ExcludeCharacters") or ""))
    classes = [
        chars
        for chars, skip in (
            (string.ascii_lowercase, flags["ExcludeLowercase"]),
            (string.ascii_uppercase, flags["ExcludeUppercase"]),
            (string.digits, flags["ExcludeNumbers"]),
            (string.punctuation, flags["ExcludePunctuation"]),
            (" ", not flags["IncludeSpace"]),
        )
        if not skip
    ]
    classes = [kept for kept in ("".join(c for c in chars if c not in excluded) for chars in classes) if kept]
    if not classes:
        raise loc.error("every character is excluded: no password can be generated")
    require_each = spec.get("RequireEachIncludedType") is None or flags["RequireEachIncludedType"]
    if require_each and length < len(classes):
        raise loc.child("PasswordLength").error(
            f"{length} is too short to include each of the {len(classes)} character types required"
        )
    pool = "".join(classes)
    chosen = [secrets.choice(chars) for chars in classes] if require_each else []
    chosen += [secrets.choice(pool) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


def _boolean(value: Any, loc: Location) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise loc.error(f"must be true or false, not {value!r}")


def _length(value: Any, loc: Location) -> int:
    if value is None:
        return DEFAULT_PASSWORD_LENGTH
    try:
        length = int(str(value))
    except ValueError:
        raise loc.error(f"must be a whole number, not {value!r}") from None
    if not 1 <= length <= MAX_PASSWORD_LENGTH:
        raise loc.error(f"must be between 1 and {MAX_PASSWORD_LENGTH}, not {length}")
    return length
