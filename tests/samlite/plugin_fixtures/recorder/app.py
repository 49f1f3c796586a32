"""Fixture function of the pytest plugin's tests: logs one line per S3 record, fails on "fail/" keys."""

import os
from urllib.parse import unquote_plus


def handler(event, context):
    keys = [unquote_plus(record["s3"]["object"]["key"]) for record in event.get("Records", [])]
    for key in keys:
        print(f"{os.environ['GREETING']} {key}")
        if key.startswith("fail/"):
            raise RuntimeError(f"refusing {key}")
    return {"keys": keys}
