"""Precision and recall of each signal on the labelled evaluation set (the *.jsonl files here),
through the same functions the background analysis uses."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .. import engine, lexicon, semantic
from .. import text as T

HERE = Path(__file__).resolve().parent


def _read(name):
    with open(HERE / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _pr(tp, fp, fn) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 3), "recall": round(r, 3), "tp": tp, "fp": fp, "fn": fn}


def eval_copy() -> dict:
    rows = _read("copy.jsonl")
    docs = [r for r in rows if r["type"] == "doc"]
    truth = {tuple(sorted((r["a"], r["b"]))) for r in rows if r["type"] == "copy"}
    raw = [T.shingle_hashes(T.folded(d["text"])) for d in docs]
    values, counts = np.unique(np.concatenate(raw), return_counts=True)
    boiler = values[counts >= max(engine.BOILER_MIN_DF, int(engine.BOILER_FRAC * len(docs)))]
    hs = [np.setdiff1d(h, boiler, assume_unique=True) for h in raw]
    sigs = T.minhash_many(hs)
    keep = [i for i, h in enumerate(hs) if len(h) >= engine.MIN_SHINGLES]
    found = engine._copy_pairs(keep, [sigs[i] for i in keep], set(), True)
    pred = {tuple(sorted((docs[a]["id"], docs[b]["id"]))) for a, b, _s in found}
    out = _pr(len(pred & truth), len(pred - truth), len(truth - pred))
    kinds = {tuple(sorted((r["a"], r["b"]))): r["kind"] for r in rows if r["type"] == "copy"}
    out["recall_by_kind"] = {k: round(sum(1 for p, kk in kinds.items() if kk == k and p in pred) /
                                      max(1, sum(1 for kk in kinds.values() if kk == k)), 3)
                             for k in sorted(set(kinds.values()))}
    out["docs"], out["labelled_pairs"] = len(docs), len(truth)
    return out


def eval_generic() -> dict:
    lex = lexicon.Lexicon.default()
    tp = fp = fn = 0
    rows = _read("generic.jsonl")
    for r in rows:
        flagged = bool(lexicon.check_generic(lex, r["text"]).verdict)
        positive = r["label"] == "generic"
        tp += flagged and positive
        fp += flagged and not positive
        fn += positive and not flagged
    return {**_pr(tp, fp, fn), "items": len(rows)}


def eval_feedback(prefer: str | None = None) -> dict:
    ab = semantic.Absorption(prefer=prefer)
    tp = fp = fn = 0
    rows = _read("feedback.jsonl")
    for r in rows:
        res = ab.check([r["point"]], r["report"])[0]
        flagged, positive = not res.absorbed, not r["absorbed"]  # the flag: "not absorbed"
        tp += flagged and positive
        fp += flagged and not positive
        fn += positive and not flagged
    return {**_pr(tp, fp, fn), "items": len(rows), "backend": ab.be.name, "threshold": ab.threshold}


def eval_tone() -> dict:
    lex = lexicon.Lexicon.default()
    tp = fp = fn = 0
    rows = _read("tone.jsonl")
    for r in rows:
        verdict = lexicon.check_tone(lex, r["text"]).verdict
        if verdict and verdict == r["label"]:
            tp += 1
        elif verdict:
            fp += 1
        elif r["label"]:
            fn += 1
    return {**_pr(tp, fp, fn), "items": len(rows)}


def evaluate(prefer: str | None = None) -> dict:
    return {"copy": eval_copy(), "generic": eval_generic(), "feedback": eval_feedback(prefer), "tone": eval_tone()}
