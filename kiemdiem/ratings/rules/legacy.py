"""Ratings before 2018 ("trong sạch vững mạnh" for organisations): kept for imported history,
and a campaign may still be run under it (e.g. to re-enter an old year through the forms).
No checks and no quota: these ratings were decided long ago and are only shown and counted.

Organisations and members had separate level sets (organisations: trong sạch vững mạnh, with
the "tiêu biểu" among them; hoàn thành tốt / hoàn thành nhiệm vụ; yếu kém. Members: đủ tư cách,
hoàn thành xuất sắc / tốt / hoàn thành nhiệm vụ; vi phạm tư cách hoặc không hoàn thành nhiệm
vụ) and no points: the self-review's part B is only the proposed level. The codes are those of
the stored history (HTTNV, HTNV and YK serve both, under each set's own name)."""
from __future__ import annotations

import datetime

from .base import Level, Profile

TSVM_TB, TSVM, DTC_XS, GOOD, DONE, WEAK = "TSVM_TB", "TSVM", "DTC_XS", "HTTNV", "HTNV", "YK"


class LegacyTSVM(Profile):
    key = "legacy-tsvm"
    name = "Trước 2018 (trong sạch vững mạnh)"
    valid_from = datetime.date(1990, 1, 1)
    levels = (
        Level(TSVM_TB, "Trong sạch vững mạnh tiêu biểu", 6),
        Level(TSVM, "Trong sạch vững mạnh", 5),
        Level(DTC_XS, "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ", 4),
        Level(GOOD, "Hoàn thành tốt nhiệm vụ", 3),
        Level(DONE, "Hoàn thành nhiệm vụ", 2),
        Level(WEAK, "Yếu kém / vi phạm tư cách", 1),
    )
    subject_levels = {
        "collective": (
            Level(TSVM_TB, "Trong sạch vững mạnh tiêu biểu", 6),
            Level(TSVM, "Trong sạch vững mạnh", 5),
            Level(GOOD, "Hoàn thành tốt nhiệm vụ", 3),
            Level(DONE, "Hoàn thành nhiệm vụ", 2),
            Level(WEAK, "Yếu kém", 1),
        ),
        "member": (
            Level(DTC_XS, "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ", 4),
            Level(GOOD, "Đủ tư cách, hoàn thành tốt nhiệm vụ", 3),
            Level(DONE, "Đủ tư cách, hoàn thành nhiệm vụ", 2),
            Level(WEAK, "Vi phạm tư cách hoặc không hoàn thành nhiệm vụ", 1),
        ),
    }
    excellent = None  # no quota is checked on history


PROFILE = LegacyTSVM()
