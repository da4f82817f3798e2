"""YAML input files read into pydantic models, every problem an InputError with its line.

Every YAML file a user writes (the schema, annotation records, provenance records,
adjudication decisions, allowlists, release pins) is read here, so all of them answer a
mistake the same way: the file, the line, what is wrong and how to fix it. Why keep the
node tree beside the data: a loaded value forgets where it stood, and a message that cannot
name the line sends the user searching. YAML loaders also keep the last of two equal keys
silently (a duplicated ``fragment`` would label the wrong text); they are refused here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from dataset.errors import InputError, not_utf8

Model = TypeVar("Model", bound=BaseModel)
Location = tuple[int | str, ...]

#: Error types about the keys of a mapping rather than a value: reported together.
_KEY_ERRORS = ("missing", "extra_forbidden")
#: Pydantic's words for a value of the wrong shape, in the words of someone writing YAML.
_SHAPES = {
    "model_type": "is not a mapping of keys to values",
    "model_attributes_type": "is not a mapping of keys to values",
    "dict_type": "is not a mapping of keys to values",
    "list_type": "is not a list of '- ' entries",
    "tuple_type": "is not a list of '- ' entries",
}


class InputModel(BaseModel):
    """A YAML input's model: unknown keys are errors (a typo such as ``patern:`` must stop
    everything, not silently drop a check) and values never change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class InputValueError(ValueError):
    """A validator's verdict, with how to fix it and, when the fault lies deeper than the
    value validated (a model validator checking its fields), the steps to the culprit."""

    def __init__(self, problem: str, *location: int | str, fix: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
        self.location = location


@dataclass(frozen=True)
class InputKind:
    """What one kind of input is called in messages and how its mistakes are mended."""

    name: str
    fix: str
    syntax: str = "fix the YAML syntax"
    unreadable: str = "pass an existing file"


def node_line(node: yaml.Node) -> int:
    """The 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


def _check_duplicate_keys(path: Path, node: yaml.Node) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise InputError(
                        path,
                        f"the key {key.value!r} appears twice in one mapping (first on line "
                        f"{seen[key.value]})",
                        "keep one; each list entry starts with its own '-'",
                        line=node_line(key),
                    )
                seen[key.value] = node_line(key)
            _check_duplicate_keys(path, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicate_keys(path, item)


def _text(path: Path, kind: InputKind, data: bytes | None) -> str:
    try:
        return (path.read_bytes() if data is None else data).decode("utf-8")
    except UnicodeDecodeError as error:
        raise not_utf8(path, error, f"save {kind.name} as UTF-8") from None
    except OSError as error:
        raise InputError(
            path, f"cannot read {kind.name}: {error.strerror}", kind.unreadable
        ) from None


def load_yaml(
    path: Path, kind: InputKind, data: bytes | None = None
) -> tuple[Any, yaml.Node | None]:
    """The file's data (or ``data``, its bytes already read) and its node tree (None for an
    empty file), with UTF-8, the YAML syntax and duplicate keys checked."""
    loader = yaml.SafeLoader(_text(path, kind, data))
    try:
        root = loader.get_single_node()
        value = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(
            path,
            f"not valid YAML: {problem}",
            kind.syntax,
            line=int(mark.line) + 1 if mark is not None else None,
        ) from None
    finally:
        loader.dispose()
    if root is not None:
        _check_duplicate_keys(path, root)
    return value, root


def node_at(root: yaml.Node | None, location: Location, *, key: bool = False) -> yaml.Node | None:
    """The deepest node along a location (keys and list indices); with ``key``, the last
    step's key node, so an unknown key is reported on its own line."""
    node = root
    for index, step in enumerate(location):
        if isinstance(node, yaml.MappingNode):
            found = [(k, v) for k, v in node.value if k.value == str(step)]
            if not found:
                return node
            key_node, value = found[0]
            node = key_node if key and index == len(location) - 1 else value
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                return node
            node = node.value[step]
        else:
            return node
    return node


def line_at(root: yaml.Node | None, *location: int | str) -> int | None:
    """The line of the node at ``location`` (as deep as the YAML goes), for the checks a
    caller makes after the model: a technique unknown to the schema, a layer name."""
    node = node_at(root, location)
    return node_line(node) if node is not None else None


def where(location: Location) -> str:
    """A location as a reader counts: keys by name, list entries from 1."""
    steps = [f"entry {step + 1}" if isinstance(step, int) else step for step in location]
    return ", ".join(steps) or "the file"


def _shown(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _location(error: ErrorDetails) -> Location:
    steps = tuple(step for step in error["loc"] if not str(step).startswith("function-"))
    cause = error.get("ctx", {}).get("error")
    return (*steps, *cause.location) if isinstance(cause, InputValueError) else steps


def _key_problem(
    path: Path,
    kind: InputKind,
    first: ErrorDetails,
    errors: Sequence[ErrorDetails],
    root: yaml.Node | None,
) -> InputError:
    """Missing and unknown keys of one mapping, in one message: an unknown key is usually a
    misspelt known one, whose absence is the other half of the story."""
    parent = _location(first)[:-1]
    keys = [e for e in errors if e["type"] in _KEY_ERRORS and _location(e)[:-1] == parent]
    named = {
        label: [str(_location(e)[-1]) for e in keys if e["type"] == type_]
        for label, type_ in (("missing", "missing"), ("unknown", "extra_forbidden"))
    }
    problem = "; ".join(
        f"{label} key{'s' if len(names) > 1 else ''} {', '.join(names)}"
        for label, names in named.items()
        if names
    )
    unknown = next((e for e in keys if e["type"] == "extra_forbidden"), None)
    node = node_at(root, _location(unknown), key=True) if unknown else node_at(root, parent)
    line = node_line(node) if node is not None else None
    problem = f"{where(parent)}: {problem}" if parent else problem
    return InputError(path, problem, kind.fix, line=line)


def _problem(
    path: Path, kind: InputKind, error: ValidationError, root: yaml.Node | None
) -> InputError:
    errors = error.errors()
    first = next((e for e in errors if e["type"] in _KEY_ERRORS), errors[0])
    if first["type"] in _KEY_ERRORS:
        return _key_problem(path, kind, first, errors, root)
    location = _location(first)
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, InputValueError):
        message, fix = cause.problem, cause.fix or kind.fix
    elif first["type"] in _SHAPES:
        message, fix = f"{_SHAPES[first['type']]}, found {_shown(first['input'])}", kind.fix
    else:  # a plain ValueError's own words, without pydantic's "Value error, "
        message, fix = str(cause) if first["type"] == "value_error" else first["msg"], kind.fix
    return InputError(path, f"{where(location)}: {message}", fix, line=line_at(root, *location))


def parse_model(
    path: Path, model: type[Model], kind: InputKind, *, data: bytes | None = None, empty: Any = None
) -> tuple[Model, yaml.Node | None]:
    """The file read into ``model`` and its node tree (for lines the caller's own checks
    name); the first problem becomes an InputError at its line. An empty file is ``empty``
    (default: an empty mapping)."""
    value, root = load_yaml(path, kind, data)
    if value is None:
        value = {} if empty is None else empty
    try:
        return model.model_validate(value), root
    except ValidationError as error:
        raise _problem(path, kind, error, root) from None


def read_model(
    path: Path, model: type[Model], kind: InputKind, *, data: bytes | None = None, empty: Any = None
) -> Model:
    """:func:`parse_model` without the node tree."""
    return parse_model(path, model, kind, data=data, empty=empty)[0]
