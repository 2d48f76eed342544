"""Whether a name part is meant as a name where it stands, and how hits become spans.

    hits ──confirm()──▶ hits that stand, widened to a title ──merge()──▶ spans

A part that is also a plain word ("Hope", "May", "أمل") is judged by its neighbours:
titles, speech verbs, neighbouring names, possessives and capitals (`name_like`).
Every rule reads only the few characters around a word, so a sentence is judged the
same however much text surrounds it; this is what makes `redact` idempotent.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from pollinate.core.redact_names import NameStrength
from pollinate.core.redact_vocabulary import (
    FOLLOWERS,
    PARTICLES,
    SPEECH_VERBS,
    TITLES,
    SpanKind,
)


def _alternatives(items: Iterable[str]) -> str:
    return "|".join(re.escape(item) for item in sorted(set(items), key=len, reverse=True))


_TITLE_BEFORE = re.compile(rf"(?<![\w'’])(?:{_alternatives(TITLES)})\.?\s+$", re.IGNORECASE)
_VERB_BEFORE = re.compile(rf"(?<!\w)(?:{_alternatives(SPEECH_VERBS)})\s+$", re.IGNORECASE)
_VERB_AFTER = re.compile(rf"\s+(?:{_alternatives(SPEECH_VERBS)})(?!\w)", re.IGNORECASE)
_FOLLOWER = re.compile(rf"\s+(?:{_alternatives(FOLLOWERS)})(?!\w)", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’ʼ]s?(?!\w)")
_SPACE = r"(?:\s+|\s*[-‐‑]\s*)"
_PERSON_GAP = re.compile(rf"{_SPACE}(?:(?:{_alternatives(PARTICLES)}){_SPACE})*", re.IGNORECASE)
_ACRONYM_GAP = re.compile(r"\s*\(\s*")
_ACRONYM_CLOSE = re.compile(r"\s*\)")
_OPENERS = frozenset("\"'“‘«‹([{¿¡-–—•*·>")
_SENTENCE_ENDS = frozenset(".!?…:;。！？")
_CONTEXT = 30  # characters before a name that a title or a speech verb may take up


class Hit(NamedTuple):
    """A stretch of text that names someone or something, before judgement and merging."""

    start: int
    end: int
    kind: SpanKind
    strength: NameStrength = NameStrength.STRONG


def _sentence_initial(text: str, start: int) -> bool:
    """Whether a word begins a sentence, a line or a bullet (where capitals prove nothing)."""
    position = start - 1
    while position >= 0 and (text[position].isspace() or text[position] in _OPENERS):
        if text[position] == "\n":
            return True
        position -= 1
    return position < 0 or text[position] in _SENTENCE_ENDS


def _name_like(text: str, hit: Hit, beside_name: bool) -> bool:
    """Whether a name part that is also a word is used as a name here.

    Evidence, strongest first: a title before it or a speech verb after it (any case);
    then, unless it is written in lower case, a speech verb before it, a name next to it,
    "from" after it or a possessive; then, for common words only, a capital that does not
    begin a sentence.
    """
    before = max(0, hit.start - _CONTEXT)
    if _TITLE_BEFORE.search(text, before, hit.start) or _VERB_AFTER.match(text, hit.end):
        return True
    word = text[hit.start : hit.end]
    if word[0].islower():
        return False  # "Said said": a verb before a lower-case word is no evidence
    if _VERB_BEFORE.search(text, before, hit.start):
        return True
    possessive = _POSSESSIVE.match(text, hit.end)
    if possessive and (len(possessive.group()) == 2 or word[-1] in "sS"):
        return True
    if beside_name or _FOLLOWER.match(text, hit.end):
        return True
    if hit.strength is NameStrength.PROPER or not word[0].isupper():
        return False  # a caseless script, or a word that is capitalised anyway
    if len(word) > 1 and word.isupper():
        return False  # SHOUTED TEXT capitalises every word
    return not _sentence_initial(text, hit.start)


def _beside(text: str, left: Hit, right: Hit) -> bool:
    return (
        left.kind is right.kind is SpanKind.PERSON
        and _PERSON_GAP.fullmatch(text[left.end : right.start]) is not None
    )


def confirm(text: str, hits: Sequence[Hit], taken_ends: Sequence[int]) -> list[Hit]:
    """The hits that stand, persons widened to the title before them ("Dr Hope")."""
    kept: list[Hit] = []
    for position, hit in enumerate(hits):
        if hit.kind is not SpanKind.PERSON:
            kept.append(hit)
            continue
        if hit.strength is not NameStrength.STRONG:
            later = hits[position + 1] if position + 1 < len(hits) else None
            beside_name = bool(kept and kept[-1].end <= hit.start and _beside(text, kept[-1], hit))
            if later is not None and later.strength is NameStrength.STRONG:
                beside_name = beside_name or _beside(text, hit, later)
            if not _name_like(text, hit, beside_name):
                continue
        title = _TITLE_BEFORE.search(text, max(0, hit.start - _CONTEXT), hit.start)
        if title is not None:
            start = title.start()
            earlier = bisect.bisect_right(taken_ends, hit.start)
            floor = max(kept[-1].end if kept else 0, taken_ends[earlier - 1] if earlier else 0)
            if start >= floor:  # never reach back into a span already replaced
                hit = hit._replace(start=start)
        kept.append(hit)
    return kept


def merge(text: str, hits: Sequence[Hit]) -> list[tuple[int, int, SpanKind]]:
    """One span per person (parts and particles merged) and per organisation with acronym."""
    merged: list[tuple[int, int, SpanKind]] = []
    for hit in hits:
        if merged:
            start, end, kind = merged[-1]
            gap = text[end : hit.start]
            if kind is hit.kind is SpanKind.PERSON and _PERSON_GAP.fullmatch(gap):
                merged[-1] = (start, hit.end, kind)
                continue
            close = _ACRONYM_CLOSE.match(text, hit.end)
            if kind is hit.kind is SpanKind.ORGANISATION and _ACRONYM_GAP.fullmatch(gap) and close:
                merged[-1] = (start, close.end(), kind)
                continue
        merged.append((hit.start, hit.end, hit.kind))
    return merged
