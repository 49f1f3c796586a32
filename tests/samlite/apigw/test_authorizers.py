"""Authorizers enforced on a whole local cloud: every kind allows and denies as API Gateway does.

The fixture (fixtures/authorizers) has a REST API with TOKEN, REQUEST and Cognito user pool
authorizers and an HTTP API with Lambda (payload 1.0 and 2.0) and JWT authorizers (a Cognito issuer
and a local one, served by `local_issuer`), in front of one echo function; the user pool is
provisioned in the embedded AWS and users sign up through cognito-idp as on AWS.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from joserfc.jwk import RSAKey

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.apigw.local_issuer import KID, LocalIssuer, running_issuer
from tests.samlite.embedded import running_cloud, unique

FIXTURE = Path(__file__).parent / "fixtures" / "authorizers" / "template.yaml"


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with running_issuer() as local:
        yield local


@pytest.fixture(scope="module")
def cloud(issuer: LocalIssuer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    with running_cloud(
        FIXTURE,
        stack="auth",
        state_dir=tmp_path_factory.mktemp("state"),
        parameter_overrides={"LocalIssuer": issuer.url},
        log_sink=lambda source, line: None,
    ) as started:
        yield started


def _event(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


def _authorizer_calls(cloud: LocalCloud) -> list[dict[str, Any]]:
    return [record.event for record in cloud.invocations("AuthorizerFunction")]


# -- REST TOKEN authorizers ----------------------------------------------------------------------------


def test_token_authorizer_allows_and_passes_its_context(cloud: LocalCloud, rest: str) -> None:
    """ "Input to an API Gateway Lambda authorizer" (TOKEN input: type, authorizationToken,
    methodArn) and "Output from an API Gateway Lambda authorizer" (principalId and the context reach
    the integration as requestContext.authorizer, values stringified)."""
    token = f"allow-{unique('t')}"
    event = _event(requests.get(f"{rest}/token/abc", headers={"Authorization": token}, timeout=30))
    authorizer = event["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "user-" + token.split("-", 1)[1]
    assert authorizer["stringKey"] == "value" and authorizer["numberKey"] == "1"
    assert authorizer["booleanKey"] == "true" and isinstance(authorizer["integrationLatency"], int)
    call = _authorizer_calls(cloud)[-1]
    api_id = event["requestContext"]["apiId"]
    assert call == {
        "type": "TOKEN",
        "authorizationToken": token,
        "methodArn": f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/Prod/GET/token/abc",
    }


def test_token_authorizer_denies(rest: str) -> None:
    """ "Output from ...": an explicit Deny is API Gateway's 403 (ACCESS_DENIED, body key `Message`)."""
    response = requests.get(f"{rest}/token/abc", headers={"Authorization": f"deny-{unique('t')}"}, timeout=30)
    assert response.status_code == 403
    assert response.json() == {
        "Message": "User is not authorized to access this resource with an explicit deny"
    }
    assert response.headers["x-amzn-ErrorType"] == "AccessDeniedException"


def test_a_policy_for_another_method_is_an_implicit_deny(rest: str) -> None:
    """ "Statement reference of IAM policies for executing API": no matching Allow is a deny."""
    token = f"other-{unique('t')}"
    allowed = requests.get(f"{rest}/token/other", headers={"Authorization": token}, timeout=30)
    assert allowed.status_code == 200
    denied = requests.get(f"{rest}/token/abc", headers={"Authorization": token}, timeout=30)
    assert denied.status_code == 403
    assert denied.json() == {"Message": "User is not authorized to access this resource"}


def test_token_authorizer_unauthorized_missing_and_invalid_tokens_are_401(
    cloud: LocalCloud, rest: str
) -> None:
    """ "Use API Gateway Lambda authorizers": `Unauthorized` raised by the function is a 401; a
    missing token or one that fails identityValidationExpression is refused without invoking it."""
    before = len(cloud.invocations("AuthorizerFunction"))
    missing = requests.get(f"{rest}/token/abc", timeout=30)
    invalid = requests.get(f"{rest}/token/abc", headers={"Authorization": "nope"}, timeout=30)
    assert missing.status_code == invalid.status_code == 401
    assert missing.json() == {"message": "Unauthorized"}
    assert len(cloud.invocations("AuthorizerFunction")) == before
    raised = requests.get(
        f"{rest}/token/abc", headers={"Authorization": f"unauthorized-{unique('t')}"}, timeout=30
    )
    assert raised.status_code == 401 and raised.json() == {"message": "Unauthorized"}


