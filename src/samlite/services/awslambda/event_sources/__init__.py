"""Lambda's event-source mappings, run locally: queues and streams polled with Lambda's semantics.

One module per concern: `config` (a mapping as Lambda accepts it), `registry` (the template's
mappings), `sqs_poller` (SQS), `stream_poller` with `stream_records`, `windows` and
`failure_records` (DynamoDB streams and Kinesis), `batch_response` (what a function's answer means),
`delivery` (invoking, payload quota, log lines) and `pollers` (all of them together). What belongs to
the services themselves lives beside them: `samlite.services.sqs`, `.dynamodb`, `.kinesis`.
"""
