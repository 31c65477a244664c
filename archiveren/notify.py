"""Tell operators when a source keeps failing: a webhook POST and/or an e-mail, from config."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any

import httpx

from archiveren.logs import redact
from config.models import NotifySettings

log = logging.getLogger("archiveren.notify")


def notify_repeated_failure(
    settings: NotifySettings, source: str, failures: int, last_runs: list[Any]
) -> None:
    errors = redact("; ".join(last_runs[0].errors[:3])) if last_runs else ""
    summary = (
        f"archiveren: source {source} failed {failures} runs in a row. Last errors: {errors or '-'}"
    )
    log.error("%s", summary)
    if settings.webhook_url:
        try:
            httpx.post(
                settings.webhook_url,
                json={
                    "source": source,
                    "consecutive_failures": failures,
                    "errors": errors,
                    "text": summary,
                },
                timeout=10,
            )
        except httpx.HTTPError as exc:
            log.error("webhook %s could not be reached: %s", settings.webhook_url, exc)
    if settings.email_to:
        message = EmailMessage()
        message["Subject"] = f"archiveren: {source} faalt ({failures}x)"
        message["From"] = settings.email_from
        message["To"] = settings.email_to
        message.set_content(summary)
        try:
            with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
                smtp.send_message(message)
        except OSError as exc:
            log.error("e-mail to %s could not be sent: %s", settings.email_to, exc)
