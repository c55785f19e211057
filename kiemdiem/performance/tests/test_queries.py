"""The register, confidence-vote and conclusion pages read a constant number of queries,
whatever the number of rows (no query per row)."""
import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kiemdiem.discipline.services import conclusion_record
from kiemdiem.performance import services

D = datetime.date


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _grow(cast, n: int, start: int):
    dave, an = cast.members["dave"], cast.members["an"]
    for i in range(start, start + n):
        services.task_create(actor=cast.alice, title=f"Nhiệm vụ {i}", deadline=D(2025, 6, 1 + i % 28), member=dave,
                             assigned_by="Chi ủy", status="on_time", completed_on=D(2025, 5, 30), evidence="Báo cáo")
        services.confidence_vote_record(actor=cast.alice, member=an if i % 2 else dave, body=cast.PX,
                                        held_on=D(2025, 1 + i % 12, 1 + i // 12), total=10, high=5, medium=3, low=2)
        conclusion_record(actor=cast.alice, kind="degraded", body=cast.QA, number=f"{i}-KL/UBKT",
                          concluded_on=D(2025, 1 + i % 12, 2), member=an if i % 2 else dave, summary="Kết luận")


def test_list_pages_read_a_constant_number_of_queries(cast, client_for):
    client = client_for(cast.alice)
    urls = [reverse("task_register_member", args=[cast.members["dave"].pk]) + "?year=2025",
            reverse("confidence_votes", args=[cast.PX.pk]), reverse("conclusion_list", args=[cast.PX.pk])]
    _grow(cast, 2, 0)
    small = [_count(client, u) for u in urls]
    _grow(cast, 12, 2)
    assert [_count(client, u) for u in urls] == small
