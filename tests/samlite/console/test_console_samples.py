"""The events "invoke now" starts from: each trigger's own shape, from `samlite.events`."""

from __future__ import annotations

from pathlib import Path

from samlite.console.sample_events import sample_events
from samlite.model import FunctionSpec


def _spec(events: dict) -> FunctionSpec:
    return FunctionSpec("Fn", "fn", "app.handler", "python3.12", Path("."), events=events)


def test_an_s3_trigger_gives_an_event_for_its_bucket_and_a_key_its_filter_accepts() -> None:
    events = {
        "Upload": {
            "Type": "S3",
            "Properties": {
                "Bucket": "photos",
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {
                    "S3Key": {
                        "Rules": [{"Name": "prefix", "Value": "in/"}, {"Name": "suffix", "Value": ".jpg"}]
                    }
                },
            },
        }
    }
    sample = sample_events(_spec(events), "eu-west-1")[0]
    record = sample["event"]["Records"][0]
    assert record["s3"]["bucket"]["name"] == "photos" and record["awsRegion"] == "eu-west-1"
    assert record["s3"]["object"]["key"] == "in/example.jpg" and record["eventName"] == "ObjectCreated:Put"
    removal = {"Gone": {"Type": "S3", "Properties": {"Bucket": "b", "Events": "s3:ObjectRemoved:*"}}}
    assert (
        sample_events(_spec(removal), "us-east-1")[0]["event"]["Records"][0]["eventName"]
        == "ObjectRemoved:Delete"
    )


def test_api_triggers_give_proxy_events_with_their_method_and_path() -> None:
    events = {
        "Get": {"Type": "Api", "Properties": {"Path": "/items/{id}", "Method": "get"}},
        "Post": {"Type": "HttpApi", "Properties": {"Path": "/orders", "Method": "POST"}},
    }
    rest, http, empty = sample_events(_spec(events), "us-east-1")
    assert rest["event"]["httpMethod"] == "GET" and rest["event"]["path"] == "/items/example"
    assert rest["event"]["resource"] == "/items/{id}"
    assert http["event"]["routeKey"] == "POST /orders" and http["event"]["rawPath"] == "/orders"
    assert empty == {"label": "empty event", "event": {}}


def test_a_trigger_without_a_builder_says_so_instead_of_inventing_a_shape() -> None:
    sample = sample_events(_spec({"Odd": {"Type": "IoTRule", "Properties": {}}}), "us-east-1")[0]
    assert sample["event"] is None and "IoTRule" in sample["note"]
