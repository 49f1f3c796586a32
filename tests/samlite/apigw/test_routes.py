"""The route table read from translated templates: paths, methods, keys, CORS, stages, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from samlite.apigw import GatewayConfigError, load_routes
from samlite.apigw.authorizers.config import LambdaAuthorizer
from samlite.apigw.integrations.config import RestIntegration
from samlite.apigw.paths import PathTemplate
from samlite.apigw.route_matching import match_route, mounts_for
from samlite.apigw.routes import HTTP, REST
from samlite.template import Stack, load_stack


def _by_key(api):
    return {route.route_key: route for route in api.routes}


def test_implicit_rest_api_routes(gateway_stack: Stack) -> None:
    apis = {api.logical_id: api for api in load_routes(gateway_stack).apis}
    rest = apis["ServerlessRestApi"]
    assert (
        rest.kind == REST
        and rest.stage == "Prod"
        and rest.api_id == gateway_stack.resources["ServerlessRestApi"].ref
    )
    routes = _by_key(rest)
    assert set(routes) == {
        "GET /items/{id}",
        "OPTIONS /items/{id}",
        "POST /items/special",
        "OPTIONS /items/special",
        "ANY /files/{key+}",
        "OPTIONS /files/{key+}",
        "ANY /open",
        "OPTIONS /open",
    }
    assert routes["GET /items/{id}"].api_key_required and routes["ANY /files/{key+}"].api_key_required
    assert not routes["ANY /open"].api_key_required
    assert routes["GET /items/{id}"].function is gateway_stack.functions["EchoFunction"]
    assert routes["GET /items/{id}"].payload_format == "1.0"
    # SAM's CORS `options` methods are mock integrations answering with the configured headers.
    mock = routes["OPTIONS /open"].integration
    assert isinstance(mock, RestIntegration) and mock.kind == "MOCK"
    (default,) = mock.responses
    assert default.pattern is None and default.status == 200
    assert default.parameters["Access-Control-Allow-Origin"] == "'https://example.com'"
    assert default.parameters["Access-Control-Max-Age"] == "'600'"
    assert rest.binary_media_types == ("image/png",)


def test_http_api_routes_and_cors(gateway_stack: Stack) -> None:
    api = next(api for api in load_routes(gateway_stack).apis if api.logical_id == "HttpApi")
    assert api.kind == HTTP and api.stage == "$default"
    routes = _by_key(api)
    assert set(routes) == {"GET /things/{id}", "ANY /any/{proxy+}"}
    assert routes["GET /things/{id}"].payload_format == "2.0"
    assert api.cors is not None and api.cors.allow_origins == ("https://example.com",)
    assert api.cors.max_age == 300 and api.cors.expose_headers == ("x-echo",)


def test_explicit_apis_stage_variables_and_payload_format(explicit_stack: Stack) -> None:
    apis = {api.logical_id: api for api in load_routes(explicit_stack).apis}
    assert apis["Api"].stage == "v1" and apis["Api"].stage_variables == {"color": "blue"}
    assert _by_key(apis["Api"])["GET /items/{id}"].api_key_required  # Auth.ApiKeyRequired on the API
    implicit_http = _by_key(apis["ServerlessHttpApi"])
    assert implicit_http["ANY /implicit/{proxy+}"].payload_format == "1.0"
    assert implicit_http["ANY /implicit/{proxy+}"].timeout_s == 1.0  # TimeoutInMillis
    assert implicit_http["$default"].payload_format == "2.0"


def test_mounts_follow_the_deployed_urls(gateway_stack: Stack) -> None:
    mounts = {mount.api.logical_id: mount.base for mount in mounts_for(load_routes(gateway_stack).apis)}
    assert mounts == {"ServerlessRestApi": "/Prod", "HttpApi": ""}


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/items/special", "POST /items/special"),  # a literal beats {id}
        ("GET", "/items/42", "GET /items/{id}"),
        ("GET", "/items/special", None),  # REST picks the resource first: no GET on it -> not found
        ("DELETE", "/files/a/b/c.txt", "ANY /files/{key+}"),
        ("GET", "/files", None),  # a greedy parameter needs at least one segment
        ("GET", "/items/42/more", None),
        ("PATCH", "/open/", "ANY /open"),  # one trailing slash is ignored
    ],
)
def test_rest_route_matching(gateway_stack: Stack, method: str, path: str, expected: str | None) -> None:
    rest = next(api for api in load_routes(gateway_stack).apis if api.kind == REST)
    match = match_route(rest, method, path)
    assert (match.route.route_key if match else None) == expected


def test_greedy_path_parameter_keeps_slashes_and_encoding() -> None:
    template = PathTemplate.parse("/files/{key+}")
    assert template.match("/files/a/b%20c/d%2Fe") == {"key": "a/b%20c/d%2Fe"}
    with pytest.raises(ValueError, match="must be the last segment"):
        PathTemplate.parse("/files/{key+}/x")


def _write_template(tmp_path: Path, uri: str) -> Path:
    (tmp_path / "echo").mkdir()
    (tmp_path / "echo" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    (tmp_path / "template.yaml").write_text(
        f"""
Transform: AWS::Serverless-2016-10-31
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties: {{Runtime: python3.12, CodeUri: echo/, Handler: app.handler}}
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      DefinitionBody:
        swagger: "2.0"
        info: {{title: t, version: "1"}}
        paths:
          /broken:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: {uri}
"""
    )
    return tmp_path / "template.yaml"


def test_unresolvable_target_names_resource_and_route(tmp_path: Path) -> None:
    uri = (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:us-east-1:123456789012:function:Missing/invocations"
    )
    stack = load_stack(_write_template(tmp_path, uri))
    with pytest.raises(GatewayConfigError, match=r"Resource 'MyApi' route GET /broken: .*function:Missing"):
        load_routes(stack)


def test_explicit_definition_body_resolves_function_by_sub(tmp_path: Path) -> None:
    uri = (
        '!Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/'
        '${EchoFunction.Arn}/invocations"'
    )
    stack = load_stack(_write_template(tmp_path, uri))
    (api,) = load_routes(stack).apis
    assert api.stage == "dev"
    assert api.routes[0].function is stack.functions["EchoFunction"]


def test_a_default_authorizer_protects_the_route(tmp_path: Path) -> None:
    (tmp_path / "echo").mkdir()
    (tmp_path / "echo" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    (tmp_path / "template.yaml").write_text(
        """
Transform: AWS::Serverless-2016-10-31
Resources:
  Authorizer:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, CodeUri: echo/, Handler: app.handler}
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Auth:
        DefaultAuthorizer: TokenAuth
        Authorizers:
          TokenAuth:
            FunctionArn: !GetAtt Authorizer.Arn
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      CodeUri: echo/
      Handler: app.handler
      Events:
        Get:
          Type: Api
          Properties: {RestApiId: !Ref MyApi, Path: /secret, Method: get}
"""
    )
    stack = load_stack(tmp_path / "template.yaml")
    table = load_routes(stack)
    (api,) = table.apis
    (route,) = api.routes
    assert route.authorization is not None
    authorizer = route.authorization.authorizer
    assert isinstance(authorizer, LambdaAuthorizer) and authorizer.name == "TokenAuth"
    assert authorizer.event_type == "TOKEN" and authorizer.function is stack.functions["Authorizer"]
    # API Gateway's defaults: the Authorization header, results cached for 300 s.
    assert [s.expression for s in authorizer.identity_sources] == ["method.request.header.Authorization"]
    assert authorizer.ttl_s == 300
    assert not any("authorizer" in warning for warning in table.warnings)
