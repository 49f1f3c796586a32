"""What `samlite start` refuses before it creates anything: a template it could only start in part.

A local cloud that starts without one of its functions, or without the resource that delivers events
to a function, looks healthy while it drops those events: an upload is stored and nothing catalogues
it. So `samlite start` refuses such a template with one `UnsupportedError` line naming the resource and
the property (exit status 2, the same line in the pytest plugin), before any resource exists:

- a function samlite cannot run (its reason from the template model: a container image, code in S3,
  a layer it cannot find, a runtime other than python3.x), or whose CodeUri is not a folder here;
- a resource of a type that delivers events to functions (event-source mappings, rules, schedules,
  subscriptions, ...) which samlite does not emulate yet, and which names one of the template's
  functions.

Other types samlite does not emulate (alarms, dashboards, ...) deliver nothing to a function: they
are listed once at start as left out, and the rest starts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from samlite.errors import UnsupportedError
from samlite.provisioning.provision import HANDLED_ELSEWHERE, NOT_ENFORCED
from samlite.provisioning.resources import KINDS
from samlite.template import Stack

# Types whose purpose is to send events or requests to a Lambda function.
EVENT_SOURCE_TYPES = frozenset(
    {
        "AWS::Lambda::EventSourceMapping",
        "AWS::Lambda::Url",
        "AWS::Events::Rule",
        "AWS::Scheduler::Schedule",
        "AWS::SNS::Subscription",
        "AWS::Logs::SubscriptionFilter",
        "AWS::IoT::TopicRule",
        "AWS::Pipes::Pipe",
        "AWS::StepFunctions::StateMachine",
        "AWS::AppSync::DataSource",
        "AWS::Cognito::UserPool",
        "AWS::SES::ReceiptRule",
        "AWS::KinesisFirehose::DeliveryStream",
    }
)


def refuse_partial_start(stack: Stack) -> None:
    """Raise one UnsupportedError listing every reason the template would start only in part."""
    reasons = [stack.unsupported_functions[logical_id] for logical_id in sorted(stack.unsupported_functions)]
    reasons += [
        f"Function '{logical_id}' property 'CodeUri': {spec.code_uri} is not a folder on this machine"
        for logical_id, spec in sorted(stack.functions.items())
        if not spec.code_uri.is_dir()
    ]
    reasons += list(lost_events(stack))
    if reasons:
        raise UnsupportedError("; ".join(reasons))


def lost_events(stack: Stack) -> Iterator[str]:
    """A reason for each event-source resource samlite would leave out although it names a function."""
    targets = _function_names(stack)
    for logical_id, resource in sorted(stack.resources.items()):
        if resource.type not in EVENT_SOURCE_TYPES or _emulated(resource.type):
            continue
        for path, function_id in _mentions(resource.properties, targets, ()):
            yield (
                f"Resource '{logical_id}' ({resource.type}) property '{path}': samlite does not emulate "
                f"{resource.type} yet, so what it sends to function {function_id} would never arrive"
            )
            break


def _emulated(resource_type: str) -> bool:
    return resource_type in KINDS or resource_type in HANDLED_ELSEWHERE or resource_type in NOT_ENFORCED


def _function_names(stack: Stack) -> dict[str, str]:
    """Every way a property can name one of the template's functions (name, ARN) -> logical id."""
    names: dict[str, str] = {}
    for logical_id, resource in stack.resources.items():
        if resource.type == "AWS::Lambda::Function":
            names[resource.ref] = logical_id
            arn = resource.attributes.get("Arn")
            if isinstance(arn, str):
                names[arn] = logical_id
    return names


def _mentions(value: Any, targets: Mapping[str, str], path: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        for name, logical_id in targets.items():
            # An ARN may carry a qualifier (:alias, :version); a name may sit inside a longer string.
            if value == name or value.startswith(name + ":") or (name.startswith("arn:") and name in value):
                yield ".".join(path) or "(value)", logical_id
                return
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _mentions(item, targets, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _mentions(item, targets, (*path, str(index)))
