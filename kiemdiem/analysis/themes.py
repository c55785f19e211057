"""Signal 4, recurring themes: shortcomings grouped by what they are about, with readable labels,
and repeats of a person's own earlier shortcomings.

A shortcoming's theme is its most frequent *informative* two-syllable term (a Vietnamese word
is mostly one or two syllables): terms made of hedges and form vocabulary ("chưa thường",
"hạn chế", "đôi khi") are left out, the rest are counted over the whole campaign and each
shortcoming takes the term most shared with others (ties: the first in the text). The label is
the term's most common written (accented) form, completed by the term most often seen beside it
in the theme ("học tập · nghị quyết"). Cheap enough for hundreds of thousands of shortcomings;
no embedding needed.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from . import text as T
from .lexicon import _STOP_WORDS, is_stop

_THEME_WORDS = _STOP_WORDS + (" viên chi bộ đồng nghiệp cơ quan đơn vị năm quý tháng lần buổi "
                              "chưa thật tham gia thực hiện đầy đủ nghiêm túc")
_THEME_STOP = (set(T.tokens(_THEME_WORDS)), set(T.folded(_THEME_WORDS)))


def _stop(token: str) -> bool:
    return is_stop(token, _THEME_STOP)


def terms(value: str) -> list[tuple[str, str]]:
    """(folded key, accented form) of the informative syllable pairs of `value`."""
    toks = T.tokens(value)
    out = []
    for a, b in zip(toks, toks[1:]):
        fa, fb = T.fold(a), T.fold(b)
        if _stop(a) or _stop(b) or fa.isdigit() or fb.isdigit():
            continue
        out.append((f"{fa} {fb}", f"{a} {b}"))
    return out


def assign(texts: list[str], min_count: int = 2) -> tuple[list[str], dict[str, str]]:
    """A theme key per text ('' when none recurs) and a label per key."""
    per_text = [terms(t) for t in texts]
    df = Counter()
    surface: dict[str, Counter] = defaultdict(Counter)
    for ts in per_text:
        for key, form in ts:
            surface[key][form] += 1
        df.update({k for k, _ in ts})
    keys = []
    for ts in per_text:
        best = ""
        for key, _ in ts:
            if df[key] >= min_count and (not best or df[key] > df[best]):
                best = key
        keys.append(best)
    # companion term per theme for a two-part label
    companions: dict[str, Counter] = defaultdict(Counter)
    for key, ts in zip(keys, per_text):
        if key:
            companions[key].update({k for k, _ in ts if k != key and not set(k.split()) & set(key.split())})
    labels = {}
    for key in set(keys) - {""}:
        label = surface[key].most_common(1)[0][0]
        comp = companions[key].most_common(1)
        if comp and comp[0][1] >= max(2, 0.3 * sum(1 for k in keys if k == key)):
            label += " · " + surface[comp[0][0]].most_common(1)[0][0]
        labels[key] = label
    return keys, labels


def similarity(a: str, b: str) -> float:
    """Overlap of informative syllables (unaccented), relative to the shorter text."""
    sa = {T.fold(t) for t in T.tokens(a) if not _stop(t) and len(t) > 1}
    sb = {T.fold(t) for t in T.tokens(b) if not _stop(t) and len(t) > 1}
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))


REPEAT_THRESHOLD = 0.6


def repeats(current: list[str], earlier: list[tuple[str, str]]) -> list[dict]:
    """Current shortcomings that restate an earlier one: [{"text", "earlier", "campaign", "score"}];
    `earlier` is [(text, campaign title)]."""
    out = []
    for c in current:
        best, score = None, 0.0
        for text, campaign in earlier:
            s = similarity(c, text)
            if s > score:
                best, score = (text, campaign), s
        if best and score >= REPEAT_THRESHOLD:
            out.append({"text": c, "earlier": best[0], "campaign": best[1], "score": round(score, 2)})
    return out
