"""Phrase lists (editable by committees, see models.Phrase) and the two lexicon signals:
empty or generic self-criticism (signal 2) and praise- or attack-heavy tone (signal 5).

Matching is on NFC lowercase text with word boundaries; a text written without diacritics
(fewer than 10 % of its syllables carry a mark) is matched on the unaccented fold instead, so
"khong co han che" is caught like "không có hạn chế" while "hẹn" never matches "hèn".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import text as T

NOTHING = "nothing"
STOCK = "stock"
PRAISE = "praise"
ATTACK = "attack"

# Built-in lists; a committee adds its own (models.Phrase) for its subtree.
DEFAULTS: dict[str, list[str]] = {
    NOTHING: [
        "không có", "chưa có", "không có gì", "chưa có hạn chế", "không có hạn chế", "không có khuyết điểm",
        "chưa có khuyết điểm", "không có hạn chế, khuyết điểm", "không phát hiện", "chưa phát hiện",
        "không thấy có", "không", "chưa thấy",
    ],
    STOCK: [
        "đôi khi còn nể nang", "còn nể nang", "nể nang, né tránh", "ngại va chạm", "đôi lúc chưa kịp thời",
        "có lúc chưa kịp thời", "chưa thật sự quyết liệt", "chưa quyết liệt", "chưa mạnh dạn",
        "tinh thần tự phê bình và phê bình chưa cao", "tự phê bình và phê bình chưa cao",
        "né tránh trong tự phê bình và phê bình", "tự phê bình và phê bình", "né tránh",
        "chưa thường xuyên nghiên cứu, học tập", "chưa dành nhiều thời gian", "nghiên cứu, học tập",
        "năng lực còn hạn chế", "trình độ chuyên môn còn hạn chế", "còn hạn chế", "đôi khi còn chậm",
        "có mặt còn hạn chế", "một số mặt còn hạn chế", "chưa phát huy hết", "chưa đáp ứng yêu cầu",
        "công tác tham mưu", "còn chưa sâu sát", "chưa sâu sát", "đôi khi", "có lúc", "có việc",
        "chưa cao", "chưa kịp thời", "do khối lượng công việc nhiều", "do nguyên nhân khách quan",
        "nguyên nhân chủ yếu là khách quan", "thời gian có hạn", "sẽ khắc phục trong thời gian tới",
        "cần cố gắng hơn", "chưa thật sự",
    ],
    PRAISE: [
        "xuất sắc", "gương mẫu", "tuyệt vời", "hoàn hảo", "mẫu mực", "hết lòng", "tận tụy", "tận tâm",
        "đáng khen", "tiêu biểu", "sáng suốt", "tài giỏi", "hết mình", "tấm gương", "trong sáng",
        "không có khuyết điểm", "không có hạn chế", "không có gì phải bàn", "rất tốt", "luôn luôn",
        "đáng học tập", "hoàn toàn nhất trí", "vô cùng", "mọi người đều quý mến", "luôn đi đầu",
    ],
    ATTACK: [
        "yếu kém", "tha hóa", "thoái hóa", "vô trách nhiệm", "bè phái", "kém cỏi", "dối trá", "gian dối",
        "bất tài", "độc đoán", "gia trưởng", "thủ đoạn", "đạo đức giả", "không xứng đáng", "ăn chặn",
        "hèn nhát", "lừa đảo", "nhũng nhiễu", "vụ lợi", "lộng quyền", "trù dập", "cơ hội chủ nghĩa",
        "bao che", "kéo bè kéo cánh", "không ra gì", "vô dụng", "tồi tệ", "thối nát", "mất tư cách",
    ],
}

# Syllables that carry no specific content in a self-criticism (function words, hedges and the
# vocabulary of the form itself); what is left after removing these and the phrases is the
# report's concrete content.
_STOP_WORDS = (
    "và của các những một số là có không chưa còn đã đang sẽ được bị trong với cho về khi lúc đôi "
    "thì mà nên do vì để từ tới đến theo như này đó đây ấy rất hơn nhất cũng vẫn đều lại ra vào "
    "hạn chế khuyết điểm nguyên nhân bản thân tôi đồng chí mình việc công tác nhiệm vụ được giao "
    "mặt phần nhiều ít thật sự thường xuyên kịp thời cao tốt cần phải chủ yếu yêu cầu khách quan "
    "chủ quan thời gian tới khắc phục cố gắng nữa gì thấy hiện tượng trên dưới tuy nhiên song "
    "i ii iii iv v vi"
)
_STOP_ACCENTED = set(T.tokens(_STOP_WORDS))
_STOP = set(T.folded(_STOP_WORDS))


def is_stop(token: str, extra: tuple[set, set] | None = None) -> bool:
    """A stop syllable: compared accented ("đảng" is not "đang"); a syllable written without
    any mark is compared with the unaccented forms."""
    acc, fol = extra or (_STOP_ACCENTED, _STOP)
    token = token.lower()
    return token in acc or (T.fold(token) == token and token in fol)


def _tuples(phrases, folded: bool) -> dict[tuple, str]:
    out = {}
    for p in phrases:
        toks = tuple(T.folded(p) if folded else T.tokens(p))
        if toks:
            out[toks] = " ".join(toks)
    return out


def is_unaccented(value: str) -> bool:
    toks = T.tokens(value)
    if not toks:
        return False
    return sum(1 for t in toks if not t.isascii()) < 0.1 * len(toks)


@dataclass
class Lexicon:
    phrases: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self):
        self._accented = {k: _tuples(v, False) for k, v in self.phrases.items()}
        self._folded = {k: _tuples(v, True) for k, v in self.phrases.items()}
        self._maxlen = {k: max((len(t) for t in d), default=0) for k, d in self._accented.items()}
        # first syllables of the phrases: most positions start no phrase and are skipped at once
        self._first = {False: {k: {t[0] for t in d} for k, d in self._accented.items()},
                       True: {k: {t[0] for t in d} for k, d in self._folded.items()}}

    @classmethod
    def default(cls, extra: dict[str, list[str]] | None = None) -> "Lexicon":
        phrases = {k: list(v) for k, v in DEFAULTS.items()}
        for k, v in (extra or {}).items():
            phrases.setdefault(k, []).extend(v)
        return cls(phrases)

    def fingerprint(self) -> str:
        import hashlib

        body = "\n".join(f"{k}:{p}" for k in sorted(self.phrases) for p in sorted(self.phrases[k]))
        return hashlib.sha1(body.encode()).hexdigest()[:16]

    def find(self, kind: str, value: str) -> tuple[list[str], str]:
        """The matched phrases of `kind` in `value` (longest first, left to right, on syllable
        tokens) and the normalised text with them removed."""
        unaccented = is_unaccented(value)
        if unaccented:
            toks, table = T.folded(value), self._folded.get(kind, {})
        else:
            toks, table = T.tokens(value), self._accented.get(kind, {})
        first = self._first[unaccented].get(kind, ())
        maxlen = self._maxlen.get(kind, 0)
        found, rest, i = [], [], 0
        while i < len(toks):
            if toks[i] not in first:
                rest.append(toks[i])
                i += 1
                continue
            for n in range(min(maxlen, len(toks) - i), 0, -1):
                hit = table.get(tuple(toks[i:i + n]))
                if hit:
                    found.append(hit)
                    i += n
                    break
            else:
                rest.append(toks[i])
                i += 1
        return found, " ".join(rest)


# --- signal 2: empty or generic self-criticism ---------------------------------------------

@dataclass
class GenericResult:
    verdict: str  # "" (concrete), "empty", "generic"
    matched: list[str]
    concrete: list[str]  # the syllables left that carry content
    score: float


def check_generic(lex: Lexicon, shortcomings_text: str, min_concrete: int = 6) -> GenericResult:
    """Section II (and its items): 'empty' when it names no shortcoming at all (nothing, or
    only denials like "không có"), 'generic' when, once the stock phrases and the form's own
    vocabulary are taken out, fewer than `min_concrete` content syllables remain."""
    stock, rest = lex.find(STOCK, shortcomings_text)
    nothing, rest = lex.find(NOTHING, rest)
    concrete = [t for t in rest.split() if not is_stop(t) and len(t) > 1 or t.isdigit()]
    concrete = [t for t in concrete if t.strip()]
    all_tokens = T.tokens(shortcomings_text)
    if not all_tokens or (not concrete and not stock):
        return GenericResult("empty", nothing, concrete, 1.0)
    if len(concrete) < min_concrete:
        score = 1.0 - len(concrete) / min_concrete
        return GenericResult("empty" if nothing and not stock else "generic", stock + nothing, concrete,
                             round(score, 2))
    return GenericResult("", stock + nothing, concrete, 0.0)


# --- signal 5: tone ------------------------------------------------------------------------

_CRITICAL = re.compile(r"(?<!\w)(hạn chế|khuyết điểm|chưa|cần|đề nghị|khắc phục|thiếu|chậm|"
                       r"han che|khuyet diem|chua|can|de nghi|khac phuc|thieu|cham)(?!\w)")


@dataclass
class ToneResult:
    verdict: str  # "" | "praise" | "attack"
    praise: list[str]
    attack: list[str]
    score: float


def check_tone(lex: Lexicon, value: str) -> ToneResult:
    """Praise-heavy: at least two praise phrases, dense (≥ 4 per 100 syllables), with no
    critical content; attack-heavy: at least two attacking phrases (≥ 3 per 100 syllables) or
    three anywhere. Advisory: the words found are the evidence."""
    praise, _ = lex.find(PRAISE, value)
    attack, _ = lex.find(ATTACK, value)
    n = max(len(T.tokens(value)), 1)
    critical = bool(_CRITICAL.search(" ".join(T.tokens(value))))
    p_density, a_density = 100 * len(praise) / n, 100 * len(attack) / n
    if len(attack) >= 3 or (len(attack) >= 2 and a_density >= 3):
        return ToneResult("attack", praise, attack, round(min(a_density / 10, 1.0), 2))
    if len(praise) >= 2 and p_density >= 4 and not critical:
        return ToneResult("praise", praise, attack, round(min(p_density / 10, 1.0), 2))
    return ToneResult("", praise, attack, 0.0)
