"""The template model: a SAM template loaded, translated and resolved into a local `Stack`.

`load_stack` is the entry point; `Stack.functions` holds `samlite.model.FunctionSpec`s ready for the
runtime and `Stack.resources` the resolved resources for the local cloud. Every problem is a
`TemplateError` whose message names the resource and property concerned.
"""

from samlite.errors import TemplateError
from samlite.template.env_vars import load_env_vars_file
from samlite.template.parameters import parse_parameter_overrides
from samlite.template.stack import Stack, load_stack

__all__ = ["Stack", "TemplateError", "load_env_vars_file", "load_stack", "parse_parameter_overrides"]
