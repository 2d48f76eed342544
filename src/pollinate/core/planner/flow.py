"""Maximum flow on the small networks the planner's checks build.

The checks reason about *kinds* of people (who speak the same languages) and *classes*
of places (that share a language), so their networks have tens of nodes, not thousands:
Edmonds–Karp (shortest augmenting paths, O(V·E²)) is plenty, and its residual graph
gives the minimum cut that names what cannot be met.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable

UNLIMITED = 1 << 40  # larger than any head count a session can have


class FlowNetwork:
    """A directed network with integer capacities; flow is pushed by `augment`.

    >>> net = FlowNetwork()
    >>> first, second = net.add_edge("s", "a", 3), net.add_edge("a", "t", 2)
    >>> net.augment("s", "t"), net.flow(first)
    (2, 2)
    >>> net.raise_capacity(second, 5); net.augment("s", "t")
    1
    """

    def __init__(self) -> None:
        self._head: list[Hashable] = []
        self._left: list[int] = []  # residual capacity; edge e's reverse is e ^ 1
        self._base: list[int] = []
        self._out: dict[Hashable, list[int]] = {}

    def add_edge(self, tail: Hashable, head: Hashable, capacity: int) -> int:
        """Add an edge and return its handle (for `flow` and `raise_capacity`)."""
        handle = len(self._head)
        for node, other, cap in ((tail, head, capacity), (head, tail, 0)):
            self._head.append(other)
            self._left.append(cap)
            self._base.append(cap)
            self._out.setdefault(node, []).append(len(self._head) - 1)
        return handle

    def raise_capacity(self, handle: int, extra: int) -> None:
        """Let `extra` more units through the edge; the flow already on it stays."""
        self._left[handle] += extra
        self._base[handle] += extra

    def flow(self, handle: int) -> int:
        """Units currently flowing along the edge."""
        return self._base[handle] - self._left[handle]

    def augment(self, source: Hashable, sink: Hashable) -> int:
        """Push flow along shortest augmenting paths until none is left; return the gain.

        Augmenting paths end at the sink and never leave it, so the flow on the sink's
        incoming edges only ever grows; the feasibility check relies on that to meet
        lower bounds first and upper bounds after.
        """
        gained = 0
        while True:
            parent = self._path(source, sink)
            if parent is None:
                return gained
            bottleneck = UNLIMITED
            node = sink
            while node != source:
                edge = parent[node]
                bottleneck = min(bottleneck, self._left[edge])
                node = self._head[edge ^ 1]
            node = sink
            while node != source:
                edge = parent[node]
                self._left[edge] -= bottleneck
                self._left[edge ^ 1] += bottleneck
                node = self._head[edge ^ 1]
            gained += bottleneck

    def reachable(self, source: Hashable) -> set[Hashable]:
        """Nodes reachable from `source` in the residual graph: the source side of a min cut."""
        seen = {source}
        queue = deque([source])
        while queue:
            node = queue.popleft()
            for edge in self._out.get(node, ()):
                head = self._head[edge]
                if self._left[edge] > 0 and head not in seen:
                    seen.add(head)
                    queue.append(head)
        return seen

    def _path(self, source: Hashable, sink: Hashable) -> dict[Hashable, int] | None:
        parent: dict[Hashable, int] = {}
        seen = {source}
        queue = deque([source])
        while queue:
            node = queue.popleft()
            for edge in self._out.get(node, ()):
                head = self._head[edge]
                if self._left[edge] > 0 and head not in seen:
                    seen.add(head)
                    parent[head] = edge
                    if head == sink:
                        return parent
                    queue.append(head)
        return None
