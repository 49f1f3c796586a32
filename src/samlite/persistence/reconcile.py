"""Reconciling a snapshot with the template being started, before anything is provisioned.

Each saved resource gets one decision (`Decision`):
- `into-template`: the template still declares it (same type, same name): provisioning creates it as
  the template says now, and its saved content (objects, items, messages...) is put into it;
- `recreate`: the template no longer declares it but it is kept (`--removed-resources keep`, the
  default), or it never was the template's (created through the API, as a user's script may): it is
  created again as it was saved, content included;
- `drop`: the template no longer declares it and `--removed-resources drop` was given, or the user
  named it with `--reset-resource`: its saved content is discarded (and gone from the next snapshot).

A saved resource that cannot go into the template's resource of the same name (a table whose keys
changed) stops the start with one line naming it and `--reset-resource`, before anything starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from samlite.errors import StateError
from samlite.model import Resource
from samlite.persistence.options import RemovedResources
from samlite.persistence.section import Decision, SavedResource, Section
from samlite.persistence.state_folder import Snapshot


@dataclass
class Plan:
    """The decision for each saved resource, and what to tell the user about it."""

    decisions: dict[tuple[str, str], Decision] = field(default_factory=dict)
    removed: list[SavedResource] = field(default_factory=list)  # saved from the template, now gone from it
    reset: list[SavedResource] = field(default_factory=list)  # dropped by --reset-resource
    unmatched_resets: list[str] = field(default_factory=list)  # --reset-resource names matching nothing

    def recreated(self) -> list[tuple[str, str]]:
        """(type, name) of each saved resource restore creates itself (not the template's)."""
        return [key for key, decision in self.decisions.items() if decision == "recreate"]

    def decide(self, type_: str, name: str) -> Decision:
        return self.decisions.get((type_, name), "drop")

    def report(self, removed: RemovedResources) -> list[str]:
        """One line per kind of thing the user should know, for the log."""
        lines = []
        if self.removed:
            listed = ", ".join(_shown(saved) for saved in self.removed)
            if removed == "keep":
                lines.append(
                    f"saved state: kept {listed}, no longer in the template (--removed-resources drop "
                    "discards them)"
                )
            else:
                lines.append(f"saved state: dropped {listed}, no longer in the template")
        if self.reset:
            lines.append(f"saved state: --reset-resource discarded {', '.join(map(_shown, self.reset))}")
        for name in self.unmatched_resets:
            lines.append(
                f"saved state: --reset-resource {name}: no saved resource has that logical id or name"
            )
        return lines


def template_names(
    sections: Iterable[Section], resources: Iterable[Resource]
) -> dict[tuple[str, str], Resource]:
    """Every template resource a section keeps, by (type, the name the section keys it by)."""
    sections = list(sections)
    found: dict[tuple[str, str], Resource] = {}
    for resource in resources:
        for section in sections:
            if resource.type in section.types:
                name = section.template_name(resource)
                if name is not None:
                    found[(resource.type, name)] = resource
    return found


def plan(
    snapshot: Snapshot,
    sections: Sequence[Section],
    resources: Iterable[Resource],
    *,
    manifest: Path,
    removed: RemovedResources = "keep",
    reset: Iterable[str] = (),
) -> Plan:
    """Decide what becomes of each saved resource (see the module docstring)."""
    declared = template_names(sections, resources)
    resets = set(reset)
    used_resets: set[str] = set()
    result = Plan()
    for section in sections:
        content: Mapping | None = snapshot.sections.get(section.name)
        if content is None:
            continue
        for saved in section.saved(content):
            key = (saved.type, saved.name)
            template = declared.get(key)
            named = {saved.name, saved.logical_id} & resets
            if named:
                used_resets |= named
                result.reset.append(saved)
                result.decisions[key] = "drop"
                continue
            if template is not None:
                reason = section.refusal(content, saved, template)
                if reason is not None:
                    raise StateError(
                        f"saved state {manifest}: {reason}: start with --reset-resource "
                        f"{template.logical_id} to discard its saved content (or --reset-state for all)"
                    )
                result.decisions[key] = "into-template"
            elif saved.logical_id is None:
                result.decisions[key] = "recreate"  # created through the API: the user's, kept
            else:
                result.removed.append(saved)
                result.decisions[key] = "recreate" if removed == "keep" else "drop"
    result.unmatched_resets = sorted(resets - used_resets)
    return result


def _shown(saved: SavedResource) -> str:
    short = saved.type.split("::")[-1].lower()
    return f"{short} {saved.logical_id} ({saved.name})" if saved.logical_id else f"{short} {saved.name}"
