"""The planted corpus of the search contract tests (a module, not a conftest, so that
test modules can import it by a name no other test folder uses)."""

from __future__ import annotations

from datetime import date

from storage.search.base import IndexedDocument


def doc(doc_id: int, **fields: object) -> IndexedDocument:
    values: dict[str, object] = {
        "doc_id": doc_id,
        "version_id": doc_id * 10,
        "source_id": "gd-gov",
        "kind": "policy",
        "url": f"http://127.0.0.1/doc/{doc_id}.html",
        "title": f"文件{doc_id}",
        "body": "",
    }
    values.update(fields)
    return IndexedDocument(**values)  # type: ignore[arg-type]


# The planted corpus. Each query word of the contract occurs in exactly the documents
# listed in EXPECTED; the distractors hold its characters or words apart, or a look-alike.
CORPUS = [
    doc(
        1,
        source_id="gd-gov",
        region="广东",
        title="关于支持本地企业发展的若干措施",
        body="在政府采购活动中，本地企业优先中标。",
        published=date(2024, 1, 15),
        standards=["FC-9-3"],
        grade="疑似",
        issuer="广东省人民政府",
    ),
    doc(
        2,
        source_id="sz-gov",
        region="深圳",
        title="住宅物业管理办法",
        body="各小区须使用指定的物业服务企业，不得自行选聘。",
        published=date(2024, 2, 20),
        standards=["FC-8-3", "FC-9-1"],
        grade="明显违反",
    ),
    doc(
        3,
        source_id="ads-douyin",
        kind="ad",
        platform="douyin",
        title="直播间回放",
        body="本产品是全网最佳的面霜，主播推荐珀莱雅红宝石系列。",
        fetched_at=date(2024, 3, 5),
        standards=["AD-9-3"],
        sectors=["cosmetics"],
        grade="疑似",
    ),
    doc(
        4,
        source_id="gd-gov",
        region="广东",
        title="关于印发环境整治方案的通知",
        body="请各单位认真贯彻落实。",
        attachments_text="附件：指定检测机构名单",
        published=date(2023, 12, 1),
        standards=["FC-8-3"],
        grade="提示",
    ),
    doc(
        5,
        source_id="sz-gov",
        region="深圳",
        title="关于征集意见的公告",
        body="本地区的各类企业均可参加。最后一天，佳节将至。本办法由市政府制定。",
        published=date(2024, 2, 1),
    ),
    doc(
        6,
        source_id="ads-xhs",
        kind="ad",
        platform="xiaohongshu",
        title="种草笔记",
        body="珀莱雅红宝石面霜真好用！iPhone15 拍照 <script>alert(1)</script> 红宝石戒指",
        fetched_at=date(2024, 3, 9),
        standards=["AD-14"],
        sectors=["cosmetics", "ordinary"],
        grade="疑似",
    ),
]

EXPECTED = {
    "本地企业": {1},
    "指定": {2, 4},
    "最佳": {3},
    "珀莱雅红宝石": {3, 6},  # not in jieba's dictionary nor ours
}
