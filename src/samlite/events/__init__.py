"""Lambda events in AWS's exact shapes: S3 notifications and API Gateway proxy requests.

A library rather than CLI code: `samlite generate-event` prints them, and the local cloud builds the
events it really delivers with the same functions, so both always agree with each other and with AWS.
`samlite.events.patterns` is the EventBridge event-pattern grammar that rules, Lambda's FilterCriteria
and SNS filter policies match events with.
"""

from samlite.events._ids import s3_sequencer
from samlite.events.apigateway import apigateway_http_event, apigateway_rest_event
from samlite.events.s3 import (
    S3_EVENT_NAMES,
    S3EventRecord,
    encode_s3_key,
    s3_event,
    s3_event_name,
    s3_records_event,
    s3_test_event,
)

__all__ = [
    "S3_EVENT_NAMES",
    "S3EventRecord",
    "apigateway_http_event",
    "apigateway_rest_event",
    "encode_s3_key",
    "s3_event",
    "s3_event_name",
    "s3_records_event",
    "s3_sequencer",
    "s3_test_event",
]
