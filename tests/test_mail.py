"""Mail through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.core.office import SmtpSettings
from pipeline.notify.mail import MailError, next_retry, send_mail
from tests.support.smtp import (
    PASSWORD,
    USERNAME,
    SmtpServer,
    free_port,
    plain_server,
    tls_server,
)

pytestmark = pytest.mark.smtp

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
SENDER = "arsip@dispusip.example.go.id"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with plain_server() as server:
        yield server


@pytest.fixture
def smtp_tls_server(tmp_path: Path) -> Iterator[SmtpServer]:
    with tls_server(tmp_path) as server:
        yield server


def settings_for(server: SmtpServer, **overrides: object) -> SmtpSettings:
    base = SmtpSettings(host=server.host, port=server.port, sender=SENDER, timeout=10)
    return SmtpSettings(**{**base.__dict__, **overrides})  # type: ignore[arg-type]


def test_recipients_receive_the_pdf_byte_identical(smtp_server: SmtpServer) -> None:
    to = ["bidang.layanan@example.go.id", "sekretaris@example.go.id"]
    send_mail(
        settings_for(smtp_server),
        to,
        "Laporan Kinerja DK-2026-001",
        "Terlampir laporan yang telah ditandatangani.",
        [("DK-2026-001 laporan.pdf", PDF, "application/pdf")],
    )
    [message] = smtp_server.messages
    assert smtp_server.recipients == [to]
    assert message["Subject"] == "Laporan Kinerja DK-2026-001"
    assert message["From"] == SENDER
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "DK-2026-001 laporan.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "ditandatangani" in body.get_content()


def test_starttls_and_login(smtp_tls_server: SmtpServer) -> None:
    settings = settings_for(
        smtp_tls_server,
        starttls=True,
        username=USERNAME,
        password=PASSWORD,
        ca_file=smtp_tls_server.ca_file,
    )
    send_mail(settings, ["kepala@example.go.id"], "TTE", "isi", [("a.pdf", PDF, "application/pdf")])
    assert smtp_tls_server.logins == [USERNAME]
    [message] = smtp_tls_server.messages
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content() == PDF


def test_wrong_password_is_a_mail_error(smtp_tls_server: SmtpServer) -> None:
    settings = settings_for(
        smtp_tls_server,
        starttls=True,
        username=USERNAME,
        password="salah",
        ca_file=smtp_tls_server.ca_file,
    )
    with pytest.raises(MailError, match="535"):
        send_mail(settings, ["kepala@example.go.id"], "TTE", "isi", [])
    assert smtp_tls_server.messages == []


def test_untrusted_server_certificate_is_a_mail_error(smtp_tls_server: SmtpServer) -> None:
    settings = settings_for(smtp_tls_server, starttls=True, username=USERNAME, password=PASSWORD)
    with pytest.raises(MailError, match="CERTIFICATE_VERIFY_FAILED"):
        send_mail(settings, ["kepala@example.go.id"], "TTE", "isi", [])
    assert smtp_tls_server.messages == []


def test_server_down_is_a_mail_error() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), sender=SENDER, timeout=5)
    with pytest.raises(MailError, match="failed"):
        send_mail(settings, ["x@example.go.id"], "s", "b", [("a.pdf", PDF, "application/pdf")])


def test_no_recipient_is_a_mail_error(smtp_server: SmtpServer) -> None:
    with pytest.raises(MailError):
        send_mail(settings_for(smtp_server), [], "s", "b", [])
    assert smtp_server.messages == []


def test_retry_schedule_grows_and_caps() -> None:
    last = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    cap = timedelta(hours=6)
    delays = [next_retry(n, last, cap=cap) - last for n in range(1, 12)]
    assert delays[:4] == [timedelta(minutes=m) for m in (5, 10, 20, 40)]
    assert all(a <= b for a, b in itertools.pairwise(delays))
    assert max(delays) == cap
    assert delays[-1] == cap
    assert next_retry(10_000, last, cap=cap) - last == cap
    assert next_retry(0, last) == last
