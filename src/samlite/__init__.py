"""samlite: run an AWS SAM template on one machine, with no Docker and no AWS account."""

__version__ = "0.1.0"
