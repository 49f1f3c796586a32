"""What samlite adds to S3: event notifications in AWS's exact shape, and POST policies enforced."""
