from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pollinate.core.redact import (
    PLACEHOLDERS,
    Leak,
    LeakCheck,
    Redaction,
    Redactor,
    SpanKind,
    leak_check,
)
from pollinate.core.roster import Participant, Roster
from pollinate.core.synthetic_roster import generate_roster
from pollinate.errors import InputError

PEOPLE = [
    ("Hope Mensah", "World Benchmarking Alliance (WBA)"),
    ("Jan K. Rydzak", "Coalition for Open Data"),
    ("Amina Yusuf", "Valmora Internet Exchange"),
    ("Amina Diallo", None),
    ("José Martínez", "Bluefin"),
    ("Jürgen Müller", None),
    ("Mehmet Yılmaz", None),
    ("Will Young", None),
    ("May Lindqvist", "Sustainable Digital Goals Institute"),
    ("Jessica Brown", None),
    ("Tom Banks", None),
    ("María de la Cruz", None),
    ("Siobhán O'Connor", None),
    ("محمد المنصوري", None),
    ("أمل حداد", None),
    ("王芳", None),
    ("张 伟明", None),
    ("Анна Иванова", None),
    ("Вера Смирнова", None),
]
ROSTER = Roster(
    tuple(
        Participant(f"p{i}", name, email=f"person{i}@example.org", organization=organisation)
        for i, (name, organisation) in enumerate(PEOPLE, start=1)
    )
)
REDACTOR = Redactor.from_roster(ROSTER)
PERSON = PLACEHOLDERS[SpanKind.PERSON]
ORGANISATION = PLACEHOLDERS[SpanKind.ORGANISATION]


def redacted(text: str) -> str:
    return REDACTOR.redact(text).text


def test_full_name_becomes_one_placeholder_not_one_per_part():
    redaction = REDACTOR.redact("Jan Rydzak opened the table.")
    assert redaction.text == f"{PERSON} opened the table."
    assert [(s.kind, s.original) for s in redaction.spans] == [(SpanKind.PERSON, "Jan Rydzak")]


@pytest.mark.parametrize(
    "written",
    ["Jan K. Rydzak", "Rydzak Jan", "RYDZAK, Jan", "Rydzak", "jan rydzak", "Rydzak-led"],
)
def test_full_names_in_any_order_and_name_parts_alone_are_redacted(written: str):
    assert "ydzak" not in redacted(f"Then {written} spoke.")


def test_first_name_shared_by_two_people_is_still_redacted():
    assert redacted("Amina disagreed.") == f"{PERSON} disagreed."


def test_particles_stay_inside_the_one_placeholder():
    assert redacted("As María de la Cruz put it") == f"As {PERSON} put it"
    # Not the roster's spelling, but its parts with a particle between: still one person.
    assert redacted("As María del Cruz put it") == f"As {PERSON} put it"


@pytest.mark.parametrize(
    "text",
    [
        "We need more hope.",
        "Hope is what keeps networks alive.",
        "HOPE IS NOT A STRATEGY",
        "Will we finish in time? Young people will lead.",
        "The deadline is in May 2025.",
        "Young will lead the way.",
        "- Hope: interesting",
    ],
)
def test_a_name_that_is_also_a_word_is_kept_as_a_word(text: str):
    assert redacted(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hope said no.", f"{PERSON} said no."),
        ("hope said no.", f"{PERSON} said no."),
        ("As Ms Hope put it", f"As {PERSON} put it"),
        ("As dr. hope put it", f"As {PERSON} put it"),
        ("We need more Hope Mensah.", f"We need more {PERSON}."),
        ("We met Hope yesterday.", f"We met {PERSON} yesterday."),
        ("Hope's point stood.", f"{PERSON}'s point stood."),
        ("Hope from the coast agreed.", f"{PERSON} from the coast agreed."),
        ('"Trust first," said Hope.', f'"Trust first," said {PERSON}.'),
        ("In May, May said yes.", f"In May, {PERSON} said yes."),
        ("Will Young will lead.", f"{PERSON} will lead."),
    ],
)
def test_a_name_that_is_also_a_word_is_redacted_in_name_like_context(text: str, expected: str):
    assert redacted(text) == expected


def test_a_lower_case_word_after_a_name_is_not_read_as_a_name():
    roster = Roster((Participant("p1", "Said Benali"),))
    text = Redactor.from_roster(roster).redact("Benali said the said thing.").text
    assert text == f"{PERSON} said the said thing."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Amina's idea", f"{PERSON}'s idea"),
        ("Jessica’s idea", f"{PERSON}’s idea"),
        ("O'Connor's idea", f"{PERSON}'s idea"),
        ("Banks' idea", f"{PERSON}' idea"),
    ],
)
def test_possessives_are_redacted_and_keep_their_ending(text: str, expected: str):
    assert redacted(text) == expected


