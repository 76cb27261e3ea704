"""The sample documents of the formats GB/T 9704-2012 §10 defines beside the 文件格式 (信函, 命令, 纪要), and of
附注, 联合行文 and 不加盖印章; docs/samples holds them rendered (`OA_WRITE_SAMPLES=1` rewrites them)."""

from __future__ import annotations

import datetime
from dataclasses import replace

from tests.unit.publishing.samples import NOTICE

LETTER = replace(
    NOTICE,
    doc_type="函",
    number="示例办函〔2026〕15号",
    title="示例市人民政府办公室关于商请支持冬季供暖保障工作的函",
    main_recipients=["示例市热力集团有限公司"],
    body=(
        "为保障今冬供暖平稳有序，根据市政府工作安排，现就有关事项函商如下。\n"
        "一、请你公司于11月1日前完成供热管网检修和热源调试，确保按时供暖。\n"
        "二、请建立供暖保障值班制度，及时处理群众反映的供热问题。\n"
        "请予支持为盼。"
    ),
    attachment_note="",
    cc=["市住房和城乡建设局"],
    copy_no="000007",
    urgency="",
    remarks="联系人：王明，电话：0000-12345678",
)

ORDER = replace(
    NOTICE,
    issuer_name="示例市人民政府",
    doc_type="命令",
    number="第12号",
    title="示例市冬季供暖管理办法",
    main_recipients=[],
    body=("《示例市冬季供暖管理办法》已经2026年11月20日市人民政府第35次常务会议通过，现予公布，自2027年1月1日起施行。"),
    signature="示例市人民政府",
    signer_name="李明",
    signer_title="市长",
    attachment_note="",
    cc=[],
    copy_no="",
    urgency="",
)

MINUTES = replace(
    NOTICE,
    doc_type="纪要",
    number="示例办纪〔2026〕9号",
    title="示例市冬季安全生产工作专题会议纪要",
    main_recipients=[],
    body=(
        "2026年11月20日，市政府副市长王强主持召开专题会议，研究部署冬季安全生产工作。纪要如下。\n"
        "一、会议认为，各单位要压实安全生产责任，全面排查整治风险隐患。\n"
        "二、会议决定，由市应急管理局牵头，于12月31日前完成专项检查。"
    ),
    attachment_note="",
    cc=["市委办公室"],
    copy_no="",
    urgency="",
    attendees=("市应急管理局张华", "市住房和城乡建设局李强", "市交通运输局赵敏", "市市场监督管理局孙丽"),
    on_leave=("市公安局周涛",),
    observers=("市政府办公室刘洋",),
)

JOINT = replace(
    NOTICE,
    issuer_name="示例市教育局",
    signature="示例市教育局",
    seal_text="示例市教育局",
    co_issuers=("示例市财政局",),
    main_recipients=["各区县教育局", "各区县财政局"],
    number="示教发〔2026〕21号",
    title="关于做好2027年寒假期间困难学生帮扶工作的通知",
    body="请各单位于1月10日前完成困难学生走访帮扶工作。",
    cc=["市委教育工作领导小组办公室"],
    attachment_note="",
    copy_no="",
    urgency="",
    sign_date=datetime.date(2026, 12, 2),
)

UNSEALED = replace(
    NOTICE,
    number="示例办发〔2026〕22号",
    title="示例市人民政府办公室关于做好元旦期间值班工作的通知",
    body="元旦期间，各单位要严格落实领导带班和24小时值班制度，遇有重大情况及时报告。",
    attachment_note="",
    copy_no="",
    urgency="",
    sealed=False,
    remarks="此件公开发布",
)

FORMAT_SAMPLES = {"xinhan": LETTER, "mingling": ORDER, "jiyao": MINUTES, "lianhe": JOINT, "bujiagai": UNSEALED}
"""docs/samples file stem -> document."""
