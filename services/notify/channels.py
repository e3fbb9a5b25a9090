"""Delivery channels. Each ``send(message)`` delivers or raises; the service logs every attempt
and retries failures. Configured in the service config under NOTIFY_CHANNELS, e.g.

    NOTIFY_CHANNELS:
      - {name: outbox, type: outbox, dir: out/outbox}
      - {name: mail, type: smtp, host: 127.0.0.1, port: 25, sender: kam@example.com,
         recipients: [sales-ops@example.com]}
      - {name: hook, type: webhook, url: "http://127.0.0.1:8080/kam"}
"""

from __future__ import annotations

import json
import re
import smtplib
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from nameko.extensions import DependencyProvider

from kamkit.errors import ConfigError


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80] or "message"


class OutboxChannel:
    """Writes each message as Markdown and HTML files into a directory."""

    def __init__(self, name, dir):
        self.name, self.dir = name, Path(dir)

    def send(self, message) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        stem = f"{message.id:06d}-{message.kind}-{_slug(message.business_line)}"
        (self.dir / f"{stem}.md").write_text(message.markdown, encoding="utf-8")
        (self.dir / f"{stem}.html").write_text(message.html, encoding="utf-8")


class SmtpChannel:
    """Sends each message as a multipart (text + HTML) e-mail."""

    def __init__(
        self,
        name,
        host,
        port=25,
        sender="kam@localhost",
        recipients=(),
        timeout=10,
        starttls=False,
        username=None,
        password=None,
    ):
        if not recipients:
            raise ConfigError("an smtp channel needs recipients", field=f"NOTIFY_CHANNELS.{name}.recipients")
        self.name, self.host, self.port, self.sender = name, host, int(port), sender
        self.recipients, self.timeout, self.starttls = list(recipients), timeout, starttls
        self.username, self.password = username, password

    def send(self, message) -> None:
        mail = EmailMessage()
        mail["Subject"], mail["From"], mail["To"] = message.subject, self.sender, ", ".join(self.recipients)
        mail["X-KAM-Message"] = str(message.id)
        mail.set_content(message.markdown)
        mail.add_alternative(message.html, subtype="html")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)


class WebhookChannel:
    """POSTs each message as JSON; any non-2xx answer is a failure."""

    def __init__(self, name, url, timeout=10):
        self.name, self.url, self.timeout = name, url, timeout

    def send(self, message) -> None:
        body = json.dumps(
            {
                "id": message.id,
                "kind": message.kind,
                "business_line": message.business_line,
                "subject": message.subject,
                "markdown": message.markdown,
                "data": message.data,
            },
            ensure_ascii=False,
        ).encode("utf-8")
        request = urllib.request.Request(
            self.url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            if not 200 <= answer.status < 300:
                raise RuntimeError(f"webhook answered {answer.status}")


TYPES = {"outbox": OutboxChannel, "smtp": SmtpChannel, "webhook": WebhookChannel}


def build(specs: list[Mapping[str, Any]]) -> dict[str, Any]:
    channels = {}
    for i, spec in enumerate(specs or []):
        spec = dict(spec)
        kind = spec.pop("type", None)
        name = spec.setdefault("name", kind or str(i))
        if kind not in TYPES:
            raise ConfigError(
                f"unknown channel type {kind!r}; known: {', '.join(TYPES)}", field=f"NOTIFY_CHANNELS.{i}.type"
            )
        try:
            channels[name] = TYPES[kind](**spec)
        except TypeError as exc:
            raise ConfigError(str(exc), field=f"NOTIFY_CHANNELS.{i}") from None
    return channels


class Channels(DependencyProvider):
    """The configured channels, by name (default: an outbox directory under var/)."""

    def setup(self):
        specs = self.container.config.get("NOTIFY_CHANNELS") or [
            {"name": "outbox", "type": "outbox", "dir": "var/outbox"}
        ]
        self.channels = build(specs)

    def get_dependency(self, worker_ctx):
        return self.channels
