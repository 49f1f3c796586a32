"""The rules of the catalog, in plain Python: no boto3, no AWS. Ports in ``ports`` say what they need."""
