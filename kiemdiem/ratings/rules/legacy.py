"""Ratings made before 2018 ("trong sạch vững mạnh" for organisations), kept for imported
history. No checks: these ratings were decided long ago and are only shown and counted."""
from __future__ import annotations

import datetime

from .base import Level, Profile


class LegacyTSVM(Profile):
    key = "legacy-tsvm"
    name = "Trước 2018 (trong sạch vững mạnh)"
    valid_from = datetime.date(1990, 1, 1)
    levels = (
        Level("TSVM_TB", "Trong sạch vững mạnh tiêu biểu", 6),
        Level("TSVM", "Trong sạch vững mạnh", 5),
        Level("DTC_XS", "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ", 4),
        Level("HTTNV", "Hoàn thành tốt nhiệm vụ", 3),
        Level("HTNV", "Hoàn thành nhiệm vụ", 2),
        Level("YK", "Yếu kém / vi phạm tư cách", 1),
    )
    excellent = None  # no quota is checked on history


PROFILE = LegacyTSVM()
