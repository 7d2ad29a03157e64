"""Sending the signed record to recipients by e-mail (SMTP, optional STARTTLS and login).

Interface:

    settings = SmtpSettings(host="mail.example.go.id", port=587, starttls=True,
                            username="arsip", password="...", sender="arsip@example.go.id")
    send_mail(settings, ["bidang@example.go.id"], subject, body,
              [("laporan.pdf", pdf_bytes, "application/pdf")])      # raises MailError
    when = next_retry(attempts=2, last=failed_at)                    # pure back-off schedule

A failed delivery raises `MailError`; the caller records it and retries at `next_retry(...)`.
Mail never blocks archiving: the caller sends after the record is filed.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from pipeline.core.errors import PipelineError
from pipeline.core.office import SmtpSettings

log = logging.getLogger(__name__)

RETRY_BASE = timedelta(minutes=5)
RETRY_CAP = timedelta(hours=6)


class MailError(PipelineError):
    """A message could not be delivered to the SMTP server (for the operator, in English)."""


Attachment = tuple[str, bytes, str]


def build_message(
    sender: str,
    to: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Attachment],
) -> EmailMessage:
    """The message with its attachments (filename, bytes, MIME type such as application/pdf)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    for filename, data, mime_type in attachments:
        maintype, _, subtype = mime_type.partition("/")
        message.add_attachment(
            data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename
        )
    return message


def send_mail(
    settings: SmtpSettings,
    to: Sequence[str],
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
) -> None:
    """Deliver one message to every address in `to`; raise `MailError` if any is refused."""
    if not to:
        raise MailError("no recipient address")
    message = build_message(settings.sender, to, subject, body, attachments)
    try:
        refused = _deliver(settings, message)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(
            f"sending to {', '.join(to)} via {settings.host}:{settings.port} failed: {exc}"
        ) from exc
    if refused:
        raise MailError(f"recipients refused by {settings.host}: {', '.join(sorted(refused))}")
    log.info("mail '%s' sent to %s", subject, ", ".join(to))


def _deliver(settings: SmtpSettings, message: EmailMessage) -> dict[str, tuple[int, bytes]]:
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as client:
        if settings.starttls:
            client.starttls(context=_tls_context(settings))
        if settings.username:
            client.login(settings.username, settings.password or "")
        return client.send_message(message)


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    cafile = str(settings.ca_file) if settings.ca_file else None
    return ssl.create_default_context(cafile=cafile)


def next_retry(
    attempts: int,
    last: datetime,
    *,
    base: timedelta = RETRY_BASE,
    cap: timedelta = RETRY_CAP,
) -> datetime:
    """When to try again after `attempts` failed attempts, the last one at `last`.

    The delay doubles with each failure (base, 2·base, 4·base, ...) and never exceeds `cap`.
    """
    if attempts <= 0:
        return last
    delay: timedelta = min(base * (2 ** min(attempts - 1, 32)), cap)
    return last + delay
