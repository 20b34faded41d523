"""The alerts file: the minimal file of the issue works as written, every problem is named
with file, line and field, secrets come only from the environment or a secrets file
outside the repository and never show in errors or logs."""

from __future__ import annotations

from pathlib import Path

import pytest

import alerts
from alerts import AlertsConfigError, load_alerts_config
from alerts.config import OPERATOR_ROUTE
from tests.crawl.runner import fairwatch

REPO = Path(__file__).resolve().parents[2]
MINIMAL = """\
channels:
  hook: {type: webhook, url: "http://127.0.0.1:9099/hook"}
routes:
  - {name: every-flag, channels: [hook]}
"""


def _load(tmp_path: Path, text: str, **env: str):  # noqa: ANN202
    path = tmp_path / "alerts.yaml"
    path.write_text(text, encoding="utf-8")
    return path, load_alerts_config(path, environ=env)


def _problems(tmp_path: Path, text: str, **env: str) -> list[str]:
    with pytest.raises(AlertsConfigError) as caught:
        _load(tmp_path, text, **env)
    return [str(p) for p in caught.value.problems]


def test_minimal_file_of_the_issue(tmp_path: Path) -> None:
    path, config = _load(tmp_path, MINIMAL)
    (route,) = config.finding_routes()
    assert route.name == "every-flag" and route.mode == "immediate" and route.per == "finding"
    assert route.match.standard is None  # no match: every flagged finding
    assert config.channel("hook").url == "http://127.0.0.1:9099/hook"
    # No operator route declared: operator alerts still reach the outbox and the log.
    assert [r.name for r in config.operator_routes()] == [OPERATOR_ROUTE]


def test_shipped_default_sends_nothing_outside(tmp_path: Path) -> None:
    config = load_alerts_config(REPO / "config" / "alerts.yaml", environ={})
    assert {c.type for c in config.channels.values()} == {"log"}
    assert [r.operator for r in config.routes] == [False, True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MINIMAL.replace("hook]}", "hok]}"), ":4: routes.0.channels.0: no channel named 'hok'"),
        (MINIMAL.replace("type: webhook", "type: slack"), ":2: channels.hook: unknown channel"),
        (MINIMAL.replace("url:", "uri:"), ":2: channels.hook.uri: unknown field"),
        (MINIMAL + "  - {name: every-flag, channels: [hook]}\n",
         ":5: routes.1.name: route name 'every-flag' is used twice"),
        (MINIMAL.replace("[hook]}", '[hook], quiet_hours: "22-7"}'),
         ":4: routes.0.quiet_hours: expected HH:MM-HH:MM"),
        (MINIMAL.replace("[hook]}", "[hook], match: {grade: [严重]}}"),
         ":4: routes.0.match.grade.0"),
        ("channels: {hook: {type: webhook, url: x}\n", ":1: not valid YAML"),
        (MINIMAL + "? [a, b]\n: 1\n", ":5: a mapping key must be a plain name"),
        (MINIMAL + "timezone: !!python/name:os.getcwd ''\n", ":5: not valid YAML"),
        ("timezone: Mars/Olympus\n", ":1: timezone: unknown time zone 'Mars/Olympus'"),
    ],
)
def test_problems_name_file_line_and_field(tmp_path: Path, text: str, expected: str) -> None:
    problems = _problems(tmp_path, text)
    assert any(str(tmp_path / "alerts.yaml") + expected in p for p in problems), problems


DING = """\
channels:
  ding:
    type: dingtalk
    token: "%s"
    secret: "${DT_SECRET}"
routes:
  - {name: r, channels: [ding]}
"""


def test_literal_secret_is_refused_without_echoing_it(tmp_path: Path) -> None:
    problems = _problems(tmp_path, DING % "3c9f0a77e1b24d5e", DT_SECRET="SECx")
    (problem,) = problems
    assert ":4: channels.ding.token: secrets are not written in the alerts file" in problem
    assert "3c9f0a77e1b24d5e" not in problem


def test_missing_reference_is_named_not_its_value(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, DING % "${DT_TOKEN}", DT_SECRET="SEC-value-9")
    assert ":4: channels.ding.token: ${DT_TOKEN} is not set" in problem
    assert "SEC-value-9" not in problem


def test_secrets_from_environment_or_a_file_outside_the_repository(tmp_path: Path) -> None:
    secrets = tmp_path / "fairwatch.secrets"
    secrets.write_text("# robot\nDT_TOKEN=tok-from-file\nDT_SECRET='SEC-from-file'\n")
    path = tmp_path / "alerts.yaml"
    path.write_text(DING % "${DT_TOKEN}", encoding="utf-8")
    config = load_alerts_config(path, secrets_file=secrets, environ={"DT_SECRET": "SEC-env"})
    ding = config.channel("ding")
    assert (ding.token, ding.secret) == ("tok-from-file", "SEC-env")  # environment first
    assert config.redact("token tok-from-file sign SEC-env") == "token *** sign ***"

    inside = REPO / "config" / "alerts.yaml"  # any path in the checkout is refused
    with pytest.raises(AlertsConfigError, match="must live outside the repository"):
        load_alerts_config(path, secrets_file=inside, environ={})


def test_config_check_reports_alerts_problems(tmp_path: Path) -> None:
    bad = tmp_path / "alerts.yaml"
    bad.write_text(DING % "literal-token-value-1", encoding="utf-8")
    result = fairwatch(
        "config", "check", data_dir=tmp_path / "data",
        env={"FAIRWATCH_ALERTS_FILE": str(bad), "DT_SECRET": "x"},
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"FAIL {bad}:4: channels.ding.token: secrets are not written" in result.stderr
    assert "literal-token-value-1" not in result.stdout + result.stderr

    good = tmp_path / "good.yaml"
    good.write_text(MINIMAL, encoding="utf-8")
    result = fairwatch("config", "check", data_dir=tmp_path / "data",
                       env={"FAIRWATCH_ALERTS_FILE": str(good)})
    assert result.returncode == 0, result.stderr
    assert "ok   alerts: 1 route(s), 1 operator route(s), 1 channel(s)" in result.stdout


def test_broken_alerts_file_stops_a_crawl_before_it_starts(tmp_path: Path) -> None:
    bad = tmp_path / "alerts.yaml"
    bad.write_text(MINIMAL.replace("[hook]", "[nowhere]"), encoding="utf-8")
    result = fairwatch("crawl", "fixture-trs", data_dir=tmp_path / "data",
                       site_url="http://127.0.0.1:9", env={"FAIRWATCH_ALERTS_FILE": str(bad)})
    assert result.returncode == 2
    assert "routes.0.channels.0: no channel named 'nowhere'" in result.stderr
    assert not (tmp_path / "data" / "fairwatch.db").exists()  # nothing was crawled


def test_public_surface_is_all() -> None:
    public = {n for n in dir(alerts) if not n.startswith("_")}
    modules = {
        "api", "channels", "config", "delivery", "errors", "messages", "outbox", "routing",
        "secrets",
    }
    assert public - modules == set(alerts.__all__)
    for name in alerts.__all__:
        assert getattr(alerts, name) is not None
