"""What samlite adds to SQS: a queue as Lambda's event-source poller reads it (`lambda_reads`)."""
