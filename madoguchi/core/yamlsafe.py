"""YAML loading that refuses alias bombs ("billion laughs") quickly.

PyYAML shares aliased nodes while parsing, so a bomb parses in milliseconds, but the
loaded value is a graph whose tree has 10⁹ leaves: anything that walks it (validation,
export, json.dumps) runs for minutes. Every YAML the product reads from outside
(catalogs, import mappings, situations) goes through :func:`load`, which composes the
node graph, counts the nodes its tree would have (shared nodes counted once per use)
and refuses the document past ``MAX_NODES`` before constructing anything.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_NODES = 200_000  # the largest catalog file has a few thousand


class TooLarge(yaml.YAMLError):
    def __init__(self, nodes: int):
        super().__init__(
            f"the document expands to more than {MAX_NODES} nodes "
            f"({nodes}+; aliases repeated too often?): refused"
        )


def expanded_size(root: yaml.Node) -> int:
    """Nodes in the tree the graph unfolds to, stopping early past MAX_NODES."""
    sizes: dict[int, int] = {}
    # Iterative post-order walk (aliased nodes are the same object: sized once).
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children = (
            [c for pair in node.value for c in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        if not done:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(c), 1) for c in children)
        if total > MAX_NODES:
            raise TooLarge(total)
        sizes[id(node)] = total
    return sizes[id(root)]


def load(text: str, loader_cls: type = yaml.SafeLoader) -> Any:
    """``yaml.load`` with a safe loader class, refusing alias bombs."""
    loader = loader_cls(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        expanded_size(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()
