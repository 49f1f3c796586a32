"""The rules of mapping templates, policies, caches and gateway responses, without a cloud.

Each test names the API Gateway Developer Guide page whose rule it pins.
"""

from __future__ import annotations

import json

import pytest

from samlite.apigw.authorizers.cache import ResultCache
from samlite.apigw.authorizers.claims import http_claims, rest_claims
from samlite.apigw.authorizers.config import parse_identity_sources
from samlite.apigw.authorizers.policy import MalformedPolicy, Verdict, evaluate
from samlite.apigw.gateway_responses import read_gateway_responses
from samlite.apigw.integrations.config import IntegrationResponse, RestIntegration
from samlite.apigw.integrations.parameters import Backend, http_value, rest_value
from samlite.apigw.integrations.query_json import xml_to_json
from samlite.apigw.integrations.rest_request import UnsupportedMediaType, choose_template
from samlite.apigw.integrations.rest_response import NoIntegrationResponse, select
from samlite.apigw.integrations.vtl import RenderContext, escape_javascript, new_context, render
from samlite.apigw.messages import HttpResponse
from samlite.apigw.request_view import RequestView
from samlite.apigw.responses import forbidden, rest_unauthorized
from samlite.errors import GatewayConfigError

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/Prod/GET/pets/7"


def _view(**overrides) -> RequestView:
    values = {
        "headers": (("Accept", "application/json"), ("X-Id", "h1")),
        "query": (("q", "1"), ("q", "2"), ("name", "query-name")),
        "path_parameters": {"name": "path-name"},
        "stage_variables": {"env": "dev"},
        "context": {"requestId": "r-1", "stage": "Prod", "authorizer": {"principalId": "u1"}},
        "body": b'{"pets": [{"id": 1, "type": "dog"}, {"id": 2, "type": "cat"}], "flag": true, "n": null}',
    }
    values.update(overrides)
    return RequestView(**values)


def _render(template: str, body: str | None = None, view: RequestView | None = None) -> str:
    view = view or _view()
    text = body if body is not None else view.body.decode()
    return render(template, text, RenderContext(new_context(view.context), view.stage_variables, view))


# -- "API Gateway mapping template and access logging variable reference" ------------------------------


def test_input_json_and_path() -> None:
    assert _render("$input.json('$.pets[0]')") == '{"id":1,"type":"dog"}'
    assert _render("$input.path('$.pets').size()") == "2"
    assert _render("#foreach($p in $input.path('$.pets'))$p.type#if($foreach.hasNext),#end#end") == "dog,cat"
    assert _render("$input.path('$.flag')") == "true"  # Java's manners, not Python's
    assert _render("$input.json('$')") == json.dumps(json.loads(_view().body), separators=(",", ":"))
    assert _render("$input.path('$.pets[*].id')") == "[1, 2]"


def test_input_body_and_an_empty_payload() -> None:
    assert _render("[$input.body]", body="raw text") == "[raw text]"
    assert _render("$input.json('$')", body="") == "{}"


def test_input_params_search_path_query_then_header() -> None:
    """`$input.params(x)`: path, then query string, then header; missing is an empty string."""
    assert _render("$input.params('name')") == "path-name"
    assert _render("$input.params('q')") == "2"
    assert _render("$input.params('X-Id')|$input.params('x-id')|[$input.params('none')]") == "h1|h1|[]"
    all_params = _render(
        "#set($all = $input.params())#foreach($type in $all.keySet())$type=$all.get($type).size();#end"
    )
    assert all_params == "path=1;querystring=2;header=2;"


def test_context_and_stage_variables() -> None:
    assert _render("$context.requestId $context.authorizer.principalId $stageVariables.env") == "r-1 u1 dev"


def test_util_functions() -> None:
    assert (
        _render("$util.escapeJavaScript($input.body)", body='it\'s "x"\n/é') == 'it\\\'s \\"x\\"\\n\\/\\u00E9'
    )
    assert _render("$util.urlEncode('a b&c=d*~')") == "a+b%26c%3Dd*%7E"
    assert _render("$util.urlDecode('a+b%26c')") == "a b&c"
    assert _render("$util.base64Encode('hi')|$util.base64Decode('aGk=')") == "aGk=|hi"
    assert _render("#set($o = $util.parseJson('{\"a\": [1, 2]}'))$o.a[1]") == "2"


