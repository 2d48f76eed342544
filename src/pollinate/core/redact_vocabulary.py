"""The words redaction knows: what it replaces text with, and the tables of its judgement.

`fold` is the one comparison form of a word for the redactor (`core/leaks.py` has its
own on purpose, so that a mistake here is not repeated there). The tables are small and
written by hand; `docs/privacy.md` explains each, and what they cannot know:

- `COMMON_WORDS`: name parts that are also ordinary words ("hope", "will", "paz", "أمل",
  "вера"). Such a part is redacted only in a name-like context (`core/redact.py`).
- `PROPER_WORDS`: name parts that are capitalised anyway (months, places): for these even
  a capital in mid-sentence is no evidence of a person ("in May", "Jordan's border").
- `TITLES`, `SPEECH_VERBS`: the context that marks a person ("Ms Hope", "Hope said").
- `PARTICLES`: name particles ("de", "van", "bin") never redacted on their own.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from enum import StrEnum


class SpanKind(StrEnum):
    """What a redacted span was; each kind has one placeholder in `PLACEHOLDERS`."""

    PERSON = "person"
    ORGANISATION = "organisation"
    EMAIL = "email"
    PHONE = "phone"
    HANDLE = "handle"


PLACEHOLDERS: Mapping[SpanKind, str] = {
    SpanKind.PERSON: "[a participant]",
    SpanKind.ORGANISATION: "[an organisation]",
    SpanKind.EMAIL: "[an email]",
    SpanKind.PHONE: "[a phone number]",
    SpanKind.HANDLE: "[a handle]",
}

# Combining marks that are accents on a letter (Latin, Greek, Cyrillic diacritics; Hebrew
# points; Arabic harakat), so "José" = "Jose" and "مُحَمَّد" = "محمد". Vowel signs of
# Indic scripts are marks too but spell different names, so they are kept.
_ACCENT_RANGES = (
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x0591, 0x05C7),
    (0x0610, 0x061A),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
    (0x06D6, 0x06ED),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0xFE20, 0xFE2F),
)
_ACCENTS = frozenset(
    chr(code)
    for first, last in _ACCENT_RANGES
    for code in range(first, last + 1)
    if unicodedata.category(chr(code)).startswith("M")
)
# Soft hyphen, zero-width space and joiners, word joiner, byte order mark: pasted text
# carries them inside words, where they must neither split nor disguise a name.
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
# Letters NFKD leaves whole; Arabic teh marbuta and alef maqsura are spelled both ways,
# and tatweel only stretches a word.
_LETTERS = str.maketrans(
    {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"}
    | {"ħ": "h", "ŀ": "l", "ة": "ه", "ى": "ي", "ـ": None}
    | dict.fromkeys(INVISIBLE, None)
)


@functools.lru_cache(maxsize=1 << 16)  # notes repeat their words; a few MB at most
def fold(word: str) -> str:
    """The form in which spellings of one name compare equal: no case, no accents.

    >>> fold("MÜLLER"), fold("José"), fold("Weiß"), fold("YILMAZ") == fold("Yılmaz")
    ('muller', 'jose', 'weiss', True)
    """
    if word.isascii():
        return word.casefold()  # most names, and nothing to decompose
    decomposed = unicodedata.normalize("NFKD", word.casefold()).translate(_LETTERS)
    return "".join(char for char in decomposed if char not in _ACCENTS)


def _words(*lines: str) -> tuple[str, ...]:
    return tuple(word for line in lines for word in line.split())


def _folded(tables: Mapping[str, str]) -> frozenset[str]:
    return frozenset(fold(word) for words in tables.values() for word in words.split())


# Per language, the name parts a note may well use as plain words. Written from common
# given names and surnames of the traditions on IGF rosters; short on purpose, because a
# word listed here is kept whenever its context is not name-like.
COMMON_WORDS = _folded(
    {
        "en": "hope grace will rich bill mark young white long rose may summer king sun joy"
        " faith patience frank jack dawn eve ivy lily daisy olive ruby amber crystal sky"
        " river stone ray guy sandy pat sue don dean chase hunter mason carter cook baker"
        " brown green black gray grey little small strong good best hill wood field bush"
        " price bond banks cash gold silver hall church power law ward page park rule way"
        " day case art max miles major chip ash hart fox wolf lamb bell love honor honour"
        " said sow",
        "fr": "pierre rose blanc petit constant fontaine noël aimée claire",
        "es": "paz luz dolores victoria esperanza consuelo amparo pilar soledad mercedes"
        " blanca rosa cruz santos rosario mar sol costa banda león leña",
        "it": "mele rossi bianchi",
        "pt": "vitoria graca santos silva rocha conceicao",
        "de": "klein lang schwarz weiss braun fischer kaiser wolf",
        "tr": "can deniz umut baris kaya demir celik sahin ay",
        "sw": "baraka amani imani neema upendo zawadi moyo",
        "vi": "lan minh quang huong duc an do ha ho to lo mai",
        "zh (romanised)": "he hu ma yu lin long fang jing",
        "ar": "أمل نور سلام كريم جميل سعيد هدى رحمة إيمان أمين حسن صالح عادل فرح حياة أمان"
        " وفاء منى شريف سلطان",
        "ru/uk": "вера надежда любовь роман лев слава мир",
    }
)

# Capitalised in ordinary use, so a capital is no evidence: months and places.
PROPER_WORDS = _folded(
    {
        "months": "january april may june july august march augusta janvier avril mai juin"
        " juillet août abril mayo junio julio agosto maio junho julho",
        "places": "jordan georgia chad florence victoria sydney israel austin lincoln"
        " washington madison charlotte india asia paris adelaide regina france",
    }
)

PARTICLES = _folded(
    {
        "latin": "de da das do dos du des del della di van von der den ter ten te la le"
        " les y e bin bint ibn abu al el st",
    }
)

# Matched case-insensitively before a name; a final "." is optional.
TITLES = _words(
    "mr mrs ms mx miss dr prof professor sir dame madam lord lady hon h.e",
    "minister ambassador excellency president chair commissioner senator",
    "m mme mlle monsieur madame docteur pr sr sra srta señor señora doña dra",
    "dona senhor senhora herr frau bw bi",
    "السيد السيدة الدكتور الدكتورة د الأستاذ الأستاذة المهندس المهندسة السفير الوزير",
    "г-н г-жа господин госпожа д-р доктор профессор пан пані",
)

# Attribution before or after a name ("Hope said", "said Hope", "قالت أمل").
SPEECH_VERBS = _words(
    "said says asked asks added adds argued argues explained explains suggested",
    "suggests mentioned proposed proposes stressed stresses recalled told tells",
    "thinks believes agreed agrees disagreed disagrees insisted insists warned",
    "replied answered commented wrote",
    "dit explique ajoute souligne propose estime pense",
    "dijo dice explicó explica añadió señaló propuso opina disse diz explicou",
    "sagte sagt meint meinte betonte",
    "قال قالت يقول تقول أشار أشارت ذكر ذكرت اقترح اقترحت أضاف أضافت أكد أكدت",
    "сказал сказала говорит отметил отметила считает предложил предложила",
    "сказав зазначив зазначила",
)

# After a capitalised name only: "Hope from Valmora". "of" is left out on purpose:
# "Hope of a better deal" begins sentences as often as "Hope of WBA" names a person.
FOLLOWERS = ("from",)

# Initials that read as ordinary terms; a derived acronym equal to one is not used.
ACRONYM_STOPLIST = frozenset(
    _words(
        "AI ICT ICTS SDG SDGS GDP CEO CTO CFO ESG CSR DEI KPI SME SMES ISP ISPS IXP IXPS NGO",
        "NGOS IGF API URL PDF FAQ IOT LGBT USA UK EU",
    )
)

# One-letter conjunctions and prepositions written onto the next word: Arabic wa, fa,
# bi, li, ka ("ومحمد" = "and Mohamed"); Hebrew ve, be, le, ke, mi, she, ha.
PROCLITICS = frozenset("وفبلكובלכמשה")
ARABIC_ARTICLE = "ال"
