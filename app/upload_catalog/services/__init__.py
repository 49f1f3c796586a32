"""The only code that talks to AWS: S3 and DynamoDB through boto3. No business rules live here."""
