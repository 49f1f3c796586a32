"""The `full` fixture: Globals, parameters, conditions, every intrinsic, policies, DLQ, EventInvokeConfig."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from samlite.errors import UnsupportedError
from samlite.template import Stack, TemplateError, load_stack

FIXTURES = Path(__file__).parent / "fixtures"
FULL = FIXTURES / "full" / "template.yaml"
NAME_SUFFIX = r"[A-Z0-9]{13}"


@pytest.fixture(scope="module")
def stack() -> Stack:
    return load_stack(FULL)


def test_globals_merge_and_function_overrides(stack: Stack) -> None:
    catalog = stack.function("CatalogFunction")
    api = stack.function("ApiFunction")
    assert catalog.timeout == 12 and api.timeout == 7  # function value beats Globals
    assert catalog.memory_size == api.memory_size == 256
    assert catalog.runtime == "python3.12"
    assert catalog.environment["GLOBAL_VAR"] == "overridden-by-function"
    assert api.environment == {"GLOBAL_VAR": "from-globals", "STAGE": "dev"}


def test_code_uri_is_absolute_and_local(stack: Stack) -> None:
    assert stack.function("CatalogFunction").code_uri == (FULL.parent / "src").resolve()
    assert stack.function("ApiFunction").code_uri == (FULL.parent / "other").resolve()
    assert stack.function("CatalogFunction").code_uri.is_absolute()


def test_ref_and_getatt_values_follow_cloudformation_naming(stack: Stack) -> None:
    env = stack.function("CatalogFunction").environment
    assert re.fullmatch(rf"samlite-CatalogTable-{NAME_SUFFIX}", env["TABLE_NAME"])
    assert env["TABLE_ARN"] == f"arn:aws:dynamodb:us-east-1:123456789012:table/{env['TABLE_NAME']}"
    assert env["STREAM_ARN"].startswith(env["TABLE_ARN"] + "/stream/")
    assert re.fullmatch(r"samlite-uploadbucket-[a-z0-9]{13}", env["BUCKET"])
    assert env["BUCKET_ARN"] == f"arn:aws:s3:::{env['BUCKET']}/*"
    assert env["NAMED_BUCKET"] == "cat-named-123456789012"
    assert env["QUEUE_URL"] == "https://sqs.us-east-1.amazonaws.com/123456789012/failures"
    assert env["QUEUE_ARN"] == "arn:aws:sqs:us-east-1:123456789012:failures"
    assert re.fullmatch(rf"arn:aws:sns:us-east-1:123456789012:samlite-Notices-{NAME_SUFFIX}", env["TOPIC"])
    assert stack.function("ApiFunction").function_name == "cat-api-dev"


def test_every_intrinsic_resolves(stack: Stack) -> None:
    env = stack.function("CatalogFunction").environment
    assert env["LITERAL"] == "${NotAVariable}-dev"
    assert env["SUB_MAP"] == "Hello, cat!"
    assert env["JOINED"] == "alpha|beta|gamma"  # CommaDelimitedList items are space-trimmed
    assert env["SECOND_ZONE"] == "beta"
    assert env["SPLIT_PICK"] == "c"
    assert env["SIZES"] == "1,2,3"
    assert base64.b64decode(env["ENCODED"]) == b"hi"
    assert env["FIRST_AZ"] == "us-east-1a"
    assert env["IF_PROD"] == "not-prod"
    assert env["DEV_AND_CAT"] == "yes"
    assert env["DEV_OR_PROD"] == "yes"
    assert "REMOVED" not in env  # !If [..., !Ref AWS::NoValue]
    assert env["IMPORTED"] == "<ImportValue:shared-vpc-id>"
    assert any("shared-vpc-id" in warning and "IMPORTED" in warning for warning in stack.warnings)


def test_pseudo_parameters(stack: Stack) -> None:
    env = stack.function("CatalogFunction").environment
    assert (env["REGION"], env["ACCOUNT"], env["STACK"], env["URL_SUFFIX"]) == (
        "us-east-1",
        "123456789012",
        "samlite",
        "amazonaws.com",
    )
    assert re.fullmatch(
        r"arn:aws:cloudformation:us-east-1:123456789012:stack/samlite/[0-9a-f-]{36}", env["STACK_ID"]
    )


def test_scalars_become_strings_as_lambda_stores_them(stack: Stack) -> None:
    env = stack.function("CatalogFunction").environment
    assert env["NUMBER"] == "42" and env["FLAG"] == "true" and env["RETRIES"] == "1"
    assert all(isinstance(value, str) for value in env.values())


def test_find_in_map_and_logging_config(stack: Stack) -> None:
    catalog = stack.function("CatalogFunction")
    assert catalog.log_format == "JSON"
    assert catalog.application_log_level == "DEBUG"
    assert stack.function("ApiFunction").log_format == "Text"


def test_condition_false_resource_and_output_are_omitted(stack: Stack) -> None:
    assert "ProdOnlyQueue" not in stack.resources
    assert "ProdQueue" not in stack.outputs
    assert "DeadLetters" in stack.resources


def test_condition_true_with_prod_override() -> None:
    prod = load_stack(FULL, parameter_overrides={"Stage": "prod"})
    env = prod.function("CatalogFunction").environment
    assert env["IF_PROD"] == prod.resources["ProdOnlyQueue"].ref
    assert env["REMOVED"] == "kept"
    assert env["DEV_AND_CAT"] == "no"
    assert prod.function("CatalogFunction").application_log_level == "WARNING"
    assert prod.outputs["ProdQueue"] == prod.resources["ProdOnlyQueue"].ref
    assert prod.function("ApiFunction").function_name == "cat-api-prod"


def test_policy_templates_are_expanded_and_resolved(stack: Stack) -> None:
    catalog = stack.function("CatalogFunction")
    bucket = stack.resources["UploadBucket"].ref
    table_arn = stack.resources["CatalogTable"].attributes["Arn"]
    inline = {p["PolicyName"]: p["PolicyDocument"] for p in catalog.policy_documents if "PolicyDocument" in p}
    statements = [s for doc in inline.values() for s in doc["Statement"]]
    s3_read = next(s for s in statements if "s3:GetObject" in s["Action"])
    assert s3_read["Resource"] == [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    crud = next(s for s in statements if "dynamodb:PutItem" in s["Action"])
    assert crud["Resource"] == [table_arn, f"{table_arn}/index/*"]
    publish = next(s for s in statements if s["Action"] == "sns:Publish")
    assert publish["Resource"] == stack.resources["Notices"].ref
    managed = {p["PolicyName"]: p["PolicyArn"] for p in catalog.policy_documents if "PolicyArn" in p}
    assert managed == {
        "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "AmazonS3ReadOnlyAccess": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    }
    assert catalog.role_arn == stack.resources["CatalogFunctionRole"].attributes["Arn"]
    assert catalog.role_arn.startswith("arn:aws:iam::123456789012:role/samlite-CatalogFunctionRole-")


def test_dead_letter_queue_and_event_invoke_config(stack: Stack) -> None:
    catalog = stack.function("CatalogFunction")
    assert catalog.dead_letter_target_arn == stack.resources["DeadLetters"].attributes["Arn"]
    config = catalog.event_invoke_config
    assert config.maximum_retry_attempts == 1  # from !Ref Retries
    assert config.maximum_event_age_seconds == 600
    assert config.on_failure_arn == "arn:aws:sqs:us-east-1:123456789012:failures"
    assert config.on_success_arn is None
    dlq_policy = next(p for p in catalog.policy_documents if p["PolicyName"] == "DeadLetterQueuePolicy")
    assert dlq_policy["PolicyDocument"]["Statement"][0]["Resource"] == catalog.dead_letter_target_arn
    api = stack.function("ApiFunction")
    assert api.event_invoke_config.maximum_retry_attempts == 2  # Lambda's default
    assert api.dead_letter_target_arn is None


def test_reserved_concurrency_and_architectures(stack: Stack) -> None:
    assert stack.function("CatalogFunction").reserved_concurrency == 5
    assert stack.function("ApiFunction").reserved_concurrency is None
    assert stack.function("ApiFunction").architectures == ("arm64",)


def test_events_are_resolved_from_the_sam_resource(stack: Stack) -> None:
    upload = stack.function("CatalogFunction").events["Upload"]
    assert upload == {
        "Type": "S3",
        "Properties": {"Bucket": stack.resources["InboxBucket"].ref, "Events": "s3:ObjectCreated:*"},
    }
    assert set(stack.function("ApiFunction").events) == {"List", "Http"}


def test_translated_template_keeps_intrinsics_and_s3_notification(stack: Stack) -> None:
    bucket = stack.cfn_template["Resources"]["InboxBucket"]
    config = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"][0]
    assert config["Function"] == {"Fn::GetAtt": ["CatalogFunction", "Arn"]}
    resolved = stack.resources["InboxBucket"].properties["NotificationConfiguration"]
    assert resolved["LambdaConfigurations"][0]["Function"] == (
        f"arn:aws:lambda:us-east-1:123456789012:function:{stack.function('CatalogFunction').function_name}"
    )


def test_implicit_apis_get_stable_ids_and_outputs(stack: Stack) -> None:
    rest = stack.resources["ServerlessRestApi"]
    http = stack.resources["ServerlessHttpApi"]
    assert re.fullmatch(r"[a-z0-9]{10}", rest.ref) and re.fullmatch(r"[a-z0-9]{10}", http.ref)
    assert stack.outputs["ApiUrl"] == f"https://{rest.ref}.execute-api.us-east-1.amazonaws.com/Prod/items"
    assert stack.outputs["HttpApiUrl"] == f"https://{http.ref}.execute-api.us-east-1.amazonaws.com"
    assert stack.resources["ServerlessRestApiProdStage"].ref == "Prod"
    assert stack.outputs["BucketName"] == stack.resources["UploadBucket"].ref


def test_names_are_stable_across_loads_and_depend_on_stack_name(stack: Stack) -> None:
    again = load_stack(FULL)
    assert again.resources["CatalogTable"].ref == stack.resources["CatalogTable"].ref
    other = load_stack(FULL, stack_name="other")
    assert other.resources["CatalogTable"].ref.startswith("other-CatalogTable-")
    assert other.resources["CatalogTable"].ref[-13:] != stack.resources["CatalogTable"].ref[-13:]


def test_region_account_and_endpoint_shape_arns_and_queue_urls() -> None:
    local = load_stack(
        FULL, region="eu-west-1", account_id="000000000000", endpoint_url="http://127.0.0.1:4566/"
    )
    env = local.function("CatalogFunction").environment
    assert env["QUEUE_URL"] == "http://127.0.0.1:4566/000000000000/failures"
    assert env["TABLE_ARN"].startswith("arn:aws:dynamodb:eu-west-1:000000000000:table/")
    assert env["FIRST_AZ"] == "eu-west-1a"


def test_function_lookup_by_physical_name_and_unknown_id(stack: Stack) -> None:
    assert stack.function("cat-api-dev").logical_id == "ApiFunction"
    with pytest.raises(TemplateError, match=r"no function 'Nope'.*'ApiFunction', 'CatalogFunction'"):
        stack.function("Nope")


def test_unsupported_functions_fail_only_when_used(stack: Stack) -> None:
    assert set(stack.functions) == {"CatalogFunction", "ApiFunction"}
    with pytest.raises(UnsupportedError, match=r"Function 'NodeFunction' property 'Runtime': 'nodejs20.x'"):
        stack.function("NodeFunction")
    with pytest.raises(
        UnsupportedError, match=r"Function 'LayeredFunction' property 'Layers': .*--layer-map"
    ):
        stack.function("LayeredFunction")


def test_mixed_template_image_function_rejected_clearly() -> None:
    mixed = load_stack(FIXTURES / "mixed" / "template.yaml")
    assert mixed.function("PyFunction").runtime == "python3.11"
    with pytest.raises(
        UnsupportedError, match=r"Function 'ImageFunction' property 'PackageType': container-image"
    ):
        mixed.function("ImageFunction")


def test_parameters_exclude_pseudo_parameters(stack: Stack) -> None:
    assert stack.parameters == {
        "Stage": "dev",
        "Prefix": "cat",
        "Retries": "1",
        "Zones": "alpha, beta,gamma",
        "Sizes": "1,2,3",
        "Secret": "hunter2",
    }


def test_template_directory_is_accepted() -> None:
    assert load_stack(FULL.parent).path == FULL


def test_unsupported_function_by_physical_name(stack: Stack) -> None:
    node_name = stack.resources["NodeFunction"].ref
    with pytest.raises(UnsupportedError, match=r"Function 'NodeFunction' property 'Runtime'"):
        stack.function(node_name)


def test_output_details_in_describe_stacks_shape(stack: Stack) -> None:
    bucket = next(detail for detail in stack.output_details if detail["OutputKey"] == "BucketName")
    assert bucket == {
        "OutputKey": "BucketName",
        "OutputValue": stack.resources["UploadBucket"].ref,
        "ExportName": "samlite-bucket",
    }
    assert [d["OutputKey"] for d in stack.output_details] == list(stack.outputs)