def test_a_failing_or_malformed_authorizer_is_500(rest: str) -> None:
    """ "Output from ...": an answer API Gateway cannot read is AUTHORIZER_CONFIGURATION_ERROR."""
    for verb in ("error", "malformed"):
        response = requests.get(
            f"{rest}/token/abc", headers={"Authorization": f"{verb}-{unique('t')}"}, timeout=30
        )
        assert response.status_code == 500, verb
        assert response.text == '{"message": null}'
        assert response.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"


def test_token_results_are_cached_for_the_ttl(cloud: LocalCloud, rest: str) -> None:
    """ "Configure a Lambda authorizer" (ReauthorizeEvery 300: cached per token); the cached policy
    is evaluated again for every method ARN."""
    token = f"other-{unique('t')}"
    before = len(cloud.invocations("AuthorizerFunction"))
    for _ in range(3):
        assert (
            requests.get(f"{rest}/token/other", headers={"Authorization": token}, timeout=30).status_code
            == 200
        )
    assert requests.get(f"{rest}/token/abc", headers={"Authorization": token}, timeout=30).status_code == 403
    assert len(cloud.invocations("AuthorizerFunction")) == before + 1
    other = f"other-{unique('t')}"
    requests.get(f"{rest}/token/other", headers={"Authorization": other}, timeout=30)
    assert len(cloud.invocations("AuthorizerFunction")) == before + 2


# -- REST REQUEST authorizers --------------------------------------------------------------------------


def test_request_authorizer_gets_the_request_and_needs_every_identity_source(
    cloud: LocalCloud, rest: str
) -> None:
    """ "Input to an API Gateway Lambda authorizer" (REQUEST: headers, query strings, stage variables
    and the request context, no body); missing identity sources are a 401 without an invocation;
    ReauthorizeEvery 0 invokes the authorizer on every request."""
    before = len(cloud.invocations("AuthorizerFunction"))
    assert requests.get(f"{rest}/request?tenant=t1", timeout=30).status_code == 401
    assert requests.get(f"{rest}/request", headers={"X-User": "allow-a"}, timeout=30).status_code == 401
    assert len(cloud.invocations("AuthorizerFunction")) == before
    for _ in range(2):
        event = _event(requests.get(f"{rest}/request?tenant=t1", headers={"X-User": "allow-a"}, timeout=30))
    assert len(cloud.invocations("AuthorizerFunction")) == before + 2
    call = _authorizer_calls(cloud)[-1]
    assert call["type"] == "REQUEST" and call["methodArn"].endswith("/Prod/GET/request")
    assert call["headers"]["X-User"] == "allow-a" and call["queryStringParameters"] == {"tenant": "t1"}
    assert call["requestContext"]["resourcePath"] == "/request" and "body" not in call
    assert event["requestContext"]["authorizer"]["principalId"] == "user-a"
    denied = requests.get(f"{rest}/request?tenant=t1", headers={"X-User": "deny-a"}, timeout=30)
    assert denied.status_code == 403


# -- HTTP API Lambda authorizers -----------------------------------------------------------------------


def test_http_simple_response_authorizer(cloud: LocalCloud, http: str) -> None:
    """ "Working with AWS Lambda authorizers for HTTP APIs": payload 2.0 input (routeArn,
    identitySource list), simple responses (isAuthorized), the context under authorizer.lambda."""
    token = f"allow-{unique('h')}"
    event = _event(requests.get(f"{http}/simple", headers={"Authorization": token}, timeout=30))
    assert event["requestContext"]["authorizer"] == {
        "lambda": {"user": token, "list": [1, 2], "map": {"a": "b"}}
    }
    call = _authorizer_calls(cloud)[-1]
    assert call["version"] == "2.0" and call["type"] == "REQUEST" and call["identitySource"] == [token]
    assert call["routeArn"].endswith("/$default/GET/simple") and call["routeKey"] == "GET /simple"
    denied = requests.get(f"{http}/simple", headers={"Authorization": f"deny-{unique('h')}"}, timeout=30)
    assert denied.status_code == 403 and denied.json() == {"message": "Forbidden"}
    assert requests.get(f"{http}/simple", timeout=30).status_code == 401


