"""README.md's table of what samlite emulates is samlite's own list (`samlite.model.support.TYPES`), and
that list is true to the code: what provisioning creates, what other parts serve, what is accepted
without being enforced, what the template model and provisioning read of each type, checked against
CloudFormation's resource schemas (cfn-lint's copy of the CloudFormation registry) and SAM's own
resource models (aws-sam-translator). Each failure says which type, property or row to fix, and how.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from functools import cache
from pathlib import Path

import pytest

from samlite.cloud.api_gateway import API_RESOURCE_TYPES
from samlite.model.support import (
    IGNORED,
    NOT_EMULATED,
    OTHER_TYPES,
    PARTIAL,
    REFUSED,
    SUPPORTED,
    TABLE_BEGIN,
    TABLE_END,
    TYPES,
    by_type,
    render_markdown,
)
from samlite.provisioning.provision import HANDLED_ELSEWHERE, NOT_ENFORCED
from samlite.provisioning.resources import KINDS
from samlite.template.naming import name_property, needed_properties

README = Path(__file__).resolve().parents[2] / "README.md"
SUPPORT_FILE = "src/samlite/model/support.py"
# Code besides a type's provisioning kind that reads its properties (the template model builds
# functions and settles secrets' values, the Lambda API reports configurations, the gateway reads its
# APIs): a whole module, or `module:function` for that function and what it calls in its module.
READERS: dict[str, tuple[str, ...]] = {
    "AWS::Lambda::Function": ("samlite.template.functions", "samlite.services.awslambda.configuration"),
    "AWS::Lambda::LayerVersion": ("samlite.template.layers",),
    "AWS::ApiGateway::RestApi": ("samlite.apigw.routes",),
    "AWS::ApiGatewayV2::Api": ("samlite.apigw.routes",),
    "AWS::ApiGateway::Stage": ("samlite.apigw.routes:_stage",),
    "AWS::ApiGatewayV2::Stage": ("samlite.apigw.routes:_stage",),
    "AWS::ApiGateway::Deployment": ("samlite.apigw.routes:_stage",),
    "AWS::ApiGateway::ApiKey": ("samlite.apigw.api_keys",),
    "AWS::ApiGateway::UsagePlan": ("samlite.apigw.api_keys",),
    "AWS::ApiGateway::UsagePlanKey": ("samlite.apigw.api_keys",),
    "AWS::SecretsManager::Secret": ("samlite.template.secret_values:initial_secret_string",),
    "AWS::Lambda::EventSourceMapping": ("samlite.services.awslambda.event_sources.config",),
    "AWS::SSM::Parameter": (
        "samlite.template.dynamic_references:_check_parameter_type",
        "samlite.template.dynamic_references:_parameter_value",
    ),
}


def _row_hint(kind: str, status: str) -> str:
    return f'add TypeSupport("{kind}", {status}, "<what samlite does with it>") to TYPES in {SUPPORT_FILE}'


def test_no_type_has_two_rows() -> None:
    seen: set[str] = set()
    twice = [row.type for row in TYPES if row.type in seen or seen.add(row.type)]  # type: ignore[func-returns-value]
    assert not twice, f"{SUPPORT_FILE}: more than one row for {twice}"
    for row in TYPES:
        names = [prop.name for prop in row.properties]
        assert len(names) == len(set(names)), f"{SUPPORT_FILE}: {row.type} lists a property twice"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_type_provisioning_creates_has_a_row_saying_it_is_emulated(kind: str) -> None:
    row = by_type().get(kind)
    module = KINDS[kind].create.__module__
    assert row is not None, f"{kind} is created by {module} but has no row: {_row_hint(kind, 'SUPPORTED')}"
    assert row.status in (SUPPORTED, PARTIAL), (
        f"{kind} is created by {module}, but its row in {SUPPORT_FILE} says {row.status}: make it SUPPORTED "
        "or PARTIAL (with a note saying what is missing)"
    )


@pytest.mark.parametrize("kind", sorted(HANDLED_ELSEWHERE | NOT_ENFORCED | API_RESOURCE_TYPES))
def test_every_type_served_elsewhere_or_accepted_has_a_row(kind: str) -> None:
    row = by_type().get(kind)
    assert row is not None, f"{kind} is handled by samlite but has no row: {_row_hint(kind, 'SUPPORTED')}"
    if kind in NOT_ENFORCED:
        assert row.status is PARTIAL and "not enforced" in row.note, (
            f"{kind} is in NOT_ENFORCED (accepted, not enforced): its row in {SUPPORT_FILE} must be PARTIAL "
            "and say 'not enforced'"
        )
    else:
        assert row.status in (SUPPORTED, PARTIAL, IGNORED), (
            f"{kind}: its row says {row.status}, but samlite serves it"
        )


@pytest.mark.parametrize(
    "row",
    [r for r in TYPES if r.type.startswith("AWS::") and not r.type.startswith("AWS::Serverless::")],
    ids=lambda r: r.type,
)
def test_a_row_says_what_the_code_does(row) -> None:
    handled = row.type in KINDS or row.type in HANDLED_ELSEWHERE or row.type in NOT_ENFORCED
    if row.status is NOT_EMULATED:
        assert not handled, (
            f"{row.type} is now handled by samlite (provisioning, HANDLED_ELSEWHERE or NOT_ENFORCED) but "
            f"its row in {SUPPORT_FILE} says not emulated: update its status, note and properties"
        )
    else:
        assert handled, (
            f"{row.type}'s row in {SUPPORT_FILE} says {row.status}, but no provisioning kind, "
            "HANDLED_ELSEWHERE or NOT_ENFORCED covers it: add the code, or mark the row NOT_EMULATED"
        )


@cache
def _cfn_schema(kind: str) -> dict:
    """The CloudFormation registry schema of `kind`, as cfn-lint ships it."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    return dict(PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", kind).schema)


