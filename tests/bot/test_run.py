"""`contractbot run` as a user starts it: Slack (HTTP) and Telegram (polling) in one process, against fakes."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from tests.bot.slack.conftest import SECRET, fixture_form, signature
from tests.bot.telegram.conftest import message_update
from tests.fakes.slack_api import FakeSlackAPI
from tests.fakes.telegram_api import FakeTelegram

SCRIPT = Path(sys.executable).parent / "contractbot"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the bot did not open its port")


def test_run_starts_slack_and_telegram_in_one_process(tmp_path: Path) -> None:
    slack = FakeSlackAPI().start()
    telegram = FakeTelegram().start()
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.url,
        "PORT": str(port),
        "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.base_url,
    }
    proc = subprocess.Popen([str(SCRIPT), "run"], env=env, cwd=tmp_path, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_port(port, proc)
        # Telegram: a Chinese command in a group, picked up by long polling
        telegram.push_update(message_update("/contract 新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日"))
        [sent] = telegram.wait_for("sendMessage", timeout=20)
        assert "已创建合同 HT-2026-002" in sent.params["text"]
        # Slack: a signed slash command on the HTTP endpoint
        form = fixture_form("slash_command.form")
        form["text"] = 'new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31'
        form["response_url"] = slack.response_url()
        body = urlencode(form)
        ts = int(time.time())
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/slack/events", data=body.encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": str(ts),
                     "X-Slack-Signature": signature(body, ts)},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200
        deadline = time.monotonic() + 10
        while not slack.calls_to("response_url") and time.monotonic() < deadline:
            time.sleep(0.05)
        [answer] = slack.calls_to("response_url")
        assert "Contract HT-2026-001 created" in str(answer.params)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=20)
        finally:
            slack.stop()
            telegram.stop()
    assert proc.returncode == 0, err
    assert "slack: running" in out and "telegram: running" in out
