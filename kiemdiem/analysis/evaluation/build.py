"""Builds the labelled evaluation set (written for this project, nothing copied from real
reports): `python -m kiemdiem.analysis.evaluation.build` rewrites the *.jsonl files beside it.

Texts are assembled from hand-written Vietnamese sentence pools with slot fillers (tasks,
numbers, places, months), so that different reports share the form's vocabulary the way real
reports do (hard negatives for the copy signal), plus hand-written variations: paraphrases by
synonym substitution, reordering, dropped and added sentences, and copies typed without
diacritics. A fixed seed makes the files reproducible.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

from kiemdiem.core.text import unaccent

HERE = Path(__file__).resolve().parent

TASKS = ["công tác tuyên giáo", "công tác dân vận", "quản lý đất đai", "cải cách hành chính", "thu ngân sách",
         "xây dựng nông thôn mới", "phòng chống dịch bệnh", "giải phóng mặt bằng", "quản lý hộ tịch",
         "công tác thanh niên", "chuyển đổi số", "bảo vệ môi trường", "công tác kiểm tra, giám sát",
         "an ninh trật tự", "chăm sóc người có công", "phát triển đảng viên mới", "quản lý trật tự xây dựng"]
PLACES = ["thôn Đông", "thôn Đoài", "khu phố 3", "ấp Tân Hưng", "tổ dân phố số 7", "xóm Bãi", "khu dân cư số 4",
          "bản Nà Khoang", "ấp Thới Lợi", "thôn Trung Hậu"]
MONTHS = ["tháng 2", "tháng 3", "tháng 5", "tháng 6", "tháng 8", "tháng 9", "tháng 10", "tháng 11"]
QUARTERS = ["quý I", "quý II", "quý III", "quý IV"]

STRENGTH = [
    "Tôi luôn chấp hành nghiêm chủ trương của Đảng, chính sách pháp luật của Nhà nước và quy định của địa phương.",
    "Trong năm, tôi được giao phụ trách {task} tại {place}, đã chủ trì {n} cuộc họp dân để lấy ý kiến.",
    "Tôi đã hoàn thành {p}% kế hoạch {task} được giao, vượt chỉ tiêu của {quarter}.",
    "Tôi tham gia đầy đủ {n} buổi sinh hoạt chi bộ, phát biểu xây dựng nghị quyết về {task}.",
    "Tôi phối hợp với Mặt trận vận động {n} hộ ở {place} hiến đất mở rộng đường liên thôn.",
    "Tôi trực tiếp giải quyết {n} hồ sơ về {task}, không có hồ sơ trễ hạn trong {quarter}.",
    "Tôi đã hướng dẫn {n} quần chúng ưu tú học lớp nhận thức về Đảng trong {month}.",
    "Tôi giữ mối liên hệ với chi bộ nơi cư trú ở {place}, được chi ủy nơi cư trú nhận xét tốt.",
    "Tôi thường xuyên cập nhật phần mềm quản lý {task} và báo cáo số liệu đúng hạn.",
    "Tôi đề xuất sáng kiến rút gọn quy trình {task}, được Ủy ban nhân dân xã áp dụng từ {month}.",
    "Tôi tổ chức {n} đợt tuyên truyền về {task} cho bà con {place}.",
    "Tôi kiểm tra thực tế {n} công trình ở {place} và kịp thời báo cáo sai phạm lên cấp trên.",
]
SHORTCOMING = [
    "Tôi còn chậm nộp báo cáo {task} {quarter}, để cấp trên phải nhắc {n} lần.",
    "Tôi vắng {n} buổi sinh hoạt chi bộ trong {month} mà không báo cáo lý do kịp thời.",
    "Việc kiểm tra {task} ở {place} của tôi chưa đến nơi đến chốn, để tồn đọng {n} hồ sơ.",
    "Tôi chưa đôn đốc tổ công tác ở {place} nên {task} chậm so với kế hoạch {quarter}.",
    "Tôi đóng đảng phí chậm {n} tháng, đến {month} mới nộp đủ.",
    "Tôi còn nể nang khi góp ý đồng chí tổ trưởng về sai sót trong {task}.",
    "Tôi để xảy ra {n} đơn thư khiếu nại về {task} ở {place} do giải thích chưa rõ ràng.",
    "Tôi chưa hoàn thành chỉ tiêu phát triển {n} đảng viên mới ở {place}.",
]
FIX = [
    "Năm tới tôi sẽ lập lịch kiểm tra {task} hằng tháng và báo cáo chi bộ vào ngày 25.",
    "Tôi cam kết nộp báo cáo {task} đúng hạn và tham gia đầy đủ sinh hoạt chi bộ.",
    "Tôi sẽ phân công rõ người theo dõi {task} ở {place} và kiểm tra lại vào {month}.",
]
# synonym substitutions for paraphrases (whole phrases, both ways where sensible)
SYNONYMS = [
    ("Tôi", "Bản thân tôi"), ("còn chậm", "vẫn chậm"), ("chưa", "còn chưa"), ("kịp thời", "đúng lúc"),
    ("đã hoàn thành", "hoàn thành được"), ("tham gia đầy đủ", "dự đủ"), ("hướng dẫn", "giúp đỡ"),
    ("trực tiếp giải quyết", "tự tay xử lý"), ("vận động", "thuyết phục"), ("tổ chức", "thực hiện"),
    ("báo cáo", "tường trình"), ("cuộc họp dân", "buổi họp với nhân dân"), ("kiểm tra", "rà soát"),
    ("hồ sơ", "bộ hồ sơ"), ("thường xuyên", "liên tục"), ("vắng", "không dự"),
]

GENERIC_II = [
    "Đôi khi còn nể nang, né tránh trong tự phê bình và phê bình.",
    "Tinh thần tự phê bình và phê bình chưa cao; có lúc chưa kịp thời.",
    "Chưa thường xuyên nghiên cứu, học tập; năng lực còn hạn chế.",
    "Công tác tham mưu có lúc chưa kịp thời, chưa thật sự quyết liệt.",
    "Có mặt còn hạn chế do khối lượng công việc nhiều.",
    "Đôi lúc chưa kịp thời, chưa sâu sát cơ sở; sẽ khắc phục trong thời gian tới.",
    "Trình độ chuyên môn còn hạn chế, chưa đáp ứng yêu cầu.",
    "Còn nể nang, ngại va chạm; chưa mạnh dạn.",
]
EMPTY_II = ["Không có.", "Không.", "Chưa có hạn chế, khuyết điểm.", "Không có hạn chế, khuyết điểm gì.",
            "khong co han che", "Bản thân không thấy có khuyết điểm.", "Chưa phát hiện hạn chế.", ""]

# feedback points and the report sentences that take them in, in other words (absorbed);
# each point is also checked against a report that does not mention it (not absorbed)
FEEDBACK = [
    ("Đồng chí còn chậm đóng đảng phí.", "Tôi nộp đảng phí không đúng hạn, có tháng phải để chi bộ nhắc."),
    ("Đồng chí sử dụng xe công vào việc riêng.", "Tôi đã dùng ô tô của cơ quan để đi việc gia đình, đây là sai phạm."),
    ("Đề nghị đồng chí sâu sát cơ sở hơn.", "Tôi ít xuống thôn, bản nắm tình hình dân, cần đi cơ sở nhiều hơn."),
    ("Đồng chí chưa giải quyết dứt điểm đơn thư của dân.", "Một số đơn khiếu nại của người dân tôi để kéo dài, chưa trả lời xong."),
    ("Đồng chí hay đi họp muộn.", "Tôi nhiều lần đến cuộc họp trễ giờ, ảnh hưởng tới mọi người."),
    ("Đồng chí thiếu gương mẫu trong việc tổ chức đám cưới cho con.", "Việc cưới của con tôi tổ chức quá đông khách, chưa nêu gương."),
    ("Đồng chí còn gia trưởng, ít lắng nghe cấp dưới.", "Tôi có lúc áp đặt ý kiến, chưa chịu nghe anh em trong cơ quan góp ý."),
    ("Đồng chí chưa quan tâm bồi dưỡng cán bộ trẻ.", "Tôi chưa dành thời gian kèm cặp, đào tạo các đồng chí công chức mới."),
    ("Việc thu chi quỹ của thôn chưa công khai.", "Các khoản thu, chi của quỹ thôn tôi chưa niêm yết cho bà con biết."),
    ("Đồng chí để con em lấn chiếm đất công.", "Gia đình tôi có xây tường lấn ra phần đất công của xóm, tôi chưa xử lý."),
    ("Đồng chí chậm triển khai chuyển đổi số.", "Việc đưa phần mềm một cửa điện tử vào sử dụng ở xã do tôi phụ trách còn chậm."),
    ("Đồng chí chưa kiểm tra kỹ hồ sơ đất đai trước khi ký.", "Có hồ sơ cấp giấy chứng nhận quyền sử dụng đất tôi ký khi chưa rà soát hết."),
    ("Đồng chí nói nhiều làm ít.", "Tôi hứa nhiều việc với dân nhưng thực hiện chưa đến nơi."),
    ("Đồng chí uống rượu trong giờ làm việc.", "Có lần tôi dùng bia rượu vào buổi trưa rồi quay lại làm việc."),
    ("Đồng chí chưa vận động gia đình chấp hành quy định về trật tự xây dựng.", "Nhà tôi sửa chữa chưa xin phép, tôi chưa nhắc người nhà làm thủ tục."),
    ("Đồng chí cần tích cực học tập nâng cao trình độ lý luận.", "Tôi sẽ đăng ký học lớp trung cấp lý luận chính trị trong năm tới."),
]

PRAISE = [
    "Đồng chí là tấm gương sáng, luôn luôn gương mẫu, tận tụy, xuất sắc trong mọi việc.",
    "Tôi hoàn toàn nhất trí, đồng chí không có khuyết điểm gì, rất tốt, đáng học tập.",
    "Đồng chí tài giỏi, hết lòng vì dân, mọi người đều quý mến, không có gì phải bàn.",
    "Đồng chí luôn đi đầu, tận tâm, mẫu mực, là tấm gương cho cả chi bộ.",
    "Đồng chí xuất sắc, gương mẫu, hết mình với công việc.",
    "Dong chi la tam guong sang, luon luon guong mau, tan tuy, xuat sac.",
]
ATTACK = [
    "Đồng chí yếu kém, vô trách nhiệm, lại gia trưởng và độc đoán với anh em.",
    "Đồng chí là người dối trá, kéo bè kéo cánh, không xứng đáng làm cán bộ.",
    "Cách làm việc của đồng chí tồi tệ, vô dụng, chỉ biết trù dập người góp ý.",
    "Đồng chí bất tài, gian dối và nhũng nhiễu dân.",
    "Dong chi yeu kem, vo trach nhiem, doc doan.",
]
NEUTRAL = [
    "Đề nghị đồng chí làm rõ vì sao báo cáo quý III nộp chậm và nêu biện pháp khắc phục.",
    "Đồng chí hoàn thành tốt nhiệm vụ, tuy nhiên cần sâu sát cơ sở hơn ở thôn Đoài.",
    "Tôi thấy đồng chí có cố gắng, nhưng việc giải quyết đơn thư còn chậm, cần khắc phục.",
    "Đồng chí gương mẫu trong sinh hoạt, nhưng chưa kiểm tra kỹ hồ sơ đất đai.",
    "Đề nghị bổ sung phần nguyên nhân chủ quan của hạn chế thứ hai.",
    "Đồng chí cần chủ động hơn trong việc phối hợp với Mặt trận.",
    "Việc vận động hiến đất làm đường có kết quả tốt, đề nghị nhân rộng.",
    "Tôi đề nghị chi bộ xem xét lại mức xếp loại vì còn để tồn đọng hồ sơ.",
]


def _fill(rng, template: str) -> str:
    return template.format(task=rng.choice(TASKS), place=rng.choice(PLACES), month=rng.choice(MONTHS),
                           quarter=rng.choice(QUARTERS), n=rng.randint(2, 15), p=rng.randint(80, 120))


def _report(rng) -> list[str]:
    sents = [STRENGTH[0]] + [_fill(rng, t) for t in rng.sample(STRENGTH[1:], 5)]
    sents += [_fill(rng, t) for t in rng.sample(SHORTCOMING, 3)] + [_fill(rng, rng.choice(FIX))]
    return sents


def _paraphrase(rng, sents: list[str]) -> list[str]:
    out = []
    for s in sents:
        for a, b in rng.sample(SYNONYMS, len(SYNONYMS)):
            if a in s and rng.random() < 0.5:
                s = s.replace(a, b, 1)
        out.append(s)
    out.pop(rng.randrange(len(out)))  # one sentence dropped
    out.insert(rng.randrange(len(out)), _fill(rng, rng.choice(STRENGTH[1:])))  # one of its own added
    i, j = rng.sample(range(len(out)), 2)
    out[i], out[j] = out[j], out[i]  # two sentences swapped
    return out


def build(seed: int = 8) -> dict[str, int]:
    rng = random.Random(seed)
    # copies: 160 original reports, then copies of some of them
    docs, pairs = [], []
    originals = [(f"r{i}", _report(rng)) for i in range(160)]
    docs += [{"id": i, "text": " ".join(s)} for i, s in originals]
    for k, (oid, sents) in enumerate(originals[:90]):
        kind = ["exact", "unaccented", "paraphrase"][k % 3]
        if kind == "exact":
            text = " ".join(sents)
        elif kind == "unaccented":
            text = unaccent(" ".join(sents))
        else:
            text = " ".join(_paraphrase(rng, sents))
        docs.append({"id": f"c{k}", "text": text, "kind": kind})
        pairs.append({"a": oid, "b": f"c{k}", "kind": kind})
    with open(HERE / "copy.jsonl", "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps({"type": "doc", **d}, ensure_ascii=False) + "\n")
        for p in pairs:
            fh.write(json.dumps({"type": "copy", **p}, ensure_ascii=False) + "\n")

    generic = []
    for _ in range(80):
        generic.append({"text": " ".join(rng.sample(GENERIC_II, rng.randint(1, 3))), "label": "generic"})
    for t in EMPTY_II:
        generic.append({"text": t, "label": "generic"})
    for _ in range(100):
        sents = [_fill(rng, t) for t in rng.sample(SHORTCOMING, rng.randint(1, 3))]
        if rng.random() < 0.4:  # concrete reports often keep a stock phrase too
            sents.insert(0, rng.choice(GENERIC_II))
        generic.append({"text": " ".join(sents), "label": "concrete"})
    with open(HERE / "generic.jsonl", "w", encoding="utf-8") as fh:
        for g in generic:
            fh.write(json.dumps(g, ensure_ascii=False) + "\n")

    feedback = []
    for k, (point, answer) in enumerate(FEEDBACK):
        for rep in range(4):
            sents = _report(rng)
            feedback.append({"point": point, "report": " ".join(sents[:4] + [answer] + sents[4:]), "absorbed": True})
            other = FEEDBACK[(k + 1 + rep * 3) % len(FEEDBACK)][1]
            feedback.append({"point": point, "report": " ".join(sents[:4] + [other] + sents[4:]), "absorbed": False})
    with open(HERE / "feedback.jsonl", "w", encoding="utf-8") as fh:
        for f in feedback:
            fh.write(json.dumps(f, ensure_ascii=False) + "\n")

    tone = [{"text": t, "label": "praise"} for t in PRAISE] + [{"text": t, "label": "attack"} for t in ATTACK]
    tone += [{"text": t, "label": ""} for t in NEUTRAL]
    tone += [{"text": " ".join(rng.sample(NEUTRAL, 2)), "label": ""} for _ in range(20)]
    with open(HERE / "tone.jsonl", "w", encoding="utf-8") as fh:
        for t in tone:
            fh.write(json.dumps(t, ensure_ascii=False) + "\n")
    return {"copy_docs": len(docs), "copy_pairs": len(pairs), "generic": len(generic), "feedback": len(feedback),
            "tone": len(tone)}


if __name__ == "__main__":
    print(build())
