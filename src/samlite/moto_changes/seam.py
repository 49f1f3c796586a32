"""The one seam through which samlite changes moto: named targets, replaced and put back.

Every change samlite makes to moto's behaviour is a `MotoChange`: a name, the reason, and the
`Patch`es it applies. A patch replaces one attribute (`module:Owner.attribute`) with a value made
from the original, and restoring puts the original back (or removes the attribute, when moto had
none). Each target records the signature it had when the change was written; `drifted()` compares
that with the moto installed, so an upgrade that moves a target fails one canary test by name
instead of breaking samlite quietly. A change may also set keys of moto's user configuration
(`UserConfig`, e.g. Step Functions' `execute_state_machine`), put back on restore like a patch.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_MISSING = object()


@dataclass(frozen=True)
class Target:
    """`path` is `module:attribute` or `module:Class.attribute`; `signature` is the target's
    parameters when the change was written (`signature_text`), or None when moto must not define it."""

    path: str
    signature: str | None

    def owner_and_name(self) -> tuple[Any, str]:
        module_name, _, qualified = self.path.partition(":")
        owner: Any = importlib.import_module(module_name)
        *parents, name = qualified.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        return owner, name

    def current(self) -> Any:
        """moto's own value of the target (`_MISSING` when moto does not define it)."""
        owner, name = self.owner_and_name()
        if isinstance(owner, type):
            return owner.__dict__.get(name, _MISSING)
        return getattr(owner, name, _MISSING)

    def drift(self) -> str | None:
        """None when moto's target is as recorded, else what changed (for the canary test)."""
        try:
            value = self.current()
        except (ImportError, AttributeError) as error:
            return f"{self.path}: no longer importable ({error})"
        if self.signature is None:
            return None if value is _MISSING else f"{self.path}: moto now defines it"
        if value is _MISSING:
            return f"{self.path}: moto no longer defines it"
        found = signature_text(value)
        if found != self.signature:
            return f"{self.path}: signature is now {found}, was {self.signature}"
        return None


def signature_text(value: Any) -> str:
    """A callable's parameters and defaults, without annotations: `(self, key, limit=None)`. What a
    wrapper depends on is how moto calls the target, not how moto annotates it. A property is
    `property(self)`: its getter's parameters."""
    if isinstance(value, property) and value.fget is not None:
        return "property" + signature_text(value.fget)
    signature = inspect.signature(value)
    bare = signature.replace(
        parameters=[p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()],
        return_annotation=inspect.Signature.empty,
    )
    return str(bare)


@dataclass(frozen=True)
class Patch:
    """Replace `target` with `make(original)` (`original` is None when moto has no such attribute)."""

    target: Target
    make: Callable[[Any], Any]


@dataclass(frozen=True)
class UserConfig:
    """`moto.core.config.default_user_config[section][key] = value` while the change is applied (the
    switch `mock_aws(config=...)` sets). Drifts when moto's default configuration lacks the key."""

    section: str
    key: str
    value: Any

    def drift(self) -> str | None:
        from moto.core.config import default_user_config

        if self.key not in (default_user_config.get(self.section) or {}):  # type: ignore[attr-defined]
            return f"moto's user config has no {self.section}.{self.key}"
        return None


@dataclass
class MotoChange:
    """One change to moto: `service` is the moto backend it concerns (applied on that service's first
    use) or None (applied at once); `on_apply` runs after the patches are in place, `on_restore`
    after they are taken out again. `relies_on` names moto targets the change calls or imitates
    without replacing them: the canary checks their signatures too."""

    name: str
    reason: str
    patches: tuple[Patch, ...]
    service: str | None = None
    on_apply: Callable[[], None] | None = None
    on_restore: Callable[[], None] | None = None
    settings: tuple[UserConfig, ...] = ()
    relies_on: tuple[Target, ...] = ()
    _saved: list[tuple[Any, str, Any]] = field(default_factory=list, repr=False)
    _saved_settings: list[tuple[str, Any]] = field(default_factory=list, repr=False)
    _active: bool = field(default=False, repr=False)  # a change may be only its on_apply

    @property
    def applied(self) -> bool:
        return self._active

    def apply(self) -> None:
        if self.applied:
            return
        self._active = True
        for patch in self.patches:
            owner, name = patch.target.owner_and_name()
            original = patch.target.current()
            self._saved.append((owner, name, original))
            setattr(owner, name, patch.make(None if original is _MISSING else original))
        if self.settings:
            from moto.core.config import default_user_config

            config: Any = default_user_config
            for setting in self.settings:
                # The section is replaced, never mutated: `mock_aws(config=...)` copies sections by
                # reference, and restoring must give back exactly the dict moto had.
                section = config.get(setting.section)
                self._saved_settings.append((setting.section, section))
                config[setting.section] = {**(section or {}), setting.key: setting.value}
        if self.on_apply is not None:
            self.on_apply()

    def restore(self) -> None:
        was_applied = self.applied
        self._active = False
        while self._saved:
            owner, name, original = self._saved.pop()
            if original is _MISSING:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
        if self._saved_settings:
            from moto.core.config import default_user_config

            config: Any = default_user_config
            while self._saved_settings:
                section_name, section = self._saved_settings.pop()
                if section is None:
                    config.pop(section_name, None)
                else:
                    config[section_name] = section
        if was_applied and self.on_restore is not None:
            self.on_restore()

    def drifted(self) -> list[str]:
        found = [drift for patch in self.patches if (drift := patch.target.drift()) is not None]
        found += [drift for target in self.relies_on if (drift := target.drift()) is not None]
        return found + [drift for setting in self.settings if (drift := setting.drift()) is not None]
