"""Analysis of one campaign's reports, in the background (core jobs), incrementally.

A report is analysed again only when it changed: the review's version/updated_at or the hash of
its feedback points and meeting contributions differ from what was stored, and then only if the
hash of its text really differs. Copy detection still compares a changed report with every
report of the campaign (their stored MinHash signatures, through LSH band keys) and with the
same member's reports of earlier campaigns.

Flags are advisory: this module writes only analysis tables, never a review, a rating or a
workflow state.
"""
from __future__ import annotations

import hashlib
import logging
import multiprocessing as mp
import os
import time
from collections import defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import numpy as np
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.campaigns.models import Campaign
from kiemdiem.core import jobs
from kiemdiem.reviews.models import Review, Shortcoming

from . import lexicon as L
from . import semantic
from . import text as T
from . import themes as TH
from .models import CampaignAnalysis, Flag, Phrase, ReportAnalysis, Signal

log = logging.getLogger(__name__)

PARAMS = f"s{T.SHINGLE}p{T.NUM_PERM}b{T.BANDS}v1"
COPY_THRESHOLD = 0.45  # estimated Jaccard of non-boilerplate shingles (calibrated, see docs)
MIN_SHINGLES = 12  # fewer non-boilerplate shingles: nothing to copy (the generic signal covers it)
BOILER_MIN_DF = 20
BOILER_FRAC = 0.5  # only near-universal shingles (headings, the opening formula)
MAX_BUCKET = 30
CHUNK = 2000


# --- text of a report ----------------------------------------------------------------------

def report_text(content: dict, items: list[str] = ()) -> str:
    parts = [T.html_text(content[k]) for k in sorted(content or {}) if isinstance(content.get(k), str)]
    section_ii = T.html_text((content or {}).get("II", ""))
    parts += [i for i in items if i and i not in section_ii]
    return "\n".join(p for p in parts if p)


def shortcomings_text(content: dict, items: list[str] = ()) -> str:
    section_ii = T.html_text((content or {}).get("II", ""))
    extra = [i for i in items if i and i not in section_ii]
    return "\n".join([section_ii, *extra]).strip()


def shortcoming_list(content: dict, items: list[str]) -> list[str]:
    if items:
        return [i for i in items if i.strip()]
    return T.sentences(T.html_text((content or {}).get("II", "")))


def lexicon_for(campaign: Campaign) -> L.Lexicon:
    """Built-in lists plus the phrases added by the campaign's issuer and its superiors."""
    extra: dict[str, list[str]] = defaultdict(list)
    for path, kind, text in Phrase.objects.values_list("organisation__path", "kind", "text"):
        if campaign.issuer_path.startswith(path):
            extra[kind].append(text)
    return L.Lexicon.default(extra)


def _sig_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def _sig_from(raw) -> np.ndarray | None:
    raw = bytes(raw or b"")
    if len(raw) != 4 * T.NUM_PERM:
        return None
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


def visible_points(review_ids) -> dict[int, list[tuple[int, str]]]:
    """Feedback points a committee may read, per review: attributed ones, and anonymous ones of
    groups past the anonymity threshold (held-back points never enter the analysis)."""
    from kiemdiem.feedback.models import AnonymousResponse, FeedbackPoint
    from kiemdiem.feedback.services import anonymous_threshold

    threshold = anonymous_threshold()
    shown = {
        (r, g) for r, g, n in AnonymousResponse.objects.filter(review_id__in=review_ids)
        .values_list("review_id", "group").annotate(n=Count("id")).values_list("review_id", "group", "n")
        if n >= threshold
    }
    out: dict[int, list] = defaultdict(list)
    for pk, rid, text, resp, group, kind in FeedbackPoint.objects.filter(review_id__in=review_ids).values_list(
            "pk", "review_id", "text", "response_id", "anonymous__group", "kind").order_by("pk"):
        if resp is not None or (rid, group) in shown:
            out[rid].append((pk, text, kind))
    return out


