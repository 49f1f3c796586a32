"""Work done on a second thread while `LocalCloud.start()` goes on: `Background`.

Importing moto and samtranslator is most of the start time, and part of loading a template (reading
files, translating) runs while moto is imported. With a free port (`port=0`, the pytest plugin) the
template can only be loaded once the endpoint is bound, so only its translation runs ahead
(`translate_early`): a template already in the translation cache never imports samtranslator.
samlite's own modules are all imported before any such thread starts (they are imported at the top
of `local_cloud`), so two threads never import the same module at once; only third-party leaf
modules are left to them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


class Background:
    """Run `work(*args)` on a thread; `result()` returns its value or raises its exception."""

    def __init__(self, work: Callable[..., Any], *args: Any) -> None:
        self._work = work
        self._args = args
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="samlite-start-ahead", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._work(*self._args)
        except BaseException as error:  # handed to the starting thread by result()
            self._error = error

    def join(self) -> None:
        self._thread.join()

    def result_or_none(self) -> Any:
        """The value once done, or None if `work` raised (`result()` then raises it)."""
        self._thread.join()
        return None if self._error is not None else self._value

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def import_translator() -> None:
    """Import what loading a template needs (samtranslator is the bulk of it), to have it ready."""
    import samtranslator.translator.translator  # noqa: F401


def translate_early(
    template: Path, parameter_overrides: Mapping[str, str], region: str, stack_name: str
) -> None:
    """What a start with `port=0` does before its endpoint URL is known: the template's translation
    into the disk cache (aws-sam-translator imported only when it has no answer yet), or, with the
    cache off, the translator's import. What goes wrong here is reported by the load that follows."""
    from samlite.template import translation_cache
    from samlite.template.stack import translate_ahead

    if translation_cache.cache_dir() is None:
        import_translator()
        return
    translate_ahead(template, parameter_overrides=parameter_overrides, region=region, stack_name=stack_name)
