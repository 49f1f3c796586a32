"""What the work done since start would cost on AWS: a price table, a request meter, a cost model."""
