"""Prints what it got and returns it; an event that mentions "please-fail" raises (retries, then DLQ)."""

import json


def handler(event, context):
    text = json.dumps(event)
    if "please-fail" in text:
        raise RuntimeError("asked to fail")
    print(f"got {text[:300]}")
    return {"ok": True}