def _cfn_properties(kind: str) -> frozenset[str]:
    return frozenset(_cfn_schema(kind)["properties"])


@cache
def _sam_properties() -> dict[str, frozenset[str]]:
    from samtranslator.model import SamResourceMacro, sam_resources

    return {
        cls.resource_type: frozenset(cls.property_types)
        for _, cls in inspect.getmembers(sam_resources, inspect.isclass)
        if issubclass(cls, SamResourceMacro) and getattr(cls, "resource_type", None)
    }


def _properties_of(kind: str) -> frozenset[str]:
    if kind.startswith("AWS::Serverless::"):
        assert kind in _sam_properties(), f"{kind} (in {SUPPORT_FILE}) is not a SAM resource type"
        return _sam_properties()[kind]
    return _cfn_properties(kind)


@pytest.mark.parametrize("row", TYPES, ids=lambda r: r.type)
def test_every_type_and_property_named_exists(row) -> None:
    """Typos would document what no template can write: names are checked against the schemas."""
    known = _properties_of(row.type)
    unknown = [prop.name for prop in row.properties if prop.name not in known]
    assert not unknown, f"{SUPPORT_FILE}: {row.type} has no property {unknown} (known: {sorted(known)})"


class _PropertyNames(ast.NodeVisitor):
    """String constants code uses to look something up: `.get("X")`, `x["X"]`, `"X" in x`, and the
    items of tuples, lists and sets (`_ATTRIBUTES = ("DelaySeconds", ...)`); not dict keys or messages."""

    def __init__(self) -> None:
        self.found: set[str] = set()

    def _add(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.found.add(node.value)

    def visit_Call(self, node: ast.Call) -> None:
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "pop", "setdefault", "integer", "boolean")
            and node.args
        ):
            self._add(node.args[0])
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        self._add(node.slice)
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        if any(isinstance(op, ast.In | ast.NotIn) for op in node.ops):
            self._add(node.left)
        self.generic_visit(node)

    def _items(self, node: ast.Tuple | ast.List | ast.Set) -> None:
        for item in node.elts:
            self._add(item)
        self.generic_visit(node)

    visit_Tuple = visit_List = visit_Set = _items


