"""Chatham House redaction: names, affiliations and contacts in notes become placeholders.

    Roster ──Redactor.from_roster()──▶ Redactor                (once per session)
    note text ──Redactor.redact()──▶ Redaction(text, spans)
    Redaction ──.undo(i)──▶ Redaction with span i restored      (the host, own note only)
    export text ──leak_check(text, roster)──▶ [Leak, …]        (core/leaks.py; any blocks)

How `redact` reads a note, in order:
1. placeholders already there are left alone, so redacting twice changes nothing more;
2. handles, emails and phone numbers (`core/redact_contacts.py`);
3. names and organisations in scripts without spaces, as substrings (`NameIndex.find_unspaced`);
4. words against the name index, longest entry first (`core/redact_names.py`);
5. a name part that is also an ordinary word stays unless its context is name-like;
6. a title joins the name after it, neighbouring name parts and particles merge into one
   "[a participant]", and an acronym in parentheses joins its organisation.
`docs/privacy.md` says what this catches and, as plainly, what it cannot.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pollinate.core.leaks import Leak, LeakCheck, leak_check
from pollinate.core.redact_contacts import find_contacts
from pollinate.core.redact_context import Hit, confirm, merge
from pollinate.core.redact_names import NameIndex, Word, lookup_keys, words
from pollinate.core.redact_vocabulary import (
    COMMON_WORDS,
    PARTICLES,
    PLACEHOLDERS,
    PROPER_WORDS,
    SpanKind,
    fold,
)
from pollinate.core.roster import Roster
from pollinate.errors import InputError

__all__ = [
    "PLACEHOLDERS",
    "Leak",
    "LeakCheck",
    "RedactedSpan",
    "Redaction",
    "Redactor",
    "SpanKind",
    "leak_check",
]


_PLACEHOLDER = re.compile("|".join(re.escape(text) for text in PLACEHOLDERS.values()))
_PERSON_JOIN = re.compile(r"\s+|\s*[-‐‑'’ʼ]\s*|[._]")
_INITIAL_JOIN = re.compile(r"\.\s*")  # "Jan K. Rydzak": a full stop after an initial
_ORGANISATION_JOIN = re.compile(r"\s*[-‐‑–'’ʼ&/,.:]\s*|\s+|_")
_PLAIN_WORDS = (COMMON_WORDS | PROPER_WORDS) - PARTICLES


@dataclass(frozen=True, slots=True)
class RedactedSpan:
    """One placeholder in `Redaction.text` (`start`:`end`) and the text it replaced.

    `original` is the very data the rule protects. It exists so the host can undo a false
    positive in their own note; it must not be exported or shown to anyone else.
    """

    start: int
    end: int
    kind: SpanKind
    original: str


@dataclass(frozen=True, slots=True)
class Redaction:
    """A note with names and contacts replaced, and what each placeholder stood for.

    >>> from pollinate.core.roster import Participant
    >>> redactor = Redactor.from_roster(Roster((Participant("p1", "Hope Mensah"),)))
    >>> redaction = redactor.redact("Ms Hope Mensah said we need more hope.")
    >>> redaction.text
    '[a participant] said we need more hope.'
    >>> redaction.spans[0].original, redaction.undo(0).text
    ('Ms Hope Mensah', 'Ms Hope Mensah said we need more hope.')
    """

    text: str
    spans: tuple[RedactedSpan, ...] = ()

    def undo(self, index: int) -> Redaction:
        """This redaction with span `index` (0-based) restored and every other span kept.

        Later spans move by the difference in length, so undos can follow one another.
        An index that names no span raises `InputError` (a stale page, say).
        """
        if not 0 <= index < len(self.spans):
            raise InputError(
                f"this note has no redaction number {index + 1}",
                field="span",
                advice="Reload the note and choose one of its highlighted placeholders.",
            )
        undone = self.spans[index]
        shift = len(undone.original) - (undone.end - undone.start)
        text = self.text[: undone.start] + undone.original + self.text[undone.end :]
        spans = tuple(
            span
            if span.start < undone.start
            else RedactedSpan(span.start + shift, span.end + shift, span.kind, span.original)
            for position, span in enumerate(self.spans)
            if position != index
        )
        return Redaction(text, spans)


@dataclass(frozen=True, slots=True)
class Redactor:
    """Finds a session's names in text; build it once per session with `from_roster`.

    Building indexes every name, organisation, acronym and variant, so that `redact`
    costs a dictionary look-up per word whatever the size of the roster.
    """

    index: NameIndex

    @classmethod
    def from_roster(cls, roster: Roster, *, extra_names: Iterable[str] = ()) -> Redactor:
        """A redactor for everyone on `roster`, plus `extra_names` (people not on it)."""
        people = [*(participant.name for participant in roster), *extra_names]
        organisations = {p.organization for p in roster if p.organization}
        return cls(NameIndex.build(people, sorted(organisations)))

    def redact(self, text: str) -> Redaction:
        """`text` with names, organisations and contacts replaced by placeholders."""
        protected = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
        contacts = [c for c in find_contacts(text) if not _overlaps(c[0], c[1], protected)]
        taken = sorted([*protected, *((start, end) for start, end, _ in contacts)])
        hits = [
            Hit(start, end, kind)
            for start, end, kind in self.index.find_unspaced(text)
            if not _overlaps(start, end, taken)
        ]
        hits += self._word_hits(text, _outside(text, words(text), taken))
        named = confirm(text, sorted(hits), [end for _, end in taken])
        spans = sorted([*merge(text, named), *contacts])
        return _replace(text, spans)

    def _word_hits(self, text: str, found: Sequence[Word]) -> list[Hit]:
        hits: list[Hit] = []
        position = 0
        while position < len(found):
            hit = self._hit_at(text, found, position)
            if hit is None:
                position += 1
                continue
            hits.append(hit[0])
            position += hit[1]
        return hits

    def _hit_at(self, text: str, found: Sequence[Word], at: int) -> tuple[Hit, int] | None:
        """The longest entry starting with word `at`, and how many words it covers."""
        first = found[at]
        for key, dropped in lookup_keys(first.folded):
            for entry in self.index.by_first.get(key, ()):
                size = len(entry.folded)
                if at + size > len(found) or any(
                    found[at + k].folded != entry.folded[k]
                    or not _joins(text, found[at + k - 1], found[at + k], entry.kind)
                    for k in range(1, size)
                ):
                    continue
                if (
                    size > 1
                    and entry.kind is SpanKind.PERSON
                    and _mixed(text, found[at : at + size])
                ):
                    continue
                start = _after_letters(text, first.start, dropped)
                end = found[at + size - 1].end
                if entry.exact is not None and text[start:end] != entry.exact:
                    continue
                if entry.capitalised and not text[start].isupper():
                    continue
                return Hit(start, end, entry.kind, entry.strength), size
        return None


def _outside(text: str, found: list[Word], taken: Sequence[tuple[int, int]]) -> list[Word]:
    """The words, cut where they run into a replaced span ("जोशीkwame@…" keeps "जोशी").

    Cutting rather than dropping keeps `redact` idempotent: once the email is a
    placeholder, "जोशी" stands alone, and a second pass would find it.
    """
    if not taken:
        return found
    kept = []
    for word in found:
        if not _overlaps(word.start, word.end, taken):
            kept.append(word)
            continue
        pieces = [(word.start, word.end)]
        for left, right in taken:
            pieces = [
                piece
                for start, end in pieces
                for piece in ((start, min(end, left)), (max(start, right), end))
                if piece[0] < piece[1]
            ]
        kept += [Word(start, end, fold(text[start:end])) for start, end in pieces]
    return kept


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether [start, end) meets any of `spans` (a note has a handful at most)."""
    return any(left < end and start < right for left, right in spans)


