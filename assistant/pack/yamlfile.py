"""YAML files a person writes (``pack.yaml``, ``views.yaml``): composed keeping the node tree, so any bad field
can be pointed at by line, with scalars kept as the text that was written where YAML 1.1 would guess.

YAML 1.1 reads ``funds: [001234]`` as the octal int 668 and ``month: 2024-07-01`` as a date; codes must keep their
leading zeros, so integers and timestamps stay text (pydantic still turns ``top_n: "10"`` into an int where a model
asks for one). ``TextLoader`` keeps floats as text too, for files whose models are strict about text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.errors import PackError

__all__ = ["CodesLoader", "TextLoader", "compose", "node_line"]


class CodesLoader(yaml.SafeLoader):
    """Integers and timestamps as written."""


class TextLoader(CodesLoader):
    """Integers, floats and timestamps as written."""


def _as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


CodesLoader.add_constructor("tag:yaml.org,2002:int", _as_text)
CodesLoader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
TextLoader.add_constructor("tag:yaml.org,2002:float", _as_text)


def compose(text: str, path: Path, loader_class: type[yaml.SafeLoader],
            error: type[PackError] = PackError) -> tuple[yaml.Node | None, Any]:
    """The document's node tree and its data; a syntax error is ``error`` naming the file and line."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise error(f"YAML 语法错误: {exc.problem or exc}", file=str(path),
                    row=mark.line + 1 if mark is not None else None) from None
    finally:
        loader.dispose()
    return node, data


def node_line(node: yaml.Node | None, path: tuple[str | int, ...]) -> int | None:
    """1-based line of the value at ``path`` (mapping keys and list indexes), or of its deepest parent found."""
    line = None if node is None else node.start_mark.line + 1
    for step in path:
        # A mapping entry is pointed at by its key's line: for a nested block that is the line a person reads.
        pair: tuple[yaml.Node, yaml.Node] | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            pair = (node.value[step], node.value[step])
        if pair is None:
            return line
        node, line = pair[1], pair[0].start_mark.line + 1
    return line
