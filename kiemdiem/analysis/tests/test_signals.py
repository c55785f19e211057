"""Each signal on small crafted Vietnamese texts (no database)."""
import numpy as np

from kiemdiem.analysis import engine, lexicon, semantic, themes
from kiemdiem.analysis import text as T
from kiemdiem.core.text import unaccent

ORIGINAL = ("Bản thân còn chậm nộp báo cáo quý III cho Đảng ủy, để xảy ra 2 lần chậm đóng đảng phí. "
            "Chưa tham gia đầy đủ sinh hoạt chi bộ tháng 3 và tháng 7 do đi công tác. "
            "Việc hướng dẫn đoàn viên mới ở thôn Đoài còn lúng túng, chưa có kế hoạch cụ thể.")
PARAPHRASE = ("Việc hướng dẫn đoàn viên mới ở thôn Đoài vẫn lúng túng, chưa có kế hoạch cụ thể. "
              "Bản thân tôi còn chậm nộp báo cáo quý III cho Đảng ủy, để xảy ra 2 lần chậm đóng đảng phí. "
              "Không dự đầy đủ sinh hoạt chi bộ tháng 3 và tháng 7 do đi công tác.")
OTHER = ("Tôi phụ trách công tác dân vận ở khu dân cư số 4, vận động được 12 hộ hiến đất làm đường; "
         "còn để 3 đơn thư khiếu nại về đất đai kéo dài quá hạn vì chưa đối thoại với người dân.")


def _sig(text):
    return T.minhash_many([T.shingle_hashes(T.folded(text))])[0]


def test_tokens_are_nfc_lowercase_syllables_and_fold_drops_marks():
    decomposed = "Đồng chí".replace("ồ", "o\u0302\u0300")  # NFD input
    assert T.tokens(decomposed) == ["đồng", "chí"]
    assert T.folded("Đồng CHÍ") == ["dong", "chi"]


def test_exact_unaccented_and_paraphrased_copies_match_unrelated_does_not():
    a = _sig(ORIGINAL)
    assert T.jaccard_estimate(a, _sig(ORIGINAL)) == 1.0
    assert T.jaccard_estimate(a, _sig(unaccent(ORIGINAL))) == 1.0  # typed without diacritics
    assert T.jaccard_estimate(a, _sig(PARAPHRASE)) >= engine.COPY_THRESHOLD
    assert T.jaccard_estimate(a, _sig(OTHER)) < 0.1


def test_lsh_finds_the_pairs_above_threshold_only():
    texts = [ORIGINAL, PARAPHRASE, OTHER, unaccent(OTHER)]
    sigs = T.minhash_many([T.shingle_hashes(T.folded(t)) for t in texts])
    pairs = {(a, b) for a, b, _s in engine._copy_pairs([10, 11, 12, 13], list(sigs), set(), True)}
    assert pairs == {(10, 11), (12, 13)}
    # incremental: only pairs touching a changed report
    pairs = {(a, b) for a, b, _s in engine._copy_pairs([10, 11, 12, 13], list(sigs), {12}, False)}
    assert pairs == {(12, 13)}


def test_matching_passages_pair_sentences_across_order_and_accents():
    m = T.matching_passages(ORIGINAL, unaccent(PARAPHRASE))
    assert len(m["pairs"]) == 3
    assert {p["a"] for p in m["pairs"]} == {0, 1, 2}
    assert m["a"][2]["match"] == m["b"][0]["match"]  # the moved sentence is paired where it went


def test_signature_is_stable_bytes():
    a = _sig(ORIGINAL)
    assert np.array_equal(engine._sig_from(engine._sig_bytes(a)), a)


def test_generic_empty_and_concrete_self_criticism():
    lex = lexicon.Lexicon.default()
    assert lexicon.check_generic(lex, "Không có.").verdict == "empty"
    assert lexicon.check_generic(lex, "khong co han che").verdict == "empty"  # unaccented denial
    assert lexicon.check_generic(lex, "").verdict == "empty"
    stock = "Đôi khi còn nể nang, né tránh trong tự phê bình và phê bình; năng lực còn hạn chế."
    g = lexicon.check_generic(lex, stock)
    assert g.verdict == "generic" and "đôi khi còn nể nang" in g.matched
    assert lexicon.check_generic(lex, ORIGINAL).verdict == ""
    # a committee's own stock phrase makes a text generic
    own = "Chưa phát huy vai trò nêu gương trong khu phố."
    assert lexicon.check_generic(lex, own).verdict == ""
    lex2 = lexicon.Lexicon.default({lexicon.STOCK: ["chưa phát huy vai trò nêu gương"]})
    assert lexicon.check_generic(lex2, own).verdict == "generic"
    assert lex2.fingerprint() != lex.fingerprint()


def test_tone_praise_attack_and_balanced():
    lex = lexicon.Lexicon.default()
    assert lexicon.check_tone(lex, "Đồng chí là tấm gương sáng, luôn luôn gương mẫu, tận tụy.").verdict == "praise"
    assert lexicon.check_tone(lex, "Dong chi yeu kem, vo trach nhiem, doc doan.").verdict == "attack"
    balanced = "Đồng chí gương mẫu trong sinh hoạt, nhưng chưa kiểm tra kỹ hồ sơ đất đai, cần khắc phục."
    assert lexicon.check_tone(lex, balanced).verdict == ""
    # accented matching does not take "hẹn" for "hèn"
    assert lexicon.check_tone(lex, "Đồng chí hẹn gặp lại nhiều lần nhưng lỡ hẹn.").attack == []


def test_feedback_absorbed_lexically_semantically_and_not_absorbed():
    ab = semantic.Absorption(threshold=0.87)
    report = ORIGINAL + " Tôi đã dùng ô tô của cơ quan để đi việc gia đình, đây là sai phạm."
    points = ["Đồng chí còn chậm đóng đảng phí.", "Đồng chí sử dụng xe công vào việc riêng.",
              "Đồng chí để con em lấn chiếm đất công của xóm."]
    res = ab.check(points, report)
    assert res[0].absorbed and res[0].method == "lexical"
    assert res[1].absorbed and res[1].method == "semantic", res[1]
    assert "ô tô của cơ quan" in res[1].best_sentence and res[1].score > res[2].score
    assert not res[2].absorbed and res[2].best_sentence


def test_feedback_fallback_tfidf_works_offline():
    ab = semantic.Absorption(prefer="tfidf")
    res = ab.check(["Đồng chí để con em lấn chiếm đất công."], ORIGINAL)
    assert not res[0].absorbed and "TF-IDF" in ab.be.name


def test_themes_group_shortcomings_with_readable_labels_and_repeats():
    texts = ["Chưa thường xuyên học tập nghị quyết", "Học tập nghị quyết chưa đầy đủ",
             "Còn chậm đóng đảng phí", "Đóng đảng phí chưa đúng hạn", "Nể nang trong phê bình"]
    keys, labels = themes.assign(texts)
    assert keys[0] == keys[1] != "" and keys[2] == keys[3] != "" and keys[4] == ""
    assert "học tập" in labels[keys[0]]
    reps = themes.repeats(["Đóng đảng phí chậm 2 tháng"], [("Chậm đóng đảng phí", "Kiểm điểm năm 2024"),
                                                           ("Vắng sinh hoạt", "Kiểm điểm năm 2024")])
    assert reps and reps[0]["earlier"] == "Chậm đóng đảng phí"
