"""Review-quality analysis in the JSON API, scoped like the pages: flags of a campaign under an
organisation (VIEW), one report's flags (VIEW on its unit), dismissing a flag (MANAGE, with a
note, audited). Advisory data only."""
from __future__ import annotations

import datetime
from typing import Optional

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema, Status

from kiemdiem.campaigns.views import get_campaign, progress_node
from kiemdiem.organisations.access import Action

from . import selectors, services
from .models import Signal

router = Router(tags=["analysis"])


class ErrorOut(Schema):
    detail: str
    messages: list[str] = []


class FlagOut(Schema):
    id: int
    review_id: int
    signal: str
    key: str
    score: float
    summary: str
    evidence: dict
    other_review_id: Optional[int] = None
    dismissed_at: Optional[datetime.datetime] = None
    dismiss_note: str = ""


class FlagsOut(Schema):
    campaign_id: int
    org_id: int
    counts: dict
    count: int
    flags: list[FlagOut]


class DismissIn(Schema):
    note: str


def _flag(f) -> dict:
    return {"id": f.pk, "review_id": f.review_id, "signal": f.signal, "key": f.key, "score": f.score,
            "summary": f.summary, "evidence": f.evidence, "other_review_id": f.other_review_id,
            "dismissed_at": f.dismissed_at, "dismiss_note": f.dismiss_note}


@router.get("/campaigns/{campaign_id}/analysis/flags", response=FlagsOut)
def campaign_flags(request, campaign_id: int, org_id: Optional[int] = None, signal: str = "", state: str = "open",
                   offset: int = Query(0, ge=0, le=10**9), limit: int = Query(100, ge=1, le=500)):
    """Flags of the reports under an organisation (default: the caller's visible root)."""
    campaign = get_campaign(request.user, campaign_id)
    org, path = progress_node(request.user, campaign, org_id)
    signal = signal if signal in Signal.values else ""
    qs = selectors.flags(campaign, path, signal, state if state in ("open", "dismissed", "all") else "open")
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    return {"campaign_id": campaign.pk, "org_id": org.pk, "counts": selectors.counts(campaign, path),
            "count": qs.count(), "flags": [_flag(f) for f in qs[offset:offset + limit]]}


@router.get("/analysis/reviews/{review_id}/flags", response=list[FlagOut])
def review_flags(request, review_id: int):
    review = selectors.get_review(request.user, review_id)
    return [_flag(f) for f in review.analysis_flags.all()]


@router.post("/analysis/flags/{flag_id}/dismiss", response={200: FlagOut, 400: ErrorOut})
def dismiss(request, flag_id: int, payload: DismissIn):
    flag = selectors.get_flag(request.user, flag_id, Action.MANAGE)
    try:
        flag = services.dismiss(actor=request.user, flag=flag, note=payload.note)
    except ValidationError as exc:
        return Status(400, {"detail": exc.messages[0], "messages": exc.messages})
    return Status(200, _flag(flag))
