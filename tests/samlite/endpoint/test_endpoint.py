"""The embedded AWS endpoint: lifecycle, keep-alive, observers, request bodies, errors."""

from __future__ import annotations

import http.client
import socket
import threading

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from samlite import moto_changes
from samlite.cloud.state_files import shell_exports
from samlite.endpoint.embedded_aws import EmbeddedAws
from samlite.errors import EndpointError
from samlite.iam import enforcement
from samlite.model import ServedRequest
from tests.samlite.embedded import client, create_pk_table, unique


@pytest.fixture(scope="module")
def aws():
    endpoint = EmbeddedAws(port=0, iam=True)
    endpoint.start()
    yield endpoint
    endpoint.stop()


def test_port_zero_picks_a_free_port_and_url_names_it(aws):
    assert aws.port != 0
    assert aws.url == f"http://127.0.0.1:{aws.port}"


def test_admin_can_use_s3_and_dynamodb(aws):
    s3 = client(aws, "s3")
    bucket = unique("admin")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="a b/ü.txt", Body=b"hello")
    assert s3.get_object(Bucket=bucket, Key="a b/ü.txt")["Body"].read() == b"hello"
    ddb = client(aws, "dynamodb")
    table = unique("t")
    create_pk_table(ddb, table)
    ddb.put_item(TableName=table, Item={"pk": {"S": "x"}})
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "x"}})["Item"] == {"pk": {"S": "x"}}


def test_unknown_access_key_is_refused_when_iam_is_on(aws):
    stranger = {"AWS_ACCESS_KEY_ID": "AKIAUNKNOWNUNKNOWN00", "AWS_SECRET_ACCESS_KEY": "nope"}
    with pytest.raises(ClientError) as raised:
        client(aws, "s3", stranger).list_buckets()
    assert raised.value.response["Error"]["Code"] == "InvalidAccessKeyId"


def test_env_gives_endpoint_region_and_admin_keys(aws):
    env = aws.env()
    assert env["AWS_ENDPOINT_URL"] == aws.url
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_ACCESS_KEY_ID"] == aws.admin_credentials.access_key_id
    assert env["AWS_SECRET_ACCESS_KEY"] == aws.admin_credentials.secret_access_key


