"""AWS requests as AWS reads them, for every part of samlite that looks at one.

- `s3_request`: the bucket and key an S3 request names, and the fields and file of a POST form;
- `signing`: who signed a request (access key id and signing service), whatever way it was signed.
"""
