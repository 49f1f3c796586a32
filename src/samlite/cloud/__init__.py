"""The local cloud behind `samlite start`: embedded AWS, provisioning, IAM, event delivery."""