def test_http_simple_responses_are_cached_by_identity(cloud: LocalCloud, http: str) -> None:
    """ "Caching authorizer responses": the identity sources are the cache key."""
    token = f"allow-{unique('h')}"
    before = len(cloud.invocations("AuthorizerFunction"))
    for _ in range(3):
        assert requests.get(f"{http}/simple", headers={"Authorization": token}, timeout=30).status_code == 200
    assert len(cloud.invocations("AuthorizerFunction")) == before + 1


def test_http_policy_authorizer_with_payload_1(cloud: LocalCloud, http: str) -> None:
    """Payload 1.0 ("If you need compatibility with REST APIs, use version 1.0"): methodArn,
    identitySource and authorizationToken as one string; an IAM policy; an error is a 500."""
    token = f"allow-{unique('h')}"
    event = _event(requests.get(f"{http}/policy/7", headers={"Authorization": token}, timeout=30))
    assert event["version"] == "1.0" and event["requestContext"]["authorizer"]["principalId"].startswith(
        "user-"
    )
    assert event["requestContext"]["authorizer"]["stringKey"] == "value"
    call = _authorizer_calls(cloud)[-1]
    assert call["version"] == "1.0" and call["identitySource"] == token == call["authorizationToken"]
    assert call["methodArn"].endswith("/$default/GET/policy/7")
    assert (
        requests.get(f"{http}/policy/7", headers={"Authorization": "deny-x"}, timeout=30).status_code == 403
    )
    failed = requests.get(f"{http}/policy/7", headers={"Authorization": "error-x"}, timeout=30)
    assert failed.status_code == 500 and failed.json() == {"message": "Internal Server Error"}


# -- JWT authorizers -------------------------------------------------------------------------------------


def test_jwt_authorizer_accepts_a_token_of_its_issuer(issuer: LocalIssuer, http: str) -> None:
    """ "Controlling access to HTTP APIs with JWT authorizers": kid, RSA signature, iss, aud, exp;
    the claims reach the integration as authorizer.jwt.claims (strings), with `Bearer ` or not."""
    token = issuer.token(email="a@example.com", groups=["admin", "users"])
    for value in (token, f"Bearer {token}"):
        event = _event(requests.get(f"{http}/jwt/local", headers={"Authorization": value}, timeout=30))
        jwt = event["requestContext"]["authorizer"]["jwt"]
        assert jwt["claims"]["sub"] == "user-1" and jwt["claims"]["email"] == "a@example.com"
        assert jwt["claims"]["groups"] == "[admin users]" and isinstance(jwt["claims"]["exp"], str)
    assert any(path.endswith("openid-configuration") for path in issuer.requests)


@pytest.mark.parametrize(
    ("case", "description"),
    [
        ("forged", "signature is invalid"),
        ("expired", "has expired"),
        ("audience", "valid audience"),
        ("issuer", "valid issuer"),
        ("garbage", "not a valid JWT"),
    ],
)
def test_jwt_authorizer_refuses_bad_tokens(
    issuer: LocalIssuer, http: str, case: str, description: str
) -> None:
    """ "Troubleshooting JWT authorizers": 401 `{"message":"Unauthorized"}` with a www-authenticate
    header saying why."""
    tokens = {
        "forged": issuer.token(key=RSAKey.generate_key(2048, parameters={"kid": KID})),
        "expired": issuer.token(exp=int(time.time()) - 10),
        "audience": issuer.token(aud="someone-else"),
        "issuer": issuer.token(iss="https://evil.example"),
        "garbage": "not.a.jwt",
    }
    response = requests.get(f"{http}/jwt/local", headers={"Authorization": tokens[case]}, timeout=30)
    assert response.status_code == 401 and response.json() == {"message": "Unauthorized"}
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert description in response.headers["www-authenticate"]


