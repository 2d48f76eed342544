"""The words registration forms use, mapped to the roster's canonical values.

Each `normalise_*` function answers one cell of a roster: the canonical value when the
text is a spelling we know, `None` when it is not (the caller keeps the text as given
and warns once). Spellings are compared by `vocabulary_key`, so case, accents spelled
the same way, punctuation, "&" for "and" and a leading "the" make no difference.

The tables are public because `docs/roster.md` lists them and a test keeps the two in
step. Ambiguous words are left out on purpose: "Europe" could be Western or Eastern
Europe, "Oceania" spans WEOG (Australia, New Zealand) and Asia-Pacific (the Pacific
islands), "Middle East" spans Asia-Pacific and WEOG (Israel), so those stay unknown.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import TypeVar

from pollinate.core.roster import Attendance, Region, StakeholderGroup

_NOT_WORD = re.compile(r"[^\w]+")
_Value = TypeVar("_Value", bound=str)


def vocabulary_key(text: str) -> str:
    """The form in which two spellings of one word compare equal.

    >>> vocabulary_key("  Latin America & the Caribbean ")
    'latin america and caribbean'
    """
    text = unicodedata.normalize("NFC", text).casefold().replace("&", " and ")
    words = _NOT_WORD.sub(" ", text).replace("_", " ").split()
    return " ".join(word for word in words if word != "the")


def _index(table: Mapping[_Value, tuple[str, ...]]) -> dict[str, _Value]:
    """Spelling key → canonical value; each canonical value also answers to itself."""
    index: dict[str, _Value] = {}
    for canonical, spellings in table.items():
        for spelling in (str(canonical), *spellings):
            key = vocabulary_key(spelling)
            if index.setdefault(key, canonical) != canonical:
                raise ValueError(f"{spelling!r} is listed for two values")
    return index


STAKEHOLDER_SPELLINGS: Mapping[StakeholderGroup, tuple[str, ...]] = {
    StakeholderGroup.CIVIL_SOCIETY: (
        "civil society organisation",
        "civil society organization",
        "CSO",
        "NGO",
        "non-governmental organisation",
        "non-governmental organization",
    ),
    StakeholderGroup.GOVERNMENT: ("governments", "public sector", "ministry", "gov", "govt"),
    StakeholderGroup.PRIVATE_SECTOR: ("private", "business", "company", "industry"),
    StakeholderGroup.TECHNICAL_COMMUNITY: ("technical", "tech community"),
    StakeholderGroup.INTERGOVERNMENTAL: (
        "intergovernmental organization",
        "intergovernmental",
        "IGO",
        "international organisation",
        "international organization",
        "UN",
        "United Nations",
    ),
    StakeholderGroup.ACADEMIA: ("academic", "research", "university"),
    # Only rosters that name investors get this group; "finance" alone stays unknown
    # because banks that do not invest sustainably usually register as private sector.
    StakeholderGroup.INVESTORS: (
        "investor",
        "sustainable investor",
        "sustainable investors",
        "asset manager",
        "asset managers",
        "institutional investor",
        "institutional investors",
    ),
}

REGION_SPELLINGS: Mapping[Region, tuple[str, ...]] = {
    Region.AFRICA: ("African Group", "African States"),
    Region.ASIA_PACIFIC: ("Asia Pacific", "APG", "Asia-Pacific Group", "Asia-Pacific States"),
    Region.EASTERN_EUROPE: ("EEG", "Eastern European Group", "Eastern European States"),
    Region.GRULAC: (
        "GRULAC",
        "Latin American and Caribbean Group",
        "Latin American and Caribbean States",
        "Latin America",
        "LAC",
    ),
    # "North America" means the United States and Canada on every IGF form we have seen;
    # Mexico belongs to GRULAC, so a Mexican participant should say so.
    Region.WEOG: (
        "WEOG",
        "Western European and Others Group",
        "Western European and Other States",
        "Western Europe",
        "North America",
    ),
}

ATTENDANCE_SPELLINGS: Mapping[Attendance, tuple[str, ...]] = {
    Attendance.ONSITE: (
        "on-site",
        "on site",
        "in person",
        "in-person",
        "physical",
        "room",
        "face to face",
        "venue",
    ),
    Attendance.ONLINE: ("remote", "virtual", "zoom", "webex", "teams"),
}

HOST_SPELLINGS: tuple[str, ...] = (
    "host",
    "table host",
    "room host",
    "online host",
    "breakout host",
)

# Roles that plainly mean "an ordinary participant": accepted without a warning.
PARTICIPANT_SPELLINGS: tuple[str, ...] = ("participant", "attendee", "delegate", "guest")

# English names of the six UN languages plus Portuguese (common at Lusophone and
# Brazilian tables), with ISO 639-1 and 639-2 codes and each language's own name.
LANGUAGE_SPELLINGS: Mapping[str, tuple[str, ...]] = {
    "English": ("en", "eng", "anglais", "inglés", "ingles"),
    "French": ("fr", "fra", "fre", "français", "francais", "francés", "frances"),
    "Spanish": ("es", "spa", "español", "espanol", "castellano", "espagnol"),
    "Arabic": ("ar", "ara", "العربية", "arabe"),
    "Russian": ("ru", "rus", "русский", "russe"),
    "Chinese": ("zh", "zho", "chi", "中文", "汉语", "mandarin", "chinois"),
    "Portuguese": ("pt", "por", "português", "portugues"),
}

_STAKEHOLDERS = _index(STAKEHOLDER_SPELLINGS)
_REGIONS = _index(REGION_SPELLINGS)
_ATTENDANCE = _index(ATTENDANCE_SPELLINGS)
_LANGUAGES = _index(LANGUAGE_SPELLINGS)
_HOSTS = frozenset(vocabulary_key(s) for s in HOST_SPELLINGS)
_PARTICIPANTS = frozenset(vocabulary_key(s) for s in PARTICIPANT_SPELLINGS)
_LANGUAGE_SEPARATORS = re.compile(r"[,;/|]")


def normalise_stakeholder_group(text: str) -> StakeholderGroup | None:
    """The stakeholder group `text` names, or None when it is not a spelling we know.

    >>> normalise_stakeholder_group("NGO")
    <StakeholderGroup.CIVIL_SOCIETY: 'civil society'>
    """
    return _STAKEHOLDERS.get(vocabulary_key(text))


def normalise_region(text: str) -> Region | None:
    """The UN regional group `text` names, or None (ambiguous words such as "Europe" too).

    >>> normalise_region("Latin America & Caribbean")
    <Region.GRULAC: 'Latin America and Caribbean'>
    """
    return _REGIONS.get(vocabulary_key(text))


def normalise_attendance(text: str) -> Attendance | None:
    """Onsite or online as `text` says it, or None when it says neither.

    >>> normalise_attendance("In-person")
    <Attendance.ONSITE: 'onsite'>
    """
    return _ATTENDANCE.get(vocabulary_key(text))


def normalise_host_role(text: str) -> bool | None:
    """True for a host, False for an ordinary participant, None for any other role.

    Facilitators, moderators and rapporteurs are not table hosts: the session file names
    them, and a planner that seated them as hosts would pin them to one table.

    >>> normalise_host_role("Table host"), normalise_host_role("attendee")
    (True, False)
    """
    key = vocabulary_key(text)
    if key in _HOSTS:
        return True
    if key in _PARTICIPANTS:
        return False
    return None


def normalise_languages(text: str) -> tuple[str, ...]:
    """The languages in a cell, split on , ; / or |, known ones by their English name.

    Unknown languages are kept as written (trimmed); repeats are dropped, compared
    without case as `Participant.speaks` compares them.

    >>> normalise_languages("fr; English / français, Wolof")
    ('French', 'English', 'Wolof')
    """
    languages: list[str] = []
    seen: set[str] = set()
    for part in _LANGUAGE_SEPARATORS.split(text):
        written = " ".join(part.split())
        if not written:
            continue
        language = _LANGUAGES.get(vocabulary_key(written), written)
        if language.casefold() not in seen:
            seen.add(language.casefold())
            languages.append(language)
    return tuple(languages)