@pytest.mark.parametrize(
    ("written", "listed"),
    [
        ("Jose", "José"),
        ("MARTINEZ", "Martínez"),
        ("MÜLLER", "Müller"),
        ("Muller", "Müller"),
        ("Mueller", "Müller"),
        ("YILMAZ", "Yılmaz"),
        ("Siobhan OConnor", "Siobhán O'Connor"),
    ],
)
def test_case_and_accent_variants_match_and_the_original_spelling_is_kept(
    written: str, listed: str
):
    redaction = REDACTOR.redact(f"Ask {written} first.")
    assert redaction.text == f"Ask {PERSON} first."
    assert redaction.spans[0].original == written


def test_arabic_names_are_redacted_with_and_without_a_proclitic():
    assert redacted("قال محمد المنصوري إن الشبكة مهمة") == f"قال {PERSON} إن الشبكة مهمة"
    # "و" ("and") written onto the name stays; the name goes.
    assert redacted("تحدث أحمد ومحمد") == f"تحدث أحمد و{PERSON}"
    assert redacted("رأي المنصوري") == f"رأي {PERSON}"
    assert redacted("رأي منصوري") == f"رأي {PERSON}"


def test_an_arabic_name_that_is_also_a_word_needs_context():
    assert redacted("الأمل كبير ولدينا أمل") == "الأمل كبير ولدينا أمل"
    assert redacted("قالت أمل إن الأمل كبير") == f"قالت {PERSON} إن الأمل كبير"
    assert redacted("أمل حداد") == PERSON


def test_chinese_full_names_are_found_inside_running_text():
    assert redacted("王芳认为数据应该留在社区") == f"{PERSON}认为数据应该留在社区"
    assert redacted("我同意王 芳的看法") == f"我同意{PERSON}的看法"


def test_a_single_character_chinese_given_name_alone_is_not_redacted():
    assert redacted("芳说得对") == "芳说得对"


def test_a_chinese_given_name_of_two_characters_listed_apart_is_redacted():
    assert redacted("伟明说得对") == f"{PERSON}说得对"


def test_cyrillic_names_match_in_any_case():
    assert redacted("АННА ИВАНОВА сказала") == f"{PERSON} сказала"
    assert redacted("анна иванова") == PERSON
    assert redacted("Иванова против") == f"{PERSON} против"


def test_a_cyrillic_name_that_is_also_a_word_needs_context():
    assert redacted("Вера сказала, что вера важна.") == f"{PERSON} сказала, что вера важна."


def test_organisation_name_and_its_acronym_are_redacted():
    text = "The World Benchmarking Alliance (WBA), the WBA's members; world benchmarking alliance"
    expected = f"The {ORGANISATION}, the {ORGANISATION}'s members; {ORGANISATION}"
    assert redacted(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("COD members", f"{ORGANISATION} members"),
        ("the cod fishery", "the cod fishery"),
        ("Cod is a fish", "Cod is a fish"),
        ("SDG 17 and SDGI", f"SDG 17 and {ORGANISATION}"),
    ],
)
def test_derived_initials_are_matched_only_as_a_whole_upper_case_word(text: str, expected: str):
    assert redacted(text) == expected


def test_a_one_word_organisation_needs_its_capital():
    text = "Bluefin said yes to bluefin tuna"
    assert redacted(text) == f"{ORGANISATION} said yes to bluefin tuna"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("amina.yusuf@example.org", SpanKind.EMAIL),
        ("Person1@Example.ORG", SpanKind.EMAIL),
        ("@amina_y", SpanKind.HANDLE),
        ("@amina@social.example", SpanKind.HANDLE),
        ("+44 20 7946 0958", SpanKind.PHONE),
        ("+1 (555) 123-4567", SpanKind.PHONE),
        ("(555) 123-4567", SpanKind.PHONE),
        ("0044 20 7946 0958", SpanKind.PHONE),
        ("020 7946 0958", SpanKind.PHONE),
        ("06 12 34 56 78", SpanKind.PHONE),
        ("+254-712-345-678", SpanKind.PHONE),
        ("+33.6.12.34.56.78", SpanKind.PHONE),
        ("0712345678", SpanKind.PHONE),
    ],
)
def test_contacts_are_redacted_whoever_they_belong_to(text: str, kind: SpanKind):
    redaction = REDACTOR.redact(f"Reach out: {text}.")
    assert redaction.text == f"Reach out: {PLACEHOLDERS[kind]}."
    assert redaction.spans[0].original == text


