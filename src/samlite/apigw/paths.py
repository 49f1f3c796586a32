"""Resource path templates (`/items/{id}`, `/files/{key+}`) and API Gateway's choice among them.

API Gateway matches the most specific resource: at each segment a literal beats a `{param}`, which
beats a greedy `{name+}` (one or more trailing segments). Matching works on the path as received,
segment by segment, so an encoded `%2F` stays inside its segment; whether values are then decoded
is the caller's choice (REST APIs pass them on encoded, HTTP APIs decoded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAM = re.compile(r"^\{([A-Za-z0-9._-]+)(\+?)\}$")
_LITERAL, _PARAMETER, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class _Segment:
    kind: int
    text: str  # the literal, or the parameter's name


@dataclass(frozen=True)
class PathTemplate:
    """A parsed resource path; `template` is the text as written (`/files/{key+}`)."""

    template: str
    segments: tuple[_Segment, ...]
    is_default: bool = False  # an HTTP API's `$default` route: matches what nothing else does

    @classmethod
    def default(cls) -> PathTemplate:
        return cls(template="$default", segments=(), is_default=True)

    @classmethod
    def parse(cls, template: str) -> PathTemplate:
        if not template.startswith("/"):
            raise ValueError("a resource path must start with '/'")
        parts = [part for part in template.split("/")[1:] if part != ""] if template != "/" else []
        segments: list[_Segment] = []
        for index, part in enumerate(parts):
            match = _PARAM.match(part)
            if match is None:
                if "{" in part or "}" in part:
                    raise ValueError(f"segment '{part}' is neither a literal nor a {{parameter}}")
                segments.append(_Segment(_LITERAL, part))
            elif match.group(2):
                if index != len(parts) - 1:
                    raise ValueError(f"greedy parameter '{part}' must be the last segment")
                segments.append(_Segment(_GREEDY, match.group(1)))
            else:
                segments.append(_Segment(_PARAMETER, match.group(1)))
        return cls(template=template, segments=tuple(segments))

    @property
    def specificity(self) -> tuple[int, ...]:
        """Sort key: lower is more specific, compared segment by segment; `$default` comes last."""
        if self.is_default:
            return (_GREEDY + 1,)
        return tuple(segment.kind for segment in self.segments)

    def match(self, path: str) -> dict[str, str] | None:
        """Path parameters (raw, as in `path`) when `path` matches, else None."""
        if self.is_default:
            return {}
        parts = [part for part in path.split("/")[1:]] if path not in ("", "/") else []
        if parts and parts[-1] == "":
            parts.pop()  # one trailing slash is ignored, as API Gateway does
        values: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.kind == _GREEDY:
                rest = parts[index:]
                if not rest or any(part == "" for part in rest):
                    return None
                values[segment.text] = "/".join(rest)
                return values
            if index >= len(parts):
                return None
            part = parts[index]
            if part == "" or (segment.kind == _LITERAL and part != segment.text):
                return None
            if segment.kind == _PARAMETER:
                values[segment.text] = part
        return values if len(parts) == len(self.segments) else None
