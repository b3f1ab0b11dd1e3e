"""Personal-data scan (issue 6): planted resident ID, mobile and bank card
numbers in a body, a .docx and a .pdf attachment are reported by make check
with file, line and the masked number; an allowlisted hotline is not."""
from __future__ import annotations

import docx

from conftest import ASOF, ROOT, run_script
from gongkai.core.privacy import find_numbers, id_checksum_ok, luhn_ok, mask
from publishing_docs import seed_paragraphs, seed_policy, write


def with_id_check(first17: str) -> str:
    """GB 11643 check character, computed here independently of the module."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def with_luhn(partial: str) -> str:
    for digit in "0123456789":
        number = partial + digit
        total = 0
        for i, ch in enumerate(reversed(number)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return number
    raise AssertionError


ID = with_id_check("23012919800101123")          # 延寿县 region code, born 1980-01-01
MOBILE = "13912345678"
CARD = with_luhn("622202020001234567")           # 19-digit UnionPay-style debit card
HOTLINE = "13904510000"                          # a department's public hotline, allowlisted


def make_pdf(lines) -> bytes:
    """A one-page PDF of these lines in the non-embedded Adobe-GB1 font
    STSong-Light (UTF-16 encoding), so the Chinese text extracts as written."""
    ops = ["BT", "/F1 12 Tf", "14 TL", "50 780 Td"]
    ops += ["<" + line.encode("utf-16-be").hex().upper() + "> Tj T*" for line in lines]
    stream = "\n".join(ops + ["ET"]).encode("ascii")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >>"
        b" /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UTF16-H"
        b" /DescendantFonts [5 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def test_checksums_separate_real_numbers_from_dates_and_document_numbers():
    assert id_checksum_ok(ID)
    assert not id_checksum_ok(ID[:17] + ("0" if ID[17] != "0" else "1"))
    assert luhn_ok(CARD) and not luhn_ok(CARD[:-1] + str((int(CARD[-1]) + 1) % 10))
    text = "延政发〔2018〕10号 2018年11月12日 索引号 11230129MB1848123X/2018-00010 项目代码 2201-350128-04-01-471391"
    assert list(find_numbers(text)) == []
    assert mask("privacy_id_number", ID) == ID[:6] + "********" + ID[14:]
    assert mask("privacy_mobile", MOBILE) == "139****5678"
    assert mask("privacy_bank_card", CARD) == CARD[:4] + "*" * 11 + CARD[-4:]


def test_planted_numbers_in_body_docx_and_pdf_are_reported_with_file_and_line(tmp_path):
    content = tmp_path / "content"
    paragraphs = seed_paragraphs()
    id_line = f"联系人身份证号：{ID}"
    mobile_line = f"联系人：王某，手机 {MOBILE}。"
    card_line = f"补助资金打入账户 {CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:16]} {CARD[16:]}。"
    hotline_line = f"咨询电话（县政务服务热线）：{HOTLINE}。"
    text = seed_policy(body_extra=[id_line, mobile_line, card_line, hotline_line],
                       attachments=[("policy/files/名单.docx", "补助名单"), ("policy/files/名单.pdf", "补助名单（PDF）")])
    doc = write(content, "policy/2018-execution.md", text)
    lines = text.split("\n")

    word = docx.Document()
    for para in paragraphs[:3]:
        word.add_paragraph(para)
    word.add_paragraph(f"经办人手机：{MOBILE[:3]}-{MOBILE[3:7]}-{MOBILE[7:]}")
    (content / "policy/files").mkdir(parents=True)
    word.save(content / "policy/files/名单.docx")
    pdf_lines = [paragraphs[0], paragraphs[1][:30], f"身份证号 {ID}", f"热线 {HOTLINE}"]
    (content / "policy/files/名单.pdf").write_bytes(make_pdf(pdf_lines))
    write(content, "privacy-allowlist.txt", f"# 部门公开的服务电话\n{HOTLINE}  # 县政务服务热线\n")

    result = run_script("check.py", "--content", content)
    allow = content / "privacy-allowlist.txt"
    expected = [
        f"{doc}:{lines.index(id_line) + 1}: 发现疑似居民身份证号 {ID[:6]}********{ID[14:]}；公开前请删除或遮盖（条例第十五条），确属可公开的号码请加入 {allow}",
        f"{doc}:{lines.index(mobile_line) + 1}: 发现手机号码 139****5678；个人手机号不得公开，请删除或遮盖；部门公开的服务电话请加入 {allow}",
        f"{doc}:{lines.index(card_line) + 1}: 发现疑似银行卡号 {CARD[:4]}{'*' * 11}{CARD[-4:]}；公开前请删除或遮盖，确属可公开的账号请加入 {allow}",
        f"{content}/policy/files/名单.docx:4: 发现手机号码 139****5678（第 4 段）；个人手机号不得公开，请删除或遮盖；部门公开的服务电话请加入 {allow}",
        f"{content}/policy/files/名单.pdf:3: 发现疑似居民身份证号 {ID[:6]}********{ID[14:]}（第 1 页）；公开前请删除或遮盖（条例第十五条），确属可公开的号码请加入 {allow}",
    ]
    out = result.stdout.splitlines()
    for line in expected:
        assert line in out, result.stdout
    assert "139****0000" not in result.stdout       # the allowlisted hotline, in body and PDF
    assert result.stdout.count("发现") == 5
    assert result.returncode == 1
    assert "Traceback" not in result.stderr


def test_allowlist_line_that_is_not_a_number_is_a_warning(tmp_path):
    content = tmp_path / "content"
    write(content, "policy/2018-execution.md", seed_policy())
    write(content, "privacy-allowlist.txt", "县政务服务热线\n")
    result = run_script("check.py", "--content", content)
    assert (f"{content}/privacy-allowlist.txt:1: 提醒： 白名单第 1 行“县政务服务热线”不是号码；"
            "每行写一个号码，可在 # 后写说明，例如 13800000000  # 县政务服务热线") in result.stdout.splitlines()
    assert result.returncode == 0, result.stdout


def test_unreadable_attachment_is_reported_not_a_traceback(tmp_path):
    content = tmp_path / "content"
    write(content, "policy/2018-execution.md", seed_policy())
    write(content, "policy/files/损坏.docx", "这不是 Word 文件")
    result = run_script("check.py", "--content", content)
    assert f"{content}/policy/files/损坏.docx:1: 提醒： 附件无法读取" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_cached_build_checks_again_when_the_allowlist_changes(tmp_path):
    """Document checks are kept in the content cache; removing a number from the
    allowlist must still stop the next build (the cache knows the allowlist)."""
    content, output, cache = tmp_path / "content", tmp_path / "output", tmp_path / "cache"
    hotline_line = f"咨询电话（县政务服务热线）：{HOTLINE}。"
    write(content, "policy/2018-execution.md", seed_policy(body_extra=[hotline_line]))
    allow = write(content, "privacy-allowlist.txt", f"{HOTLINE}  # 县政务服务热线\n")
    build = ["build.py", "--content", content, "--output", output, "--cache-path", cache]
    assert run_script(*build, env={"ASOF": ASOF}).returncode == 0
    allow.write_text("# 暂无\n", encoding="utf-8")
    result = run_script(*build, env={"ASOF": ASOF})
    assert result.returncode == 1
    assert "发现手机号码 139****0000" in result.stderr
    assert (output / "index.html").is_file()            # the previous site stays as it was


# --- 15-digit IDs, full-width digits, amounts (issue 14) ---------------------------

def full_width(text: str) -> str:
    """ASCII digits, letters and spaces as a Chinese input method types them
    in full-width mode (U+FF10.., U+3000), independently of the module."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() or c == "-" else c
                   for c in text)


