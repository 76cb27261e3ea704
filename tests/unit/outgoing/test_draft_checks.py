"""拟稿 checks an editor makes: each wrong form is found, its suggestion fixes it, and the correct form passes."""

from __future__ import annotations

from typing import Any

import pytest

from oa_core.outgoing import direction, drafting

from .test_drafting import fields

# (field, wrong form as written, correct form): the suggestion replaces only the number part.
MISWRITTEN: list[tuple[str, str, str]] = [
    ("body", "根据示例办发(2026)7号文件", "根据示例办发〔2026〕7号文件"),
    ("body", "根据示例办发（2026）7号文件", "根据示例办发〔2026〕7号文件"),
    ("body", "按示例政法[2026]12号执行", "按示例政法〔2026〕12号执行"),
    ("body", "按示例政法［2026］12号执行", "按示例政法〔2026〕12号执行"),
    ("body", "按示例政法【2026】12号执行", "按示例政法〔2026〕12号执行"),
    ("body", "按市教通﹝2026﹞3号执行", "按市教通〔2026〕3号执行"),
    ("body", "按市教通{2026}3号执行", "按市教通〔2026〕3号执行"),
    ("body", "依据京政办〔26〕3号", "依据京政办〔2026〕3号"),
    ("body", "依据京政办〔2026〕第7号", "依据京政办〔2026〕7号"),
    ("body", "依据京政办〔2026〕07号", "依据京政办〔2026〕7号"),
    ("body", "依据京政办(26)第007号", "依据京政办〔2026〕7号"),
    ("body", "依据京政办 〔2026〕 7 号", "依据京政办〔2026〕7号"),
    (
        "body",
        "根据《国务院办公厅关于加强政务公开的意见》（国办发[2012]14号）",
        "根据《国务院办公厅关于加强政务公开的意见》（国办发〔2012〕14号）",
    ),
    ("body", "转发省政府令(98)3号", "转发省政府令〔1998〕3号"),
    ("title", "关于转发示例办发(2026)7号的通知", "关于转发示例办发〔2026〕7号的通知"),
    ("attachment_note", "示例办发[2026]7号", "示例办发〔2026〕7号"),
    ("body", "根据示例办发〔2026年〕7号文件", "根据示例办发〔2026〕7号文件"),
    ("body", "根据示例办发（2026年）7号文件", "根据示例办发〔2026〕7号文件"),
    ("body", "根据示例办发2026年7号文件", "根据示例办发〔2026〕7号文件"),
    ("body", "根据示例办发2026年第7号文件", "根据示例办发〔2026〕7号文件"),
    ("body", "根据示例办发〔2026〕07号文件", "根据示例办发〔2026〕7号文件"),
    ("body", "根据示例办发【2026】7号文件", "根据示例办发〔2026〕7号文件"),
    ("body", "根据示例办发〔2026〕7 号文件", "根据示例办发〔2026〕7号文件"),
    ("body", "根据示例办发[2026]第7号文件", "根据示例办发〔2026〕7号文件"),
    ("body", "根据示例办发[2026]第07号文件", "根据示例办发〔2026〕7号文件"),
    ("title", "关于转发示例办发2026年7号的通知", "关于转发示例办发〔2026〕7号的通知"),
    ("body", "于2026年01月05日前报送", "于2026年1月5日前报送"),
    ("body", "于2026年1月05日前报送", "于2026年1月5日前报送"),
    ("body", "于2026年10月01日前报送", "于2026年10月1日前报送"),
    ("body", "于01月05日前报送", "于1月5日前报送"),
    ("body", "自2026年03月起施行", "自2026年3月起施行"),
    ("body", "于2026年 1月 5日前报送", "于2026年1月5日前报送"),
    ("body", "于2026-01-05前报送", "于2026年1月5日前报送"),
    ("body", "于2026/1/5前报送", "于2026年1月5日前报送"),
    ("body", "于二〇二六年1月5日前报送", "于2026年1月5日前报送"),
    ("attachment_note", "工作方案。", "工作方案"),
    ("attachment_note", "1. 工作方案；\n2. 报名表", "1. 工作方案\n2. 报名表"),
    ("attachment_note", "1. 工作方案\n2. 报名表，", "1. 工作方案\n2. 报名表"),
    ("attachment_note", "附件：人员名单：", "附件：人员名单"),
]


def findings(result: dict[str, Any], field: str) -> list[dict[str, str]]:
    return [c for c in result["checks"] if c["field"] == field and c["found"]]