def _mixed(text: str, name: Sequence[Word]) -> bool:
    """Whether a plain word in lower case sits among capitalised ones ("Benali said").

    Such a match is no full name (a person "Said Benali" written family name first);
    its parts are judged one by one instead. Particles ("María de la Cruz") are exempt.
    """
    capitals = any(text[word.start].isupper() for word in name)
    return capitals and any(
        text[word.start].islower() and word.folded in _PLAIN_WORDS for word in name
    )


def _after_letters(text: str, start: int, letters: int) -> int:
    """The index after `letters` letters from `start`, each with its combining marks."""
    for _ in range(letters):
        start += 1
        while start < len(text) and unicodedata.category(text[start]).startswith("M"):
            start += 1
    return start


def _joins(text: str, left: Word, right: Word, kind: SpanKind) -> bool:
    """Whether what lies between two words may lie inside one name of this kind."""
    gap = text[left.end : right.start]
    if kind is SpanKind.ORGANISATION:
        return _ORGANISATION_JOIN.fullmatch(gap) is not None
    if _PERSON_JOIN.fullmatch(gap):
        return True
    return left.end - left.start == 1 and _INITIAL_JOIN.fullmatch(gap) is not None


def _replace(text: str, spans: Sequence[tuple[int, int, SpanKind]]) -> Redaction:
    pieces: list[str] = []
    redacted: list[RedactedSpan] = []
    cursor = length = 0
    for start, end, kind in spans:
        pieces.append(text[cursor:start])
        length += start - cursor
        placeholder = PLACEHOLDERS[kind]
        pieces.append(placeholder)
        redacted.append(RedactedSpan(length, length + len(placeholder), kind, text[start:end]))
        length += len(placeholder)
        cursor = end
    pieces.append(text[cursor:])
    return Redaction("".join(pieces), tuple(redacted))
