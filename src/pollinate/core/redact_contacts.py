"""Contact details in a note: email addresses, phone numbers and social handles.

These are redacted whoever they belong to, on the roster or not: under the Chatham House
Rule an address in a note identifies someone as surely as a name does.

Phone numbers are the hard part, because notes are full of other numbers. A run of digit
groups counts as a phone number when it has 8 to 15 digits (E.164 allows 15) and either
starts with "+" or "00", or has an area code in parentheses and 9 digits or more, or is
none of: a year or a range of years ("2020-2030"), a date ("24.06.2025"), an IP
address, a decimal ("12.6"), a number grouped in thousands ("10 000 000"), or a bare
digit run not starting with 0.
"""

from __future__ import annotations

import re

from pollinate.core.redact_names import UNSPACED
from pollinate.core.redact_vocabulary import SpanKind

# The local part leaves out scripts without spaces: in "邮件amina@example.org" the
# address begins at "amina".
_LOCAL = rf"[^\W{UNSPACED}]"
_EMAIL = re.compile(
    rf"(?<!{_LOCAL}|[.+@-]){_LOCAL}(?:{_LOCAL}|[.+-])*@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{{2,}}(?![\w@-])"
)
# "@amina_y" and Mastodon's "@amina@social.example"; the lookbehind keeps emails out,
# and a handle glued to a placeholder ("[a participant]@x") is left, or a second pass
# over "Kofi@x" would find what the first did not.
_HANDLE = re.compile(
    r"(?<![\w@.+\]-])@(?=[\w.]*[^\W\d])\w(?:[\w.]*\w)?(?:@[\w-]+(?:\.[\w-]+)+)?(?![\w@])"
)
_SEPARATOR = "[ .\\-\u2010\u2011\u2013]"
# A number starting with a digit is not glued to a word, to another number or to a
# placeholder, except in scripts written without spaces ("电话0712345678"); one starting
# with "+" or "(" may follow anything ("Kofi+44 …"). So nothing a first pass replaces
# can make a second pass find more. Possessive digit runs keep backtracking linear.
_PHONE = re.compile(
    rf"(?:(?<!\+)(?=\+)|(?<!\()(?=\()|(?<![^\W{UNSPACED}]|[+.,/()\]-])(?=\d))"
    rf"\+?(?:\(\d{{1,5}}\) ?)?\d++(?:(?:{_SEPARATOR}| ?\(\d{{1,5}}\) ?)\d++)*"
    rf"(?![^\W{UNSPACED}]|/)"
)
_GROUP_SEPARATORS = re.compile(_SEPARATOR)
_DIGITS = re.compile(r"\d+")
_DATE_GROUPS = ([4, 2, 2], [2, 2, 4], [1, 2, 4], [2, 1, 4], [1, 1, 4])


def _is_phone(candidate: str) -> bool:
    """Whether a run of digit groups is a phone number rather than another number."""
    digits = sum(char.isdigit() for char in candidate)
    if not 8 <= digits <= 15:
        return False
    if candidate.startswith(("+", "00")) or ("(" in candidate and digits >= 9):
        return True
    groups = _DIGITS.findall(candidate)
    lengths = [len(group) for group in groups]
    separators = set(_GROUP_SEPARATORS.findall(candidate.replace("(", "").replace(")", "")))
    if len(groups) == 1:
        return candidate.startswith("0")  # a national number with its trunk prefix
    years = len(groups) == 2 and all(g[:2] in ("19", "20") and len(g) == 4 for g in groups)
    internet = separators == {"."} and len(groups) == 4 and max(lengths) <= 3
    decimal = separators == {"."} and len(groups) == 2
    thousands = (
        len(separators) == 1
        and 1 <= lengths[0] <= 3
        and all(length == 3 for length in lengths[1:])
        and not candidate.startswith("0")
    )
    return not (years or internet or decimal or thousands or lengths in _DATE_GROUPS)


def find_contacts(text: str) -> list[tuple[int, int, SpanKind]]:
    """Handles, emails and phone numbers in `text`, in order and not overlapping.

    >>> text = "Write amina@example.org or @amina_y, call +254 712 345 678 by 2030."
    >>> [(text[s:e], kind.value) for s, e, kind in find_contacts(text)]
    [('amina@example.org', 'email'), ('@amina_y', 'handle'), ('+254 712 345 678', 'phone')]
    """
    found: list[tuple[int, int, SpanKind]] = []
    if "@" in text:
        found += [(m.start(), m.end(), SpanKind.HANDLE) for m in _HANDLE.finditer(text)]
        found += [(m.start(), m.end(), SpanKind.EMAIL) for m in _EMAIL.finditer(text)]
    found += [
        (m.start(), m.end(), SpanKind.PHONE) for m in _PHONE.finditer(text) if _is_phone(m.group())
    ]
    found.sort(key=lambda span: (span[0], -span[1]))
    kept: list[tuple[int, int, SpanKind]] = []
    for span in found:
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept
