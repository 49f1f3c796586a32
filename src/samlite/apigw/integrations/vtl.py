"""Mapping templates: Velocity (VTL) with API Gateway's `$input`, `$util`, `$context`, run by airspeed.

API Gateway Developer Guide, "API Gateway mapping template and access logging variable reference":
- `$input.body` (the raw payload), `$input.json(x)` (a JSONPath result as a JSON string),
  `$input.path(x)` (the result as an object VTL can walk), `$input.params()` (`path`, `querystring`,
  `header` maps) and `$input.params(x)` (path, then query string, then header);
- `$util.escapeJavaScript`, `parseJson`, `urlEncode`, `urlDecode`, `base64Encode`, `base64Decode`;
- `$context.*` (the request context, `$context.authorizer.*`, and the writable
  `$context.requestOverride` / `$context.responseOverride`) and `$stageVariables.*`.
Values are given Java's manners where VTL shows them: maps print as `{a=1}`, booleans as `true`,
and `size()`, `get()`, `keySet()`, `containsKey()`, `isEmpty()` work on maps and lists.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus, unquote_plus

from samlite.apigw.request_view import RequestView

if TYPE_CHECKING:
    import airspeed

# airspeed and jsonpath_ng (with its parser generator) are imported by the first template or path that
# needs them: most APIs have Lambda proxy routes only, and `samlite start` should not pay for them.


class TemplateFailure(Exception):
    """A mapping template could not be rendered; the message says where (logged)."""


class VtlMap(dict):  # type: ignore[type-arg]
    """A JSON object as VTL sees a Java Map."""

    def size(self) -> int:
        return len(self)

    def isEmpty(self) -> bool:
        return not self

    def keySet(self) -> list[Any]:
        return VtlList(self.keys())

    def values(self) -> list[Any]:  # type: ignore[override]
        return VtlList(super().values())

    def entrySet(self) -> list[Any]:
        return VtlList(VtlMap(key=k, value=v) for k, v in self.items())

    def containsKey(self, key: Any) -> bool:
        return key in self

    def get(self, key: Any, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key, default)

    def put(self, key: Any, value: Any) -> Any:
        previous = super().get(key)
        self[key] = value
        return previous

    def putAll(self, other: Mapping[Any, Any]) -> None:
        self.update(other)

    def remove(self, key: Any) -> Any:
        return self.pop(key, None)

    def toString(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return "{" + ", ".join(f"{_java_str(k)}={_java_str(v)}" for k, v in self.items()) + "}"


class VtlList(list):  # type: ignore[type-arg]
    """A JSON array as VTL sees a Java List."""

    def size(self) -> int:
        return len(self)

    def isEmpty(self) -> bool:
        return not self

    def get(self, index: int) -> Any:
        return self[index]

    def contains(self, value: Any) -> bool:
        return value in self

    def add(self, value: Any) -> bool:
        self.append(value)
        return True

    def toString(self) -> str:
        return str(self)

    def __str__(self) -> str:
        return "[" + ", ".join(_java_str(item) for item in self) + "]"


class VtlBool:
    """A JSON boolean that prints as Java's `true` / `false`."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return self.value

    def __eq__(self, other: object) -> bool:
        return bool(other) == self.value if isinstance(other, bool | VtlBool) else False

    def __hash__(self) -> int:
        return hash(self.value)

    def __str__(self) -> str:
        return "true" if self.value else "false"

    __repr__ = __str__


