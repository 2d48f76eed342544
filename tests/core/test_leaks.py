from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pollinate.core.leaks import Leak, LeakCheck, leak_check
from pollinate.core.redact import Redactor
from pollinate.core.redact_vocabulary import SpanKind
from pollinate.core.roster import Participant, Roster

ROSTER = Roster(
    (
        Participant(
            "p1",
            "Hope Mensah",
            email="hope.mensah@example.org",
            organization="World Benchmarking Alliance (WBA)",
        ),
        Participant("p2", "José Martínez", organization="Coalition for Open Data"),
        Participant("p3", "Will Young", organization="Bluefin"),
        Participant("p4", "王芳", organization="UNESCO"),
        Participant("p5", "Анна Иванова"),
        Participant("p6", "Dr. Jan K. Rydzak"),
        Participant("p7", "Kofi Mensah", organization="Coalition for Open Data"),
    )
)
CHECK = LeakCheck.from_roster(ROSTER)


def found(text: str) -> list[tuple[str, SpanKind, tuple[str, ...]]]:
    leaks = CHECK.find(text)
    return [(text[leak.start : leak.end], leak.kind, leak.participant_ids) for leak in leaks]


@pytest.mark.parametrize(
    "written",
    [
        "Hope Mensah",
        "HOPE MENSAH",
        "hope mensah",
        "Hope\nMensah",
        "Hope \n\t Mensah",
        "Hope-Mensah",
        "Mensah Hope",
        "Hopé Mensáh",
        "Jose Martinez",
        "MARTÍNEZ José",
        "Jan Rydzak",
        "Rydzak Jan",
        "Jan K. Rydzak",
        "АННА ИВАНОВА",
        "王芳",
        "王 芳",
    ],
)
def test_full_names_are_found_whatever_the_case_accents_spacing_or_order(written: str):
    leaks = found(f"Notes: {written}'s idea.")
    assert [(text, kind) for text, kind, _ in leaks] == [(written, SpanKind.PERSON)]


@pytest.mark.parametrize(
    "text",
    [
        "We need more hope.",
        "Mensah said so.",
        "Grace, Young and Hope; Mensah too",  # punctuation parts the names
        "Young will lead the way.",  # a plain word in lower case: not Will Young
        "王说芳很好",
        "Open data for all",
        "bluefin tuna",
        "Unesco and unesco",
        "[a participant] and [an organisation]",
    ],
)
def test_what_may_be_a_plain_word_is_not_a_leak(text: str):
    assert CHECK.find(text) == []


def test_emails_are_found_in_any_case_and_so_is_a_name_inside_them():
    assert found("mail HOPE.Mensah@Example.org.") == [
        ("HOPE.Mensah", SpanKind.PERSON, ("p1",)),
        ("HOPE.Mensah@Example.org", SpanKind.EMAIL, ("p1",)),
    ]


def test_organisations_and_their_stated_acronyms_are_found():
    text = "the world benchmarking alliance and WBA, the Coalition for Open Data, Bluefin, UNESCO"
    assert [(t, kind) for t, kind, _ in found(text)] == [
        ("world benchmarking alliance", SpanKind.ORGANISATION),
        ("WBA", SpanKind.ORGANISATION),
        ("Coalition for Open Data", SpanKind.ORGANISATION),
        ("Bluefin", SpanKind.ORGANISATION),
        ("UNESCO", SpanKind.ORGANISATION),
    ]


def test_a_leak_names_everyone_it_may_belong_to():
    assert found("Coalition for Open Data") == [
        ("Coalition for Open Data", SpanKind.ORGANISATION, ("p2", "p7"))
    ]


def test_a_leak_is_described_without_repeating_it():
    leak = CHECK.find("As Hope Mensah said")[0]
    assert leak == Leak(SpanKind.PERSON, 3, 14, ("p1",))
    assert leak.describe() == "the name of participant p1 at characters 4-14"
    assert "Mensah" not in leak.describe()


def test_extra_names_are_checked_too():
    leaks = leak_check("Chaired by Kwame Boateng", ROSTER, extra_names=["Kwame Boateng"])
    assert [(leak.kind, leak.participant_ids) for leak in leaks] == [(SpanKind.PERSON, ())]
    assert "someone named for this session" in leaks[0].describe()


def test_the_leak_check_catches_what_a_stale_redactor_missed():
    # Notes redacted before Tendai Moyo was added to the roster still carry the name;
    # the export, checked against today's roster, must not.
    stale = Redactor.from_roster(ROSTER)
    text = stale.redact("Tendai Moyo and Hope Mensah agreed.").text
    assert text == "Tendai Moyo and [a participant] agreed."
    today = Roster((*ROSTER.participants, Participant("p8", "Tendai Moyo")))
    assert [(leak.start, leak.participant_ids) for leak in leak_check(text, today)] == [
        (0, ("p8",))
    ]


