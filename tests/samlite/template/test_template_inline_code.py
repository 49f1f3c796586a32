"""InlineCode and Code: ZipFile, written where the function runs from: `index.py`, as on AWS.

AWS::Lambda::Function Code, ZipFile: CloudFormation "places it in a file named index and zips it to
create a deployment package", so the handler is `index.<function>`.
"""

from __future__ import annotations

from pathlib import Path

from samlite.template import load_stack

SOURCE = "def handler(event, context):\n    return {'inline': True}\n"


def test_inline_code_is_written_once_to_index_py_in_the_cache(write_template, tmp_path: Path) -> None:
    path = write_template(f"""\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Inline:
        Type: AWS::Serverless::Function
        Properties:
          InlineCode: "{SOURCE.encode("unicode_escape").decode()}"
          Handler: index.handler
          Runtime: python3.12
      Same:
        Type: AWS::Lambda::Function
        Properties:
          Code:
            ZipFile: "{SOURCE.encode("unicode_escape").decode()}"
          Handler: index.handler
          Runtime: python3.12
          Role: arn:aws:iam::123456789012:role/r
    """)
    cache = tmp_path / "cache"
    stack = load_stack(path, cache_dir=cache)
    inline, same = stack.function("Inline"), stack.function("Same")
    assert inline.inline_code and same.inline_code
    assert (inline.code_uri / "index.py").read_text() == SOURCE
    assert inline.code_uri == same.code_uri  # the same source is written once
    assert inline.code_uri.is_relative_to(cache / "inline")
    assert load_stack(path, cache_dir=cache).function("Inline").code_uri == inline.code_uri  # stable
    assert stack.warnings == []


def test_inline_code_with_intrinsics_and_a_handler_that_cannot_find_it(write_template, tmp_path) -> None:
    path = write_template("""\
    Transform: AWS::Serverless-2016-10-31
    Parameters:
      Answer:
        Type: String
        Default: "42"
    Resources:
      Inline:
        Type: AWS::Serverless::Function
        Properties:
          InlineCode: !Sub "def handler(event, context):\\n    return ${Answer}\\n"
          Handler: app.handler
          Runtime: python3.12
    """)
    stack = load_stack(path, cache_dir=tmp_path / "cache")
    assert (stack.function("Inline").code_uri / "index.py").read_text().endswith("return 42\n")
    [warning] = stack.warnings
    assert warning.startswith("Function 'Inline' property 'Handler': inline code is written to index.py")
