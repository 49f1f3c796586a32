"""Notes every record it is given (in the file DELIVERY_LOG names, when set); a job whose body asks
for it, or a stream record named slow..., takes its time, so that a stop or a snapshot finds it
running."""

import base64
import json
import os
import time


def handler(event, context):
    lines = []
    for record in event.get("Records", []):
        if "dynamodb" in record:
            name = record["dynamodb"]["Keys"]["pk"]["S"]
            lines.append(f"dynamodb {record['dynamodb']['SequenceNumber']} {name}")
        elif "kinesis" in record:
            name = base64.b64decode(record["kinesis"]["data"]).decode()
            lines.append(f"kinesis {record['kinesis']['sequenceNumber']} {name}")
        else:
            body = json.loads(record["body"])
            time.sleep(float(body.get("sleep", 0)))
            lines.append(f"sqs {record['messageId']} {body['n']}")
            continue
        if name.startswith("slow"):
            time.sleep(2.5)
    path = os.environ.get("DELIVERY_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write("".join(line + "\n" for line in lines))
    return {"seen": len(lines)}
