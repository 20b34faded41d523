"""The shortcuts of the analyzers' hot paths give what the plain computations give.

- the whitespace runs normalisation rewrites (one regex) are those the plain rule picks;
- `squeezed` (the learned model's text) equals the normalised text with whitespace squeezed;
- `CharModel.vector` (numpy lookup) equals the plain formula over Aho-Corasick counts, in
  the same order, so nearest-case ties fall the same way;
- the window check of rules whose roles have one hit each equals the general search.
"""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import pytest

from analyzers import normalize as norm_mod
from analyzers.engine import _best_window, _only_window
from analyzers.learned import CharModel, default_model_path
from analyzers.normalize import normalize, squeezed

REPO = Path(__file__).resolve().parents[2]
ALPHABET = list("。；;：:！!？?\n \t\r\u3000\u00a0\u200b\ufeff\x85"
                "abcAB12（一）一、第三条，,、本地企业ＡＢ１【】“”")


def _texts() -> list[str]:
    out = []
    for path in sorted((REPO / "eval" / "real").glob("*.jsonl")):
        out += [json.loads(x)["text"] for x in path.read_text(encoding="utf-8").splitlines()
                if x.strip()]
    rng = random.Random(5)
    out += ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
            for _ in range(3000)]
    return out + ["", "\n", " \n ", "本地企业优先。\n", "\u3000本地企业\u3000", "a b\nc d\n"]


def _plain_runs(t: str) -> list[tuple[int, int]]:
    """Every whitespace run except a lone line break after sentence-ending punctuation."""
    return [m.span() for m in re.finditer(r"\s+", t)
            if not (m.end() - m.start() == 1 and t[m.start()] == "\n" and m.start()
                    and t[m.start() - 1] in norm_mod._HARD_PUNCT)]


def test_rewritten_runs_are_the_plain_ones() -> None:
    for text in _texts():
        t = norm_mod._translate(text)
        assert [m.span() for m in norm_mod._REWRITE_RE.finditer(t)] == _plain_runs(t), text


def test_squeezed_is_the_normalised_text_squeezed() -> None:
    for text in _texts():
        assert squeezed(text) == " ".join(normalize(text).text.split()), text


def _plain_vector(model: CharModel, text: str) -> list[tuple[int, float]]:
    vec = {j: (1.0 + math.log(c)) * model.idf[j] for j, c in model._counts(text).items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return [(j, v / norm) for j, v in vec.items()] if norm else []


@pytest.mark.parametrize("kind", ["policy", "ad"])
def test_vector_is_the_plain_formula_in_scan_order(kind: str) -> None:
    model = CharModel.load(default_model_path(kind))
    texts = _texts()[::3] + ["本地本地本地企业优先", "aaaa", "本本本本本", "☃"]
    for text in texts:
        assert list(model.vector(text).items()) == _plain_vector(model, text), text


def test_one_hit_per_role_window_equals_the_search() -> None:
    rng = random.Random(3)
    for _ in range(20000):
        roles = rng.randint(1, 4)
        hits = []
        for _ in range(roles):
            s = rng.randint(0, 40)
            hits.append((s, s + rng.randint(1, 6)))
        window, ordered = rng.randint(0, 40), rng.random() < 0.5
        assert _only_window(hits, window, ordered) == _best_window(
            [[h] for h in hits], window, ordered), (hits, window, ordered)
