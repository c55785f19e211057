"""Statistics over the API, scoped exactly like the pages (views.org_and_campaign: VIEW on the
organisation, the campaign visible and reaching it; 404 otherwise). Served from the cached
build when its fingerprint matches the data, computed in the request otherwise (a GET never
writes)."""
from __future__ import annotations

from typing import Any, Optional

from ninja import Router

from .views import org_and_campaign, statistics_for

router = Router(tags=["reports"])


@router.get("/organisations/{org_id}/statistics", response=dict[str, Any])
def organisation_statistics(request, org_id: int, campaign_id: Optional[int] = None):
    """Completion by stage, rating distributions (by level and kind of unit), discipline,
    removals, remediation (by state, overdue, monthly open items), feedback by source, study
    and commitments, per-child figures, the same campaign of the previous year and the trend.
    `campaign_id` defaults to the latest campaign reaching the organisation."""
    org, campaign = org_and_campaign(request.user, org_id, campaign_id)
    if campaign is None:  # nothing to count yet
        return {"org": {"id": org.pk, "name": org.name, "kind": str(org.kind), "path": org.path}, "campaign": None}
    data, source, state = statistics_for(campaign, org, allow_inline=True)
    if data is None:  # only when inline is disabled
        from . import selectors

        data = selectors.statistics_data(campaign, org)
    return {**data, "source": source or "live", "fingerprint": state.fingerprint}