@pytest.mark.parametrize(
    "text",
    [
        "By 2030, 12.6 % more, SDG 17 and SDG 16.10.",
        "From 2020-2030 and 2020 – 2030.",
        "On 24.06.2025 or 2024-06-24 or 24/06/2025.",
        "10 000 000 people; 1,000,000 people; 2.600.000.000 people.",
        "Pi is 3.14159265, the host 192.168.100.200, ISO 27001:2022.",
        "Room 12, table 4, 300 seats, 9:30 to 17:45.",
        "Write to us at the desk, not @ the bar.",
    ],
)
def test_years_figures_and_targets_are_untouched(text: str):
    assert redacted(text) == text


def test_extra_names_are_redacted_like_roster_names():
    redactor = Redactor.from_roster(ROSTER, extra_names=["Kofi Boateng"])
    assert redactor.redact("Kofi Boateng moderated").text == f"{PERSON} moderated"


def test_undo_restores_exactly_one_span():
    redaction = REDACTOR.redact("Amina and Hope Mensah wrote to amina.yusuf@example.org")
    assert redaction.text == f"{PERSON} and {PERSON} wrote to {PLACEHOLDERS[SpanKind.EMAIL]}"
    undone = redaction.undo(1)
    assert undone.text == f"{PERSON} and Hope Mensah wrote to {PLACEHOLDERS[SpanKind.EMAIL]}"
    assert [s.original for s in undone.spans] == ["Amina", "amina.yusuf@example.org"]
    for span in undone.spans:
        assert undone.text[span.start : span.end] == PLACEHOLDERS[span.kind]


def test_undo_of_a_span_that_does_not_exist_is_an_input_error():
    redaction = REDACTOR.redact("Amina spoke")
    with pytest.raises(InputError, match="no redaction number 2"):
        redaction.undo(1)
    with pytest.raises(InputError):
        redaction.undo(-1)


def test_placeholders_already_in_the_text_are_left_alone():
    text = f"{PERSON} and {ORGANISATION} said {PLACEHOLDERS[SpanKind.PHONE]}"
    assert REDACTOR.redact(text) == Redaction(text, ())


def test_a_text_without_names_comes_back_unchanged():
    text = "Community networks need spectrum, trust and local ownership."
    assert REDACTOR.redact(text) == Redaction(text, ())


def test_every_name_of_a_large_synthetic_roster_is_redacted():
    roster = generate_roster(400, seed=7)
    redactor, check = Redactor.from_roster(roster), LeakCheck.from_roster(roster)
    for participant in roster:
        text = f"Notes: {participant.name} ({participant.organization}) spoke."
        assert check.find(text) != []
        assert check.find(redactor.redact(text).text) == [], participant


# Property: redacting mixes of roster names and ordinary text leaves nothing to leak.
CAFE = generate_roster(80, seed=11)
CAFE_REDACTOR = Redactor.from_roster(CAFE)
FILLER_TEXT = (
    "we need more hope and trust in local networks , . ; the grace period will may 2030"
    " SDG 17 young people said brown de la 12.6 % data Hope Will May community"
)
FILLER = FILLER_TEXT.split()


