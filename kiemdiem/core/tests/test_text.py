import unicodedata

from kiemdiem.core.text import name_sort_key, nfc, search_key, unaccent


def test_it_normalises_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Hồng   Hà ")
    assert nfc(decomposed) == "Nguyễn Hồng Hà"
    assert unicodedata.is_normalized("NFC", nfc(decomposed))


def test_it_unaccents_including_d_stroke():
    assert unaccent("Nguyễn Hồng Hà") == "nguyen hong ha"
    assert unaccent("ĐẢNG BỘ Quân sự") == "dang bo quan su"
    assert search_key("Lê Hoàng Nam", "DV-1") == "le hoang nam dv-1"


def test_it_sorts_by_given_name_first():
    names = ["Trần Văn Bình", "Nguyễn Văn An", "Lê Thị An"]
    assert sorted(names, key=name_sort_key) == ["Lê Thị An", "Nguyễn Văn An", "Trần Văn Bình"]


def test_it_sorts_in_vietnamese_letter_order():
    # a < ă < â < b … d < đ < e < ê … o < ô < ơ … u < ư
    names = ["Lê Văn Đức", "Lê Văn Dũng", "Lê Văn Ân", "Lê Văn Ăn", "Lê Văn An", "Lê Văn Ơn", "Lê Văn Ôn", "Lê Văn Uy", "Lê Văn Ưng", "Lê Văn Bá"]
    expected = ["Lê Văn An", "Lê Văn Ăn", "Lê Văn Ân", "Lê Văn Bá", "Lê Văn Dũng", "Lê Văn Đức", "Lê Văn Ôn", "Lê Văn Ơn", "Lê Văn Uy", "Lê Văn Ưng"]
    assert sorted(names, key=name_sort_key) == expected


def test_it_orders_shorter_given_name_first_and_tones_break_ties():
    assert name_sort_key("Lê An") < name_sort_key("Lê Anh")
    # same letters: ngang < huyền < hỏi < ngã < sắc < nặng
    names = ["Lê Hạ", "Lê Há", "Lê Hà", "Lê Ha", "Lê Hả", "Lê Hã"]
    assert sorted(names, key=name_sort_key) == ["Lê Ha", "Lê Hà", "Lê Hả", "Lê Hã", "Lê Há", "Lê Hạ"]
    # given name decides before middle and family names
    assert name_sort_key("Trần Anh") < name_sort_key("Âu Bình")


def test_sort_key_is_plain_lowercase_ascii():
    key = name_sort_key("Nguyễn Thị Ánh Tuyết")
    assert key.isascii() and key.isalpha() and key == key.lower()
