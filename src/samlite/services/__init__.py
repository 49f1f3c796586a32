"""What samlite adds to each AWS service beyond moto, one folder per service.

- `s3/`: S3 events built from the requests served (`changes`, `notifications`), POST policies;
- `awslambda/`: the function registry, the Invoke API, asynchronous invocation (queue, retries,
  destinations and dead-letter records, the recursion guard), event-source mappings (`event_sources/`:
  the SQS, DynamoDB-stream and Kinesis pollers);
- `sqs/`, `dynamodb/`, `kinesis/`: a queue and a stream as Lambda's pollers read them;
- `stream_records`: what DynamoDB streams and Kinesis have in common for those pollers;
- `cloudformation/`: DescribeStacks for the local stack;
- `apigateway/`: the local API keys, readable through moto's API Gateway;
- `chaos`: deliveries duplicated, reordered and delayed within their AWS contract (`--chaos`);
- `targets`: messages samlite writes to queues, topics, functions and buses on AWS's behalf;
- `event_delivery`: S3 notifications and async invocation assembled for one endpoint;
- `wiring`: the service additions plugged into one endpoint (`attach`).
"""
