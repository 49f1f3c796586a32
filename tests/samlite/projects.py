"""Small SAM projects written by a test: a template next to a `src/` folder with an echo handler.

Light on purpose (no boto3, no samlite): `broken_templates.py` (which `bench/` imports too) and the
template tests' conftest, which need no AWS, import it directly; everything else imports it through
`tests.samlite.embedded`.
"""

from __future__ import annotations

from pathlib import Path

ECHO_HANDLER = "def handler(event, context):\n    return event\n"


def write_project(folder: Path, template: str, name: str = "template.yaml") -> Path:
    """Writes `template` as `folder/name` and `src/app.py` (`app.handler` returns its event); the
    template's path."""
    (folder / "src").mkdir(parents=True, exist_ok=True)
    (folder / "src" / "app.py").write_text(ECHO_HANDLER)
    path = folder / name
    path.write_text(template)
    return path
