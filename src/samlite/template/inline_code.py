"""`InlineCode` (SAM) and `Code: ZipFile` (CloudFormation): the source written to a folder to run from.

CloudFormation "places it in a file named index and zips it to create a deployment package" (the
`ZipFile` property of `AWS::Lambda::Function` Code); for Python the file is `index.py`, so the handler
is `index.<function>`, as on AWS. samlite writes the source once into the cache, in a folder named by
its hash (the same source is never written twice, and an edited template gets a new folder), and the
function runs from there with that folder as its `LAMBDA_TASK_ROOT`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

INLINE_FOLDER = "inline"
INLINE_FILE = "index.py"
INLINE_MODULE = "index"


def write_inline_code(source: str, cache_dir: Path) -> Path:
    """The folder holding `source` as `index.py` (written atomically on first use)."""
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:24]
    folder = cache_dir / INLINE_FOLDER / digest
    if (folder / INLINE_FILE).is_file():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{digest}.", dir=folder.parent))
    (staging / INLINE_FILE).write_text(source, encoding="utf-8")
    try:
        os.rename(staging, folder)
    except OSError:  # another process wrote it first: its copy is the same source
        (staging / INLINE_FILE).unlink(missing_ok=True)
        staging.rmdir()
    return folder


def handler_warning(logical_id: str, handler: str) -> str | None:
    """A warning when the handler cannot name inline code (which always lives in index.py)."""
    module = handler.rsplit(".", 1)[0] if "." in handler else handler
    if module == INLINE_MODULE:
        return None
    return (
        f"Function '{logical_id}' property 'Handler': inline code is written to {INLINE_FILE}, so the "
        f"handler must be {INLINE_MODULE}.<function>, not {handler!r} (it fails on AWS the same way)"
    )
