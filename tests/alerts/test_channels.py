"""Acceptance 1: every channel against a real local server that checks what it receives:
aiosmtpd for email (plain, STARTTLS, SMTPS, AUTH), HTTP receivers for the webhook (against
its JSON schema and signature) and the DingTalk, WeCom and Feishu robots (their payload
formats, size limits and the DingTalk and Feishu signatures)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from alerts import deliver_due, list_rows
from alerts.channels import build_sender, webhook_signature
from alerts.messages import sample_message
from storage.db import Database
from tests.alerts.factories import finding, store
from tests.alerts.smtp_server import Inbox, make_certificate, start_smtp

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "alerts" / "webhook.schema.json").read_text("utf-8")
)
DING_SECRET = "SECb7e1f0c2d9a84b6f9e3c1a7d5b2e8f40"
FEISHU_SECRET = "fs-sign-6QW2kz9Lr"


def _route(channel_yaml: str, **extra: str) -> str:
    options = "".join(f", {k}: {v}" for k, v in extra.items())
    return (
        f"channels:\n  c: {channel_yaml}\n"
        f"routes:\n  - {{name: r, channels: [c]{options}}}\n"
    )


def test_webhook_payload_follows_the_schema_and_is_signed(db: Database, receiver, alerts_file):
    hook = receiver()
    _, config = alerts_file(
        _route(f'{{type: webhook, url: "{hook.url}/in", secret: "${{HOOK_SECRET}}"}}'),
        HOOK_SECRET="whsec-123456",
    )
    store(db, config, findings=[finding(1), finding(2, standard="FC-9-1", grade="疑似")],
          console_url="https://console.example/fw")
    assert deliver_due(db, config).messages == 2
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    for request in hook.accepted:
        body = request.json
        jsonschema.validate(body, SCHEMA, format_checker=jsonschema.FormatChecker())
        assert request.headers["x-fairwatch-signature"] == webhook_signature(
            "whsec-123456", request.body
        )
        assert request.headers["idempotency-key"] == body["id"]
        item = body["findings"][0]
        assert item["link"].startswith("https://console.example/fw/documents/")
        assert item["cues"] == ["统一由", "指定"]
        assert item["further_findings"] == 1
        assert item["issuer"] == "广东省住房和城乡建设厅"
        assert item["doc_number"] == "粤建〔2026〕12号"
        assert "【统一由】" in body["text"] and "**指定**" in body["markdown"]
        assert "粤建〔2026〕12号" in body["text"] and "第八条（三）" in body["text"]
        assert "本文件另有 1 条疑似问题" in body["text"]


def test_dingtalk_signed_markdown(db: Database, receiver, alerts_file) -> None:
    ding = receiver(dingtalk_secret=DING_SECRET)
    _, config = alerts_file(
        _route(
            f'{{type: dingtalk, base_url: "{ding.url}/robot/send", token: "${{DT_TOKEN}}", '
            'secret: "${DT_SECRET}"}'
        ),
        DT_TOKEN="dt-token-abc", DT_SECRET=DING_SECRET,
    )
    store(db, config, findings=[finding(1)])
    report = deliver_due(db, config)
    assert report.messages == 1, report.errors
    (request,) = ding.accepted
    assert request.path == "/robot/send" and request.query["access_token"] == "dt-token-abc"
    body = request.json
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"].startswith("【明显违反】FC-8-3")
    assert "关于规范工程建设材料采购的通知" in body["markdown"]["text"]
    assert "**统一由**" in body["markdown"]["text"]


def test_dingtalk_wrong_secret_is_refused_by_the_receiver(
    db: Database, receiver, alerts_file
) -> None:
    ding = receiver(dingtalk_secret=DING_SECRET)
    _, config = alerts_file(
        _route(
            f'{{type: dingtalk, base_url: "{ding.url}/robot/send", token: "${{T}}", '
            'secret: "${S}"}'
        ),
        T="tok", S="SECnot-the-right-one",
    )
    store(db, config, findings=[finding(1)])
    report = deliver_due(db, config)
    assert report.messages == 0 and report.retried == 1
    assert "errcode 310000 sign does not match" in report.errors[0]
    assert "SECnot-the-right-one" not in list_rows(db)[0].last_error


def test_wecom_markdown_within_4096_bytes(db: Database, receiver, alerts_file) -> None:
    wecom = receiver()
    _, config = alerts_file(
        _route(f'{{type: wecom, base_url: "{wecom.url}/cgi-bin/webhook/send", key: "${{K}}"}}',
               per="document"),
        K="wecom-key-1",
    )
    # One document with 60 findings: far over WeCom's limit as one markdown message.
    store(db, config, findings=[finding(n) for n in range(60)])
    assert deliver_due(db, config).messages == 1
    (request,) = wecom.accepted
    assert request.query == {"key": "wecom-key-1"}
    content = request.json["markdown"]["content"]
    assert request.json["msgtype"] == "markdown"
    assert len(content.encode("utf-8")) <= 4096
    assert content.endswith("完整内容：https://www.gd.gov.cn/zwgk/1.html）")
    assert "60 条疑似问题" in content


def test_feishu_signed_post_within_20kb(db: Database, receiver, alerts_file) -> None:
    feishu = receiver(feishu_secret=FEISHU_SECRET, answer={"code": 0, "msg": "success"})
    _, config = alerts_file(
        _route(
            f'{{type: feishu, base_url: "{feishu.url}/open-apis/bot/v2/hook", '
            'token: "${FS_TOKEN}", secret: "${FS_SECRET}"}',
            per="document",
        ),
        FS_TOKEN="hook-uuid-1", FS_SECRET=FEISHU_SECRET,
    )
    store(db, config, findings=[finding(n) for n in range(200)])
    report = deliver_due(db, config)
    assert report.messages == 1, report.errors
    (request,) = feishu.accepted
    assert request.path == "/open-apis/bot/v2/hook/hook-uuid-1"
    assert len(request.body) <= 20 * 1024
    post = request.json["content"]["post"]["zh_cn"]
    assert request.json["msg_type"] == "post"
    assert post["title"].endswith("200 条疑似问题")
    assert post["content"][0][0]["tag"] == "text" and "内容过长，已截断" in post["content"][0][0][
        "text"]
    assert post["content"][1][0] == {
        "tag": "a", "text": "查看详情", "href": "https://www.gd.gov.cn/zwgk/1.html"
    }


def test_dingtalk_digest_cut_to_20000_bytes(db: Database, receiver, alerts_file) -> None:
    ding = receiver()
    _, config = alerts_file(
        _route(f'{{type: dingtalk, base_url: "{ding.url}/robot/send", token: "${{T}}"}}',
               per="document"),
        T="tok",
    )
    store(db, config, findings=[finding(n) for n in range(300)])
    assert deliver_due(db, config).messages == 1
    text = ding.accepted[0].json["markdown"]["text"]
    assert 19000 < len(text.encode("utf-8")) <= 20000


@pytest.mark.parametrize("security", ["none", "starttls", "ssl"])
def test_email_over_smtp(db: Database, alerts_file, tmp_path: Path, security: str) -> None:
    inbox = Inbox()
    cert = make_certificate(tmp_path) if security != "none" else None
    server = start_smtp(inbox, security=security, cert=cert, auth=("alerts", "pw-Zq81!x"))
    try:
        ca = f', ca_file: "{cert[0]}"' if cert else ""
        _, config = alerts_file(
            _route(
                f'{{type: email, host: 127.0.0.1, port: {server.port}, security: {security}, '
                f'username: alerts, password: "${{SMTP_PW}}", from: alerts@fw.example, '
                f"to: [reviewer@fw.example, lead@fw.example]{ca}}}"
            ),
            SMTP_PW="pw-Zq81!x",
        )
        store(db, config, findings=[finding(1)])
        report = deliver_due(db, config)
        assert report.messages == 1, report.errors
    finally:
        server.stop()
    (mail,) = inbox.messages
    assert mail["Subject"].startswith("【明显违反】FC-8-3：关于规范工程建设材料采购的通知")
    assert mail["To"] == "reviewer@fw.example, lead@fw.example"
    assert str(mail["X-Fairwatch-Alert"]).strip().startswith("r/c/finding:")
    content = mail.get_content()
    assert "文号：粤建〔2026〕12号" in content and "【统一由】" in content
    assert inbox.envelopes[0].rcpt_tos == ["reviewer@fw.example", "lead@fw.example"]


def test_email_wrong_password_fails_without_retry_and_without_the_secret(
    db: Database, alerts_file, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox()
    server = start_smtp(inbox, auth=("alerts", "right-password"))
    try:
        _, config = alerts_file(
            _route(
                f"{{type: email, host: 127.0.0.1, port: {server.port}, security: none, "
                'username: alerts, password: "${SMTP_PW}", from: a@fw.example, '
                "to: [b@fw.example]}"
            ),
            SMTP_PW="Wr0ng-Secret-77",
        )
        store(db, config, findings=[finding(1)])
        with caplog.at_level("DEBUG"):
            report = deliver_due(db, config)
    finally:
        server.stop()
    assert report.failed == 1 and report.retried == 0  # a refused login is not retried
    assert "refused the login" in report.errors[0]
    rows = list_rows(db)
    assert {r.kind for r in rows} == {"finding", "operator"}  # the give-up was reported
    everything = caplog.text + json.dumps([r.payload for r in rows], ensure_ascii=False)
    everything += " ".join(r.last_error or "" for r in rows)
    assert "Wr0ng-Secret-77" not in everything
    assert inbox.messages == []


def test_sample_message_through_each_robot(receiver, alerts_file) -> None:
    ding, wecom = receiver(), receiver()
    _, config = alerts_file(
        "channels:\n"
        f'  d: {{type: dingtalk, base_url: "{ding.url}/robot/send", token: "${{T}}"}}\n'
        f'  w: {{type: wecom, base_url: "{wecom.url}/send", key: "${{T}}"}}\n'
        "routes:\n  - {name: r, channels: [d, w]}\n",
        T="t0k",
    )
    for name in ("d", "w"):
        build_sender(name, config.channel(name)).send(sample_message(f"test/r/{name}", "r"))
    assert "【测试消息】" in ding.accepted[0].json["markdown"]["title"]
    assert "【测试消息】" in wecom.accepted[0].json["markdown"]["content"]
