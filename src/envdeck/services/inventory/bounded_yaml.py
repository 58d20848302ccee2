"""Parsing a YAML document that someone else wrote, within limits: size, depth, aliases.

YAML's aliases (`*a`) repeat a node without repeating its text, so a few hundred bytes of
nested aliases ("billion laughs") stand for millions of values once anything walks the result
(validation, storage, an export). PyYAML's SafeLoader builds each aliased node once and shares
it, so the cost shows up later, where nothing bounds it. `load_yaml` measures the document PyYAML
composed, before any value is built: how many nodes it holds once every alias is expanded, and
how deep it nests (expanded too). Nesting is also bounded while composing, since PyYAML's
composer recurses once per level and would otherwise end in a RecursionError. A recursive
alias (a node that contains itself) expands without end and is refused too.

Every refusal is a `YamlRefused` (a ValidationFailed: 422) saying which limit was passed.
"""

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import CollectionNode, MappingNode, Node, SequenceNode

from envdeck.domain.errors import ValidationFailed


@dataclass(frozen=True)
class YamlLimits:
    max_bytes: int
    max_depth: int
    # Nodes that aliases may add to the document, all uses together.
    max_alias_nodes: int


class YamlRefused(ValidationFailed):
    """A YAML document that is not valid, or passes one of the limits."""


def load_yaml(text: str, limits: YamlLimits) -> Any:
    """Return the one document in text as Python values, or raise YamlRefused.

    CPU-bound: callers on the event loop run it in a thread.
    """
    size = len(text.encode("utf-8"))
    if size > limits.max_bytes:
        raise YamlRefused(
            f"the file is {size} bytes; at most {limits.max_bytes} are accepted",
            {"maxBytes": limits.max_bytes},
        )
    loader = _BoundedLoader(text, limits.max_depth)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, limits)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise YamlRefused(f"not valid YAML: {exc}") from exc
    finally:
        loader.dispose()


class _TooDeep(yaml.YAMLError):
    pass


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader whose composer refuses to nest deeper than max_depth."""

    def __init__(self, text: str, max_depth: int) -> None:
        super().__init__(text)
        self._max_depth = max_depth
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > self._max_depth + 1:  # the scalars of the deepest level count too
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise _TooDeep(
                    f"nested deeper than {self._max_depth} levels (line {mark.line + 1})"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: Node, limits: YamlLimits) -> None:
    """Refuse a composed document whose aliases expand past the limits, or into themselves.

    Each distinct node is measured once (aliases share node objects): its expanded size and
    depth follow from its children's. Iterative: depth is bounded only after this runs.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(child)] for child in children)
            nested = isinstance(node, CollectionNode)
            depth[key] = max((depth[id(child)] for child in children), default=0) + nested
            continue
        if key in size:
            continue
        if key in on_path:
            raise YamlRefused("not valid YAML here: an alias refers to a node that contains it")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)
    written = _distinct_nodes(root)
    added = size[id(root)] - written
    if added > limits.max_alias_nodes:
        raise YamlRefused(
            f"the file's aliases expand to {added} more values; "
            f"at most {limits.max_alias_nodes} are accepted",
            {"maxAliasNodes": limits.max_alias_nodes},
        )
    if depth[id(root)] > limits.max_depth:
        raise YamlRefused(
            f"the file's aliases nest deeper than {limits.max_depth} levels",
            {"maxDepth": limits.max_depth},
        )


def _distinct_nodes(root: Node) -> int:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(_children(node))
    return len(seen)
