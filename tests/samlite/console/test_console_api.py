"""The console's JSON API on a running local cloud: what each page reads and what its actions do,
and the guard in front of it (token, Host, Origin)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import requests

from samlite.cloud.local_cloud import LocalCloud
from tests.samlite.console.conftest import ConsoleClient
from tests.samlite.embedded import wait_until

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def unique_key(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# -- the guard ----------------------------------------------------------------------------------------


def test_api_calls_without_the_token_are_refused(console: ConsoleClient) -> None:
    answer = requests.get(console.url("/stack"), timeout=10)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "MissingToken"
    wrong = requests.get(console.url("/stack"), headers={"X-Samlite-Token": "guess"}, timeout=10)
    assert wrong.status_code == 403


def test_the_page_carries_the_token_and_a_strict_policy(console: ConsoleClient) -> None:
    page = requests.get(console.base + "/", timeout=10)
    assert page.status_code == 200
    assert f'name="samlite-token" content="{console.token}"' in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "Access-Control-Allow-Origin" not in page.headers
    assert requests.get(console.base, timeout=10, allow_redirects=False).headers["Location"] == "/_samlite/"


def test_another_host_name_is_refused_even_with_the_token(console: ConsoleClient) -> None:
    """A page of another site whose name resolves to 127.0.0.1 (DNS rebinding) sends its own Host."""
    port = console.base.split(":")[2].split("/")[0]
    answer = console.call("GET", "/stack", headers={"Host": f"attacker.example:{port}"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "WrongHost"
    assert console.call("GET", "/stack", headers={"Host": f"localhost:{port}"}).status_code == 200


def test_cross_origin_changes_are_refused_even_with_the_token(console: ConsoleClient, outputs: Any) -> None:
    path = f"/s3/buckets/{outputs['BucketName']}/object?key=cross-origin.txt"
    answer = console.call("PUT", path, data=b"x", headers={"Origin": "https://attacker.example"})
    assert answer.status_code == 403
    answer = console.call("PUT", path, data=b"x", headers={"Sec-Fetch-Site": "cross-site"})
    assert answer.status_code == 403
    answer = console.call("GET", "/stack", headers={"Sec-Fetch-Site": "same-site"})
    assert answer.status_code == 403


def test_the_trigger_path_is_left_to_the_schedules(cloud: LocalCloud) -> None:
    answer = requests.post(f"{cloud.url}/_samlite/trigger/Nightly", timeout=10)
    assert "MissingToken" not in answer.text  # not the console's answer


def test_unknown_api_paths_and_methods_are_named(console: ConsoleClient) -> None:
    missing = console.call("GET", "/nothing-here")
    assert missing.status_code == 404 and "/nothing-here" in missing.json()["error"]["message"]
    wrong = console.call("DELETE", "/stack")
    assert wrong.status_code == 405


# -- stack --------------------------------------------------------------------------------------------


def test_stack_lists_every_resource_with_its_local_name_and_what_is_emulated(
    console: ConsoleClient, outputs: Any
) -> None:
    stack = console.get("/stack")
    resources = {row["logicalId"]: row for row in stack["resources"]}
    assert resources["Photos"]["physicalId"] == outputs["BucketName"]
    assert resources["Photos"]["status"] == "emulated"
    assert resources["Catalog"]["type"] == "AWS::DynamoDB::Table"
    assert resources["Zone"]["status"] == "not emulated"
    assert resources["Zone"]["note"]
    outputs_shown = {row["key"]: row for row in stack["outputs"]}
    assert outputs_shown["FailedEventsUrl"]["description"] == "where the catalogue's failed events end up"
    assert any(re.fullmatch(r"export AWS_ACCESS_KEY_ID=\S+", line) for line in stack["exportLines"])
    assert f"export AWS_ENDPOINT_URL={stack['endpoint']}" in stack["exportLines"]


# -- functions ----------------------------------------------------------------------------------------


def test_functions_show_configuration_role_policies_and_a_sample_event(
    console: ConsoleClient, outputs: Any
) -> None:
    listed = {row["logicalId"]: row for row in console.get("/functions")["functions"]}
    assert listed["Echo"]["architecture"] == "arm64" and listed["Echo"]["memorySize"] == 128
    assert listed["Cataloguer"]["triggers"] == ["S3"]
    config = console.get("/functions/Cataloguer")
    assert config["environment"]["TABLE_NAME"] == outputs["TableName"]
    assert config["role"].startswith("arn:aws:iam::123456789012:role/")
    actions = json.dumps(config["policies"])
    assert "s3:GetObject" in actions and "dynamodb:PutItem" in actions
    sample = config["samples"][0]
    assert sample["event"]["Records"][0]["s3"]["bucket"]["name"] == outputs["BucketName"]
    assert sample["event"]["Records"][0]["eventName"] == "ObjectCreated:Put"
    assert config["samples"][-1] == {"label": "empty event", "event": {}}


def test_invoke_now_runs_the_edited_event_and_records_it(console: ConsoleClient, cloud: LocalCloud) -> None:
    marker = unique_key("edited")
    answer = console.send("POST", "/functions/Echo/invoke", json={"event": {"marker": marker}})
    assert answer["functionError"] is None
    assert answer["response"] == {"echo": {"marker": marker}}
    assert f"echo {json.dumps({'marker': marker})}" in answer["logTail"]
    rows = console.get("/functions/Echo/invocations")["invocations"]
    newest = rows[0]
    assert newest["source"] == "lambda-api" and newest["trigger"] == "Invoke API"
    assert newest["billedMs"] >= 1 and newest["memorySize"] == 128 and newest["architecture"] == "arm64"
    detail = console.get(f"/functions/Echo/invocations/{newest['requestId']}")
    assert detail["event"] == {"marker": marker}
    assert detail["response"] == {"echo": {"marker": marker}}
    assert any(line.startswith("REPORT RequestId: " + newest["requestId"]) for line in detail["logLines"])


def test_invoke_now_reports_what_is_wrong_with_the_request(console: ConsoleClient) -> None:
    assert console.call("POST", "/functions/Echo/invoke", data=b"not json").status_code == 400
    assert "'event'" in console.call("POST", "/functions/Echo/invoke", json={}).json()["error"]["message"]
    missing = console.call("POST", "/functions/Nope/invoke", json={"event": {}})
    assert missing.status_code == 404 and "'Nope'" in missing.json()["error"]["message"]


def test_the_log_tail_follows_from_where_the_reader_is(console: ConsoleClient) -> None:
    start = console.get("/functions/Echo/logs")["next"]
    marker = unique_key("tail")
    console.send("POST", "/functions/Echo/invoke", json={"event": marker})
    after = console.get(f"/functions/Echo/logs?after={start}")
    assert after["from"] == start
    assert any(marker in line for line in after["lines"])
    assert after["lines"][0].startswith("START RequestId:")


def test_changes_answer_when_something_is_recorded(console: ConsoleClient) -> None:
    now = console.get("/changes")
    assert console.get(f"/changes?since={now['version']}&wait=0")["version"] == now["version"]
    import threading

    invoke = threading.Timer(0.3, lambda: console.call("POST", "/functions/Echo/invoke", json={"event": 1}))
    invoke.start()
    try:
        later = console.get(f"/changes?since={now['version']}&wait=20")
    finally:
        invoke.join()
    assert later["version"] != now["version"]
    assert later["counts"]["Echo"][1] >= now["counts"].get("Echo", [0, 0])[1]


# -- S3 -----------------------------------------------------------------------------------------------


def test_an_upload_is_an_s3_put_that_fires_the_bucket_notification(
    console: ConsoleClient, cloud: LocalCloud, outputs: Any
) -> None:
    bucket, key = outputs["BucketName"], f"photos/{unique_key()}.png"
    stored = console.send(
        "PUT",
        f"/s3/buckets/{bucket}/object",
        status=201,
        params={"key": key},
        data=PNG_1X1,
        headers={"Content-Type": "image/png"},
    )
    assert stored["size"] == len(PNG_1X1)
    assert cloud.wait_idle(30)
    records = [r for r in cloud.invocations("Cataloguer") if key in json.dumps(r.event)]
    assert records and records[0].event["Records"][0]["eventName"] == "ObjectCreated:Put"
    listing = console.get(f"/s3/buckets/{bucket}/objects", params={"prefix": "photos/"})
    row = next(o for o in listing["objects"] if o["key"] == key)
    assert row["contentType"] == "image/png" and row["previewable"] and row["size"] == len(PNG_1X1)
    preview = console.call(
        "GET", f"/s3/buckets/{bucket}/object", params={"key": key, "disposition": "inline"}
    )
    assert preview.content == PNG_1X1 and preview.headers["Content-Type"] == "image/png"
    assert "sandbox" in preview.headers["Content-Security-Policy"]
    item = console.get(
        f"/dynamodb/tables/{outputs['TableName']}/item",
        params={"key": json.dumps({"bucket": {"S": bucket}, "key": {"S": key}})},
    )["item"]
    assert item["content_type"] == {"S": "image/png"}


def test_downloads_never_run_as_pages_of_the_console(console: ConsoleClient, outputs: Any) -> None:
    bucket, key = outputs["BucketName"], f"pages/{unique_key()}.html"
    page = b"<script>alert(1)</script>"
    console.send(
        "PUT",
        f"/s3/buckets/{bucket}/object",
        status=201,
        params={"key": key},
        data=page,
        headers={"Content-Type": "text/html"},
    )
    for disposition in ("inline", "attachment"):
        answer = console.call(
            "GET", f"/s3/buckets/{bucket}/object", params={"key": key, "disposition": disposition}
        )
        assert answer.content == page
        assert answer.headers["Content-Type"] == "application/octet-stream"
        assert answer.headers["Content-Disposition"].startswith("attachment;")
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
    by_query = requests.get(
        console.url(f"/s3/buckets/{bucket}/object"), timeout=10, params={"key": key, "token": console.token}
    )
    assert by_query.status_code == 200  # an <a href> or <img src> cannot send headers


def test_listing_pages_through_a_prefix_and_delete_fires_a_removal(
    console: ConsoleClient, cloud: LocalCloud, outputs: Any
) -> None:
    bucket, folder = outputs["BucketName"], f"many-{unique_key()}/"
    s3 = cloud.client("s3")
    for index in range(5):
        s3.put_object(Bucket=bucket, Key=f"{folder}{index}.txt", Body=b"x")
    s3.put_object(Bucket=bucket, Key=f"{folder}sub/deeper.txt", Body=b"y")
    first = console.get(f"/s3/buckets/{bucket}/objects", params={"prefix": folder, "limit": 3})
    assert len(first["objects"]) == 3 and first["prefixes"] == [] and first["next"]
    rest = console.get(
        f"/s3/buckets/{bucket}/objects", params={"prefix": folder, "limit": 3, "cursor": first["next"]}
    )
    keys = [o["key"] for o in first["objects"] + rest["objects"]]
    assert keys == [f"{folder}{i}.txt" for i in range(5)]
    assert rest["prefixes"] == [f"{folder}sub/"] and rest["next"] is None  # S3 orders folders among keys
    assert cloud.wait_idle(30)
    console.send("DELETE", f"/s3/buckets/{bucket}/object", params={"key": f"{folder}0.txt"})
    assert cloud.wait_idle(30)
    removals = [
        r
        for r in cloud.invocations("Cataloguer")
        if r.event["Records"][0]["eventName"].startswith("ObjectRemoved")
        and r.event["Records"][0]["s3"]["object"]["key"] == f"{folder}0.txt"
    ]
    assert removals
    missing = console.call("GET", f"/s3/buckets/{bucket}/object", params={"key": f"{folder}0.txt"})
    assert missing.status_code == 404 and "NoSuchKey" in missing.json()["error"]["message"]


# -- DynamoDB -----------------------------------------------------------------------------------------


def test_tables_show_keys_and_indexes(console: ConsoleClient, outputs: Any) -> None:
    tables = {t["name"]: t for t in console.get("/dynamodb/tables")["tables"]}
    table = tables[outputs["TableName"]]
    assert table["logicalId"] == "Catalog"
    assert table["partition"] == {"name": "bucket", "type": "S"} and table["sort"] == {
        "name": "key",
        "type": "S",
    }
    assert [(i["name"], i["kind"], i["partition"]["name"]) for i in table["indexes"]] == [
        ("by_type", "global", "content_type")
    ]


def test_items_by_query_scan_pages_edit_and_delete(
    console: ConsoleClient, cloud: LocalCloud, outputs: Any
) -> None:
    name, partition = outputs["TableName"], unique_key("part")
    base = f"/dynamodb/tables/{name}"
    for index in range(7):
        item = {
            "bucket": {"S": partition},
            "key": {"S": f"k{index}"},
            "content_type": {"S": f"type/{partition}"},
            "n": {"N": str(index)},
            "tags": {"SS": ["a", "b"]},
            "blob": {"B": "AAEC"},
        }
        console.send("PUT", f"{base}/item", json={"item": item})
    page = console.get(f"{base}/query", params={"pk": partition, "limit": 3})
    assert [i["key"]["S"] for i in page["items"]] == ["k0", "k1", "k2"] and page["next"]
    more = console.get(f"{base}/query", params={"pk": partition, "limit": 3, "cursor": page["next"]})
    assert [i["key"]["S"] for i in more["items"]] == ["k3", "k4", "k5"]
    ranged = console.get(
        f"{base}/query", params={"pk": partition, "skOp": "between", "sk": "k2", "sk2": "k4", "forward": "0"}
    )
    assert [i["key"]["S"] for i in ranged["items"]] == ["k4", "k3", "k2"]
    by_index = console.get(
        f"{base}/query",
        params={"index": "by_type", "pk": f"type/{partition}", "skOp": "begins_with", "sk": "k6"},
    )
    assert [i["key"]["S"] for i in by_index["items"]] == ["k6"]
    assert by_index["items"][0]["blob"] == {"B": "AAEC"} and sorted(by_index["items"][0]["tags"]["SS"]) == [
        "a",
        "b",
    ]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        scanned = console.get(f"{base}/items", params=params)
        seen += [i["key"]["S"] for i in scanned["items"] if i["bucket"]["S"] == partition]
        cursor = scanned["next"]
        if not cursor:
            break
    assert sorted(seen) == [f"k{i}" for i in range(7)]
    edited = {"bucket": {"S": partition}, "key": {"S": "k0"}, "note": {"S": "<img src=x onerror=alert(1)>"}}
    console.send(
        "PUT",
        f"{base}/item",
        json={"item": edited, "originalKey": {"bucket": {"S": partition}, "key": {"S": "k0"}}},
    )
    key = json.dumps({"bucket": {"S": partition}, "key": {"S": "k0"}})
    assert console.get(f"{base}/item", params={"key": key})["item"] == edited
    moved = {**edited, "key": {"S": "k0-moved"}}
    answer = console.send(
        "PUT",
        f"{base}/item",
        json={"item": moved, "originalKey": {"bucket": {"S": partition}, "key": {"S": "k0"}}},
    )
    assert answer["keyChanged"] is True
    assert console.call("GET", f"{base}/item", params={"key": key}).status_code == 404
    deleted = console.send(
        "DELETE", f"{base}/item", json={"key": {"bucket": {"S": partition}, "key": {"S": "k1"}}}
    )
    assert deleted["deleted"]["n"] == {"N": "1"}


def test_bad_items_are_refused_with_what_is_wrong(console: ConsoleClient, outputs: Any) -> None:
    base = f"/dynamodb/tables/{outputs['TableName']}"
    no_key = console.call("PUT", f"{base}/item", json={"item": {"bucket": {"S": "b"}}})
    assert no_key.status_code == 400 and "'key'" in no_key.json()["error"]["message"]
    untyped = console.call("PUT", f"{base}/item", json={"item": {"bucket": "b", "key": {"S": "k"}}})
    assert untyped.status_code == 400 and "'bucket'" in untyped.json()["error"]["message"]
    bad_number = console.call("GET", f"{base}/query", params={"pk": "x", "index": "missing"})
    assert bad_number.status_code == 404 and "'missing'" in bad_number.json()["error"]["message"]


# -- queues and topics --------------------------------------------------------------------------------


def test_peeking_does_not_receive_and_redrive_moves_messages_back_to_their_queue(
    console: ConsoleClient, cloud: LocalCloud, outputs: Any
) -> None:
    sqs = cloud.client("sqs")
    jobs, dead = outputs["JobsUrl"], outputs["JobsDeadLettersUrl"]
    body = unique_key("job")
    sqs.send_message(
        QueueUrl=jobs,
        MessageBody=body,
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "x"}},
    )
    received = sqs.receive_message(QueueUrl=jobs, VisibilityTimeout=0, WaitTimeSeconds=0)["Messages"]
    assert received[0]["Body"] == body
    dead_name = dead.rsplit("/", 1)[-1]

    def moved() -> bool:
        again = sqs.receive_message(QueueUrl=jobs, WaitTimeSeconds=0, VisibilityTimeout=0).get("Messages")
        peeked = console.get(f"/queues/{dead_name}/messages")["messages"]
        return again is None and any(m["body"] == body for m in peeked)

    wait_until(moved, "the job to move to its dead-letter queue")
    queues = {q["name"]: q for q in console.get("/queues")["queues"]}
    assert [s["kind"] for s in queues[dead_name]["sources"]] == ["queue"]
    for _ in range(3):
        peeked = next(
            m for m in console.get(f"/queues/{dead_name}/messages")["messages"] if m["body"] == body
        )
    assert peeked["state"] == "visible" and peeked["attributes"] == {"kind": "x"}
    receives = peeked["receiveCount"]
    redriven = console.send("POST", f"/queues/{dead_name}/redrive", json={"messageId": peeked["messageId"]})
    assert redriven["redriven"] == [peeked["messageId"]] and redriven["target"]["kind"] == "queue"
    back = sqs.receive_message(QueueUrl=jobs, WaitTimeSeconds=0, MessageAttributeNames=["All"])["Messages"]
    assert back[0]["Body"] == body and back[0]["MessageAttributes"]["kind"]["StringValue"] == "x"
    assert receives == peeked["receiveCount"]
    console.send("POST", f"/queues/{outputs['JobsUrl'].rsplit('/', 1)[-1]}/purge", json={})
    assert sqs.receive_message(QueueUrl=jobs, WaitTimeSeconds=0).get("Messages") is None


def test_a_failed_event_is_redriven_to_its_function_once_the_cause_is_fixed(
    console: ConsoleClient, cloud: LocalCloud, outputs: Any
) -> None:
    bucket, key = outputs["BucketName"], f"poison-{unique_key()}.txt"
    failed = outputs["FailedEventsUrl"].rsplit("/", 1)[-1]
    cloud.client("s3").put_object(Bucket=bucket, Key=key, Body=b"bad")
    assert cloud.wait_idle(60)
    message = wait_until(
        lambda: [m for m in console.get(f"/queues/{failed}/messages")["messages"] if key in m["body"]],
        "the failed event in the dead-letter queue",
    )[0]
    assert message["attributes"]["ErrorCode"] and "cannot catalogue" in message["attributes"]["ErrorMessage"]
    queues = {q["name"]: q for q in console.get("/queues")["queues"]}
    assert queues[failed]["sources"][0] == {
        **queues[failed]["sources"][0],
        "kind": "function",
        "name": "Cataloguer",
    }
    cure = {"bucket": {"S": bucket}, "key": {"S": "__cure__"}}
    console.send("PUT", f"/dynamodb/tables/{outputs['TableName']}/item", json={"item": cure})
    redriven = console.send("POST", f"/queues/{failed}/redrive", json={"messageId": message["messageId"]})
    assert redriven["target"]["name"] == "Cataloguer"
    assert cloud.wait_idle(60)
    item_key = json.dumps({"bucket": {"S": bucket}, "key": {"S": key}})
    assert console.get(f"/dynamodb/tables/{outputs['TableName']}/item", params={"key": item_key})["item"][
        "size"
    ] == {"N": "3"}
    assert not [m for m in console.get(f"/queues/{failed}/messages")["messages"] if key in m["body"]]
    console.send("DELETE", f"/dynamodb/tables/{outputs['TableName']}/item", json={"key": cure})


def test_redrive_from_a_queue_nothing_sends_to_says_so(console: ConsoleClient, outputs: Any) -> None:
    jobs = outputs["JobsUrl"].rsplit("/", 1)[-1]
    answer = console.call("POST", f"/queues/{jobs}/redrive", json={})
    assert answer.status_code == 400 and "nowhere to redrive" in answer.json()["error"]["message"]


def test_topics_are_listed_and_published_to(console: ConsoleClient) -> None:
    topics = console.get("/queues")["topics"]
    notices = next(t for t in topics if "Notices" in t["name"])
    published = console.send("POST", "/topics/publish", json={"topicArn": notices["arn"], "message": "hello"})
    assert published["messageId"]
    assert console.call("POST", "/topics/publish", json={"topicArn": notices["arn"]}).status_code == 400