@pytest.mark.parametrize(("field", "wrong", "correct"), MISWRITTEN, ids=[w for _, w, _ in MISWRITTEN])
def test_a_miswriting_is_found_and_its_suggestion_gives_the_correct_form(field: str, wrong: str, correct: str) -> None:
    found = findings(drafting.check(fields(**{field: wrong})), field)
    assert found, f"“{wrong}” is not flagged"
    assert all(c["level"] == "warning" for c in found), found
    fixed = wrong
    for c in found:
        assert c["suggestion"] in c["message"] and c["found"].strip() in c["message"], c
        fixed = fixed.replace(c["found"], c["suggestion"], 1)
    assert fixed == correct


@pytest.mark.parametrize("correct", sorted({c for _, _, c in MISWRITTEN}))
def test_the_correct_form_passes(correct: str) -> None:
    for field in ("body", "attachment_note"):
        assert findings(drafting.check(fields(**{field: correct})), field) == [], (field, correct)


def test_a_number_suggestion_never_takes_the_words_before_the_number() -> None:
    (found,) = findings(drafting.check(fields(body="根据示例办发(2026)7号文件精神")), "body")
    assert (found["found"], found["suggestion"]) == ("(2026)7号", "〔2026〕7号")


def test_brackets_that_are_no_document_number_are_left_alone() -> None:
    body = (
        "全年（2026年）完成3号楼改造，第（2026）3号楼除外；二〇〇六年以来。今年（2026年）7号线通车，"
        "2026年7号台风过境，于2026年7月5号前报送。根据《示例办法》(2026)第7号，示例委〔2026〕7号、中发〔2026〕1号。"
    )
    assert [c for c in drafting.check(fields(body=body))["checks"] if "发文字号" in c["message"]] == []


@pytest.mark.parametrize(
    "request_phrase",
    ["妥否，请批示。", "当否，请批示。", "请批准。", "请审批。", "请予审批。", "请予批准。", "请批复。"],
)
def test_a_report_carrying_a_request_is_refused(request_phrase: str) -> None:
    body = f"现将有关情况报告如下：……今年已完成全部任务。\n\n{request_phrase}"
    result = drafting.check(
        fields(doc_type="报告", title="关于工作情况的报告", main_recipients=["示例市人民政府"], body=body)
    )
    refusals = [c for c in result["checks"] if c["level"] == "error"]
    assert result["ok"] is False
    assert refusals and "报告不得夹带请示事项" in refusals[0]["message"], refusals


def test_a_report_ending_as_reports_do_passes() -> None:
    body = "今年已完成全部任务。\n\n特此报告。"
    result = drafting.check(
        fields(doc_type="报告", title="关于工作情况的报告", main_recipients=["示例市人民政府"], body=body)
    )
    assert result["checks"] == []


def test_a_request_copied_to_a_subordinate_unit_of_the_organisation_file_is_refused() -> None:
    relations = {"示例市东城区人民政府": "subordinate", "示例市人民政府": "superior"}
    draft = fields(
        doc_type="请示",
        title="关于追加经费的请示",
        body="拟追加经费。\n\n妥否，请批示。",
        main_recipients=["示例市人民政府"],
        cc=["示例市财政局", "示例市东城区人民政府"],
    )
    result = drafting.check(draft, relations)
    assert result["ok"] is False
    assert [c["message"] for c in result["checks"]] == [
        "请示不得抄送下级机关：“示例市东城区人民政府”是本机关的下级机关，请从抄送中删去"
    ]
    assert drafting.check({**draft, "cc": ["示例市财政局"]}, relations)["checks"] == []


@pytest.mark.parametrize(
    "name",
    [
        "各区县人民政府",
        "各乡镇人民政府",
        "各处室",
        "局属各单位",
        "市直属单位",
        "所属各基层单位",
        "市属各单位",
        "县属各单位",
        "各县（市、区）人民政府",
        "各县（市、区）",
        "全市各级行政机关",
        "辖区各街道办事处",
        "区内各乡镇",
    ],
)
def test_a_request_copied_to_what_its_name_says_are_lower_units_is_advised_against(name: str) -> None:
    draft = fields(doc_type="请示", title="关于追加经费的请示", body="拟追加经费。\n\n妥否，请批示。", cc=[name])
    for cc in ([name], f"示例市财政局、{name}"):  # a list, or the form's one text with 、 between names
        result = drafting.check({**draft, "cc": cc, "main_recipients": ["示例市人民政府"]})
        assert result["ok"] is True
        assert [(c["level"], c["found"]) for c in result["checks"]] == [("warning", name)], result["checks"]
        assert "请示不得抄送下级机关" in result["checks"][0]["message"]


@pytest.mark.parametrize("name", ["示例市财政局", "示例省人民政府办公厅", "示例市发展和改革委员会", "市委办公室"])
def test_a_request_copied_to_a_unit_whose_name_says_nothing_of_rank_gets_no_advice(name: str) -> None:
    draft = fields(doc_type="请示", title="关于追加经费的请示", body="拟追加经费。\n\n妥否，请批示。", cc=[name])
    assert drafting.check({**draft, "main_recipients": ["示例市人民政府"]})["checks"] == []


