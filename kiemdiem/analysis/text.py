"""Vietnamese text for the analysis: plain text out of a report's sanitised HTML, syllable
tokens (NFC, lowercase), their unaccented fold, sentences, word shingles and MinHash signatures.

Vietnamese is written one syllable per space-separated token; the shingles are runs of
SHINGLE syllables taken over the *unaccented* fold of the tokens, so a copy typed without
diacritics ("dong chi chua kien quyet") matches the accented original. The fold merges a few
distinct syllables (ba/bà/bá); over runs of three syllables that costs little precision.

MinHash is a small numpy implementation (multiply-shift hashing over 64-bit integers), batched
over many documents at once: one vectorised pass per permutation over all shingles of a chunk.
Token hashes are CRC32 of the folded syllable, so signatures are stable across processes and can
be stored and compared later (incremental analysis).
"""
from __future__ import annotations

import html as html_lib
import re
import unicodedata
import zlib

import numpy as np

SHINGLE = 3
NUM_PERM = 128
BANDS = 32  # 32 bands x 4 rows: a pair with Jaccard 0.5 is a candidate with p = 0.87, 0.6 with 0.99
ROWS = NUM_PERM // BANDS
_MASK32 = np.uint64(0xFFFFFFFF)

_TAG = re.compile(r"<[^>]+>")
_BLOCK = re.compile(r"</(p|li|div|h\d|tr)>|<br\s*/?>", re.I)
_WORD = re.compile(r"\w+")
_SENT = re.compile(r"(?<=[.!?;:])\s+|\n+|\s+[-•–]\s+")
_SPACES = re.compile(r"[ \t\r\f\v]+")

_FOLD: dict[str, str] = {}
_IDS: dict[str, int] = {}