def test_jwt_scopes_are_required_when_the_route_names_them(issuer: LocalIssuer, http: str) -> None:
    """ "...the token must include at least one of the route's scopes" (`scope` or `scp`)."""
    url = f"{http}/jwt/scoped"
    assert requests.get(url, headers={"Authorization": issuer.token(scope="orders/read x")}, timeout=30).ok
    assert requests.get(url, headers={"Authorization": issuer.token(scp=["orders/read"])}, timeout=30).ok
    refused = requests.get(url, headers={"Authorization": issuer.token(scope="orders/write")}, timeout=30)
    assert refused.status_code == 403 and 'error="insufficient_scope"' in refused.headers["www-authenticate"]
    event = _event(
        requests.get(url, headers={"Authorization": issuer.token(scope="orders/read")}, timeout=30)
    )
    assert event["requestContext"]["authorizer"]["jwt"]["scopes"] == ["orders/read"]


# -- Cognito user pools ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cognito_tokens(cloud: LocalCloud) -> dict[str, str]:
    """A user signed up and signed in through cognito-idp, as a client application does."""
    idp = cloud.client("cognito-idp")
    pool_id, client_id = cloud.outputs["UserPoolId"], cloud.outputs["UserPoolClientId"]
    username = unique("user")
    idp.sign_up(
        ClientId=client_id,
        Username=username,
        Password="Passw0rd!Passw0rd",
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=username)
    result = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "Passw0rd!Passw0rd"},
    )["AuthenticationResult"]
    return {"id": result["IdToken"], "access": result["AccessToken"], "username": username}


def test_cognito_user_pool_authorizer_takes_id_tokens(cognito_tokens: dict[str, str], rest: str) -> None:
    """ "Control access to a REST API using Amazon Cognito user pools as authorizer": without scopes
    the token is an identity token; its claims reach the function as authorizer.claims."""
    event = _event(
        requests.get(f"{rest}/cognito", headers={"Authorization": cognito_tokens["id"]}, timeout=30)
    )
    claims = event["requestContext"]["authorizer"]["claims"]
    assert claims["cognito:username"] == cognito_tokens["username"] and claims["token_use"] == "id"
    assert claims["email"] == f"{cognito_tokens['username']}@example.com"
    assert claims["exp"].endswith(str(time.gmtime().tm_year)) and " UTC " in claims["exp"]
    access = requests.get(f"{rest}/cognito", headers={"Authorization": cognito_tokens["access"]}, timeout=30)
    assert access.status_code == 401
    assert requests.get(f"{rest}/cognito", timeout=30).status_code == 401


def test_cognito_scoped_method_takes_access_tokens(cognito_tokens: dict[str, str], rest: str) -> None:
    """ "...Otherwise, API Gateway treats the supplied token as an access token and verifies the
    access scopes"; a token of another issuer, or tampered with, is a 401."""
    url = f"{rest}/cognito-scoped"
    event = _event(requests.get(url, headers={"Authorization": cognito_tokens["access"]}, timeout=30))
    assert event["requestContext"]["authorizer"]["claims"]["token_use"] == "access"
    assert requests.get(url, headers={"Authorization": cognito_tokens["id"]}, timeout=30).status_code == 401
    header, payload, signature = cognito_tokens["access"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scope"] = "aws.cognito.signin.user.admin admin"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    forged = requests.get(
        url, headers={"Authorization": f"{header}.{forged_payload}.{signature}"}, timeout=30
    )
    assert forged.status_code == 401 and forged.json() == {"message": "Unauthorized"}


def test_a_cognito_issuer_on_a_jwt_authorizer(
    cloud: LocalCloud, cognito_tokens: dict[str, str], http: str
) -> None:
    """An HTTP API JWT authorizer whose issuer is the user pool: the embedded AWS serves the pool's
    JWKS; the access token's `client_id` stands for the audience."""
    for kind in ("id", "access"):
        event = _event(
            requests.get(f"{http}/jwt/cognito", headers={"Authorization": cognito_tokens[kind]}, timeout=30)
        )
        assert event["requestContext"]["authorizer"]["jwt"]["claims"]["token_use"] == kind
    pool_id = cloud.outputs["UserPoolId"]
    keys = requests.get(f"{cloud.url}/{pool_id}/.well-known/jwks.json", timeout=30).json()
    assert [key["kid"] for key in keys["keys"]]


def test_routes_without_an_authorizer_stay_open(rest: str) -> None:
    event = _event(requests.get(f"{rest}/open", timeout=30))
    assert "authorizer" not in event["requestContext"]