def test_env_as_shell_exports_round_trips_through_a_shell(aws, tmp_path):
    import subprocess

    env_file = tmp_path / "env"
    env_file.write_text(shell_exports({**aws.env(), "ODD": "it's $HOME"}))
    printed = subprocess.run(
        ["sh", "-c", f'. {env_file} && printf \'%s|%s\' "$AWS_ENDPOINT_URL" "$ODD"'],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    assert printed == f"{aws.url}|it's $HOME"


def test_connections_are_kept_alive_between_requests(aws):
    connection = http.client.HTTPConnection("127.0.0.1", aws.port, timeout=10)
    try:
        local_ports = set()
        for _ in range(3):
            # An unsigned request: moto answers it (AccessDenied or not), what matters is the framing.
            connection.request("GET", "/", headers={"Host": f"127.0.0.1:{aws.port}"})  # anonymous: 403
            response = connection.getresponse()
            response.read()
            assert response.getheader("Connection", "").lower() != "close"
            local_ports.add(connection.sock.getsockname()[1])
        assert len(local_ports) == 1  # the same TCP connection served all three
    finally:
        connection.close()


def test_observer_sees_the_request_before_the_client_gets_the_response(aws):
    bucket = unique("observed")
    s3 = client(aws, "s3")
    s3.create_bucket(Bucket=bucket)
    seen: list[ServedRequest] = []
    aws.add_request_observer(lambda request: seen.append(request) if bucket in request.path else None)
    s3.put_object(Bucket=bucket, Key="dir/a b+c.txt", Body=b"payload")
    # No waiting: the observer ran before PutObject returned.
    puts = [r for r in seen if r.method == "PUT"]
    assert len(puts) == 1
    put = puts[0]
    assert put.service == "s3"
    assert put.status == 200
    assert put.body == b"payload"
    assert put.path == f"/{bucket}/dir/a%20b%2Bc.txt"  # still percent-encoded
    assert put.access_key_id == aws.admin_credentials.access_key_id
    assert "ETag" in put.response_headers


def test_observer_failure_does_not_fail_the_request(aws):
    bucket = unique("failing-observer")

    def broken(request: ServedRequest) -> None:
        if bucket in request.path:
            raise RuntimeError("observer bug")

    aws.add_request_observer(broken)
    s3 = client(aws, "s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"


def test_presigned_url_caller_is_identified(aws):
    bucket = unique("presigned")
    s3 = client(aws, "s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    seen: list[ServedRequest] = []
    aws.add_request_observer(lambda request: seen.append(request) if bucket in request.path else None)
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    path = url.split(str(aws.port), 1)[1]
    connection = http.client.HTTPConnection("127.0.0.1", aws.port, timeout=10)
    try:
        connection.request("GET", path)
        connection.getresponse().read()
    finally:
        connection.close()
    assert seen[-1].access_key_id == aws.admin_credentials.access_key_id


def test_chunked_request_body_is_read_whole(aws):
    # boto3 streams file objects of unknown length with Transfer-Encoding: chunked.
    bucket = unique("chunked")
    s3 = client(aws, "s3")
    s3.create_bucket(Bucket=bucket)
    seen: list[ServedRequest] = []
    aws.add_request_observer(lambda request: seen.append(request) if bucket in request.path else None)

    def chunks():
        yield b"abc"
        yield b"defg"

    connection = http.client.HTTPConnection("127.0.0.1", aws.port, timeout=10)
    try:
        connection.request("POST", f"/{bucket}?nothing", body=chunks(), encode_chunked=True)
        connection.getresponse().read()
    finally:
        connection.close()
    assert seen and seen[-1].body == b"abcdefg"


def test_large_and_multipart_uploads_over_kept_alive_connections(aws, tmp_path):
    # boto3 sends `Expect: 100-continue` for large bodies and uses multipart above 8 MiB.
    from boto3.s3.transfer import TransferConfig

    bucket = unique("large")
    s3 = client(aws, "s3")
    s3.create_bucket(Bucket=bucket)
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * (10 * 4096))  # 10 MiB
    s3.upload_file(str(big), bucket, "big.bin", Config=TransferConfig(multipart_threshold=5 * 1024 * 1024))
    s3.put_object(Bucket=bucket, Key="two-mib", Body=b"z" * (2 * 1024 * 1024))
    assert s3.head_object(Bucket=bucket, Key="big.bin")["ContentLength"] == big.stat().st_size
    assert s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read() == big.read_bytes()
    assert s3.get_object(Bucket=bucket, Key="two-mib")["Body"].read() == b"z" * (2 * 1024 * 1024)


def test_a_port_in_use_is_a_one_line_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(EndpointError) as raised:
            EmbeddedAws(port=port).start()
    message = str(raised.value)
    assert "\n" not in message
    assert f"port {port}" in message and "already in use" in message


def test_admin_credentials_before_start_are_an_error():
    with pytest.raises(EndpointError, match="not started"):
        _ = EmbeddedAws(port=0).admin_credentials


def test_iam_modes_cannot_be_mixed_in_one_process(aws):
    with pytest.raises(EndpointError, match="process-wide"):
        EmbeddedAws(port=0, iam=False).start()


def test_stop_closes_kept_alive_connections_and_frees_the_port(aws):
    endpoint = EmbeddedAws(port=0, iam=True)  # same IAM mode as the module's running endpoint
    endpoint.start()
    s3 = client(endpoint, "s3")
    s3.list_buckets()  # leaves a pooled keep-alive connection
    endpoint.stop()
    with pytest.raises(EndpointConnectionError):
        s3.list_buckets()
    again = EmbeddedAws(port=endpoint.port, iam=True)
    again.start()  # the port is free again
    again.stop()


def test_concurrent_requests_are_served(aws):
    bucket = unique("concurrent")
    client(aws, "s3").create_bucket(Bucket=bucket)
    errors: list[Exception] = []

    def upload(worker: int) -> None:
        s3 = client(aws, "s3")
        try:
            for index in range(10):
                s3.put_object(Bucket=bucket, Key=f"{worker}/{index}", Body=b"x")
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    listed = client(aws, "s3").list_objects_v2(Bucket=bucket)["KeyCount"]
    assert listed == 40


def test_a_failed_start_restores_the_iam_switch_and_moto(aws, monkeypatch):
    # create_admin fails after moto's IAM switch was set: the mode must not stay registered (stop()
    # does nothing for an endpoint that never served), or a later endpoint with the other setting
    # would be refused for the rest of the process.
    from moto import settings

    modes_before = list(enforcement._modes)
    count_before = settings.INITIAL_NO_AUTH_ACTION_COUNT
    changes_before = moto_changes.applied()

    def refuse(*_args: object) -> None:
        raise RuntimeError("create_admin failed")

    monkeypatch.setattr("samlite.endpoint.embedded_aws.create_admin", refuse)
    failing = EmbeddedAws(port=0, iam=True)  # same IAM mode as the module's running endpoint
    with pytest.raises(RuntimeError, match="create_admin failed"):
        failing.start()
    assert not failing.running
    assert enforcement._modes == modes_before, "the failed start left its IAM mode registered"
    count_after = settings.INITIAL_NO_AUTH_ACTION_COUNT
    assert count_after == count_before, "the failed start left moto's INITIAL_NO_AUTH_ACTION_COUNT changed"
    assert moto_changes.applied() == changes_before, "the failed start left its changes to moto counted"


def test_first_use_setup_runs_before_the_services_first_request(aws):
    calls: list[str] = []
    endpoint = EmbeddedAws(port=0, iam=True)  # same IAM mode as the module's running endpoint
    endpoint.start(prewarm=False)
    try:
        endpoint.on_first_use("sns", lambda: calls.append("sns ready"))
        assert calls == [], "the setup ran before anyone used the service"
        sns = client(endpoint, "sns")
        topic = sns.create_topic(Name=unique("first-use"))["TopicArn"]
        assert calls == ["sns ready"]
        sns.get_topic_attributes(TopicArn=topic)
        endpoint.backend("sns")
        assert calls == ["sns ready"], "the setup ran more than once"
        endpoint.on_first_use("sns", lambda: calls.append("late"))
        assert calls == ["sns ready", "late"], "a setup registered after first use must run at once"
    finally:
        endpoint.stop()


def test_first_use_setup_runs_before_backend_is_read(aws):
    calls: list[str] = []
    endpoint = EmbeddedAws(port=0, iam=True)
    endpoint.start(prewarm=False)
    try:
        endpoint.on_first_use("sqs", lambda: calls.append("sqs ready"))
        endpoint.backend("sqs")
        assert calls == ["sqs ready"]
    finally:
        endpoint.stop()


def test_an_app_that_fails_to_prewarm_is_left_to_its_first_request():
    """A failed prewarm (CPython 3.11's spurious SystemError while werkzeug compiles routes in a
    thread, gh-106905) must not end the thread with a traceback: the first request builds the app."""
    from samlite.endpoint.moto_dispatch import prewarm

    built: list[str] = []

    class Dispatcher:
        lock = threading.Lock()
        app_instances: dict[str, object] = {}

        def create_app(self, backend: str) -> object:
            if backend == "s3":
                raise SystemError("AST constructor recursion depth mismatch (before=57, after=117)")
            built.append(backend)
            return object()

    dispatcher = Dispatcher()
    prewarm(dispatcher, ("s3", "dynamodb"))

    assert built == ["dynamodb"]
    assert set(dispatcher.app_instances) == {"dynamodb"}
