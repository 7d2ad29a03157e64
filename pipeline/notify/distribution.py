"""Mailing the signed record to each recipient that has an address.

Deliveries are planned in the same journal transaction that closes the case; sending happens
afterwards and is retried with back-off, so a mail server that is down never blocks archiving.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.core.office import SmtpSettings
from pipeline.notify.mail import Attachment, MailError, next_retry, send_mail
from pipeline.settings import Settings
from pipeline.store.journal import DeliveryRecord, Journal

log = logging.getLogger(__name__)
Sender = Callable[[SmtpSettings, Sequence[str], str, str, Sequence[Attachment]], None]


def message_for(settings: Settings, delivery: DeliveryRecord) -> tuple[str, str]:
    """Subject and body (Indonesian) of the mail carrying a signed record."""
    sop = settings.sop_of(delivery.case_id)
    title = sop.judul_dokumen if sop else "Naskah"
    nomor = sop.nomor if sop else ""
    recipient = next(
        (p.nama for p in settings.office.penerima if p.slug == delivery.recipient),
        delivery.recipient,
    )
    subject = f"{delivery.case_id} — {title}"
    body = (
        f"Yth. {recipient},\n\n"
        f"Bersama ini kami sampaikan {title} ({delivery.case_id}) yang telah ditandatangani\n"
        f"Kepala Dinas, sesuai SOP {nomor}. Dokumen terlampir dalam format PDF.\n\n"
        f"Hormat kami,\n{settings.office.nama} {settings.office.daerah}\n"
    )
    return subject, body


@dataclass
class Distributor:
    settings: Settings
    journal: Journal
    clock: Callable[[], datetime]
    send: Sender = send_mail

    def run_due(self) -> tuple[int, int]:
        """Try every delivery whose time has come; returns (sent, failed)."""
        sent = failed = 0
        for delivery in self.journal.deliveries(due_at=self.clock()):
            if self._attempt(delivery):
                sent += 1
            else:
                failed += 1
        return sent, failed

    def _attempt(self, delivery: DeliveryRecord) -> bool:
        now = self.clock()
        try:
            self._send(delivery)
        except (MailError, OSError) as exc:
            retry = next_retry(delivery.attempts + 1, now)
            log.warning(
                "mail of %s to %s failed (%s); next try at %s",
                delivery.case_id,
                delivery.email,
                exc,
                retry,
            )
            self.journal.record_delivery(delivery.id, now, str(exc), retry)
            return False
        self.journal.record_delivery(delivery.id, now, None, None)
        log.info("mailed %s to %s", delivery.case_id, delivery.email)
        return True

    def _send(self, delivery: DeliveryRecord) -> None:
        smtp = self.settings.office.smtp
        if smtp is None:
            raise MailError("no SMTP server configured ([smtp] host in config/kantor.toml)")
        subject, body = message_for(self.settings, delivery)
        data = (self.settings.root / delivery.attachment).read_bytes()
        name = Path(delivery.attachment).name.split(" - ", 1)[-1]
        self.send(smtp, [delivery.email], subject, body, [(name, data, "application/pdf")])
