from __future__ import annotations

from pollinate.core.planner.flow import FlowNetwork


def test_flow_is_limited_by_the_narrowest_cut():
    net = FlowNetwork()
    net.add_edge("s", "a", 4)
    net.add_edge("s", "b", 2)
    net.add_edge("a", "t", 1)
    net.add_edge("b", "t", 5)
    net.add_edge("a", "b", 2)
    assert net.augment("s", "t") == 5


def test_min_cut_side_holds_what_the_source_can_still_reach():
    net = FlowNetwork()
    net.add_edge("s", "a", 3)
    net.add_edge("a", "t", 1)
    net.add_edge("s", "b", 1)
    net.add_edge("b", "t", 1)
    net.augment("s", "t")
    assert net.reachable("s") == {"s", "a"}


def test_raising_a_capacity_lets_more_flow_through_and_keeps_what_flowed():
    net = FlowNetwork()
    net.add_edge("s", "a", 5)
    edge = net.add_edge("a", "t", 2)
    assert net.augment("s", "t") == 2
    net.raise_capacity(edge, 2)
    assert net.augment("s", "t") == 2
    assert net.flow(edge) == 4


def test_flow_sent_the_wrong_way_is_pushed_back():
    # s-a-b-t is the only first path; the second path s-c-b-a-d-t must cancel the unit
    # on a-b to reach the maximum of 2
    net = FlowNetwork()
    for tail, head in [("s", "a"), ("a", "b"), ("b", "t"), ("s", "c"), ("c", "b"), ("a", "d")]:
        net.add_edge(tail, head, 1)
    last = net.add_edge("d", "t", 1)
    assert net.augment("s", "t") == 2
    assert net.flow(last) == 1
