"""YAML input files read into checked values, every problem an InputError with the line.

Why keep the node tree beside the data: ``yaml.safe_load`` forgets where a value stood,
and an error message that cannot name the line sends the user searching. The composed
node tree keeps every position, so a key or a value that fails a check (here or in a
pydantic model) is reported at its line. Loaders also keep the last of two equal keys
silently; :func:`load_yaml` refuses them instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from dataset.errors import InputError

Model = TypeVar("Model", bound=BaseModel)


def node_line(node: yaml.Node) -> int:
    """The 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


def check_duplicate_keys(path: Path, node: yaml.Node) -> None:
    """YAML loaders keep the last of two equal keys silently; a duplicated ``fragment`` would
    then label the wrong text without a word."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise InputError(
                        path,
                        f"the key {key.value!r} appears twice in one entry (first on line "
                        f"{seen[key.value]})",
                        "keep one; each span is its own list entry starting with '-'",
                        line=node_line(key),
                    )
                seen[key.value] = node_line(key)
            check_duplicate_keys(path, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            check_duplicate_keys(path, item)


def load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """The file's data and its node tree (None for an empty file), UTF-8 and duplicate keys
    checked."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            path, f"not valid UTF-8 ({error.reason})", "save the file as UTF-8"
        ) from None
    except OSError as error:
        raise InputError(
            path, f"cannot be read ({error.strerror})", "pass an existing file"
        ) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(
            path,
            f"not valid YAML: {problem}",
            "fix the YAML syntax; write fragments in double quotes and escape '\"' as '\\\"'",
            line=int(mark.line) + 1 if mark is not None else None,
        ) from None
    if root is not None:
        check_duplicate_keys(path, root)
    return data, root


def node_at(
    root: yaml.Node | None, location: tuple[int | str, ...], *, key: bool = False
) -> yaml.Node | None:
    """The deepest node along a pydantic error location (keys and list indices); with
    ``key``, the last step's key node, so an unknown key is reported on its own line."""
    node = root
    for index, step in enumerate(location):
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            found = [(k, v) for k, v in node.value if k.value == step]
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


def _field(location: tuple[int | str, ...]) -> str:
    return ".".join(str(step) for step in location) or "the file"


def parse_model(path: Path, model: type[Model], fix: str) -> tuple[Model, yaml.Node | None]:
    """The file read into ``model`` (which should forbid extra keys); the first problem
    pydantic finds becomes an InputError at its line, naming the field."""
    data, root = load_yaml(path)
    try:
        return model.model_validate(data if data is not None else {}), root
    except ValidationError as error:
        # An unknown key first: it is usually a misspelt known one, whose absence pydantic
        # reports too, and the misspelling is what the user must see.
        errors = error.errors()
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        location = tuple(first["loc"])
        unknown = first["type"] == "extra_forbidden"
        node = node_at(root, location, key=unknown)
        if unknown:
            problem = f"unknown key {_field(location)!r}"
        else:
            problem = f"{_field(location)}: {first['msg']}"
        line = node_line(node) if node is not None else None
        raise InputError(path, problem, fix, line=line) from None
