"""What samlite adds to Cognito user pools: their issuer documents, served on the endpoint."""