def _campaign_points(campaign) -> dict[int, list[tuple[int, str]]]:
    from kiemdiem.feedback.models import FeedbackPoint

    ids = FeedbackPoint.objects.filter(review__campaign=campaign).values_list("review_id", flat=True).distinct()
    return visible_points(list(ids))


def _campaign_contributions(campaign) -> dict[int, list[tuple[int, str]]]:
    from kiemdiem.ratings.models import Contribution

    out: dict[int, list] = defaultdict(list)
    for pk, rid, text in Contribution.objects.filter(subject__campaign=campaign).values_list(
            "pk", "subject_id", "text").order_by("pk"):
        out[rid].append((pk, text))
    return out


def _extras_hash(points, contributions) -> str:
    if not points and not contributions:
        return ""
    h = hashlib.sha1()
    for pk, text, _kind in points:
        h.update(f"p{pk}:{text}\x00".encode())
    for pk, text in contributions:
        h.update(f"c{pk}:{text}\x00".encode())
    return h.hexdigest()


# --- the CPU-heavy per-report stage, in worker processes for large runs ------------------------
#
# Text extraction, hashing, shingling, the generic-self-criticism signal and MinHash are pure
# functions of a report's text, so a large run hands them to a pool of forked processes
# (KIEMDIEM_ANALYSIS_WORKERS, default 2; 1 = everything in this process). Workers receive plain
# tuples and return plain data and numpy arrays; they never touch the database (the connection
# inherited through fork is put aside untouched: closing it there would end the parent's
# session). Everything that reads or writes the database, the embeddings (signal 3) and the
# campaign-wide steps stay in the parent, which processes the results in the order the rows
# were read: the outcome is the same as the serial run's.

POOL_MIN = 5000  # fewer changed reports: serial (tests, small campaigns, most incremental runs)
POOL_TASK = 500  # reports per task
_INHERITED: list = []


def workers() -> int:
    try:
        return max(1, int(os.environ.get("KIEMDIEM_ANALYSIS_WORKERS", "2")))
    except ValueError:
        return 1


def _worker_init() -> None:
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        _INHERITED.append(conn.connection)  # kept referenced, never closed in the child
        conn.connection = None


@contextmanager
def _pool_for(n: int):
    count = workers()
    if count < 2 or n < POOL_MIN or mp.current_process().daemon or "fork" not in mp.get_all_start_methods():
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=count, mp_context=mp.get_context("fork"), initializer=_worker_init)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _prepare(rows, lex):
    """For each (rid, content, items, extras): the content hash, the shingle hashes, section II's
    text with its generic verdict, and the list of shortcomings."""
    out = []
    for _rid, content, items, extra in rows:
        body = report_text(content, items)
        digest = hashlib.sha1((body + "\x00" + extra).encode()).hexdigest()
        sc_text = shortcomings_text(content, items)
        g = L.check_generic(lex, sc_text)
        out.append((digest, T.shingle_hashes(T.folded(body)), (sc_text if g.verdict else "", g),
                    shortcoming_list(content, items)))
    return out


def _read_chunk(chunk, extras):
    items = defaultdict(list)
    for rid, text in Shortcoming.objects.filter(review_id__in=chunk).order_by("order", "id").values_list("review_id", "text"):
        items[rid].append(text)
    return [(rid, content if isinstance(content, dict) else {}, items[rid], extras[rid])
            for rid, content in Review.objects.filter(pk__in=chunk).values_list("pk", "content")]


def _prepared_chunks(ids, extras, lex, pool):
    """(start, [(rid, content, items, digest, shingle hashes, generic, shortcomings)]) per chunk
    of CHUNK reports, in reading order; with a pool, the database reads of the next chunks
    overlap the workers' processing."""
    def joined(rows, results):
        return [(r[0], r[1], r[2], *res) for r, res in zip(rows, results)]

    if pool is None:
        for start in range(0, len(ids), CHUNK):
            rows = _read_chunk(ids[start:start + CHUNK], extras)
            yield start, joined(rows, _prepare(rows, lex))
        return
    pending = deque()
    for start in range(0, len(ids), CHUNK):
        rows = _read_chunk(ids[start:start + CHUNK], extras)
        futures = [pool.submit(_prepare, rows[k:k + POOL_TASK], lex) for k in range(0, len(rows), POOL_TASK)]
        pending.append((start, rows, futures))
        while len(pending) > 2:
            s, r, fs = pending.popleft()
            yield s, joined(r, [x for f in fs for x in f.result()])
    while pending:
        s, r, fs = pending.popleft()
        yield s, joined(r, [x for f in fs for x in f.result()])


