"""The API's part of template.yaml: the RestApi's key and throttling, the function's wiring and its
least privilege (after aws-sam-translator's transform, i.e. the IAM role AWS creates), and listing
indexes that are exactly the ones the code queries."""

from __future__ import annotations

from typing import Any

from upload_catalog.catalog_index import INDEXES

from tests.template.sam_template import BUCKET_NAME, props, sub

BUCKET = sub(BUCKET_NAME)


def _names(resource: Any) -> list[str]:
    resources = resource if isinstance(resource, list) else [resource]
    named = []
    for res in resources:
        if isinstance(res, dict) and "Fn::GetAtt" in res:
            named.append(".".join(res["Fn::GetAtt"]))
        else:
            named.append(sub(res, {"CatalogTable.Arn": "CatalogTable.Arn"}))
    return named


def test_api_function_has_least_privilege(transformed: dict[str, Any]) -> None:
    role = props(transformed, "ApiFunctionRole")
    assert role["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    granted = set()
    for policy in role["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            assert "Condition" not in statement
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            granted |= {(a, r) for a in actions for r in _names(statement["Resource"])}
    bucket_arn = f"arn:aws:s3:::{BUCKET}"
    assert granted == {
        ("dynamodb:GetItem", "CatalogTable.Arn"),
        ("dynamodb:GetItem", "CatalogTable.Arn/index/*"),
        ("dynamodb:Query", "CatalogTable.Arn"),
        ("dynamodb:Query", "CatalogTable.Arn/index/*"),
        ("dynamodb:GetItem", "CatalogStatsTable.Arn"),  # GET /stats: one GetItem or one Query
        ("dynamodb:Query", "CatalogStatsTable.Arn"),
        ("s3:PutObject", f"{bucket_arn}/uploads/*"),  # presigned POSTs only under uploads/
        ("s3:GetObject", f"{bucket_arn}/*"),
        ("s3:DeleteObject", f"{bucket_arn}/*"),
    }


def test_api_function_wiring(template: dict[str, Any], transformed: dict[str, Any]) -> None:
    fn = props(template, "ApiFunction")
    assert fn["Handler"] == "upload_catalog.handlers.api.handle"
    assert fn["CodeUri"] == "app/"
    assert fn["Environment"]["Variables"] == {
        "CATALOG_TABLE": {"Ref": "CatalogTable"},
        "UPLOADS_BUCKET": {"Ref": "UploadsBucket"},
        "ALLOWED_CONTENT_TYPES": {"Fn::Join": [",", {"Ref": "AllowedContentTypes"}]},
        "MAX_UPLOAD_BYTES": {"Ref": "MaxUploadBytes"},
        "CORS_ALLOWED_ORIGINS": {"Ref": "CorsAllowedOrigins"},
        "STATS_TABLE": {"Ref": "CatalogStatsTable"},
    }
    assert props(template, "ApiFunctionLogGroup")["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${ApiFunction}"}
    # API Gateway waits at most 29 s for the integration: the function must give up sooner.
    assert props(transformed, "ApiFunction")["Timeout"] < 29


def test_rest_api_requires_a_key_and_throttles(template: dict[str, Any], transformed: dict[str, Any]) -> None:
    api = props(template, "CatalogApi")
    assert api["Auth"]["ApiKeyRequired"] is True
    assert api["Auth"]["UsagePlan"]["CreateUsagePlan"] == "PER_API"
    kinds = {k: v["Type"] for k, v in transformed["Resources"].items()}
    assert kinds["CatalogApi"] == "AWS::ApiGateway::RestApi"
    assert kinds["CatalogApiApiKey"] == "AWS::ApiGateway::ApiKey"  # the ApiKeyId output refers to it
    assert kinds["CatalogApiUsagePlanKey"] == "AWS::ApiGateway::UsagePlanKey"
    assert api["Auth"]["UsagePlan"]["Throttle"] == {
        "RateLimit": {"Ref": "ApiThrottleRateLimit"},
        "BurstLimit": {"Ref": "ApiThrottleBurstLimit"},
    }
    # The transform resolves parameters (here: their defaults) into the generated usage plan.
    defaults = {
        name: template["Parameters"][name]["Default"]
        for name in ("ApiThrottleRateLimit", "ApiThrottleBurstLimit")
    }
    assert props(transformed, "CatalogApiUsagePlan")["Throttle"] == {
        "RateLimit": defaults["ApiThrottleRateLimit"],
        "BurstLimit": defaults["ApiThrottleBurstLimit"],
    }
    paths = props(transformed, "CatalogApi")["Body"]["paths"]
    for path, methods in paths.items():
        for method, operation in methods.items():
            keyed = operation.get("security") == [{"api_key": []}]
            # Browsers send preflights without custom headers: only OPTIONS may go without the key.
            assert keyed == (method != "options"), (method, path, operation.get("security"))


def test_cors_origins_are_a_parameter_without_a_wildcard_default(template: dict[str, Any]) -> None:
    param = template["Parameters"]["CorsAllowedOrigins"]
    assert param["Type"] == "String"
    assert "*" not in param["Default"]
    assert template["Parameters"]["MaxUploadBytes"]["MaxValue"] == 5 * 1024**3
    assert template["Parameters"]["AllowedContentTypes"]["Type"] == "CommaDelimitedList"


def test_listing_indexes_are_the_ones_the_code_queries(template: dict[str, Any]) -> None:
    table = props(template, "CatalogTable")
    declared = {
        gsi["IndexName"]: (
            [(k["AttributeName"], k["KeyType"]) for k in gsi["KeySchema"]],
            gsi["Projection"]["ProjectionType"],
        )
        for gsi in table["GlobalSecondaryIndexes"]
    }
    expected = {spec.name: ([(spec.partition, "HASH"), (spec.sort, "RANGE")], "ALL") for spec in INDEXES}
    assert declared == expected
