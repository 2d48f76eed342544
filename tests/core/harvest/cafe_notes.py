"""Notes written for these tests: three clear topics, as three tables might have said them.

They test behaviour only; quality is measured on labelled public data in bench/.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pollinate.core.notes import Note

START = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)

BROADBAND = [
    "Rural broadband is still too slow for online school",
    "Villages need affordable broadband connections",
    "Broadband subsidies should reach rural households",
    "Community networks can bring broadband to remote villages",
    "Rural clinics lose patients when broadband drops",
    "Satellite broadband is too expensive for rural families",
    "Mobile broadband coverage stops outside the towns",
    "Public funding for rural broadband towers",
    "Farmers need broadband to sell their crops online",
    "Broadband mapping shows the rural gaps clearly",
]
LITERACY = [
    "Media literacy should be taught in every school",
    "Teachers need training in media literacy",
    "Older people share misinformation without media literacy skills",
    "Libraries can run media literacy workshops",
    "Fact checking belongs in media literacy lessons",
    "Misinformation spreads faster than media literacy campaigns",
    "Media literacy games for children work well",
    "Journalists could help schools with media literacy",
    "Media literacy must cover deepfake videos",
    "Parents want media literacy guides for misinformation at home",
]
AI_RULES = [
    "AI regulation needs independent audits",
    "Governments should regulate AI used in hiring",
    "AI regulation must protect human rights",
    "Small startups fear heavy AI regulation costs",
    "Face recognition AI needs strict regulation",
    "AI regulation should be coordinated across countries",
    "Civil society must have a voice in AI regulation",
    "Transparency reports for AI systems should be mandatory regulation",
    "AI regulation in Africa should reflect local needs",
    "Regulators lack the AI expertise to enforce rules",
]


def notes_from(
    texts: Sequence[str], *, prefix: str = "n", round: int = 1, minutes: int = 0
) -> list[Note]:
    """One note per text, at tables 1–5 in turn, a minute apart from `minutes`."""
    return [
        Note(
            f"{prefix}{i}",
            round,
            f"Table {i % 5 + 1}",
            text,
            START + timedelta(minutes=minutes + i),
        )
        for i, text in enumerate(texts)
    ]


def three_topics() -> list[Note]:
    """Thirty notes: ten on rural broadband, ten on media literacy, ten on AI regulation."""
    return notes_from([*BROADBAND, *LITERACY, *AI_RULES])


def topic_of(note_id: str) -> int:
    """0, 1 or 2: the topic a note of `three_topics` was written about."""
    return int(note_id[1:]) // 10
