"""--debug-port: the worker waits for a real Debug Adapter Protocol client, stops at a breakpoint."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

from samlite.runtime import DebugOptions, LambdaRuntime
from tests.samlite.runtime.runtime_specs import ECHO, make_spec

BREAKPOINT_LINE = next(
    number
    for number, text in enumerate((ECHO / "app.py").read_text().splitlines(), start=1)
    if 'INVOCATIONS["count"] += 1' in text
)


class DapClient:
    """Just enough of the Debug Adapter Protocol (Content-Length framed JSON) to attach and continue."""

    def __init__(self, port: int, deadline_s: float = 30.0) -> None:
        end = time.monotonic() + deadline_s
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                break
            except OSError:
                if time.monotonic() > end:
                    raise
                time.sleep(0.1)
        self._buffer = b""
        self._seq = 0
        self.messages: list[dict] = []

    def send(self, command: str, **arguments: object) -> int:
        self._seq += 1
        body = json.dumps(
            {"seq": self._seq, "type": "request", "command": command, "arguments": arguments}
        ).encode()
        self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return self._seq

    def _read_message(self) -> dict:
        while b"\r\n\r\n" not in self._buffer:
            self._buffer += self._recv()
        head, _, rest = self._buffer.partition(b"\r\n\r\n")
        length = int(
            next(
                line.split(b":")[1]
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
        )
        while len(rest) < length:
            rest += self._recv()
        self._buffer = rest[length:]
        message = json.loads(rest[:length])
        self.messages.append(message)
        return message

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("debug adapter closed the connection")
        return chunk

    def wait_for(self, *, event: str | None = None, response_to: int | None = None) -> dict:
        for message in self.messages:
            if _matches(message, event, response_to):
                self.messages.remove(message)
                return message
        while True:
            message = self._read_message()
            if _matches(message, event, response_to):
                self.messages.remove(message)
                return message

    def close(self) -> None:
        self.sock.close()


def _matches(message: dict, event: str | None, response_to: int | None) -> bool:
    if event is not None:
        return message.get("type") == "event" and message.get("event") == event
    return message.get("type") == "response" and message.get("request_seq") == response_to


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_invocation_waits_for_the_debugger_and_stops_at_a_breakpoint(tmp_path: Path) -> None:
    port = free_port()
    spec = make_spec("app.echo", logical_id="EchoDebug", timeout=1)  # timeouts are off while debugging
    outcome: dict = {}
    with LambdaRuntime(debug=DebugOptions(port=port, function_id="EchoDebug"), cache_dir=tmp_path) as runtime:
        invoking = threading.Thread(target=lambda: outcome.update(result=runtime.invoke(spec, b'{"n": 1}')))
        invoking.start()
        client = DapClient(port)
        try:
            initialize = client.send(
                "initialize",
                clientID="samlite-tests",
                adapterID="debugpy",
                pathFormat="path",
                linesStartAt1=True,
                columnsStartAt1=True,
            )
            assert client.wait_for(response_to=initialize)["success"]
            attach = client.send(
                "attach", justMyCode=False, pathMappings=[{"localRoot": str(ECHO), "remoteRoot": str(ECHO)}]
            )
            client.wait_for(event="initialized")
            breakpoints = client.send(
                "setBreakpoints",
                source={"path": str(ECHO / "app.py")},
                breakpoints=[{"line": BREAKPOINT_LINE}],
            )
            assert client.wait_for(response_to=breakpoints)["body"]["breakpoints"][0]["verified"]
            done = client.send("configurationDone")
            assert client.wait_for(response_to=done)["success"]
            assert client.wait_for(response_to=attach)["success"]
            assert "result" not in outcome  # held before the handler ran
            stopped = client.wait_for(event="stopped")
            assert stopped["body"]["reason"] == "breakpoint"
            time.sleep(1.5)  # longer than the function's Timeout: no timeout while debugging
            resume = client.send("continue", threadId=stopped["body"]["threadId"])
            assert client.wait_for(response_to=resume)["success"]
            invoking.join(timeout=30)
            client.send("disconnect")
        finally:
            client.close()
    result = outcome["result"]
    assert not result.failed, result.payload
    assert json.loads(result.payload)["event"] == {"n": 1}