def _java_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def to_vtl(value: Any) -> Any:
    """JSON data as VTL values (maps, lists, booleans with Java's manners)."""
    if isinstance(value, Mapping):
        return VtlMap((k, to_vtl(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return VtlList(to_vtl(item) for item in value)
    if isinstance(value, bool):
        return VtlBool(value)
    return value


def to_json_value(value: Any) -> Any:
    """VTL values back to plain JSON data."""
    if isinstance(value, VtlBool):
        return value.value
    if isinstance(value, Mapping):
        return {k: to_json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_value(item) for item in value]
    return value


@lru_cache(maxsize=256)
def _jsonpath(expression: str) -> Any:
    from jsonpath_ng import parse as parse_jsonpath
    from jsonpath_ng.exceptions import JsonPathParserError

    try:
        return parse_jsonpath(expression)
    except (JsonPathParserError, Exception) as exc:
        raise TemplateFailure(f"'{expression}' is not a JSONPath expression: {exc}") from None


def json_path(data: Any, expression: str) -> Any:
    """The value at `expression`: one value for a definite path, a list for wildcards / slices."""
    expression = expression.strip() or "$"
    if expression == "$":
        return data
    matches = [match.value for match in _jsonpath(expression).find(data)]
    definite = not any(token in expression for token in ("*", "..", "[?", ":"))
    if definite:
        return matches[0] if matches else None
    return matches


class InputVariable:
    """`$input`: the payload (the method request's, or the integration response's) and parameters."""

    def __init__(self, body: str, view: RequestView | None) -> None:
        self.body = body
        self._view = view
        self._parsed: Any = None
        self._parsed_done = False

    def _data(self) -> Any:
        if not self._parsed_done:
            self._parsed_done = True
            text = self.body.strip()
            if not text:
                self._parsed = {}
            else:
                try:
                    self._parsed = json.loads(text)
                except ValueError:
                    self._parsed = self.body  # not JSON: `$input.path('$')` is the raw string
        return self._parsed

    def json(self, expression: str = "$") -> str:
        return json.dumps(json_path(self._data(), str(expression)), separators=(",", ":"))

    def path(self, expression: str = "$") -> Any:
        return to_vtl(json_path(self._data(), str(expression)))

    def params(self, name: str | None = None) -> Any:
        view = self._view
        if view is None:
            return VtlMap(path=VtlMap(), querystring=VtlMap(), header=VtlMap()) if name is None else ""
        if name is None:
            query: dict[str, str] = {}
            for key, value in view.query:
                query[key] = value
            headers: dict[str, str] = {}
            for key, value in view.headers:
                headers[key] = value
            return VtlMap(
                path=VtlMap(view.path_parameters), querystring=VtlMap(query), header=VtlMap(headers)
            )
        value = view.path(name)
        if value is None:
            value = view.querystring(name)
        if value is None:
            value = view.header(name)
        return "" if value is None else value


class UtilVariable:
    """`$util`."""

    @staticmethod
    def escapeJavaScript(value: Any) -> str:
        return escape_javascript("" if value is None else str(value))

    @staticmethod
    def parseJson(value: Any) -> Any:
        try:
            return to_vtl(json.loads(str(value)))
        except ValueError as exc:
            raise TemplateFailure(f"$util.parseJson: not JSON: {exc}") from None

    @staticmethod
    def urlEncode(value: Any) -> str:
        # java.net.URLEncoder: letters, digits and `.-*_` stay; space is `+`; everything else %XX.
        return quote_plus(str(value), safe="*").replace("~", "%7E")

    @staticmethod
    def urlDecode(value: Any) -> str:
        return unquote_plus(str(value))

    @staticmethod
    def base64Encode(value: Any) -> str:
        return base64.b64encode(str(value).encode("utf-8")).decode("ascii")

    @staticmethod
    def base64Decode(value: Any) -> str:
        return base64.b64decode(str(value)).decode("utf-8", errors="replace")


_JS_ESCAPES = {
    "'": "\\'",
    '"': '\\"',
    "\\": "\\\\",
    "/": "\\/",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def escape_javascript(text: str) -> str:
    """Commons Lang's `StringEscapeUtils.escapeJavaScript`: quotes, backslash, slash, control
    characters, and every non-ASCII character as `\\uXXXX`."""
    out = []
    for char in text:
        if char in _JS_ESCAPES:
            out.append(_JS_ESCAPES[char])
        elif ord(char) < 32 or ord(char) > 0x7F:
            for unit in _utf16(char):
                out.append(f"\\u{unit:04X}")
        else:
            out.append(char)
    return "".join(out)


def _utf16(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


@dataclass
class RenderContext:
    """Everything one template run sees; `context` is writable (request/response overrides)."""

    context: dict[str, Any]
    stage_variables: Mapping[str, str]
    view: RequestView | None = None
    overrides: dict[str, Any] = field(default_factory=dict)


_CHAINED_CALL = re.compile(r"(?:\.[A-Za-z_]\w*)+\(")
_EXPRESSION_START = re.compile(r"#(?:set|if|elseif|foreach)\s*\(|\$!?\{?[A-Za-z_][\w.]*\(")


def keep_backslashes(template: str) -> str:
    r"""Velocity (1.7, API Gateway's) leaves backslashes in string literals alone, so the documented
    `$util.escapeJavaScript(x).replaceAll("\\'","'")` hands Java the regex `\\'`; airspeed would
    unescape `\\` to `\`. Doubling the backslashes inside the string literals of directives and
    method calls (nowhere else: template text is output as written) gives airspeed's unescaping
    back what Velocity sees."""
    out: list[str] = []
    position = 0
    for match in _EXPRESSION_START.finditer(template):
        if match.start() < position:
            continue
        out.append(template[position : match.end()])
        position = _copy_expression(template, match.end(), out)
        chained = _CHAINED_CALL.match(template, position)
        while chained:  # `$a.b(...).c(...)`: the next call's arguments too
            out.append(chained.group(0))
            position = _copy_expression(template, chained.end(), out)
            chained = _CHAINED_CALL.match(template, position)
    out.append(template[position:])
    return "".join(out)


def _copy_expression(template: str, index: int, out: list[str]) -> int:
    """Copy up to the `)` closing an expression, doubling backslashes in its string literals."""
    depth, quote = 1, ""
    while index < len(template) and depth:
        char = template[index]
        if quote:
            if char == "\\" and template[index + 1 : index + 2] == quote:
                out.append(template[index : index + 2])
                index += 2
                continue
            out.append("\\\\" if char == "\\" else char)
            if char == quote:
                quote = ""
        else:
            out.append(char)
            if char in "\"'":
                quote = char
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
        index += 1
    return index


@lru_cache(maxsize=512)
def _compiled(template: str) -> airspeed.Template:
    import airspeed

    compiled = airspeed.Template(keep_backslashes(template))
    try:
        compiled.ensure_compiled()
    except airspeed.TemplateSyntaxError as exc:
        raise TemplateFailure(f"the mapping template is not valid VTL: {exc}") from None
    return compiled


def new_context(request_context: Mapping[str, Any]) -> dict[str, Any]:
    """`$context` for one request: its request context plus the writable override maps."""
    context = to_vtl(dict(request_context))
    context["requestOverride"] = VtlMap(header=VtlMap(), querystring=VtlMap(), path=VtlMap())
    context["responseOverride"] = VtlMap(header=VtlMap(), status=None)
    return context


def render(template: str, body: str, run: RenderContext) -> str:
    """The template's output for `body` (the method request's or the integration response's)."""
    namespace = {
        "input": InputVariable(body, run.view),
        "util": UtilVariable(),
        "context": run.context,
        "stageVariables": to_vtl(dict(run.stage_variables)),
    }
    import airspeed

    try:
        return str(_compiled(template).merge(namespace))
    except TemplateFailure:
        raise
    except airspeed.TemplateError as exc:
        raise TemplateFailure(f"the mapping template failed: {exc}") from None
    except Exception as exc:  # airspeed wraps most errors, not all
        raise TemplateFailure(f"the mapping template failed: {type(exc).__name__}: {exc}") from None