OLD_ID = "230129800101123"             # 延寿县, born 1980-01-01, first-generation card: no check digit


def test_first_generation_ids_are_found_and_other_15_digit_numbers_are_not():
    found = [(h.code, h.number, h.masked) for h in find_numbers(f"原身份证号（15位）：{OLD_ID}。")]
    assert found == [("privacy_id_number", OLD_ID, "230129******123")]
    assert mask("privacy_id_number", OLD_ID) == "230129******123"
    not_ids = [
        "注册号 350128000012345",       # 工商注册号: region code then a sequence, no birth date
        "订单号 201810200000001",       # no province 20
        "流水号 230129800230123",       # 1980-02-30 is no date
        "编号 990129800101123",         # no province 99
        "230129800101123456789",        # inside a longer number
        "合同金额 230129800101123.50 元",   # an amount
    ]
    for text in not_ids:
        assert list(find_numbers(text)) == [], text


def test_full_width_and_old_numbers_in_a_body_and_a_docx_are_reported_as_written(tmp_path):
    content = tmp_path / "content"
    lines_planted = {
        "mobile": f"联系人：王某，手机{full_width(MOBILE)}。",
        "spaced": f"经办人电话：{full_width('139 4506 7218')}。",
        "hyphen": f"备用电话 {full_width('139-4506-7218')}",
        "id": f"身份证号：{full_width(ID)}",
        "old_id": f"原身份证号（15位）：{OLD_ID}",
        "card": f"补助资金打入账户 {full_width(' '.join([CARD[:4], CARD[4:8], CARD[8:12], CARD[12:16], CARD[16:]]))}。",
    }
    quiet = [
        f"咨询电话（县政务服务热线）：{full_width(HOTLINE)}。",     # allowlisted in ASCII digits
        "政务服务中心值班电话：13904510001。",                   # allowlisted in full-width digits
        "注册号 350128000012345，订单号 201810200000001。",
        "延政发〔2018〕10号，2018年11月12日，索引号 11230129MB1848123X/2018-00010，项目代码 2201-350128-04-01-471391。",
        "全年支出13945067218.00元，其中专项资金１３９４５０６７２１８．００元。",
    ]
    text = seed_policy(body_extra=list(lines_planted.values()) + quiet,
                       attachments=[("policy/files/名单.docx", "补助名单")])
    doc = write(content, "policy/2018-execution.md", text)
    lines = text.split("\n")
    word = docx.Document()
    word.add_paragraph(seed_paragraphs()[0])
    word.add_paragraph(f"经办人手机：{full_width('139-1234-5678')}")
    (content / "policy/files").mkdir(parents=True)
    word.save(content / "policy/files/名单.docx")
    write(content, "privacy-allowlist.txt", f"{HOTLINE}  # 县政务服务热线\n{full_width('13904510001')}  # 值班电话\n")

    result = run_script("check.py", "--content", content)
    allow = content / "privacy-allowlist.txt"
    at = {key: f"{doc}:{lines.index(line) + 1}" for key, line in lines_planted.items()}
    fw_card = full_width(CARD)
    mobile_tail = f"；个人手机号不得公开，请删除或遮盖；部门公开的服务电话请加入 {allow}"
    id_tail = f"；公开前请删除或遮盖（条例第十五条），确属可公开的号码请加入 {allow}"
    expected = [
        f"{at['mobile']}: 发现手机号码 １３９****５６７８{mobile_tail}",
        f"{at['spaced']}: 发现手机号码 １３９****７２１８{mobile_tail}",
        f"{at['hyphen']}: 发现手机号码 １３９****７２１８{mobile_tail}",
        f"{at['id']}: 发现疑似居民身份证号 {full_width(ID[:6])}********{full_width(ID[14:])}{id_tail}",
        f"{at['old_id']}: 发现疑似居民身份证号 230129******123{id_tail}",
        f"{at['card']}: 发现疑似银行卡号 {fw_card[:4]}{'*' * 11}{fw_card[-4:]}；公开前请删除或遮盖，确属可公开的账号请加入 {allow}",
        f"{content}/policy/files/名单.docx:2: 发现手机号码 １３９****５６７８（第 2 段）{mobile_tail}",
    ]
    out = result.stdout.splitlines()
    assert [line for line in out if "发现" in line] == expected, result.stdout
    assert result.returncode == 1