def test_names_are_split_at_commas_outside_brackets_only() -> None:
    assert direction.unit_names("各县（市、区）人民政府、市财政局\n市属各单位；[甲、乙]办") == [
        "各县（市、区）人民政府",
        "市财政局",
        "市属各单位",
        "[甲、乙]办",
    ]


@pytest.mark.parametrize(
    ("title", "body", "level"),
    [
        ("关于……的通知", "请各处室做好值班安排。", "error"),
        ("关于XXX的通知", "请各处室做好值班安排。", "error"),
        ("关于做好节日值班工作的通知", "……（通知事项）。\n\n特此通知。", "warning"),
        ("关于做好节日值班工作的通知", "请XXX同志牵头。", "warning"),
        ("关于做好节日值班工作的通知", "请××处做好值班安排。", "warning"),
        ("关于做好节日值班工作的通知", "请〇〇处做好值班安排。", "warning"),
        ("关于做好节日值班工作的通知", "请【单位名称】做好值班安排。", "warning"),
        ("关于做好节日值班工作的通知", "请（填写单位）做好值班安排。", "warning"),
        ("关于XX的通知", "请各处室做好值班安排。", "error"),
        ("关于ＸＸ工作的通知", "请各处室做好值班安排。", "error"),
        ("关于○○工作的通知", "请各处室做好值班安排。", "error"),
        ("关于做好节日值班工作的通知", "请XX单位报送。", "warning"),
        ("关于做好节日值班工作的通知", "请xx单位报送。", "warning"),
        ("关于做好节日值班工作的通知", "请ＸＸ单位报送。", "warning"),
        ("关于做好节日值班工作的通知", "请于××月××日前报送。", "warning"),
        ("关于做好节日值班工作的通知", "请○○处做好值班安排。", "warning"),
        ("关于做好节日值班工作的通知", "【请填写】", "warning"),
    ],
)
def test_a_template_placeholder_left_in_is_pointed_out(title: str, body: str, level: str) -> None:
    placeholders = [c for c in drafting.check(fields(title=title, body=body))["checks"] if "模板占位" in c["message"]]
    assert placeholders and {c["level"] for c in placeholders} == {level}, placeholders


@pytest.mark.parametrize(
    "body",
    [
        "王某某、张某某二人违规使用公车，现予通报。",
        "某某公司未按期整改。",
        "尺码XXL的工作服已发放。",
        "二○○六年以来，本市一直开展此项工作。",
        "会场按3×4米布置。",
    ],
)
def test_real_text_that_looks_like_a_placeholder_is_not_one(body: str) -> None:
    result = drafting.check(fields(body=body))
    assert [c for c in result["checks"] if "模板占位" in c["message"]] == [], result["checks"]


@pytest.mark.parametrize("doc_type", ["公告", "通告", "命令", "纪要"])
def test_announcements_orders_and_minutes_need_no_main_recipient(doc_type: str) -> None:
    result = drafting.check(fields(doc_type=doc_type, title=f"示例市人民政府{doc_type}", main_recipients=[]))
    assert result["ok"] is True, result


@pytest.mark.parametrize("doc_type", ["通知", "请示", "报告", "意见", "函", "批复"])
def test_other_types_still_need_a_main_recipient(doc_type: str) -> None:
    result = drafting.check(fields(doc_type=doc_type, title=f"关于经费的{doc_type}", main_recipients=[]))
    assert "请填写主送机关（公告、通告、命令、纪要可不写主送机关）" in [c["message"] for c in result["checks"]]


def test_a_downward_type_to_a_superior_of_the_organisation_file_gets_advice() -> None:
    result = drafting.check(fields(main_recipients=["示例市人民政府"]), {"示例市人民政府": "superior"})
    assert [c["message"] for c in result["checks"]] == [
        "“示例市人民政府”是上级机关：向上级机关行文一般用请示、报告或意见，不用通知"
    ]
    opinion = fields(doc_type="意见", title="关于加强值班工作的意见", main_recipients=["示例市人民政府"])
    assert drafting.check(opinion, {"示例市人民政府": "superior"})["checks"] == []


def test_the_form_keeps_a_name_with_a_bracketed_list_whole() -> None:
    from oa_core.web.documents import form_fields

    form = {"main_recipients": ["各县（市、区）人民政府、市属各单位"], "cc": ["示例市财政局\n各县（市、区）"]}
    found = form_fields(form)
    assert (found["main_recipients"], found["cc"]) == (
        ["各县（市、区）人民政府", "市属各单位"],
        ["示例市财政局", "各县（市、区）"],
    )