def _names_used(nodes: list[ast.AST]) -> set[str]:
    finder = _PropertyNames()
    for node in nodes:
        finder.visit(node)
    return finder.found


def _reachable(function) -> list[ast.AST]:
    """`function`'s definition and every top-level definition of its module it refers to, transitively."""
    module = ast.parse(inspect.getsource(inspect.getmodule(function)))
    top: dict[str, ast.AST] = {}
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            top[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    top[target.id] = node
    reached, todo = {}, [function.__name__]
    while todo:
        name = todo.pop()
        if name in reached or name not in top:
            continue
        reached[name] = top[name]
        todo += [n.id for n in ast.walk(top[name]) if isinstance(n, ast.Name)]
    return list(reached.values())


@cache
def _input_properties(kind: str) -> frozenset[str]:
    """The properties a template sets (read-only ones, such as Arn, are attributes)."""
    if kind.startswith("AWS::Serverless::"):
        return _properties_of(kind)
    schema = _cfn_schema(kind)
    read_only = {path.rsplit("/", 1)[-1] for path in schema.get("readOnlyProperties", [])}
    return frozenset(set(schema["properties"]) - read_only)


def _read_by_code(kind: str) -> tuple[set[str], tuple[str, ...]]:
    """The type's properties the code that handles it looks up, and where that code is."""
    create = KINDS[kind].create if kind in KINDS else None
    nodes = _reachable(create) if create is not None else []
    for reader in READERS.get(kind, ()):
        module_name, _, function = reader.partition(":")
        module = importlib.import_module(module_name)
        nodes += _reachable(getattr(module, function)) if function else [ast.parse(inspect.getsource(module))]
    where = (*([f"{create.__module__}.{create.__name__}"] if create else []), *READERS.get(kind, ()))
    return _names_used(nodes) & set(_input_properties(kind)), where


@pytest.mark.parametrize("kind", sorted(set(KINDS) | set(READERS)))
def test_every_property_the_code_reads_is_listed_and_every_one_listed_is_read(kind: str) -> None:
    row = by_type()[kind]
    read, modules = _read_by_code(kind)
    listed = {prop.name for prop in row.properties}
    missing = sorted(read - listed)
    assert not missing, (
        f"{', '.join(modules)} read {kind} properties {missing}, which its row in {SUPPORT_FILE} does not "
        f'list: add Prop("{missing[0]}") (or Prop("{missing[0]}", PARTIAL, "what is missing"))'
    )
    naming = {name_property(kind), *needed_properties(kind)} - {None}
    claimed = {prop.name for prop in row.properties if prop.status in (SUPPORTED, PARTIAL, REFUSED)}
    unread = sorted(claimed - read - naming)
    assert not unread, (
        f"{kind}'s row in {SUPPORT_FILE} says {unread} are supported, partial or refused, but nothing in "
        f"{', '.join(modules)} reads them: mark them IGNORED or make the code use them"
    )


def test_the_readme_table_is_the_rendering_of_the_list() -> None:
    text = README.read_text(encoding="utf-8")
    assert TABLE_BEGIN in text and TABLE_END in text, (
        f"README.md has lost the markers {TABLE_BEGIN} / {TABLE_END}"
    )
    written = text[text.index(TABLE_BEGIN) : text.index(TABLE_END) + len(TABLE_END)].splitlines()
    wanted = render_markdown().splitlines()
    missing = [line for line in wanted if line not in written]
    extra = [line for line in written if line not in wanted]
    assert written == wanted, (
        "README.md's support table differs from "
        + SUPPORT_FILE
        + " (run `.venv/bin/python scripts/support_table.py` "
        f"to rewrite it). Missing rows: {missing}. Rows that should not be there: {extra}."
    )


def test_the_last_row_says_what_happens_to_any_other_type() -> None:
    assert render_markdown().splitlines()[-2].startswith(f"| {OTHER_TYPES.type} |")
    assert OTHER_TYPES.status is NOT_EMULATED
