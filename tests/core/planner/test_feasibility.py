from __future__ import annotations

import pytest

from pollinate.core.planner.feasibility import lay_out, list_names, together_groups
from pollinate.core.planner.model import Place, PlanRequest
from pollinate.errors import InfeasibleError, InputError

from .cafes import crowd, person, tables


def refused(request: PlanRequest) -> InfeasibleError:
    with pytest.raises(InfeasibleError) as caught:
        lay_out(request)
    return caught.value


def test_too_many_people_for_the_seats_names_capacity_with_numbers():
    error = refused(PlanRequest(tuple(crowd(50)), tables(8, 6), rounds=3))
    assert error.constraint == "capacity"
    assert "50 onsite participants but only 48 onsite seats (8 tables × 6)" in str(error)


def test_online_people_without_rooms_names_capacity():
    error = refused(PlanRequest(tuple(crowd(3, online=True)), tables(2, 4), rounds=1))
    assert error.constraint == "capacity"
    assert "3 online participants but no online rooms" in error.detail


def test_more_hosts_than_tables_names_hosts():
    hosts = [person(f"h{i}", host=True) for i in range(9)]
    error = refused(PlanRequest((*hosts, *crowd(30)), tables(8, 6), rounds=2))
    assert error.constraint == "hosts"
    assert "9 onsite hosts but 8 onsite tables" in error.detail


def test_hosts_who_speak_only_one_table_language_name_hosts():
    hosts = [person(f"h{i}", host=True, languages=("French",)) for i in range(2)]
    places = (Place("Table FR", 6, language="French"), Place("Table ES", 6, language="Spanish"))
    people = [person(f"e{i}", languages=("Spanish", "French")) for i in range(8)]
    error = refused(PlanRequest((*hosts, *people), places, rounds=2))
    assert error.constraint == "hosts"
    assert "2 onsite hosts" in error.detail
    assert "only 1 onsite table" in error.detail
    assert "French-only" in error.detail


def test_too_few_speakers_for_a_language_table_names_language():
    french = [person(f"f{i}", languages=("French",)) for i in range(3)]
    places = (Place("Table FR", 6, language="French"), *tables(2, 6))
    error = refused(PlanRequest((*french, *crowd(15)), places, rounds=2))
    assert error.constraint == "language"
    assert "at least 6 people per round" in error.detail
    assert "only 3 onsite participants can sit there" in error.detail
    assert "Table FR" in error.detail


def test_too_many_people_limited_to_some_tables_names_language():
    # 17 people at three tables of 6: sizes 6, 6, 5; the 7 who speak only French cannot
    # all sit at the one French table
    french = [person(f"f{i}", languages=("French",)) for i in range(7)]
    spanish = [person(f"s{i}", languages=("Spanish",)) for i in range(10)]
    places = (
        Place("FR", 6, language="French"),
        Place("ES 1", 6, language="Spanish"),
        Place("ES 2", 6, language="Spanish"),
    )
    error = refused(PlanRequest((*french, *spanish), places, rounds=2))
    assert error.constraint == "language"
    assert "7 onsite participants can only sit at the French-only tables (FR)" in error.detail
    assert "at most 6 per round" in error.detail


def test_fewer_people_than_places_names_balance():
    error = refused(PlanRequest(tuple(crowd(5, online=True)), tables(6, 4, online=True), rounds=1))
    assert error.constraint == "balance"
    assert "5 online participants cannot fill 6 online rooms" in error.detail


def test_pair_both_kept_together_and_apart_names_keep_together():
    people = crowd(8)
    a, b = people[0].id, people[1].id
    request = PlanRequest(
        tuple(people),
        tables(2, 4),
        rounds=1,
        keep_apart=frozenset({(a, b)}),
        keep_together=frozenset({(b, a)}),
    )
    error = refused(request)
    assert error.constraint == "keep_together"
    assert "kept apart but also kept together" in error.detail


def test_apart_pair_joined_through_a_third_person_is_refused():
    people = crowd(8)
    a, b, c = (p.id for p in people[:3])
    request = PlanRequest(
        tuple(people),
        tables(2, 4),
        rounds=1,
        keep_apart=frozenset({(a, c)}),
        keep_together=frozenset({(a, b), (b, c)}),
    )
    assert "through their keep-together group" in refused(request).detail


def test_keep_together_across_attendance_kinds_is_refused():
    onsite, online = crowd(4), crowd(4, prefix="o", online=True)
    request = PlanRequest(
        (*onsite, *online),
        (*tables(1, 4), *tables(1, 4, online=True)),
        rounds=1,
        keep_together=frozenset({(onsite[0].id, online[0].id)}),
    )
    error = refused(request)
    assert error.constraint == "keep_together"
    assert "takes part onsite" in error.detail
    assert "online, so they cannot sit together" in error.detail


