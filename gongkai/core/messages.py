"""The Chinese message catalogue: one template per stable problem code.

Each message says what is wrong, then (after "；") what was expected, with an
example where one helps. tests/test_docs.py checks every code is documented in
the README's 常见错误 table.
"""
from __future__ import annotations

from pathlib import PurePath

from gongkai.core.schema import PAGE, TYPES, field_label

MESSAGES: dict[str, str] = {
    # reading the file
    "not_utf8": "文件不是 UTF-8 编码（第 {line} 行附近无法解码）；请用 UTF-8 重新保存",
    "no_front_matter": "文件开头没有元数据块；文件应以一行 --- 开始，写完字段后再以一行 --- 结束",
    "unclosed_front_matter": "元数据块没有结束；请在最后一个字段后加一行 ---",
    "yaml_syntax": "元数据格式错误：{detail}；请检查缩进、冒号后的空格和引号是否成对",
    "not_mapping": "元数据不是“字段: 值”的形式；每行应写作 字段名: 值",
    "duplicate_key": "此字段写了两次；每个字段只能出现一次",
    "yaml_anchor": "元数据中有锚点或别名（& 或 * 开头的值）；元数据不支持这种写法，请把每个值直接写出来（值本身以 & 或 * 开头时请加引号）",
    "front_matter_too_large": "元数据块{detail}，超出上限；请检查是否把正文或表格粘贴进了元数据",
    "body_too_large": "文件有 {size}，超过正文上限 {limit}；请把大段内容（例如表格、报告全文）做成附件",
    "empty_body": "正文是空的；{kind}应有正文，请在第二行 --- 之后写上正文",
    "unresolved_merge": "第 {row} 行有未解决的合并冲突标记（<<<<<<<、=======、>>>>>>>）；请保留正确的内容，删去冲突标记和多余的版本后再提交",
    # one document, against its schema
    "required": "缺少此项；应填写{title}，例如 {example}",
    "unknown_field": "不认识的字段；请检查拼写，允许的字段有：{allowed}",
    "enum": "值“{value}”不在允许范围内；应为以下之一：{allowed}",
    "type": "值“{value}”的类型不对；应为{expected}",
    "empty": "不能为空；应填写{title}",
    "too_long": "有 {length} 个字，超过上限 {limit} 个字；请核对是否把正文或其他内容粘贴到了这里",
    "too_few": "至少要有 {limit} 项；请补充",
    "date": "“{value}”不是有效的日期；应写作 YYYY-MM-DD，例如 2018-10-20",
    "local_datetime": "“{value}”不是有效的日期时间；应写作 YYYY-MM-DD HH:MM（北京时间），例如 2026-12-01 09:00",
    "index_no": "“{value}”不符合索引号格式；应为 组织机构代码/年份-5位序号，例如 {example}",
    "doc_no": "“{value}”不是有效的发文字号；应写作 机关代字〔年份〕序号号，例如 延政发〔2018〕10号",
    "topic": "“{value}”不在主题分类词表中；应取自 metadata_schema/topics.yaml，例如 综合政务/政务公开",
    "email": "“{value}”不是有效的电子邮箱；例如 xxgk@yanshou.gov.cn",
    "uri": "“{value}”不是有效的网址；应以 https:// 开头",
    "pattern": "“{value}”格式不对；应符合 {pattern}",
    "minimum": "“{value}”太小；应不小于 {limit}",
    "maximum": "“{value}”太大；应不大于 {limit}",
    "type_mismatch": "写的是“{value}”，但文件在 {folder} 文件夹中；应为 {expected}，或把文件移到对应文件夹",
    "wrong_folder": "文件所在的文件夹 {folder} 不是已知的信息类型；应放在 content/ 下的 {allowed} 之一",
    # across documents
    "duplicate_index_no": "索引号 {value} 已由 {other} 使用（{reason}），索引号是网址的一部分，那个文件保留它；请把本文件的索引号改为{next}",
    "duplicate_doc_no": "发文字号 {value} 已由 {other} 使用（{reason}），那个文件保留它；请核对本文件原件上的发文字号，同一份文件不要重复发布",
    "unknown_reference": "索引号 {value} 找不到对应的文件；应填写 content/ 中已有文件的索引号",
    "reference_wrong_type": "索引号 {value} 是{kind}《{title}》，不是{expected}；应填写 {folders} 中{expected}的索引号",
    "missing_attachment": "附件 {value} 不存在；请把附件放到 content/{value}，或改正路径",
    "path_outside": "{value} 指向 content/ 之外（绝对路径、多余的 ../ 或经过符号链接）；{hint}",
    "attachment_not_regular": "附件 {value} 不是普通文件（是文件夹、符号链接或设备）；请放入文件本身",
    "attachment_type": "文件 {value} 的类型 {suffix} 不能发布；允许的类型：{allowed}（压缩包请解压后分别作为附件）",
    "attachment_bytes": "文件 {value} 的内容不是 {kind} 文件（扩展名与内容不符，例如网页改名为 .pdf）；请放入真正的 {kind} 文件",
    # the publication boundary: only documents and the files they name are published (gongkai/core/boundary.py)
    "symlink": "是符号链接（指向 {target}）；content/ 和 theme/ 中不能有符号链接，请换成文件本身，或删除它",
    "not_regular_file": "不是普通文件（管道、套接字或设备）；请删除它",
    "skipped_document": "扩展名是 {suffix}，构建时不会读取这个文件；文件应以 .md 结尾（小写），请改名",
    "stray_file": "没有任何文件引用这个文件（attachments 或 tables 中都没有），它不会发布；请在对应文件的 attachments 中登记它，或删除它",
    "written_after_date": "成文日期 {written} 晚于发布日期 {date}；请核对两个日期（文件通常先成文后发布）",
    # 意见征集 and 决策结果 (gongkai/solicitation.py, issue 5)
    "solicitation_closes_before_opens": "早于开始时间 {opens}；应晚于开始时间",
    "solicitation_period_too_short": "征集期只有 {days} 天，少于规定的 {min_days} 天；请把截止时间延到 {suggested} 或以后，或填写征集期较短的理由 (short_period_reason)",
    "solicitation_feedback_before_closes": "{published} 早于征集截止时间 {closes}；反馈应在征集结束之后发布，请核对日期",
    "solicitation_adopted_exceeds_received": "采纳 {adopted} 条，多于收到的 {received} 条；采纳的意见数不能超过收到的意见数",
    "solicitation_feedback_overdue": "征集已于 {closes} 结束，已过 {days} 天仍未公布意见反馈（期限 {limit} 天）；请在 feedback 中公布收到和采纳意见的情况",
    "decision_before_solicitation_closes": "早于所对应意见征集（{other}）的截止时间 {closes}；决策应在征集结束之后作出，请核对日期",
    # publishing through git (issue 6): review markers, personal data, timeliness
    "needs_review": "还没有核实：{note}；请核对原件后填写{example}",
    "review_pending": "还没有保密审查记录，未经审查的信息不得公开（条例第十七条）；审查通过后由审查人把【待核实】一句换成实际内容{example}",
    "unfilled_body": "正文还有待填写的模板内容“{text}”；请写好这一段并删去【待填写】标记",
    "privacy_id_number": "发现疑似居民身份证号 {masked}{where}；公开前请删除或遮盖（条例第十五条），确属可公开的号码请加入 {allowlist}",
    "privacy_mobile": "发现手机号码 {masked}{where}；个人手机号不得公开，请删除或遮盖；部门公开的服务电话请加入 {allowlist}",
    "privacy_bank_card": "发现疑似银行卡号 {masked}{where}；公开前请删除或遮盖，确属可公开的账号请加入 {allowlist}",
    "privacy_unreadable": "附件无法读取（{detail}），未能检查其中的个人信息；请确认文件完好，或转为 PDF/Word 后重新放入",
    "synonyms_syntax": "搜索同义词表格式错误：{detail}；每行写作 常用说法: [文件用语, 文件用语]，例如 公租房: [公共租赁住房, 保障性住房]",
    "synonyms_shape": "这一行不是“常用说法: [文件用语, …]”的形式；左边写一个词，右边写方括号括起的一个或几个词（词中不要有空格），例如 噪音: [噪声]",
    "synonyms_duplicate": "“{word}”在同义词表中写了两次；请把它的文件用语合并到一行",
    "synonyms_self": "“{word}”的文件用语里又写了它自己；右边只写文件中的其他说法",
    "synonyms_unused": "“{word}”对应的文件用语“{target}”没有出现在任何文件中，搜索它找不到内容；请核对用字，或改成文件中实际使用的说法",
    "privacy_allowlist_line": "白名单第 {line} 行“{text}”不是号码；每行写一个号码，可在 # 后写说明，例如 13800000000  # 县政务服务热线",
    "late_disclosure": "发布日期 {date} 比成文日期 {written} 晚 {days} 个工作日，超过条例第二十六条规定的 20 个工作日{note}；请核对日期，如确属延期公开请在正文说明原因",
    # budgets (财政预决算, issue 7): the CSV tables a budget declares; see gongkai/budget.py
    "budget_csv_missing": "数据文件 {value} 不存在；请把 CSV 文件放在 {folder}/ 中，与本文件同目录，或改正文件名",
    "budget_csv_encoding": "数据文件不是 UTF-8 编码（第 {line} 行附近无法解码）；请在 Excel 中“另存为 CSV UTF-8（逗号分隔）”",
    "budget_csv_empty": "数据文件没有数据；第一行应为表头，下面每行一条数据",
    "budget_row_length": "这一行有 {found} 格，表头有 {expected} 列；每行的格数应与表头一致（{header}），数字里的千分位逗号要整格加引号，例如 \"2,793.77\"",
    "budget_number": "第 {row} 行第 {col} 列“{value}”不是数字{more}；{role_hint}（单位{unit}），没有数就留空；如果这一列是百分比或说明文字，请在 columns 中把它声明为 percent 或 text",
    "budget_columns": "columns 中有 {count} 列声明为 label；应恰好有一列 label（行名）",
    "budget_column_undeclared": "第 {col} 列的表头没有写在 {md} 第 {md_line} 行的 tables[{index}].columns 中；请声明这一列是 amount、number、percent、text 还是 label",
    "budget_column_missing": "声明的列“{name}”在 {file} 的表头中找不到；表头是：{header}（请与表头一字不差）",
    "budget_total_undeclared": "“{value}”看起来是合计行，但 tables[{index}] 没有声明 total_row；请写 total_row: {value}，合计行才不会被当作明细相加",
    "budget_total_row_missing": "在 {file} 中找不到行名为“{value}”的合计行；请与表中合计行的行名一致",
    "budget_total_column_missing": "在 {file} 的表头中找不到合计列“{value}”；表头是：{header}",
    "budget_total_mismatch": "合计行“{label}”第 {col} 列为 {stated}，上面 {count} 行之和为 {computed}，相差 {diff}；合计应等于各行之和（精确到分）。若原文如此，请在 as_published_note 中写明按原文公开的原因",
    "budget_total_mismatch_noted": "合计行“{label}”第 {col} 列为 {stated}，上面 {count} 行之和为 {computed}，相差 {diff}；已按 as_published_note 原文公开，页面在表格旁显示说明",
    "budget_total_column_mismatch": "“{label}”一行第 {col} 列（合计列）为 {stated}，{parts}之和为 {computed}，相差 {diff}；合计列应等于其他金额列之和（精确到分）。若原文如此，请在 as_published_note 中写明原因",
    "budget_total_column_mismatch_noted": "“{label}”一行第 {col} 列（合计列）为 {stated}，{parts}之和为 {computed}，相差 {diff}；已按 as_published_note 原文公开",
    "budget_subrows_mismatch": "“{label}”第 {col} 列为 {stated}，下面 {count} 个“其中”行之和为 {computed}，相差 {diff}；subrows: breakdown 要求明细加起来等于上一行。只列了部分明细时请改为 subrows: partial",
    "budget_subrows_mismatch_noted": "“{label}”第 {col} 列为 {stated}，下面 {count} 个“其中”行之和为 {computed}，相差 {diff}；已按 as_published_note 原文公开",
    "budget_year_mismatch": "“{value}”写的是 {found} 年，与预决算年度 fiscal_year: {year} 不符；请核对数据文件或 fiscal_year",
    "budget_table_required": "{kind}必须有 {need} 类型的数据表；请在 tables 中加上这张表，并写 kind",
    "budget_sangong_lines": "“{title}”中缺少 {missing}；三公经费表应分别列出因公出国（境）费、公务用车购置及运行费、公务接待费三项（按行，或在分单位明细表中按列）",
    # major projects (重大建设项目, issue 7): see gongkai/project.py
    "project_stage_date_order": "“{stage}”的日期 {value} 早于上一阶段“{previous}”的日期 {previous_date}；阶段应按时间先后排列，请核对日期或调整顺序",
    "project_stage_sequence": "“{value}”排在“{previous}”之后；阶段应按 {order} 的顺序排列（建设进展可以有多条）",
    # annual report data (年度报告, issue 7): data/annual-report/<year>.yaml; see gongkai/annual_report.py
    "annual_data_year": "文件名是 {name}，但 year 写的是 {value}；文件名应为 年份.yaml，并与 year 一致",
    "annual_data_yaml": "年度报告数据文件格式错误：{detail}；请检查缩进、冒号后的空格",
    "annual_final_incomplete": "已写 final: true，但还有 {count} 项没有填写：{missing}；请全部填写后再定稿，或先删去 final: true（草稿不会发布）",
    # the site's identity (网站信息, issue 16): data/site.yaml; see gongkai/core/identity.py
    "identity_missing": "网站信息中的{title}还没有填写；《政府网站发展指引》要求网站公布此项，请向主办单位核实后填写，例如 {example}（不知道时不要编造）",
    "identity_no_written_channel": "依申请公开没有书面申请渠道；请至少填写 {fields} 之一（条例第二十九条：信件、数据电文）",
    # link check over the built site (issue 3): gongkai/linkcheck.py, scripts/linkcheck.py
    "broken_link": "链接 {target} 指向的 /{resolved} 不存在；请改正链接，或补上该页面或附件（附件应放在 content/ 中并写进 attachments）",
    "broken_fragment": "页内链接 {target} 在本页找不到 id=\"{fragment}\" 的位置；请改正链接或给目标元素加上这个 id",
    "link_outside_site": "链接 {target} 指向网站目录之外；站内链接不能越过网站根目录",
    # anything unexpected: never a traceback
    "internal_error": "内部错误：{detail}；请把这一行告诉技术人员",
}