def test_the_documented_escape_then_unescape_of_single_quotes() -> None:
    """ "$util Variables", escapeJavaScript: "you must turn any escaped single quotes (\\') back to
    regular single quotes" with .replaceAll("\\\\'","'"): Velocity keeps the backslashes."""
    template = '$util.escapeJavaScript($input.body).replaceAll("\\\\\'","\'")'
    assert _render(template, body="it's") == "it's"
    assert escape_javascript("it's") == "it\\'s"


def test_response_override() -> None:
    """ "Use a mapping template to override an API's request and response parameters and status
    codes": $context.responseOverride.status and .header are writable."""
    view = _view()
    context = new_context(view.context)
    render("#set($context.responseOverride.status = 418)", "", RenderContext(context, {}, view))
    assert context["responseOverride"]["status"] == 418


# -- "Amazon API Gateway API request and response data mapping reference" ---------------------------------


def test_rest_mapping_expressions() -> None:
    view = _view()
    assert rest_value("'static'", view) == "static"
    assert rest_value("method.request.header.x-id", view) == "h1"
    assert rest_value("method.request.querystring.q", view) == "2"
    assert rest_value("method.request.multivaluequerystring.q", view) == "1,2"
    assert rest_value("method.request.path.name", view) == "path-name"
    assert rest_value("method.request.body.pets[1].type", view) == "cat"
    assert rest_value("stageVariables.env", view) == "dev" and rest_value("context.requestId", view) == "r-1"
    backend = Backend((("ETag", '"e1"'),), '{"redirect": {"url": "https://x"}}')
    assert rest_value("integration.response.header.etag", view, backend) == '"e1"'
    assert rest_value("integration.response.body.redirect.url", view, backend) == "https://x"


def test_http_api_parameter_mapping() -> None:
    """ "Working with AWS service integrations for HTTP APIs", parameter mapping: repeated values are
    joined with commas; `${...}` mixes static and mapped text."""
    view = _view(join_repeated=True)
    assert http_value("$request.querystring.q", view) == "1,2"
    assert http_value("$request.header.X-ID", view) == "h1"
    assert http_value("$request.body.pets[0].type", view) == "dog"
    assert http_value("$request.body", view) == view.body.decode()
    assert http_value("static", view) == "static"
    assert http_value("id-${request.path.name}-${stageVariables.env}", view) == "id-path-name-dev"


# -- "Integration passthrough behaviors" and integration responses -------------------------------------------


@pytest.mark.parametrize(
    ("passthrough", "content_type", "expected"),
    [
        ("WHEN_NO_MATCH", None, "template"),
        ("WHEN_NO_MATCH", "application/xml", "passthrough"),
        ("WHEN_NO_TEMPLATES", "application/xml", 415),
        ("NEVER", "application/xml", 415),
        ("NEVER", "application/json; charset=utf-8", "template"),
    ],
)
def test_passthrough_behaviors(passthrough: str, content_type: str | None, expected: object) -> None:
    integration = RestIntegration(
        kind="MOCK", request_templates={"application/json": "T"}, passthrough=passthrough
    )
    if expected == 415:
        with pytest.raises(UnsupportedMediaType):
            choose_template(integration, content_type)
        return
    chosen = choose_template(integration, content_type)
    assert (chosen.template == "T") == (expected == "template")


def test_selection_patterns_match_the_whole_value() -> None:
    responses = (
        IntegrationResponse(pattern="4\\d{2}", status=400),
        IntegrationResponse(pattern=".*Not Found.*", status=404),
        IntegrationResponse(pattern=None, status=200),
    )
    assert select(responses, "404").status == 400
    assert select(responses, "4040").status == 200  # a regex must match the whole status
    assert select(responses, "Item Not Found: x").status == 404
    assert select(responses, None).status == 200
    with pytest.raises(NoIntegrationResponse):
        select(responses[:2], "500")


def test_query_services_answer_json_in_their_xml_shape() -> None:
    xml = (
        b'<SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><SendMessageResult>'
        b"<MD5OfMessageBody>abc</MD5OfMessageBody><MessageId>m-1</MessageId></SendMessageResult>"
        b"<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></SendMessageResponse>"
    )
    document = json.loads(xml_to_json("sqs", xml) or b"")
    result = document["SendMessageResponse"]["SendMessageResult"]
    assert result["MessageId"] == "m-1" and result["SequenceNumber"] is None  # every member present
    assert document["SendMessageResponse"]["ResponseMetadata"] == {"RequestId": "r-1"}
    error = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>X</Code><Message>m</Message></Error></ErrorResponse>"
    )
    assert json.loads(xml_to_json("sqs", error) or b"")["Error"]["Code"] == "X"