def test_two_hosts_kept_together_are_refused():
    hosts = [person("h1", host=True), person("h2", host=True)]
    request = PlanRequest(
        (*hosts, *crowd(6)), tables(2, 4), rounds=1, keep_together=frozenset({("h1", "h2")})
    )
    assert "each host stays at their own place" in refused(request).detail


def test_keep_together_group_larger_than_any_table_is_refused():
    people = crowd(12)
    chain = frozenset((people[i].id, people[i + 1].id) for i in range(4))
    error = refused(PlanRequest(tuple(people), tables(3, 4), rounds=1, keep_together=chain))
    assert error.constraint == "keep_together"
    assert "5 people are kept together" in error.detail
    assert "at most 4" in error.detail


def test_keep_together_group_without_a_shared_table_language_is_refused():
    a = person("a", languages=("French",))
    b = person("b", languages=("Spanish",))
    places = (Place("FR", 4, language="French"), Place("ES", 4, language="Spanish"))
    others = [person(f"x{i}", languages=("French", "Spanish")) for i in range(6)]
    error = refused(
        PlanRequest((a, b, *others), places, rounds=1, keep_together=frozenset({("a", "b")}))
    )
    assert error.constraint == "keep_together"
    assert "language they all speak" in error.detail


def test_keep_apart_with_a_single_table_is_refused():
    people = crowd(4)
    request = PlanRequest(
        tuple(people), tables(1, 4), rounds=1, keep_apart=frozenset({(people[0].id, people[1].id)})
    )
    assert refused(request).constraint == "keep_apart"


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (PlanRequest(tuple(crowd(4)), tables(1, 4), rounds=0), "rounds"),
        (PlanRequest((person("a"), person("a")), tables(1, 4), rounds=1), "id"),
        (PlanRequest(tuple(crowd(4)), (Place("T", 2), Place("T", 2)), rounds=1), "name"),
        (PlanRequest(tuple(crowd(4)), (Place("T", 0), Place("U", 4)), rounds=1), "capacity"),
        (
            PlanRequest(
                tuple(crowd(4)), tables(2, 2), rounds=1, keep_apart=frozenset({("p00", "zz")})
            ),
            "keep_apart",
        ),
        (
            PlanRequest(
                tuple(crowd(4)), tables(2, 2), rounds=1, keep_together=frozenset({("p00", "p00")})
            ),
            "keep_together",
        ),
    ],
)
def test_malformed_requests_are_input_errors_naming_the_field(request_, field):
    with pytest.raises(InputError) as caught:
        lay_out(request_)
    assert caught.value.field == field


def test_layout_sizes_are_within_one_and_fill_every_table():
    (layout,) = lay_out(PlanRequest(tuple(crowd(23)), tables(4, 7), rounds=2))
    assert sorted(layout.sizes) == [5, 6, 6, 6]


def test_layout_respects_a_small_table_capacity():
    places = (Place("Small", 3), *tables(2, 8))
    (layout,) = lay_out(PlanRequest(tuple(crowd(17)), places, rounds=1))
    assert layout.sizes == (3, 7, 7)


def test_layout_gives_the_extra_seat_where_the_language_needs_it():
    # 7 people at two tables: the French table can only take the 3 French speakers
    french = [person(f"f{i}", languages=("French",)) for i in range(3)]
    english = [person(f"e{i}", languages=("English",)) for i in range(4)]
    places = (Place("FR", 4, language="French"), Place("EN", 4, language="English"))
    (layout,) = lay_out(PlanRequest((*french, *english), places, rounds=1))
    assert layout.sizes == (3, 4)


def test_designated_host_gets_a_place_in_their_language():
    host = person("h", host=True, languages=("French",))
    places = (Place("EN", 4, language="English"), Place("FR", 4, language="French"))
    people = [person(f"x{i}", languages=("English", "French")) for i in range(7)]
    (layout,) = lay_out(PlanRequest((host, *people), places, rounds=1))
    assert {layout.places[j].name: layout.people[h].id for j, h in layout.hosts.items()} == {
        "FR": "h"
    }


def test_pools_are_laid_out_separately_onsite_first():
    request = PlanRequest(
        (*crowd(6, prefix="o", online=True), *crowd(8)),
        (*tables(2, 4), *tables(2, 3, online=True)),
        rounds=1,
    )
    onsite, online = lay_out(request)
    assert (onsite.online, len(onsite.people), onsite.noun) == (False, 8, "table")
    assert (online.online, len(online.people), online.noun) == (True, 6, "room")


def test_keep_together_is_transitive():
    groups = together_groups("abcd", [("a", "b"), ("c", "b")])
    assert groups["a"] == groups["c"] == frozenset("abc")
    assert groups["d"] == frozenset("d")


def test_long_name_lists_are_shortened():
    assert list_names(["a", "b"]) == "a and b"
    assert list_names([f"p{i}" for i in range(8)], limit=3) == "p0, p1, p2 and 5 more"
