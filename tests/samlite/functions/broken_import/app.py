"""A module that fails to import: the runtime reports Runtime.ImportModuleError."""

import samlite_no_such_module  # noqa: F401


def handler(event, context):
    return "never"
