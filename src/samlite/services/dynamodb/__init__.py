"""What samlite adds to DynamoDB: a table's stream as Lambda's pollers read it (`stream_reads`)."""
