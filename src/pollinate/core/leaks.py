"""The leak check every export passes: is a roster name, organisation or email still there?

It is written apart from the redactor on purpose (its own reading of the text, its own
folding; only the redactor's word lists are shared) so that a mistake in one is not a
mistake in both, and it judges no context: it looks only for what cannot be a plain word.

    text ──_Reading──▶ tokens (folded words, punctuation)  +  unspaced characters
          looked up:   full names in either order · organisation names · acronyms in
                       parentheses (exact case) · one-word organisations (capitalised) ·
                       names and organisations in unspaced scripts (substrings; a
                       name's part in such a script on its own too) · emails (any case)

Folding drops case and every combining mark; whitespace of any kind and amount,
hyphens, apostrophes and underscores separate words without separating a name
("Hope\\n  MENSAH" is "hope mensah"); other punctuation does ("Grace, Young" is not
"Grace Young"). Single-word names are not checked: alone, they may be plain words.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from pollinate.core.redact_vocabulary import (
    COMMON_WORDS,
    PARTICLES,
    PROPER_WORDS,
    TITLES,
    SpanKind,
)
from pollinate.core.roster import Roster

_UNSPACED_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI", "LAO", "KHMER", "MYANMAR")
_SOFT = frozenset("-‐‑'’ʼ_")
_LETTER_VARIANTS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ة": "ه", "ى": "ي"})
_EMAIL = re.compile(r"[^\s<>()\[\],;:\"'«»]+@[^\s<>()\[\],;:\"'«»]+")
_TITLE_WORDS = frozenset(title.casefold() for title in TITLES)
# Shared with the redactor: data, not method. A plain word in lower case beside a
# capitalised name part is read as a word ("Young will lead" with a Will Young present).
_PLAIN_WORDS = (COMMON_WORDS | PROPER_WORDS) - PARTICLES


@dataclass(frozen=True, slots=True)
class Leak:
    """Something an export must not contain, where it is, and whose it is.

    `participant_ids` is empty for a name that came from `extra_names`.
    """

    kind: SpanKind
    start: int
    end: int
    participant_ids: tuple[str, ...]

    def describe(self) -> str:
        """A sentence for the person exporting; it locates the leak without repeating it.

        >>> Leak(SpanKind.PERSON, 4, 15, ("p0042",)).describe()
        'the name of participant p0042 at characters 5-15'
        """
        what = {
            SpanKind.PERSON: "the name",
            SpanKind.ORGANISATION: "the organisation",
            SpanKind.EMAIL: "the email address",
        }.get(self.kind, "a contact")
        whose = ", ".join(self.participant_ids)
        owner = f" of participant {whose}" if whose else " of someone named for this session"
        return f"{what}{owner} at characters {self.start + 1}-{self.end}"


@functools.lru_cache(maxsize=1 << 12)
def _unspaced(char: str) -> bool:
    return unicodedata.name(char, "").startswith(_UNSPACED_SCRIPTS)


@functools.lru_cache(maxsize=1 << 16)
def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold()).translate(_LETTER_VARIANTS)
    return "".join(
        c
        for c in decomposed
        if not unicodedata.combining(c) and c != "ـ" and unicodedata.category(c) != "Cf"
    )


class _Reading:
    """A text as the leak check sees it: tokens with their places, and unspaced runs.

    Token i is `folded[i]`, found at `text[starts[i]:ends[i]]`. The places are machine
    integers in arrays, not a tuple and two int objects per token: the JSON notes export
    of 8,000 notes is about 500,000 tokens (its punctuation counts), which held 63 MB at
    once as tuples and 14 MB so (bench/redact.py's export: 19 → 4 MB); with 4-byte places
    and one string per distinct word, 11 MB.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        places = "i" if len(text) < 2**31 else "q"  # 4 bytes a place where they suffice
        self.starts = array(places)
        self.ends = array(places)
        self.folded: list[str] = []
        self._words: dict[str, str] = {}
        self.unspaced: list[str] = []  # unspaced characters; "\0" where a run breaks
        self.unspaced_at = array(places)
        start = -1
        for position, char in enumerate(text):
            category = unicodedata.category(char)
            if category == "Cf":
                continue  # soft hyphens and zero-width characters hide nothing
            # Thai vowel signs and Japanese voicing marks stay with their letter.
            mark_in_run = (
                category[0] == "M"
                and len(self.unspaced_at) > 0
                and self.unspaced_at[-1] == position - 1
            )
            if mark_in_run or (category == "Lo" and _unspaced(char)):
                start = self._close(start, position)
                self.unspaced.append(char)
                self.unspaced_at.append(position)
                continue
            if not char.isspace():
                self._break_unspaced(position)
            if category[0] in "LNM":
                start = position if start < 0 else start
                continue
            start = self._close(start, position)
            if not (char.isspace() or char in _SOFT or self._soft_stop(position)):
                self._add(position, position + 1)  # punctuation keeps names apart
        self._close(start, len(text))

    def _close(self, start: int, end: int) -> int:
        """End the word begun at `start` (if any) at `end`; -1 means none is open."""
        if start >= 0:
            self._add(start, end)
        return -1

    def _add(self, start: int, end: int) -> None:
        folded = _fold(self.text[start:end])
        if folded:
            self.starts.append(start)
            self.ends.append(end)
            # One string per distinct word: an export repeats its field names, tables
            # and common words thousands of times.
            self.folded.append(self._words.setdefault(folded, folded))

    def _break_unspaced(self, position: int) -> None:
        if self.unspaced and self.unspaced[-1] != "\0":
            self.unspaced.append("\0")
            self.unspaced_at.append(position)

    def _soft_stop(self, position: int) -> bool:
        """A full stop inside "amina.yusuf" or after the initial in "Jan K. Rydzak"."""
        if self.text[position] != ".":
            return False
        following = self.text[position + 1 : position + 2]
        initial = bool(self.folded) and self.ends[-1] == position and len(self.folded[-1]) == 1
        return initial or (following != "" and not following.isspace())


def _key(text: str) -> tuple[str, ...]:
    return tuple(_Reading(text).folded)


@dataclass(frozen=True, slots=True)
class _Name:
    kind: SpanKind
    ids: tuple[str, ...]
    exact: str | None = None  # acronyms: as written
    capitalised: bool = False  # one-word organisations


@dataclass(frozen=True, slots=True)
class LeakCheck:
    """The leak check for one roster; build once, `find` in as many texts as needed.

    >>> from pollinate.core.roster import Participant
    >>> check = LeakCheck.from_roster(Roster((Participant("p1", "Hope Mensah"),)))
    >>> text = "We need hope. HOPE\\n  MENSAH came; Mensah, Hope did not."
    >>> [text[leak.start : leak.end] for leak in check.find(text)]
    ['HOPE\\n  MENSAH']
    """

    names: dict[tuple[str, ...], _Name]
    sizes: dict[str, tuple[int, ...]]  # first token → lengths of names it begins, longest first
    unspaced: dict[str, _Name]
    emails: dict[str, _Name]

    @classmethod
    def from_roster(cls, roster: Roster, *, extra_names: Iterable[str] = ()) -> LeakCheck:
        """Everything of `roster` (and `extra_names`) an export must not contain."""
        people = [*((p.name, p.id) for p in roster), *((name, "") for name in extra_names)]
        owners: dict[tuple[SpanKind, str, str], list[str]] = {}
        for name, owner in people:
            words = [w for w in name.split() if w.casefold().rstrip(".") not in _TITLE_WORDS]
            # The unspaced words together are the name in that script ("王芳", and the
            # "王芳" of "Grace 王芳"); the spaced words alone make the full name: one word
            # ("Grace") is no full name, and checked alone it would block "grace period".
            spaced, in_unspaced = _by_script(words)
            if len(in_unspaced) >= 2:
                owners.setdefault((SpanKind.PERSON, "unspaced", in_unspaced), []).append(owner)
            if len(spaced) >= 2:
                orders = [spaced, [spaced[-1], *spaced[:-1]]]
                if len(spaced) > 2:
                    orders += [[spaced[0], spaced[-1]], [spaced[-1], spaced[0]]]
                for order in orders:
                    owners.setdefault((SpanKind.PERSON, "", " ".join(order)), []).append(owner)
        for participant in roster:
            for kind, how, value in _affiliation(participant.organization, participant.email):
                owners.setdefault((kind, how, value), []).append(participant.id)
        names: dict[tuple[str, ...], _Name] = {}
        unspaced: dict[str, _Name] = {}
        emails: dict[str, _Name] = {}
        for (kind, how, value), ids in owners.items():
            found = _Name(kind, tuple(sorted({i for i in ids if i})))
            if how == "unspaced":
                unspaced[value] = found
            elif how == "email":
                emails[value.casefold()] = found
            elif key := _key(value):
                names[key] = _Name(kind, found.ids, value if how == "exact" else None, how == "one")
        sizes: dict[str, set[int]] = {}
        for key in names:
            sizes.setdefault(key[0], set()).add(len(key))
        by_first = {first: tuple(sorted(found, reverse=True)) for first, found in sizes.items()}
        return cls(names, by_first, unspaced, emails)

    def find(self, text: str) -> list[Leak]:
        """Every leak in `text`, in order of position; an export must show none."""
        reading = _Reading(text)
        leaks = [*self._names(reading), *self._unspaced(reading), *self._emails(text)]
        return sorted(leaks, key=lambda leak: (leak.start, leak.end))

    def _names(self, reading: _Reading) -> list[Leak]:
        leaks = []
        words = reading.folded
        for first, folded in enumerate(words):
            for size in self.sizes.get(folded, ()):
                if first + size > len(words):
                    continue  # the text ends before a name this long would
                name = self.names.get(tuple(words[first : first + size]))
                if name is None:
                    continue
                start, end = reading.starts[first], reading.ends[first + size - 1]
                written = reading.text[start:end]
                if name.exact is not None and written != name.exact:
                    continue
                if name.capitalised and not written[:1].isupper():
                    continue
                if name.kind is SpanKind.PERSON and _mixed(reading, first, size):
                    continue
                leaks.append(Leak(name.kind, start, end, name.ids))
                break
        return leaks

    def _unspaced(self, reading: _Reading) -> list[Leak]:
        chars = "".join(reading.unspaced)
        leaks: list[Leak] = []
        if not chars:
            return leaks
        for value, name in self.unspaced.items():
            at = chars.find(value)
            while at >= 0:
                start = reading.unspaced_at[at]
                end = reading.unspaced_at[at + len(value) - 1] + 1
                leaks.append(Leak(name.kind, start, end, name.ids))
                at = chars.find(value, at + 1)
        return leaks

    def _emails(self, text: str) -> list[Leak]:
        leaks = []
        for match in _EMAIL.finditer(text):
            address = match.group().rstrip(".").casefold()
            name = self.emails.get(address)
            if name is not None:
                end = match.start() + len(address)
                leaks.append(Leak(name.kind, match.start(), end, name.ids))
        return leaks


def _mixed(reading: _Reading, first: int, size: int) -> bool:
    """A plain word in lower case among capitalised ones: "Young will" is no "Will Young"."""
    initials = [reading.text[start] for start in reading.starts[first : first + size]]
    return any(initial.isupper() for initial in initials) and any(
        initial.islower() and folded in _PLAIN_WORDS
        for initial, folded in zip(initials, reading.folded[first : first + size], strict=True)
    )


def _by_script(words: list[str]) -> tuple[list[str], str]:
    """The words in spaced scripts, and those in unspaced scripts joined into one."""
    spaced = [word for word in words if not any(_unspaced(char) for char in word)]
    unspaced = "".join(word for word in words if any(_unspaced(char) for char in word))
    return spaced, unspaced


def _affiliation(organisation: str | None, email: str | None) -> list[tuple[SpanKind, str, str]]:
    """(kind, how to match, value) for a participant's organisation and email."""
    found = [(SpanKind.EMAIL, "email", email)] if email and "@" in email else []
    if not organisation:
        return found
    # Its words in unspaced scripts together ("联合国", the "腾讯" of "Tencent 腾讯"); the
    # rest is read as a name in a spaced script.
    spaced, in_unspaced = _by_script(organisation.split())
    if len(in_unspaced) >= 2:
        found.append((SpanKind.ORGANISATION, "unspaced", in_unspaced))
    name = " ".join(spaced)
    acronym = re.search(r"\(\s*(\S{2,12})\s*\)\s*$", name)
    if acronym and sum(char.isupper() for char in acronym.group(1)) >= 2:
        found.append((SpanKind.ORGANISATION, "exact", acronym.group(1)))
        name = name[: acronym.start()].strip()
    name = re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)
    if len(name.split()) >= 2:
        found.append((SpanKind.ORGANISATION, "", name))
    elif name.isupper():
        found.append((SpanKind.ORGANISATION, "exact", name))
    elif name:
        found.append((SpanKind.ORGANISATION, "one", name))
    return found


def leak_check(text: str, roster: Roster, *, extra_names: Iterable[str] = ()) -> list[Leak]:
    """Every leak of `roster` (and `extra_names`) in `text`; an export blocks on any.

    Build a `LeakCheck` once instead when checking many texts against one roster.

    >>> from pollinate.core.roster import Participant
    >>> roster = Roster((Participant("p1", "José Martínez", email="jm@example.org"),))
    >>> [leak.kind.value for leak in leak_check("MARTINEZ Jose; jose\\nmartinez", roster)]
    ['person', 'person']
    """
    return LeakCheck.from_roster(roster, extra_names=extra_names).find(text)