def message(code: str, params: dict) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return f"{code} {params}"
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


def form_message(code: str, params: dict) -> str:
    """A format's message as a form shows it before anything is saved (make edit):
    the catalogue's text without its leading “{value}”."""
    template = MESSAGES[code]
    if template.startswith("“{value}”"):
        template = template[len("“{value}”"):]
    return template.format(**params)


def type_of_path(path: str) -> str | None:
    """The content type a problem's file belongs to, by its nearest folder that
    names one (content/<type>/…), so a field is titled as its own type titles it."""
    if PurePath(path).as_posix().endswith("data/site.yaml"):
        return "site_identity"
    for folder in reversed(PurePath(path).parts[:-1]):
        if folder in TYPES:
            return folder
        if folder == "pages":
            return PAGE
    return None


def format_problem(p) -> str:
    """file:line: 中文名 (key) — message. Warnings are marked 提醒."""
    where = f"{p.path}:{p.line}:"
    label = field_label(p.field, type_of_path(p.path))
    what = "" if not p.field else (f" {label} ({p.field}) —" if label != p.field else f" {p.field} —")
    mark = "" if p.severity == "error" else " 提醒："
    return f"{where}{what}{mark} {message(p.code, p.params)}"


def summary(problems) -> str:
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    if not problems:
        return "检查通过，没有发现问题。"
    files = len({p.path for p in problems})
    text = f"共 {len(errors)} 个错误、{len(warnings)} 个提醒，涉及 {files} 个文件。"
    if errors:
        text += "修改后重新运行 make check。"
    else:
        text += "提醒不阻止发布，但请核对。"
    return text
