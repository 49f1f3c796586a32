"""The console's JSON API, one module per page: each `register(router, context)` adds its routes."""
