"""Uses a package that only its own requirements.txt provides (`tinydep`, built by the test)."""

import tinydep


def handler(event, context):
    return {"tinydep": tinydep.VALUE, "file": tinydep.__file__}