def _without_accents(text: str) -> str:
    """As people type a name on a keyboard without its accents ("Jose Martinez")."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not "\u0300" <= char <= "\u036f")


@st.composite
def name_mentions(draw: st.DrawFn) -> str:
    person = draw(st.sampled_from(CAFE.participants))
    value = draw(
        st.sampled_from(
            [person.name, *person.name.split(), person.email or "", person.organization or ""]
        )
    )
    spacing = draw(st.sampled_from([" ", "  ", "\n", " \n "]))
    value = spacing.join(value.split())
    styles: list[Callable[[str], str]] = [str, str.upper, str.lower, _without_accents]
    return draw(st.sampled_from(styles))(value)


notes = st.lists(st.one_of(st.sampled_from(FILLER), name_mentions()), max_size=25).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(notes)
def test_after_redaction_the_leak_check_finds_nothing(text: str):
    assert leak_check(CAFE_REDACTOR.redact(text).text, CAFE) == []


@settings(max_examples=100, deadline=None)
@given(notes)
def test_redacting_twice_changes_nothing_more(text: str):
    once = CAFE_REDACTOR.redact(text)
    assert CAFE_REDACTOR.redact(once.text) == Redaction(once.text, ())


@settings(max_examples=100, deadline=None)
@given(notes)
def test_undoing_every_span_gives_back_the_original(text: str):
    redaction = CAFE_REDACTOR.redact(text)
    while redaction.spans:
        redaction = redaction.undo(len(redaction.spans) // 2)
    assert redaction.text == text


# Names and organisations written partly or wholly in a script without spaces.
MIXED = Roster(
    (
        Participant("p1", "Grace 王芳", organization="联合国"),
        Participant("p2", "Dr. 李娜", organization="Tencent 腾讯"),
        Participant("p3", "Kofi Boateng", organization="WBA 世界基准联盟"),
    )
)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("王芳 said the plan works", f"{PERSON} said the plan works"),  # beside "Grace"
        ("王 芳 said", f"{PERSON} said"),  # spaces inside are allowed
        ("李娜 agreed", f"{PERSON} agreed"),  # beside a title only
        ("联合国 staff agreed", f"{ORGANISATION} staff agreed"),  # a whole organisation
        ("腾讯 will report", f"{ORGANISATION} will report"),  # beside "Tencent"
        ("Tencent will report", f"{ORGANISATION} will report"),
        ("WBA will report", f"{ORGANISATION} will report"),  # "WBA" alone, as written
    ],
)
def test_names_and_organisations_in_unspaced_scripts_are_redacted(written: str, expected: str):
    redaction = Redactor.from_roster(MIXED).redact(written)
    assert redaction.text == expected
    assert leak_check(redaction.text, MIXED) == []


def test_the_spaced_word_of_a_mixed_name_is_a_plain_word_elsewhere():
    # "Grace" alone is the kind of word that needs a cue, as for any one-word name part.
    assert Redactor.from_roster(MIXED).redact("a grace period").text == "a grace period"


# Property: rosters whose names and organisations share words, across scripts, with
# titles, initials, hyphens and apostrophes; a name or organisation anywhere in the
# text; after redaction the leak check finds nothing. Known and left: the leak check reads
# spaced words across a run of an unspaced script between them ("Hope 李 Mensah" is "Hope
# Mensah" to it) and the redactor does not, so such a text is blocked at export rather
# than redacted; those finds are set aside here (`_across_scripts`).
SPACED = ["Hope", "Mensah", "Grace", "Young", "Will", "May", "Data", "Open", "de", "la"]
SPACED += ["Jean-Pierre", "O'Brien", "N'Dour", "José", "Анна", "WBA"]
UNSPACED = ["王芳", "李", "联合国"]
WORDS = [*SPACED, *UNSPACED]


@st.composite
def mixed_names(draw: st.DrawFn, spaced: list[str]) -> str:
    words = draw(st.lists(st.sampled_from(spaced), max_size=3))
    unspaced = draw(st.lists(st.sampled_from(UNSPACED), max_size=1))
    words = [*unspaced, *words] if draw(st.booleans()) else [*words, *unspaced]
    return " ".join(words) or draw(st.sampled_from(spaced))


mixed_rosters = st.lists(
    st.tuples(mixed_names([*SPACED, "Dr.", "K."]), st.one_of(st.none(), mixed_names(SPACED))),
    min_size=1,
    max_size=4,
).map(
    lambda drawn: Roster(
        tuple(Participant(f"p{i}", name, organization=org) for i, (name, org) in enumerate(drawn))
    )
)
surroundings = st.lists(
    st.sampled_from([*WORDS, "hope", "MAY", ",", ".", "\n", "(", ")", "-", "and", "(WBA)"]),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(mixed_rosters, surroundings, st.data())
def test_redaction_leaves_no_leak_when_names_share_words_and_scripts(
    roster: Roster, words: list[str], data: st.DataObject
):
    person = data.draw(st.sampled_from(roster.participants))
    named = data.draw(st.sampled_from([person.name, person.organization or person.name]))
    at = data.draw(st.integers(0, len(words)))
    text = " ".join([*words[:at], named, *words[at:]])
    redacted = Redactor.from_roster(roster).redact(text).text
    leaks = [leak for leak in leak_check(redacted, roster) if not _across_scripts(redacted, leak)]
    assert leaks == [], (text, redacted)


def _across_scripts(text: str, leak: Leak) -> bool:
    written = text[leak.start : leak.end]
    unspaced = {char for char in written if any(char in word for word in UNSPACED)}
    return bool(unspaced) and any(char.isalpha() and char not in unspaced for char in written)


@pytest.mark.parametrize("placeholder", ["- -", "@ @", "?", "— / —"])
def test_a_name_with_no_word_in_it_gives_the_redactor_nothing_to_find(placeholder: str):
    # A roster may hold such a placeholder for a name ("-"), and role holders' names come
    # from session files: building the redactor raised IndexError, failing every note.
    roster = Roster((Participant("p1", placeholder), Participant("p2", "Kofi Boateng")))
    redactor = Redactor.from_roster(roster, extra_names=[placeholder])
    assert redactor.redact("Kofi Boateng - ? @ agreed").text == f"{PERSON} - ? @ agreed"
