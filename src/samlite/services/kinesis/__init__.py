"""What samlite adds to Kinesis: a data stream as Lambda's pollers read it (`stream_reads`)."""
