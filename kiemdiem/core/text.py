"""Vietnamese text helpers: NFC normalisation, an unaccented search key, and a sort key that
orders names the Vietnamese way (given name, then middle names, then family name; letters in
Vietnamese alphabet order a ă â b c d đ e ê …; tones break ties).

The sort key is made only of the lowercase ASCII letters a–z so that every database
collation (SQLite's BINARY, PostgreSQL's en_US.UTF-8 or C) orders it the same way.
"""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str | None) -> str:
    """Normalise to NFC and collapse runs of whitespace; None becomes ''."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def unaccent(value: str) -> str:
    """'Nguyễn Hồng Hà' -> 'nguyen hong ha' (đ -> d)."""
    decomposed = unicodedata.normalize("NFD", nfc(value).lower().replace("đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def search_key(*parts: str | None) -> str:
    """The stored, indexed key that accent- and case-insensitive search matches against."""
    return " ".join(unaccent(p) for p in parts if p)


# Vietnamese alphabet order; letters outside it (f, j, w, z in foreign names) slot in
# where the Latin alphabet would put them.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_RANK = {letter: i for i, letter in enumerate(_ALPHABET)}
# Tone order used by Vietnamese dictionaries: ngang, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a distinct letter (ă, â, ê, ô, ơ, ư) rather than a tone.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}


def _split_letter(char: str) -> tuple[str, int]:
    """One precomposed character -> (letter with its letter marks, tone number)."""
    decomposed = unicodedata.normalize("NFD", char)
    base, tone, marks = decomposed[0], 0, ""
    for mark in decomposed[1:]:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark in _LETTER_MARKS:
            marks += mark
    return unicodedata.normalize("NFC", base + marks), tone


def _encode_rank(rank: int) -> str:
    # Two letters from b.. so that the separator "a" sorts below every letter.
    return chr(98 + rank // 24) + chr(98 + rank % 24)


def name_sort_key(full_name: str) -> str:
    """Sort key for a Vietnamese full name 'Họ Đệm Tên'."""
    words = nfc(full_name).lower().split(" ")
    if not words or words == [""]:
        return ""
    ordered = [words[-1], *words[1:-1], words[0]] if len(words) > 1 else words
    primary, tones = [], []
    for word in ordered:
        for char in word:
            letter, tone = _split_letter(char)
            if letter in _RANK:
                rank = _RANK[letter]
            elif letter.isdigit():
                rank = 40 + int(letter)
            else:
                continue
            primary.append(_encode_rank(rank))
            tones.append(chr(97 + tone))
        primary.append("a")  # word separator: "an" < "anh"
    return "".join(primary) + "a" + "".join(tones)


def split_name(full_name: str) -> tuple[str, str, str]:
    """(family, middle, given) of a Vietnamese full name."""
    words = nfc(full_name).split(" ")
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]
