"""The stack in the embedded AWS: provisioned from the template, emptied between tests, removed at stop.

- `provision`: every resource created in moto's backends, functions registered, outputs recorded;
- `resources/`: one module per AWS service, each type a `ResourceKind` (create, empty, remove);
- `reset`: empty the stack's resources (test isolation) or remove them (stop).
"""
