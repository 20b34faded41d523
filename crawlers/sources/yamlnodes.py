"""YAML loading that remembers where each value came from.

`load_with_lines` composes the YAML node tree (which carries marks) and builds plain Python
values together with a map from field path to 1-based line number, so a validation error
on `politeness.delay` can name the line it sits on.
"""

from __future__ import annotations

from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class YamlSyntaxError(ValueError):
    """The text is not valid YAML; carries the 1-based line of the problem."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def load_with_lines(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text into plain values and a {path: line} map (lines start at 1)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        # An unclosed bracket or quote is found at the end of the file; the line where the
        # construct began (the context mark) is the one to fix.
        context = getattr(exc, "context_mark", None)
        mark = context or getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        if context is not None and getattr(exc, "context", None):
            problem = f"{problem} ({exc.context} started on this line)"
        raise YamlSyntaxError(f"not valid YAML: {problem}", line) from exc
    lines: dict[Path_, int] = {}
    if node is None:
        return None, lines
    value = _build(node, (), lines)
    return value, lines


def _build(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                # PyYAML accepts `? [a, b]` or `{a: 1}: x` as keys; no config field is named so.
                raise YamlSyntaxError(
                    "a mapping key must be a plain name, not a list or a mapping",
                    key_node.start_mark.line + 1,
                )
            key = _scalar(key_node)
            child = (*path, key)
            out[key] = _build(value_node, child, lines)
            # A key's own line is more useful than its value's for block mappings.
            lines[child] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    # Resolve the scalar with the safe constructor so "2" is an int and "yes" a bool.
    constructor = yaml.SafeLoader.__new__(yaml.SafeLoader)
    yaml.constructor.SafeConstructor.__init__(constructor)
    try:
        return constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        # e.g. `!!python/object:...` (refused by the safe loader) or `!!int many`.
        problem = getattr(exc, "problem", None) or f"{node.tag} cannot read {node.value!r}: {exc}"
        raise YamlSyntaxError(f"not valid YAML: {problem}", node.start_mark.line + 1) from exc


def line_for(lines: dict[Path_, int], loc: Path_) -> int | None:
    """The line of the deepest known prefix of loc (pydantic locs may name missing fields)."""
    for end in range(len(loc), -1, -1):
        found = lines.get(tuple(loc[:end]))
        if found is not None:
            return found
    return None
