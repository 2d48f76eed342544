from __future__ import annotations

import math
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pollinate.core.roster import Attendance, Region, StakeholderGroup
from pollinate.core.roster_vocabulary import normalise_region, normalise_stakeholder_group
from pollinate.core.synthetic_roster import (
    REGION_SHARES,
    STAKEHOLDER_SHARES,
    apportion,
    generate_roster,
)


@pytest.fixture(scope="module")
def big():
    return generate_roster(2000, seed=11)


def script_of(text: str) -> str:
    """The Unicode script of the first letter, from its character name ("CYRILLIC …")."""
    letter = next(c for c in text if c.isalpha())
    return unicodedata.name(letter).split()[0]


def test_same_seed_gives_the_same_roster():
    assert generate_roster(120, seed=5) == generate_roster(120, seed=5)


def test_different_seeds_give_different_rosters():
    assert generate_roster(120, seed=5) != generate_roster(120, seed=6)


@pytest.mark.parametrize("n", [1, 2, 7, 30, 333])
def test_roster_has_exactly_n_people_with_sequential_ids(n):
    roster = generate_roster(n, seed=1)
    assert len(roster) == n
    assert [p.id for p in roster][:2] == ["p0001", "p0002"][: min(n, 2)]


def test_ids_widen_past_9999_people():
    roster = generate_roster(10_000, seed=0)
    assert roster.participants[0].id == "p00001"
    assert roster.participants[-1].id == "p10000"


def test_stakeholder_shares_follow_igf_2022_within_half_a_point(big):
    counts = big.count_by("stakeholder_group")
    for group, percent in STAKEHOLDER_SHARES.items():
        assert abs(100 * counts[group.value] / len(big) - percent) <= 0.5, group


def test_published_stakeholder_shares_are_kept_with_investors_carved_from_private_sector():
    private = STAKEHOLDER_SHARES[StakeholderGroup.PRIVATE_SECTOR]
    assert private + STAKEHOLDER_SHARES[StakeholderGroup.INVESTORS] == 16
    assert STAKEHOLDER_SHARES[StakeholderGroup.CIVIL_SOCIETY] == 32
    assert STAKEHOLDER_SHARES[StakeholderGroup.GOVERNMENT] == 29
    assert sum(STAKEHOLDER_SHARES.values()) == 100


def test_region_shares_follow_igf_2022_within_half_a_point(big):
    counts = big.count_by("region")
    for region, percent in REGION_SHARES.items():
        key = region.value if region else "unknown"
        assert abs(100 * counts[key] / len(big) - percent) <= 0.5, key


def test_people_without_a_region_are_intergovernmental_staff_first(big):
    regionless = [p for p in big if p.region is None]
    igo = StakeholderGroup.INTERGOVERNMENTAL.value
    assert regionless
    assert all(p.stakeholder_group == igo for p in regionless)


def test_every_value_is_one_the_roster_reader_knows(big):
    for p in big:
        assert normalise_stakeholder_group(p.stakeholder_group or "") is not None
        assert p.region is None or normalise_region(p.region) is not None


@pytest.mark.parametrize("fraction", [0.0, 0.2, 0.37, 1.0])
def test_online_share_is_the_requested_fraction_rounded(fraction):
    roster = generate_roster(101, online_fraction=fraction, seed=2)
    assert roster.count_by("attendance")[Attendance.ONLINE.value] == round(101 * fraction)


def test_default_hosts_are_one_per_eight_onsite_and_one_per_six_online():
    roster = generate_roster(100, online_fraction=0.3, seed=4)
    onsite_hosts = sum(1 for p in roster if p.is_host and p.attendance is Attendance.ONSITE)
    online_hosts = sum(1 for p in roster if p.is_host and p.attendance is Attendance.ONLINE)
    assert (onsite_hosts, online_hosts) == (math.ceil(70 / 8), math.ceil(30 / 6))


@pytest.mark.parametrize(("n", "online", "hosts"), [(40, 0.25, 6), (10, 0.9, 9), (10, 0.1, 10)])
def test_asked_for_hosts_are_exactly_that_many(n, online, hosts):
    roster = generate_roster(n, online_fraction=online, seed=3, hosts=hosts)
    assert sum(p.is_host for p in roster) == hosts


def test_no_hosts_when_asked_for_none():
    assert not any(p.is_host for p in generate_roster(50, hosts=0))


def test_emails_are_unique_ascii_addresses_at_example_org(big):
    emails = [p.email or "" for p in big]
    assert len(set(emails)) == len(emails)
    assert all(e.isascii() and e.endswith("@example.org") for e in emails)


def test_names_come_in_many_scripts(big):
    scripts = {script_of(p.name) for p in big}
    expected = {"LATIN", "ARABIC", "CJK", "CYRILLIC", "DEVANAGARI", "ETHIOPIC", "HANGUL"}
    assert expected <= scripts


@pytest.mark.parametrize(
    ("region", "scripts"),
    [
        (Region.EASTERN_EUROPE, {"LATIN", "CYRILLIC", "GEORGIAN"}),
        (Region.GRULAC, {"LATIN"}),
        (Region.AFRICA, {"LATIN", "ARABIC", "ETHIOPIC"}),
    ],
)
def test_names_are_written_in_scripts_of_their_region(big, region, scripts):
    assert {script_of(p.name) for p in big if p.region == region.value} == scripts


def test_everyone_speaks_english_and_russian_is_heard_in_eastern_europe(big):
    assert all(p.languages[0] == "English" for p in big)
    eastern = [p for p in big if p.region == Region.EASTERN_EUROPE.value]
    assert any(p.speaks("Russian") for p in eastern)


def test_colleagues_share_organisations(big):
    organisations = big.count_by("organization")
    assert len(organisations) < len(big) / 2
    assert "unknown" not in organisations


@pytest.mark.parametrize(
    "arguments",
    [{"n": 0}, {"n": 5, "online_fraction": 1.5}, {"n": 5, "hosts": 6}, {"n": 5, "hosts": -1}],
)
def test_impossible_arguments_are_refused(arguments):
    with pytest.raises(ValueError, match=r"\d"):
        generate_roster(**arguments)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 500), st.lists(st.integers(0, 40), min_size=1, max_size=8))
def test_apportion_adds_up_and_stays_within_one_of_the_exact_share(total, shares):
    counts = apportion(total, shares)
    if sum(shares) == 0:
        assert counts == [0] * len(shares)
        return
    assert sum(counts) == total
    for count, share in zip(counts, shares, strict=True):
        assert abs(count - total * share / sum(shares)) < 1