# -- authorizers --------------------------------------------------------------------------------------------


def _policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_policy_evaluation() -> None:
    """ "Output from an API Gateway Lambda authorizer": wildcards in the method ARN, Deny wins."""
    allow = {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": ARN}
    assert evaluate(_policy(allow), ARN) is Verdict.ALLOW
    wildcard = {**allow, "Resource": "arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/*"}
    assert evaluate(_policy(wildcard), ARN) is Verdict.ALLOW
    assert evaluate(_policy({**allow, "Resource": ARN[:-1] + "8"}), ARN) is Verdict.IMPLICIT_DENY
    deny = {"Effect": "Deny", "Action": ["execute-api:*"], "Resource": ["*"]}
    assert evaluate(_policy(wildcard, deny), ARN) is Verdict.EXPLICIT_DENY
    assert evaluate({"Statement": allow}, ARN) is Verdict.ALLOW  # a lone statement object
    with pytest.raises(MalformedPolicy):
        evaluate(_policy({"Effect": "Maybe", "Action": "*", "Resource": "*"}), ARN)


def test_result_cache_expires_after_its_ttl() -> None:
    """Caching: results live for the TTL, then the authorizer is asked again; TTL 0 caches nothing."""
    now = [100.0]
    cache = ResultCache(clock=lambda: now[0])
    cache.put(("t",), "result", 300)
    cache.put(("u",), "result", 0)
    now[0] += 299
    assert cache.get(("t",)) == "result" and cache.get(("u",)) is None
    now[0] += 2
    assert cache.get(("t",)) is None


def test_identity_sources() -> None:
    sources = parse_identity_sources(
        "x", "method.request.header.Auth, method.request.querystring.t, context.a", http=False
    )
    assert [(s.where, s.name) for s in sources] == [
        ("header", "Auth"),
        ("querystring", "t"),
        ("context", "a"),
    ]
    http = parse_identity_sources("x", ["$request.header.Authorization", "$stageVariables.v"], http=True)
    assert [(s.where, s.name) for s in http] == [("header", "Authorization"), ("stageVariables", "v")]
    with pytest.raises(GatewayConfigError, match=r"identity source 'method\.request\.path\.id'"):
        parse_identity_sources("x", "method.request.path.id", http=False)  # path parameters cannot be


def test_claims_are_strings() -> None:
    claims = {"sub": "s", "exp": 1704067200, "email_verified": True, "groups": ["a", "b"]}
    assert rest_claims(claims) == {
        "sub": "s",
        "exp": "Mon Jan 01 00:00:00 UTC 2024",
        "email_verified": "true",
        "groups": "a,b",
    }
    assert http_claims(claims)["groups"] == "[a b]" and http_claims(claims)["exp"] == "1704067200"


# -- "Gateway responses in API Gateway" -------------------------------------------------------------------


def test_gateway_responses_customize_and_fall_back_to_default_4xx() -> None:
    responses = read_gateway_responses(
        "Api",
        {
            "x-amazon-apigateway-gateway-responses": {
                "UNAUTHORIZED": {
                    "statusCode": "419",
                    "responseParameters": {"gatewayresponse.header.X-Req": "method.request.header.X-Id"},
                    "responseTemplates": {
                        "application/json": '{"m": $context.error.messageString, "s": "$stageVariables.env"}'
                    },
                },
                "DEFAULT_4XX": {"responseParameters": {"gatewayresponse.header.X-Default": "'yes'"}},
            }
        },
    )
    restyled = responses.apply(rest_unauthorized(), _view())
    assert restyled.status == 419 and restyled.header("X-Req") == "h1"
    assert json.loads(restyled.body) == {"m": "Unauthorized", "s": "dev"}
    fallback = responses.apply(forbidden(), _view())
    assert (
        fallback.status == 403
        and fallback.header("X-Default") == "yes"
        and fallback.body == b'{"message":"Forbidden"}'
    )
    integration_answer = HttpResponse(404, [], b"mine")
    assert responses.apply(integration_answer, _view()) is integration_answer  # never the integration's
    with pytest.raises(GatewayConfigError, match="'NOPE' is not a gateway response type"):
        read_gateway_responses("Api", {"x-amazon-apigateway-gateway-responses": {"NOPE": {}}})