BUDGET = ROOT / "content" / "budget"


def test_budget_amounts_are_not_phone_numbers_but_a_phone_in_a_text_column_is(tmp_path):
    """The 2016 三公经费 final accounts (columns declared) and the 2015 table
    (no columns: label, then amounts), with 11-digit figures that look like
    mobile numbers in amount columns, in the body with a decimal part, and a
    project's investment: no personal-data problem. A mobile number in the
    说明 (text) column still is one."""
    content = tmp_path / "content"
    for path in BUDGET.iterdir():
        write(content, f"budget/{path.name}", path.read_text(encoding="utf-8"))
    final_csv = content / "budget" / "pingtan-2016-sangong-final-accounts.csv"
    final_md = content / "budget" / "pingtan-2016-sangong-final-accounts.md"
    table_csv = content / "budget" / "pingtan-2015-dept-budget-sangong-table.csv"
    project = "pingtan-2022-old-residential-renovation-phase2-fsr-approval.md"
    write(content, f"project/{project}", (ROOT / "content" / "project" / project).read_text(encoding="utf-8")
          .replace("investment: 39600", "investment: 13945067218"))

    def replace(path, old, new):
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new), encoding="utf-8")

    # 因公出国（境）费 177.06 -> 13945067218; the total row follows, so the table still adds up
    replace(final_csv, "“三公”经费合计,2092.61,", "“三公”经费合计,13945069133.55,")
    replace(final_csv, "因公出国（境）费,177.06,", "因公出国（境）费,13945067218,")
    replace(final_md, "（一）因公出国（境）费177.06万元", "（一）因公出国（境）费13945067218.00万元")
    replace(table_csv, "平潭县政协,31.91,8.11,0.00,23.8", "平潭县政协,13912345678,13912345654.2,0.00,23.8")
    replace(table_csv, "合计,\"2,793.77\",\"1,663.67\"", "合计,13912348439.86,13912347309.76")   # keeps the noted difference

    clean = run_script("check.py", "--content", content)
    assert "发现" not in clean.stdout, clean.stdout
    assert clean.stdout.splitlines()[-1] == "共 0 个错误、3 个提醒，涉及 2 个文件。提醒不阻止发布，但请核对。"
    assert clean.returncode == 0     # the warnings: the 2015 table's noted total, the project's late date

    replace(final_csv, "国内公务接待3446批次，48699人次", "国内公务接待3446批次，48699人次，联系人13912345678")
    planted = run_script("check.py", "--content", content)
    assert [line for line in planted.stdout.splitlines() if "发现" in line] == [
        f"{final_csv}:7: 发现手机号码 139****5678；个人手机号不得公开，请删除或遮盖；"
        f"部门公开的服务电话请加入 {content}/privacy-allowlist.txt"]
    assert planted.returncode == 1
