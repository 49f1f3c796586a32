"""upload-catalog: every object uploaded to an S3 bucket is catalogued in a DynamoDB table.

Layers (enforced by import-linter, see pyproject.toml): ``handlers`` turn a Lambda event into calls,
``controllers`` hold the rules in plain Python, ``services`` are the only code that talks to AWS.
``models``, ``sniffing`` and ``config`` are shared, dependency-free building blocks.
"""
