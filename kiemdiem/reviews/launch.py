"""Launching a campaign: one collective review per organisation in scope and one individual
review per eligible member, in set-based SQL (INSERT … SELECT … ON CONFLICT DO NOTHING), so a
national launch is a handful of statements rather than millions of saves, and launching again
creates nothing new (the unique constraints absorb repeats) while adding members who joined
since. The statements are plain SQL that SQLite and PostgreSQL both accept.
"""
from __future__ import annotations

import datetime

from django.db import connection, transaction
from django.utils import timezone

from kiemdiem.campaigns.choices import CampaignKind, CampaignStatus
from kiemdiem.campaigns.models import Campaign
from kiemdiem.core import audit
from kiemdiem.organisations.choices import OUTSIDE_POLITICAL_SYSTEM, OrgKind

from . import leadership
from .choices import Form, IneligibleReason, Status

q = connection.ops.quote_name


def months_before(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 - months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError


def _scope_sql(campaign: Campaign, alias: str) -> tuple[str, list]:
    """SQL condition and params: the organisation `alias` lies in the campaign's scope."""
    sql = f"{alias}.path LIKE %s"
    params: list = [campaign.issuer.path + "%"]
    for path in campaign.excluded.values_list("path", flat=True):
        sql += f" AND {alias}.path NOT LIKE %s"
        params.append(path + "%")
    sql += f" AND {alias}.dissolved IS NULL AND {alias}.founded <= %s"
    params.append(campaign.period_end)
    return sql, params


def _ineligible_case(campaign: Campaign) -> tuple[str, list]:
    """CASE expression giving the ineligibility reason of member `m` (NULL when eligible)."""
    end = campaign.period_end
    sql = (
        "CASE WHEN m.exempt_since IS NOT NULL AND m.exempt_since <= %s THEN %s "
        "WHEN m.suspended_since IS NOT NULL AND m.suspended_since <= %s THEN %s "
        "WHEN m.admitted_on > %s THEN %s ELSE NULL END"
    )
    return sql, [end, IneligibleReason.EXEMPT, end, IneligibleReason.SUSPENDED,
                 months_before(end, 6), IneligibleReason.TOO_NEW]


def _open_position(alias_member: str, end: datetime.date) -> tuple[str, list]:
    return (
        f"EXISTS (SELECT 1 FROM organisations_position p WHERE p.member_id = {alias_member}.id "
        f"AND p.start <= %s AND (p.{q('end')} IS NULL OR p.{q('end')} > %s))",
        [end, end],
    )


# A launch that creates at least this many rows refreshes the planner's statistics in passing.
ANALYZE_AFTER = 10_000


def _refresh_statistics(cur) -> None:
    """A launch can add most of the table in one go (a province: 165,000 rows, the nation:
    5.6 million), and until the next ANALYZE PostgreSQL plans the statements that follow in
    this launch (participants, section III, the ON_LAUNCH hooks), and every progress read, for
    the campaign's reviews as if there were none: a nested loop over an index that does not
    lead with member_id ran for minutes on a province; the progress GROUP BY sorted on disk
    (docs/benchmarks.md). ANALYZE inside the transaction counts the rows it has inserted, and
    its statistics commit with them; it samples a fixed 30,000 rows, so it costs about a second
    whatever the size of the table."""
    cur.execute("ANALYZE reviews_review, reviews_ineligibility")


@transaction.atomic
def launch(*, actor, campaign: Campaign) -> dict:
    """Create the campaign's reviews; returns counts of what this call created."""
    now = timezone.now()
    end = campaign.period_end
    counts = {}
    # a quarterly campaign (Kết luận 198-KL/TW): each person's short self-rating (Mẫu 05), no
    # collective reports
    quarterly = campaign.kind == CampaignKind.QUARTERLY
    with connection.cursor() as cur:
        scope_o, scope_p = _scope_sql(campaign, "o")
        # 1. collective reviews (Mẫu 01) for every organisation in scope but advisory bodies
        cur.execute(
            f"""INSERT INTO reviews_review
                (campaign_id, member_id, subject_org_id, unit_id, org_path, form, status, content,
                 version, proposed_level, updated_at, leadership)
            SELECT %s, NULL, o.id, o.id, o.path, %s, %s, '{{}}', 0, '', %s, ''
            FROM organisations_organisation o
            WHERE {scope_o} AND o.kind <> %s AND NOT %s
            ON CONFLICT DO NOTHING""",
            [campaign.pk, Form.COLLECTIVE, Status.DRAFT, now, *scope_p, OrgKind.ADVISORY, quarterly],
        )
        counts["collective"] = cur.rowcount

        # 2. individual reviews for eligible active members; the form follows the person
        inel_sql, inel_p = _ineligible_case(campaign)
        pos_sql, pos_p = _open_position("m", end)
        outside = sorted(OUTSIDE_POLITICAL_SYSTEM)
        cur.execute(
            f"""INSERT INTO reviews_review
                (campaign_id, member_id, subject_org_id, unit_id, org_path, form, status, content,
                 version, proposed_level, updated_at, leadership)
            SELECT %s, m.id, NULL, m.organisation_id, o.path,
                   CASE WHEN %s THEN %s WHEN {pos_sql} THEN %s
                        WHEN m.occupation IN ({", ".join(["%s"] * len(outside))}) THEN %s
                        ELSE %s END,
                   %s, '{{}}', 0, '', %s, ''
            FROM organisations_member m JOIN organisations_organisation o ON o.id = m.organisation_id
            WHERE {scope_o} AND m.status IN ('official', 'probationary') AND ({inel_sql}) IS NULL
            ON CONFLICT DO NOTHING""",
            [campaign.pk, quarterly, Form.QUARTERLY, *pos_p, Form.LEADER, *outside, Form.OUTSIDE, Form.MEMBER, Status.DRAFT, now,
             *scope_p, *inel_p],
        )
        counts["individual"] = cur.rowcount

        # 3. the ineligible, each with a reason
        cur.execute(
            f"""INSERT INTO reviews_ineligibility (campaign_id, member_id, unit_id, org_path, reason)
            SELECT %s, m.id, m.organisation_id, o.path, {inel_sql}
            FROM organisations_member m JOIN organisations_organisation o ON o.id = m.organisation_id
            WHERE {scope_o} AND m.status IN ('official', 'probationary') AND ({inel_sql}) IS NOT NULL
            ON CONFLICT DO NOTHING""",
            [campaign.pk, *inel_p, *scope_p, *inel_p],
        )
        counts["ineligible"] = cur.rowcount
        if connection.vendor == "postgresql" and sum(counts.values()) >= ANALYZE_AFTER:
            _refresh_statistics(cur)

        # 4. leadership collectives (BCH, BTV, Thường trực) of the organisations in scope that
        # have them, each a subject of its own with its Mẫu 01; then each leader's individual
        # review (Mẫu 2A) in the collective they review at (not rated: rated once, at their own)
        counts["leadership"] = counts["leaders"] = 0
        open_p = f"p.start <= %s AND (p.{q('end')} IS NULL OR p.{q('end')} > %s)"
        bodies = {} if quarterly else leadership.bodies()
        for code, body in bodies.items():
            kinds, requires = list(body.kinds), list(body.requires)
            cur.execute(
                f"""INSERT INTO reviews_review
                    (campaign_id, member_id, subject_org_id, unit_id, org_path, form, status, content,
                     version, proposed_level, updated_at, leadership)
                SELECT %s, NULL, o.id, o.id, o.path, %s, %s, '{{}}', 0, '', %s, %s
                FROM organisations_organisation o
                WHERE {scope_o} AND o.kind IN ({", ".join(["%s"] * len(kinds))})
                  AND EXISTS (SELECT 1 FROM organisations_position p WHERE p.organisation_id = o.id
                              AND p.role IN ({", ".join(["%s"] * len(requires))}) AND {open_p})
                ON CONFLICT DO NOTHING""",
                [campaign.pk, Form.COLLECTIVE, Status.DRAFT, now, code, *scope_p, *kinds, *requires, end, end],
            )
            counts["leadership"] += cur.rowcount
        earlier: list[str] = []  # a leader reviews at the first collective of review_at they sit in
        for code in () if quarterly else leadership.review_at():
            body = bodies.get(code)
            if body is None:
                continue
            roles = list(body.roles)
            skip, skip_p = "", []
            for other in earlier:  # members of an earlier collective that exists here review there
                other_roles = list(bodies[other].roles)
                skip += f""" AND NOT EXISTS (SELECT 1 FROM reviews_review r2 JOIN organisations_position p2
                                 ON p2.organisation_id = r2.subject_org_id AND p2.member_id = m.id
                             WHERE r2.campaign_id = r.campaign_id AND r2.subject_org_id = r.subject_org_id
                               AND r2.leadership = %s AND p2.role IN ({", ".join(["%s"] * len(other_roles))})
                               AND p2.start <= %s AND (p2.{q('end')} IS NULL OR p2.{q('end')} > %s))"""
                skip_p += [other, *other_roles, end, end]
            cur.execute(
                f"""INSERT INTO reviews_review
                    (campaign_id, member_id, subject_org_id, unit_id, org_path, form, status, content,
                     version, proposed_level, updated_at, leadership)
                SELECT x.campaign_id, x.member_id, NULL, x.unit_id, x.org_path, %s, %s, '{{}}', 0, '', %s, x.leadership
                FROM (SELECT DISTINCT r.campaign_id, m.id AS member_id, r.subject_org_id AS unit_id, r.org_path, r.leadership
                      FROM reviews_review r
                      JOIN organisations_position p ON p.organisation_id = r.subject_org_id
                      JOIN organisations_member m ON m.id = p.member_id
                      WHERE r.campaign_id = %s AND r.leadership = %s AND r.subject_org_id IS NOT NULL
                        AND p.role IN ({", ".join(["%s"] * len(roles))}) AND {open_p}
                        AND m.status IN ('official', 'probationary') AND ({inel_sql}) IS NULL
                        {skip}) x
                WHERE 1 = 1
                ON CONFLICT DO NOTHING""",
                [Form.LEADER, Status.DRAFT, now, campaign.pk, code, *roles, end, end, *inel_p, *skip_p],
            )
            counts["leaders"] += cur.rowcount
            earlier.append(code)

        # 5. leaders take part in the collective review of each body they sit in: the
        # organisation's own review (every position there), each leadership collective (its roles)
        members_of = " OR ".join(
            f"(r.leadership = %s AND p.role IN ({', '.join(['%s'] * len(b.roles))}))" for b in bodies.values())
        members_p = [x for b in bodies.values() for x in (b.code, *b.roles)]
        cur.execute(
            f"""INSERT INTO reviews_participant (review_id, member_id, role)
            SELECT r.id, p.member_id, MIN(p.role)
            FROM reviews_review r JOIN organisations_position p ON p.organisation_id = r.subject_org_id
            WHERE r.campaign_id = %s AND {open_p} AND (r.leadership = '' {"OR " + members_of if members_of else ""})
            GROUP BY r.id, p.member_id
            ON CONFLICT DO NOTHING""",
            [campaign.pk, end, end, *members_p],
        )
        counts["participants"] = cur.rowcount

        # 6. section III: the shortcomings of the previous review of the same kind, for the
        # same person (wherever they now are) or the same organisation
        for subject in ("member_id", "subject_org_id"):
            cur.execute(
                f"""INSERT INTO reviews_priorshortcoming (review_id, source_id, state, comment)
                SELECT r.id, s.id, '', ''
                FROM reviews_review r
                JOIN reviews_review prev ON prev.{subject} = r.{subject} AND prev.leadership = r.leadership
                JOIN campaigns_campaign pc ON pc.id = prev.campaign_id
                JOIN reviews_shortcoming s ON s.review_id = prev.id
                WHERE r.campaign_id = %s AND r.{subject} IS NOT NULL
                  AND pc.kind = %s AND pc.period_end < %s AND prev.status IN (%s, %s)
                  AND pc.period_end = (
                      SELECT MAX(pc2.period_end) FROM reviews_review prev2
                      JOIN campaigns_campaign pc2 ON pc2.id = prev2.campaign_id
                      WHERE prev2.{subject} = r.{subject} AND prev2.leadership = r.leadership
                        AND pc2.kind = %s AND pc2.period_end < %s
                        AND prev2.status IN (%s, %s))
                ON CONFLICT DO NOTHING""",
                [campaign.pk, campaign.kind, end, Status.ACCEPTED, Status.FINAL,
                 campaign.kind, end, Status.ACCEPTED, Status.FINAL],
            )
            counts[f"prior_{subject}"] = cur.rowcount

    from . import gates

    for hook in gates.ON_LAUNCH:
        counts.update(hook(actor=actor, campaign=campaign) or {})

    first = campaign.status == CampaignStatus.DRAFT
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.LAUNCHED, launched_at=campaign.launched_at or now)
    campaign.status = CampaignStatus.LAUNCHED
    from .selectors import progress_changed

    progress_changed(campaign.pk)
    audit.record(actor=actor, action="campaign.launch" if first else "campaign.relaunch", obj=campaign,
                 org_path=campaign.issuer_path, changes=counts)
    return counts
