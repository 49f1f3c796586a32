"""What samlite adds to moto's API Gateway: the local API keys, readable as on AWS."""
