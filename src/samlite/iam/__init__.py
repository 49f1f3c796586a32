"""IAM in the embedded AWS: who may do what, enforced as AWS enforces it.

- `enforcement`: moto's process-wide switch, on (the default) or off (`--no-iam`);
- `admin`: the administrator user whose key the user's own tools get;
- `roles`: the template's roles and policies, created in moto's IAM backend;
- `function_credentials`: each function's AssumeRole session of its own role;
- `request_auth`: the check of a signed call samlite answers itself (Lambda Invoke, DescribeStacks);
- `presigned`: the check of S3 requests without an Authorization header (presigned URLs and forms);
- `identities`: who signed a request (an S3 event's `userIdentity`, the recursion guard's function).
"""