_rng = np.random.default_rng(20251122)
_A = (_rng.integers(1, 2**63 - 1, NUM_PERM, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 2**63 - 1, NUM_PERM, dtype=np.uint64)


def html_text(value) -> str:
    """Plain NFC text from sanitised HTML (block ends become new lines)."""
    if not value:
        return ""
    text = _BLOCK.sub("\n", str(value))
    text = html_lib.unescape(_TAG.sub(" ", text))
    text = unicodedata.normalize("NFC", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def fold(token: str) -> str:
    """An unaccented lowercase syllable ('đồng' -> 'dong'); cached, tokens repeat a lot."""
    out = _FOLD.get(token)
    if out is None:
        decomposed = unicodedata.normalize("NFD", token.lower().replace("đ", "d").replace("Đ", "d"))
        out = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
        _FOLD[token] = out
    return out


def _fold_table() -> dict[int, str]:
    table = {}
    for cp in range(0xC0, 0x1F00):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
        if base != ch and len(base) == 1:
            table[cp] = base.lower()
    table[ord("đ")] = table[ord("Đ")] = "d"
    return table


_TABLE = _fold_table()


def tokens(text: str) -> list[str]:
    """Syllable tokens, NFC and lowercase (underscores are not words)."""
    return [t for t in _WORD.findall(unicodedata.normalize("NFC", text or "").lower()) if t != "_"]


def folded(text: str) -> list[str]:
    """Unaccented syllables of `text`, folded at C speed (one str.translate)."""
    norm = unicodedata.normalize("NFC", text or "").lower().translate(_TABLE)
    return [t for t in _WORD.findall(norm) if t != "_"]


def folded_text(text: str) -> str:
    return " ".join(folded(text))


def sentences(text: str, min_tokens: int = 3) -> list[str]:
    """Sentences (or list items / lines) with at least `min_tokens` syllables."""
    out = []
    for part in _SENT.split(text or ""):
        part = part.strip(" -•–\t")
        if part and len(_WORD.findall(part)) >= min_tokens:
            out.append(part)
    return out


def _token_id(token: str) -> int:
    out = _IDS.get(token)
    if out is None:
        out = _IDS[token] = zlib.crc32(token.encode("utf-8")) + 1
    return out


def shingle_hashes(folded_tokens: list[str], k: int = SHINGLE) -> np.ndarray:
    """Distinct 32-bit hashes (uint32) of the runs of k folded syllables."""
    if len(folded_tokens) < k:
        return np.empty(0, dtype=np.uint32)
    get = _IDS.get
    ids = np.array([get(t) or _token_id(t) for t in folded_tokens], dtype=np.uint64)
    n = len(ids) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        h = h * np.uint64(0x100000001B3) + ids[j:j + n]
    h ^= h >> np.uint64(29)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(32)
    return np.unique((h & _MASK32).astype(np.uint32))


def minhash_many(docs: list[np.ndarray], chunk_shingles: int = 2_000_000) -> np.ndarray:
    """MinHash signatures (n, NUM_PERM) uint32 of many shingle-hash arrays; an empty
    document gets all 0xFFFFFFFF (callers skip documents with too few shingles)."""
    n = len(docs)
    sig = np.full((n, NUM_PERM), 0xFFFFFFFF, dtype=np.uint32)
    start = 0
    while start < n:
        # a chunk of documents holding about chunk_shingles shingles
        end, total = start, 0
        while end < n and (total == 0 or total + len(docs[end]) <= chunk_shingles):
            total += len(docs[end])
            end += 1
        parts = [docs[i] for i in range(start, end) if len(docs[i])]
        rows = np.array([i for i in range(start, end) if len(docs[i])], dtype=np.int64)
        if parts:
            x = np.concatenate(parts).astype(np.uint64)
            offsets = np.zeros(len(parts), dtype=np.int64)
            np.cumsum([len(p) for p in parts[:-1]], out=offsets[1:])
            for p in range(NUM_PERM):
                vals = (_A[p] * x + _B[p]) >> np.uint64(32)
                sig[rows, p] = np.minimum.reduceat(vals, offsets).astype(np.uint32)
        start = end
    return sig


def jaccard_estimate(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


def band_keys(sig: np.ndarray) -> np.ndarray:
    """(n, BANDS) uint64 keys: one hash per band of ROWS signature values."""
    s = sig.astype(np.uint64).reshape(len(sig), BANDS, ROWS)
    h = np.zeros((len(sig), BANDS), dtype=np.uint64)
    for r in range(ROWS):
        h = h * np.uint64(0x9E3779B97F4A7C15) + s[:, :, r]
    return h ^ (h >> np.uint64(31))


# --- matching passages, for the evidence shown side by side --------------------------------

def _grams(sentence: str, k: int = SHINGLE) -> set:
    f = folded(sentence)
    if len(f) < k:
        return {tuple(f)} if f else set()
    return {tuple(f[i:i + k]) for i in range(len(f) - k + 1)}


def matching_passages(text_a: str, text_b: str, threshold: float = 0.5, limit: int = 40) -> dict:
    """Sentences of A and B that match (trigram overlap over the unaccented fold, relative to
    the shorter sentence, at least `threshold`), as {"a": [...], "b": [...], "pairs": [...]}
    where each sentence is {"text", "match"} with match = the pair number or None."""
    sa, sb = sentences(text_a), sentences(text_b)
    ga, gb = [_grams(s) for s in sa], [_grams(s) for s in sb]
    index: dict[tuple, set[int]] = {}
    for j, grams in enumerate(gb):
        for g in grams:
            index.setdefault(g, set()).add(j)
    match_a: dict[int, int] = {}
    match_b: dict[int, int] = {}
    pairs = []
    for i, grams in enumerate(ga):
        if not grams:
            continue
        counts: dict[int, int] = {}
        for g in grams:
            for j in index.get(g, ()):
                counts[j] = counts.get(j, 0) + 1
        best, best_score = None, 0.0
        for j, c in counts.items():
            score = c / min(len(grams), len(gb[j]))
            if score > best_score and j not in match_b:
                best, best_score = j, score
        if best is not None and best_score >= threshold:
            n = len(pairs) + 1
            match_a[i], match_b[best] = n, n
            pairs.append({"n": n, "a": i, "b": best, "score": round(best_score, 2)})
            if len(pairs) >= limit:
                break
    return {
        "a": [{"text": s, "match": match_a.get(i)} for i, s in enumerate(sa)],
        "b": [{"text": s, "match": match_b.get(j)} for j, s in enumerate(sb)],
        "pairs": pairs,
    }
