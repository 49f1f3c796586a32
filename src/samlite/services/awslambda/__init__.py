"""What samlite adds to Lambda: the function registry, the Invoke API, asynchronous invocation, and
event-source mappings (`event_sources`)."""
