"""The index of names the redactor looks for, and the words of a text it looks at.

    roster names, organisations ──NameIndex.build()──▶ first word → Entry (longest first)
    text ──words()──▶ Word(start, end, folded) …      (spaced scripts)
    text ──NameIndex.find_unspaced()──▶ spans          (Chinese, Japanese, Korean, Thai …)

A `Word` is a run of letters, digits and combining marks; hyphens, apostrophes and all
punctuation separate words, so "O'Connor" is two words and "Amina's" is "Amina" + "s".
Scripts written without spaces between words are left to `find_unspaced`, which matches
whole names as substrings, because no word boundary exists there to match against.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, TypeVar

from pollinate.core.redact_vocabulary import (
    ACRONYM_STOPLIST,
    ARABIC_ARTICLE,
    COMMON_WORDS,
    INVISIBLE,
    PARTICLES,
    PROCLITICS,
    PROPER_WORDS,
    TITLES,
    SpanKind,
    fold,
)

# Han, kana, Hangul, Thai, Lao, Myanmar, Khmer: names run into the words around them.
UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u3005\u3040-\u30ff\u3130-\u318f"
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f"
)
_UNSPACED_CHAR = re.compile(f"[{UNSPACED}]")
_UNSPACED_RUN = re.compile(rf"[{UNSPACED}]+(?:\s+[{UNSPACED}]+)*")
_UNSPACED_SHORTEST = 2  # a one-character given name alone is any common character
_ACRONYM = re.compile(r"\(\s*([^\s()]{2,12})\s*\)\s*$")
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_TITLES = frozenset(fold(title) for title in TITLES)
_Part = TypeVar("_Part")


@functools.cache
def _word_pattern() -> re.Pattern[str]:
    """Letters and digits of spaced scripts, with their combining marks.

    Python's `\\w` leaves out combining marks, which would cut "प्रिया" and a vowelled
    Arabic name into pieces; the marks of the Basic Multilingual Plane are added (about
    20 ms, once per process, hence the cache).
    """
    marks = [code for code in range(0x10000) if unicodedata.category(chr(code))[0] == "M"]
    ranges: list[str] = []
    first = last = marks[0]
    for code in [*marks[1:], -1]:
        if code == last + 1:
            last = code
            continue
        ranges.append(f"\\u{first:04x}-\\u{last:04x}")
        first = last = code
    return re.compile(rf"(?:[^\W_{UNSPACED}]|[{''.join(ranges)}{INVISIBLE}])+")


class Word(NamedTuple):
    """One word of a text: where it is, and its `fold`ed form."""

    start: int
    end: int
    folded: str


def words(text: str) -> list[Word]:
    """The words of `text` in order (unspaced scripts left out).

    >>> [w.folded for w in words("Amina’s idea, said O'CONNOR (José)")]
    ['amina', 's', 'idea', 'said', 'o', 'connor', 'jose']
    """
    return [Word(m.start(), m.end(), fold(m.group())) for m in _word_pattern().finditer(text)]


class NameStrength(StrEnum):
    """How much a match of a name part alone says that a person is meant."""

    STRONG = "strong"  # only a name: always redacted
    COMMON = "common"  # also a plain word: needs a capital mid-sentence or a cue
    PROPER = "proper"  # capitalised anyway (months, places): needs a cue


class Entry(NamedTuple):
    """A name the index answers to: its folded words, kind and how to confirm it.

    `exact` (acronyms) must equal the text as written; `capitalised` (one-word
    organisation names) needs a capital first letter in the text.
    """

    folded: tuple[str, ...]
    kind: SpanKind
    strength: NameStrength
    exact: str | None = None
    capitalised: bool = False


def _part_strength(folded: tuple[str, ...], position: int) -> NameStrength | None:
    """How a name part counts alone; None for initials and particles, never matched alone."""
    joined = " ".join(folded)
    if len(joined) <= 1 or (joined in PARTICLES and position > 0) or joined in _TITLES:
        return None
    if joined in PROPER_WORDS:
        return NameStrength.PROPER
    if joined in COMMON_WORDS or joined in PARTICLES or len(joined) <= 2:
        return NameStrength.COMMON
    return NameStrength.STRONG


def _folded_words(text: str) -> tuple[str, ...]:
    return tuple(word.folded for word in words(text))


def full_name_orders(parts: Sequence[_Part]) -> list[list[_Part]]:
    """The orders a full name is written in: as given, family name first, and for three
    parts or more without the middle ones ("Jan K. Rydzak": "Rydzak Jan K.", "Jan Rydzak",
    "Rydzak Jan").
    """
    if len(parts) < 2:
        return []
    orders = [list(parts), [parts[-1], *parts[:-1]]]
    if len(parts) > 2:
        orders += [[parts[0], parts[-1]], [parts[-1], parts[0]]]
    return orders


def _by_script(text: str) -> tuple[list[str], list[str]]:
    """The space-separated parts of `text` in spaced scripts, and those in unspaced ones
    (matched apart, by `NameIndex.find_unspaced`)."""
    parts = text.split()
    return (
        [part for part in parts if not _UNSPACED_CHAR.search(part)],
        [part for part in parts if _UNSPACED_CHAR.search(part)],
    )


def person_entries(name: str) -> Iterator[Entry]:
    """Entries for one person: full name in its orders, and each part alone.

    >>> [(" ".join(e.folded), e.strength.value) for e in person_entries("Hope Mensah")]
    [('hope mensah', 'strong'), ('mensah hope', 'strong'), ('hope', 'common'), ('mensah', 'strong')]
    """
    spaced, _ = _by_script(name)
    parts = [part for part in spaced if fold(part).rstrip(".") not in _TITLES]
    parts = [part for part in parts if _folded_words(part)]  # "-" or "@" alone: no word
    folded_parts = [_folded_words(part) for part in parts]
    for order in full_name_orders(folded_parts):
        yield Entry(sum(order, ()), SpanKind.PERSON, NameStrength.STRONG)
    for position, (part, folded_part) in enumerate(zip(parts, folded_parts, strict=True)):
        variants = {folded_part, ("".join(folded_part),)}  # "O'Connor" is also "OConnor"
        if part != part.translate(_UMLAUTS):  # "Müller" is also written "Mueller"
            variants.add(_folded_words(part.translate(_UMLAUTS)))
        for folded in list(variants):
            # "Al-Hassan" is also "Hassan"; "المنصوري" is also "منصوري".
            if len(folded) > 1 and folded[0] in PARTICLES:
                variants.add(folded[1:])
            if len(folded) == 1 and folded[0].startswith(ARABIC_ARTICLE) and len(folded[0]) > 4:
                variants.add((folded[0][len(ARABIC_ARTICLE) :],))
        for folded in sorted(variants):
            strength = _part_strength(folded, position)
            if folded and strength is not None:
                yield Entry(folded, SpanKind.PERSON, strength)


def organisation_entries(organisation: str) -> Iterator[Entry]:
    """Entries for an organisation: its name, its acronym in parentheses, its initials.

    Initials are used only for names of three or more capitalised words, and only as a
    whole upper-case word ("Coalition for Open Data" → "COD").

    >>> [(e.folded, e.exact) for e in organisation_entries("World Benchmarking Alliance (WBA)")]
    [(('world', 'benchmarking', 'alliance'), None), (('wba',), 'WBA')]
    """
    acronym_match = _ACRONYM.search(organisation)
    acronym = acronym_match.group(1) if acronym_match else None
    if acronym is not None and sum(char.isupper() for char in acronym) < 2:
        acronym, acronym_match = None, None  # "(Kenya)" is a place, not an acronym
    name = organisation[: acronym_match.start()] if acronym_match else organisation
    name = _LEADING_THE.sub("", name.strip())
    # Words in unspaced scripts are matched apart (`NameIndex.build`): "WBA 腾讯" is "WBA".
    spaced, _ = _by_script(name)
    name = " ".join(spaced)
    found = words(name)
    if len(found) >= 2:
        yield Entry(tuple(w.folded for w in found), SpanKind.ORGANISATION, NameStrength.STRONG)
    elif len(found) == 1 and name.isupper():
        acronym = acronym or name  # "UNESCO" on its own is an acronym
    elif len(found) == 1:
        yield Entry((found[0].folded,), SpanKind.ORGANISATION, NameStrength.STRONG, None, True)
    if acronym is not None:
        yield Entry(_folded_words(acronym), SpanKind.ORGANISATION, NameStrength.STRONG, acronym)
    initials = "".join(name[w.start] for w in found if name[w.start].isupper())
    if len(initials) >= 3 and initials not in ACRONYM_STOPLIST and initials != acronym:
        yield Entry((fold(initials),), SpanKind.ORGANISATION, NameStrength.STRONG, initials)


def lookup_keys(folded: str) -> Iterator[tuple[str, int]]:
    """Keys to try for a word: itself, then without a one-letter proclitic or the article.

    The number is how many letters at the front are not part of the name ("ومحمد" →
    ("محمد", 1): the "و" ("and") stays in the text; "الحداد" → ("حداد", 0): the article
    belongs to the name and is replaced with it).
    """
    yield folded, 0
    if len(folded) < 4 or not (folded[0] in PROCLITICS or folded.startswith(ARABIC_ARTICLE)):
        return  # nearly every word: no variant to try
    if len(folded) >= 4 and folded[0] in PROCLITICS:
        yield folded[1:], 1
        if folded.startswith("لل"):  # li + al- contracts to "لل" ("للمنصوري")
            yield ARABIC_ARTICLE + folded[2:], 1
    if len(folded) >= 5 and folded.startswith(ARABIC_ARTICLE):
        yield folded[len(ARABIC_ARTICLE) :], 0


@dataclass(frozen=True, slots=True)
class NameIndex:
    """Every name to look for, keyed by first folded word, longest entries first.

    >>> index = NameIndex.build(["Hope Mensah", "王芳"], ["Coalition for Open Data", "联合国"])
    >>> [len(e.folded) for e in index.by_first["hope"]]
    [2, 1]
    >>> [(name, kind.value) for name, kind in sorted(index.unspaced.items())]
    [('王芳', 'person'), ('联合国', 'organisation')]
    """

    by_first: Mapping[str, tuple[Entry, ...]]
    unspaced: Mapping[str, SpanKind]  # names in unspaced scripts, and what each names
    unspaced_lengths: tuple[int, ...]

    @classmethod
    def build(cls, people: Iterable[str], organisations: Iterable[str]) -> NameIndex:
        """Index the names of `people` and `organisations` (duplicates are harmless)."""
        entries: set[Entry] = set()
        unspaced: dict[str, SpanKind] = {}
        for name in people:
            entries.update(person_entries(name))
            _, parts = _by_script(name)
            # The unspaced parts together: the whole name ("王芳", "欧阳 娜娜"), or its
            # part in that script beside words of another ("Grace 王芳", "Dr. 王芳").
            found = ["".join(parts)]
            if len(parts) >= 2:  # written apart: family and given name each alone too
                found += parts
            for part in found:
                if len(part) >= _UNSPACED_SHORTEST:
                    unspaced.setdefault(part, SpanKind.PERSON)
        for organisation in organisations:
            entries.update(organisation_entries(organisation))
            # "联合国", "ไทยพีบีเอส", the "腾讯" of "Tencent 腾讯": the unspaced parts together.
            _, apart = _by_script(organisation)
            whole = "".join(apart)
            if len(whole) >= _UNSPACED_SHORTEST:
                unspaced.setdefault(whole, SpanKind.ORGANISATION)
        grouped: dict[str, list[Entry]] = {}
        for entry in entries:
            grouped.setdefault(entry.folded[0], []).append(entry)
        by_first = {
            key: tuple(sorted(group, key=lambda e: (-len(e.folded), e.exact is None, e)))
            for key, group in grouped.items()
        }
        lengths = tuple(sorted({len(name) for name in unspaced}, reverse=True))
        return cls(by_first, unspaced, lengths)

    def find_unspaced(self, text: str) -> Iterator[tuple[int, int, SpanKind]]:
        """Whole names in unspaced scripts, longest first, spaces inside allowed: their
        spans and what they name."""
        if not self.unspaced:
            return
        for run in _UNSPACED_RUN.finditer(text):
            where = [i for i in range(run.start(), run.end()) if not text[i].isspace()]
            chars = "".join(text[i] for i in where)
            position = 0
            while position < len(chars):
                for length in self.unspaced_lengths:
                    fits = position + length <= len(chars)
                    kind = self.unspaced.get(chars[position : position + length]) if fits else None
                    if kind is not None:
                        yield where[position], where[position + length - 1] + 1, kind
                        position += length
                        break
                else:
                    position += 1
