"""The registry of rules profiles by key. A campaign names its profile; a rating keeps the key
it was made under, so adding a profile never changes old ratings."""
from . import legacy, qd124, qd366
from .base import DisciplineFact, Facts, Level, Profile, QuotaResult, Verdict

PROFILES: dict[str, Profile] = {p.key: p for p in (qd366.PROFILE, qd124.PROFILE, legacy.PROFILE)}


def get_profile(key: str) -> Profile:
    return PROFILES[key]


__all__ = ["PROFILES", "get_profile", "Facts", "DisciplineFact", "Level", "Profile", "QuotaResult", "Verdict"]