def _signatures(hashes: list[np.ndarray], boiler: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """MinHash signatures of the shingles without the boilerplate, and how many are left."""
    docs = [np.setdiff1d(h, boiler, assume_unique=True) for h in hashes] if len(boiler) else hashes
    return T.minhash_many(docs), [len(d) for d in docs]


def _minhash(hashes: list[np.ndarray], boiler: np.ndarray, pool) -> tuple[np.ndarray, list[int]]:
    if pool is None or len(hashes) < POOL_TASK:
        return _signatures(hashes, boiler)
    step = -(-len(hashes) // (4 * workers()))
    parts = [hashes[k:k + step] for k in range(0, len(hashes), step)]
    done = list(pool.map(_signatures, parts, [boiler] * len(parts)))
    return np.vstack([sig for sig, _n in done]), [n for _sig, ns in done for n in ns]


# --- the run -------------------------------------------------------------------------------

class _Progress:
    def __init__(self, job):
        self.job, self.last = job, 0.0

    def __call__(self, done, total, message):
        if self.job is None:
            return
        now = time.monotonic()
        if now - self.last > 1.0:
            jobs.report(self.job, done, total, message)
            self.last = now


def analyse_campaign(campaign: Campaign, *, job=None, full: bool = False, absorption: semantic.Absorption | None = None) -> dict:
    t0 = time.monotonic()
    progress = _Progress(job)
    ca, _created = CampaignAnalysis.objects.get_or_create(campaign=campaign)
    lex = lexicon_for(campaign)
    full = full or ca.params != PARAMS or ca.lexicon != lex.fingerprint()

    meta = list(Review.objects.filter(campaign=campaign).values_list("pk", "version", "updated_at", "org_path", "member_id"))
    stored = {r[0]: r[1:] for r in ReportAnalysis.objects.filter(campaign=campaign).values_list(
        "review_id", "content_hash", "version", "updated_at", "extras", "signature", "shingles")}
    points = _campaign_points(campaign)
    contributions = _campaign_contributions(campaign)
    extras = {rid: _extras_hash(points.get(rid, ()), contributions.get(rid, ())) for rid, *_ in meta}

    candidates = [m for m in meta if full or m[0] not in stored
                  or stored[m[0]][1] != m[1] or stored[m[0]][2] != m[2] or stored[m[0]][3] != extras[m[0]]]
    progress(0, len(candidates), _("Đang đọc các bản kiểm điểm đã thay đổi"))

    # read and hash the candidates; analyse those whose text (or extras) really changed, one
    # chunk at a time (only the hash and the shingles of a report are kept in memory)
    info = {m[0]: m for m in meta}
    analysed: dict[int, dict] = {}
    touched_only: list[int] = []
    ids = [m[0] for m in candidates]
    raw: dict[int, np.ndarray] = {}
    earlier_items = _earlier_shortcomings(campaign, ids, info)
    absorption = absorption or (semantic.Absorption() if any(points.get(r) for r in ids) else None)
    desired: dict[tuple[int, str, str], dict] = {}
    theme_inputs: list[tuple[int, str]] = []
    with _pool_for(len(ids)) as pool:
        for start, rows in _prepared_chunks(ids, extras, lex, pool):
            for rid, content, items, digest, hashes, generic, current in rows:
                if not full and rid in stored and stored[rid][0] == digest:
                    touched_only.append(rid)
                    continue
                analysed[rid] = {"hash": digest}
                raw[rid] = hashes
                _report_signals(rid, content, items, info[rid][3], lex, points.get(rid, []), contributions.get(rid, []),
                                earlier_items.get(rid), absorption, desired, theme_inputs, generic, current)
            progress(min(start + CHUNK, len(ids)), len(ids), _("Đang đọc các bản kiểm điểm đã thay đổi"))

        # shingles; boilerplate = shingles common to many reports of the campaign (full runs only)
        if full:
            if raw:
                allh = np.concatenate(list(raw.values()))
                values, counts = np.unique(allh, return_counts=True)
                del allh
                limit = max(BOILER_MIN_DF, int(BOILER_FRAC * len(meta)))
                boiler = values[counts >= limit]
            else:
                boiler = np.empty(0, dtype=np.uint32)
            ca.boilerplate = boiler.astype("<u4").tobytes()
        else:
            boiler = np.frombuffer(bytes(ca.boilerplate or b""), dtype="<u4").astype(np.uint32)
        order = list(raw)
        sigs_new, lengths = _minhash([raw[r] for r in order], boiler, pool)
        kept = dict(zip(order, lengths))  # shingles left once the boilerplate is taken out
        del raw

    new_sig = {rid: sigs_new[i] for i, rid in enumerate(order)}
    progress(len(ids), len(ids), _("Đang so sánh để phát hiện sao chép"))

    # all signatures of the campaign
    all_ids, all_sigs = [], []
    for rid, *_rest in meta:
        if rid in new_sig:
            if kept[rid] >= MIN_SHINGLES:
                all_ids.append(rid)
                all_sigs.append(new_sig[rid])
        elif rid in stored and stored[rid][5] >= MIN_SHINGLES:
            sig = _sig_from(stored[rid][4])
            if sig is not None:
                all_ids.append(rid)
                all_sigs.append(sig)
    pairs = _copy_pairs(all_ids, all_sigs, set(analysed), full)

    # earlier reports of the same member
    self_pairs = _earlier_copies(campaign, analysed, kept, new_sig, boiler, info)
    names = _names({o for _a, o, _s in pairs} | {o for _a, o, _s, _c in self_pairs})
    for a, b, score in pairs:
        for x, y in ((a, b), (b, a)):
            desired[(x, Signal.COPY, f"review:{y}")] = dict(score=round(score, 3), path=info[x][3], other=y,
                summary=_("Giống %(p)d%% bản kiểm điểm của %(n)s") % {"p": round(100 * score), "n": names.get(y, "?")},
                evidence={"other": y, "jaccard": round(score, 3), "same_person": False})
    for a, other, score, ctitle in self_pairs:
        desired[(a, Signal.COPY, f"review:{other}")] = dict(score=round(score, 3), path=info[a][3], other=other,
            summary=_("Giống %(p)d%% bản kiểm điểm kỳ trước (%(c)s)") % {"p": round(100 * score), "c": ctitle},
            evidence={"other": other, "jaccard": round(score, 3), "same_person": True, "campaign": ctitle})

    # themes
    labels = dict(ca.theme_labels or {})
    if full:
        keys, new_labels = TH.assign([s for _r, s in theme_inputs])
        sizes = defaultdict(int)
        for k in keys:
            if k:
                sizes[k] += 1
        labels = {k: [new_labels[k], sizes[k]] for k in new_labels}
    else:
        keys = []
        for _r, s in theme_inputs:
            best = ""
            for key, _form in TH.terms(s):
                if key in labels and (not best or labels[key][1] > labels[best][1]):
                    best = key
            keys.append(best)
    themes_by_review: dict[int, list] = defaultdict(list)
    for (rid, s), k in zip(theme_inputs, keys):
        if k:
            themes_by_review[rid].append([k, s[:300]])

    progress(len(analysed), len(analysed), _("Đang lưu kết quả"))
    with transaction.atomic():
        _write_flags(campaign, set(analysed), desired)
        _write_reports(campaign, analysed, kept, new_sig, themes_by_review, info, touched_only, extras)
        ca.params, ca.lexicon, ca.theme_labels = PARAMS, lex.fingerprint(), labels
        ca.backend = absorption.be.name if absorption else (ca.backend or "")
        ca.analysed_at = timezone.now()
        ca.last_job = job
        stats = {
            "reports": len(meta), "candidates": len(candidates), "analysed": len(analysed), "full": full,
            "copy_pairs": len(pairs), "self_copies": len(self_pairs), "embedded": absorption.embedded if absorption else 0,
            "boilerplate_shingles": int(len(boiler)), "seconds": round(time.monotonic() - t0, 1),
        }
        ca.stats = stats
        ca.save()
    return stats


def _report_signals(rid, content, items, path, lex, pts, contributions, earlier, absorption, desired, theme_inputs,
                    generic, current):
    """Signals 2–5 of one report, added to `desired` (flags) and `theme_inputs`; `generic`
    (sc_text, GenericResult) and `current` (its shortcomings) come from _prepare."""
    sc_text, g = generic
    if g.verdict:
        summary = _("Không nêu hạn chế, khuyết điểm cụ thể") if g.verdict == "empty" else _("Hạn chế, khuyết điểm chỉ nêu chung chung")
        desired[(rid, Signal.GENERIC, "II")] = dict(score=g.score, summary=summary, path=path, evidence={
            "verdict": g.verdict, "text": sc_text[:2000], "matched": g.matched[:30], "concrete": g.concrete[:30]})
    # criticism and suggestions must be taken into sections II–VI; praise needs no absorbing
    critical = [(pk, t) for pk, t, kind in pts if kind != "strength"]
    if critical and absorption is not None:
        answer = report_text({k: v for k, v in content.items() if not k.startswith("I") or k in ("II", "III", "IV")}, items)
        for (pk, ptext), res in zip(critical, absorption.check([p for _pk, p in critical], answer)):
            if not res.absorbed:
                desired[(rid, Signal.FEEDBACK, f"point:{pk}")] = dict(score=round(1 - res.score, 3), path=path,
                    summary=_("Góp ý chưa thấy trong bản kiểm điểm: %(t)s") % {"t": ptext[:200]},
                    evidence={"point": ptext, "best": res.best_sentence, "similarity": res.score,
                              "method": res.method, "backend": absorption.be.name})
    for label, rows in (("point", [(pk, t) for pk, t, _k in pts]), ("contribution", contributions)):
        for pk, ctext in rows:
            tone = L.check_tone(lex, ctext)
            if tone.verdict:
                summary = (_("Ý kiến thiên về tâng bốc") if tone.verdict == "praise" else _("Ý kiến mang tính công kích"))
                desired[(rid, Signal.TONE, f"{label}:{pk}")] = dict(score=tone.score, summary=summary, path=path,
                    evidence={"verdict": tone.verdict, "source": label, "text": ctext[:2000],
                              "praise": tone.praise, "attack": tone.attack})
    theme_inputs += [(rid, s[:300]) for s in current]
    if earlier:
        reps = TH.repeats(current, earlier)
        if reps:
            desired[(rid, Signal.REPEAT, "repeat")] = dict(score=max(r["score"] for r in reps), path=path,
                summary=_("%(n)d hạn chế lặp lại kỳ trước") % {"n": len(reps)}, evidence={"repeats": reps[:20]})


def _copy_pairs(ids: list[int], sigs: list[np.ndarray], changed: set[int], full: bool) -> list[tuple[int, int, float]]:
    """Pairs (a, b, estimated Jaccard) above COPY_THRESHOLD among the signatures, found through
    LSH bands; in an incremental run only pairs with at least one changed report."""
    if len(ids) < 2:
        return []
    sig = np.vstack(sigs)
    keys = T.band_keys(sig)
    id_arr = np.array(ids, dtype=np.int64)
    is_changed = np.isin(id_arr, np.fromiter(changed, dtype=np.int64, count=len(changed))) if changed else np.zeros(len(ids), bool)
    found: dict[tuple[int, int], float] = {}
    tri = {}
    for b in range(T.BANDS):
        col = keys[:, b]
        if full:
            rows = np.arange(len(col))
        else:
            ck = np.unique(col[is_changed])
            if not len(ck):
                continue
            rows = np.nonzero(np.isin(col, ck))[0]
        sub = col[rows]
        order = np.argsort(sub, kind="stable")
        sorted_keys = sub[order]
        bounds = np.nonzero(np.diff(sorted_keys))[0] + 1
        starts = np.concatenate(([0], bounds))
        sizes = np.diff(np.concatenate((starts, [len(sorted_keys)])))
        keep = (sizes >= 2) & (sizes <= MAX_BUCKET)  # a bucket this full is boilerplate, not a copy
        xs, ys = [], []
        for start, size in zip(starts[keep].tolist(), sizes[keep].tolist()):
            if size not in tri:
                tri[size] = np.triu_indices(size, 1)
            members = rows[order[start:start + size]]
            i, j = tri[size]
            xs.append(members[i])
            ys.append(members[j])
        if not xs:
            continue
        x, y = np.concatenate(xs), np.concatenate(ys)
        if not full:
            m = is_changed[x] | is_changed[y]
            x, y = x[m], y[m]
        # verify this band's candidates at once; only pairs above the threshold are kept
        for start in range(0, len(x), 200_000):
            xx, yy = x[start:start + 200_000], y[start:start + 200_000]
            est = np.count_nonzero(sig[xx] == sig[yy], axis=1) / T.NUM_PERM
            ok = est >= COPY_THRESHOLD
            for p, q, e in zip(xx[ok].tolist(), yy[ok].tolist(), est[ok].tolist()):
                found[(p, q) if p < q else (q, p)] = e
    return [(int(id_arr[p]), int(id_arr[q]), float(e)) for (p, q), e in found.items()]


def _earlier_copies(campaign, analysed, kept, new_sig, boiler, info) -> list[tuple[int, int, float, str]]:
    by_member = {info[r][4]: r for r in analysed if info[r][4] and kept[r] >= MIN_SHINGLES}
    if not by_member:
        return []
    members = list(by_member)
    earlier = []
    for start in range(0, len(members), 5000):
        earlier += list(Review.objects.filter(member_id__in=members[start:start + 5000],
                                              campaign__period_end__lt=campaign.period_end)
                        .exclude(campaign=campaign).values_list("pk", "member_id", "campaign__title", "content"))
    if not earlier:
        return []
    earlier_ids = [e[0] for e in earlier]
    stored = {}
    for start in range(0, len(earlier_ids), 5000):
        stored.update({r: _sig_from(s) for r, s in ReportAnalysis.objects.filter(
            review_id__in=earlier_ids[start:start + 5000]).values_list("review_id", "signature")})
    out = []
    todo = []
    for pk, member_id, title, content in earlier:
        sig = stored.get(pk)
        if sig is None:
            todo.append((pk, member_id, title, content))
        else:
            out.append((pk, member_id, title, sig))
    if todo:
        hs = []
        for pk, member_id, title, content in todo:
            h = T.shingle_hashes(T.folded(report_text(content if isinstance(content, dict) else {})))
            hs.append(np.setdiff1d(h, boiler, assume_unique=True) if len(boiler) else h)
        sigs = T.minhash_many(hs)
        out += [(t[0], t[1], t[2], sigs[i]) for i, t in enumerate(todo) if len(hs[i]) >= MIN_SHINGLES]
    pairs = []
    for pk, member_id, title, sig in out:
        rid = by_member[member_id]
        score = T.jaccard_estimate(new_sig[rid], sig)
        if score >= COPY_THRESHOLD:
            pairs.append((rid, pk, score, title))
    return pairs


def _earlier_shortcomings(campaign, review_ids, info) -> dict[int, list[tuple[str, str]]]:
    by_member = {info[r][4]: r for r in review_ids if info[r][4]}
    out: dict[int, list] = defaultdict(list)
    if not by_member:
        return out
    members = list(by_member)
    for start in range(0, len(members), 5000):
        for member_id, text, title in Shortcoming.objects.filter(
                review__member_id__in=members[start:start + 5000], review__campaign__period_end__lt=campaign.period_end
        ).exclude(review__campaign=campaign).values_list("review__member_id", "text", "review__campaign__title"):
            out[by_member[member_id]].append((text, title))
    return out


def _names(review_ids) -> dict[int, str]:
    out = {}
    ids = list(review_ids)
    for start in range(0, len(ids), 5000):
        for pk, member, org in Review.objects.filter(pk__in=ids[start:start + 5000]).values_list(
                "pk", "member__full_name", "subject_org__name"):
            out[pk] = member or org or "?"
    return out


def _write_flags(campaign, analysed: set[int], desired: dict) -> None:
    """Replace the flags of the analysed reports (and copy flags pointing at them) by `desired`;
    a flag that is produced again keeps its dismissal."""
    existing = {}
    scope = list(analysed)
    for start in range(0, len(scope), 5000):
        part = scope[start:start + 5000]
        for row in Flag.objects.filter(campaign=campaign, review_id__in=part).values_list("pk", "review_id", "signal", "key"):
            existing[row[1:]] = row[0]
        for row in Flag.objects.filter(campaign=campaign, signal=Signal.COPY, other_review_id__in=part).values_list(
                "pk", "review_id", "signal", "key"):
            existing[row[1:]] = row[0]
    stale = [pk for k, pk in existing.items() if k not in desired]
    for start in range(0, len(stale), 5000):
        Flag.objects.filter(pk__in=stale[start:start + 5000]).delete()
    now = timezone.now()
    create, update = [], []
    for (rid, signal, key), d in desired.items():
        obj = Flag(review_id=rid, campaign=campaign, org_path=d["path"], signal=signal, key=key,
                   other_review_id=d.get("other"), score=d["score"], summary=d["summary"][:300],
                   evidence=d["evidence"], updated_at=now)
        if (rid, signal, key) in existing:
            obj.pk = existing[(rid, signal, key)]
            update.append(obj)
        else:
            create.append(obj)
    Flag.objects.bulk_create(create, batch_size=2000)
    Flag.objects.bulk_update(update, ["org_path", "other_review", "score", "summary", "evidence", "updated_at"], batch_size=2000)


def _write_reports(campaign, analysed, kept, new_sig, themes_by_review, info, touched_only, extras) -> None:
    existing = dict(ReportAnalysis.objects.filter(campaign=campaign, review_id__in=list(analysed) + touched_only)
                    .values_list("review_id", "pk"))
    create, update = [], []
    for rid, a in analysed.items():
        _pk, version, updated_at, path, member_id = info[rid]
        obj = ReportAnalysis(review_id=rid, campaign=campaign, org_path=path, member_id=member_id,
                             content_hash=a["hash"], version=version, updated_at=updated_at, extras=extras[rid],
                             signature=_sig_bytes(new_sig[rid]), shingles=kept[rid],
                             themes=themes_by_review.get(rid, []))
        if rid in existing:
            obj.pk = existing[rid]
            update.append(obj)
        else:
            create.append(obj)
    for rid in touched_only:
        _pk, version, updated_at, path, member_id = info[rid]
        if rid in existing:
            ReportAnalysis.objects.filter(pk=existing[rid]).update(version=version, updated_at=updated_at, org_path=path)
    ReportAnalysis.objects.bulk_create(create, batch_size=2000)
    ReportAnalysis.objects.bulk_update(update, ["org_path", "member_id", "content_hash", "version", "updated_at", "extras",
                                                "signature", "shingles", "themes"], batch_size=2000)


# --- the background job --------------------------------------------------------------------

@jobs.job("analysis.run")
def run_job(job) -> dict:
    campaign = Campaign.objects.get(pk=job.params["campaign_id"])
    return analyse_campaign(campaign, job=job, full=bool(job.params.get("full")))


def start(user, campaign: Campaign, full: bool = False):
    return jobs.enqueue("analysis.run", created_by=user, params={"campaign_id": campaign.pk, "full": full},
                        total=0, org_path=campaign.issuer_path)
