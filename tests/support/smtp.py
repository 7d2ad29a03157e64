"""Real SMTP servers on 127.0.0.1 for tests (aiosmtpd), plain or with STARTTLS + AUTH.

    @pytest.fixture
    def smtp_server() -> Iterator[SmtpServer]:
        with plain_server() as server:        # .port, .messages (received EmailMessage)
            yield server

    with tls_server(tmp_path) as server: ...  # requires STARTTLS, then login USERNAME/PASSWORD;
                                              # server.ca_file is the certificate to trust

The TLS certificate is self-signed and made by the test with `cryptography`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from tests.support.tools import require_module

USERNAME = "arsip"
PASSWORD = "rahasia-uji"


@dataclass
class SmtpServer:
    """A running server and what it has received."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    ca_file: Path | None = None


class _Collector:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.server.messages.append(parsed)
        self.server.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _authenticator(server: SmtpServer) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def check(_srv: Any, _session: Any, _env: Any, _mechanism: str, data: Any) -> Any:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USERNAME.encode(),
            PASSWORD.encode(),
        )
        if ok:
            server.logins.append(USERNAME)
        return AuthResult(success=ok, handled=False)

    return check


def self_signed_tls(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1 and the certificate file a client must trust."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file = folder / "smtp-cert.pem"
    key_file = folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context, cert_file


@contextmanager
def _run(server: SmtpServer, **smtp_options: Any) -> Iterator[SmtpServer]:
    require_module("aiosmtpd")
    from aiosmtpd.controller import Controller

    controller = Controller(
        _Collector(server), hostname=server.host, port=server.port, **smtp_options
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def plain_server(port: int | None = None) -> AbstractContextManager[SmtpServer]:
    """A plain SMTP server on 127.0.0.1 that accepts everything (on `port` if given)."""
    return _run(SmtpServer("127.0.0.1", port or free_port()))


def tls_server(folder: Path) -> AbstractContextManager[SmtpServer]:
    """An SMTP server that requires STARTTLS and then login (USERNAME / PASSWORD)."""
    context, cert_file = self_signed_tls(folder)
    server = SmtpServer("127.0.0.1", free_port(), ca_file=cert_file)
    return _run(
        server,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=_authenticator(server),
    )