@pytest.mark.parametrize("invisible", ["\u00ad", "\u200b", "\u2060", "\ufeff"])
def test_invisible_characters_inside_a_name_hide_nothing(invisible: str):
    written = f"Hope Men{invisible}sah"
    assert [kind for _, kind, _ in found(written)] == [SpanKind.PERSON]
    assert Redactor.from_roster(ROSTER).redact(written).text == "[a participant]"


def test_every_export_of_redacted_text_passes():
    redactor = Redactor.from_roster(ROSTER)
    note = "Hope Mensah (WBA) told José, reach me at hope.mensah@example.org; 王芳 agreed."
    assert found(note) != []
    assert leak_check(redactor.redact(note).text, ROSTER) == []


def test_a_text_may_end_on_the_first_word_of_a_longer_name():
    # "Hope" is an organisation and the first word of a person's name: the check must
    # not look past the text's end for the person's second word (it raised IndexError,
    # which turned an export into a 500 instead of naming the leak).
    roster = Roster((Participant("p1", "Hope Mensah", organization="Hope"),))
    text = "Thanks to Hope"
    leaks = leak_check(text, roster)
    assert [(text[leak.start : leak.end], leak.kind) for leak in leaks] == [
        ("Hope", SpanKind.ORGANISATION)
    ]
    assert [leak.kind for leak in leak_check("Hope Mensah", roster)] == [SpanKind.PERSON]


def test_a_long_text_is_read_exactly_as_its_pieces():
    # The reading keeps token places in arrays (about a fifth of the memory of tuples on a
    # large export): places must still be right far into a long text.
    note = "Hope Mensah (WBA) told José Martínez; 王芳 and Will Young agreed."
    text = "\n".join([note] * 3000)
    leaks = CHECK.find(text)
    one = CHECK.find(note)
    assert len(leaks) == 3000 * len(one)
    step = len(note) + 1
    last = leaks[-len(one) :]
    assert [(leak.start - 2999 * step, leak.end - 2999 * step) for leak in last] == [
        (leak.start, leak.end) for leak in one
    ]


# Property: on any text, over a roster whose names and organisations share words, the
# check answers (never raises), places each leak inside the text, in order, and finds
# every full name written as "First Last" between other words.
WORDS = ["Hope", "Mensah", "Grace", "Young", "Will", "Data", "Open"]
people = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS), st.sampled_from(WORDS)),
    min_size=1,
    max_size=4,
).map(
    lambda drawn: Roster(
        tuple(
            Participant(f"p{i}", f"{first} {last}", organization=organisation)
            for i, (first, last, organisation) in enumerate(drawn)
        )
    )
)
texts = st.lists(st.sampled_from([*WORDS, "hope", ",", ".", "\n", "(", ")"]), max_size=12)


@settings(max_examples=300, deadline=None)
@given(people, texts, st.data())
def test_the_check_places_every_leak_and_finds_every_full_name(
    roster: Roster, words: list[str], data: st.DataObject
):
    named = data.draw(st.sampled_from(roster.participants))
    at = data.draw(st.integers(0, len(words)))
    text = " ".join([*words[:at], named.name, *words[at:]])
    leaks = LeakCheck.from_roster(roster).find(text)
    assert all(0 <= leak.start < leak.end <= len(text) for leak in leaks)
    assert leaks == sorted(leaks, key=lambda leak: (leak.start, leak.end))
    start = len(" ".join([*words[:at], ""])) if at else 0
    assert any(leak.start <= start and start + len(named.name) <= leak.end for leak in leaks), (
        text,
        leaks,
    )


def test_names_and_organisations_partly_in_an_unspaced_script():
    roster = Roster(
        (
            Participant("p1", "Grace 王芳", organization="联合国"),
            Participant("p2", "Kofi Boateng", organization="Tencent 腾讯"),
        )
    )
    check = LeakCheck.from_roster(roster)
    # The spaced word alone is no full name: it used to block every "grace period".
    assert check.find("a grace period, by Grace") == []
    text = "王芳 and 联合国 met 腾讯 and Tencent; tencent in lower case is a plain word"
    assert [(text[leak.start : leak.end], leak.kind) for leak in check.find(text)] == [
        ("王芳", SpanKind.PERSON),
        ("联合国", SpanKind.ORGANISATION),
        ("腾讯", SpanKind.ORGANISATION),
        ("Tencent", SpanKind.ORGANISATION),
    ]
