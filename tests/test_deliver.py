"""Delivery: message building, the outbox, and SMTP against a real aiosmtpd server."""

from __future__ import annotations

import base64
import re
import socket
import ssl
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from reports.deliver import (
    Outbox,
    SmtpSender,
    build_message,
    id_domain,
    message_bytes,
    message_id,
    parse_raw,
)
from reports.deliver.message import LAST_RESORT_DOMAIN, host_name, machine_domain
from reports.errors import DeliveryError, PermanentDeliveryError, TemporaryDeliveryError
from reports.settings import SmtpSettings

from conftest import Mailbox, ScriptedSmtp, free_port

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
PASSWORD = "s3cret-Pa55word"
WHEN = datetime(2026, 11, 22, 7, 30, tzinfo=UTC)


def make_message(to_addr: str = "maya@example.org", **fields: Any) -> EmailMessage:
    """A complete sheet email for one athlete; any field can be overridden."""
    values: dict[str, Any] = {
        "to_name": "Maya Chen",
        "to_addr": to_addr,
        "sender": "Dana Brooks <dana@example.org>",
        "reply_to": "dana@example.org",
        "subject": "Your calf-cramp sheet for the week of Nov 16",
        "text": "Hi Maya, your sheet is attached.",
        "html": "<p>Hi Maya, your sheet is <b>attached</b>.</p>",
        "attachment": PDF,
        "attachment_name": "Maya Chen – cramp sheet.pdf",
        "msg_id": message_id(to_addr, "sheet-1"),
        "date": WHEN,
    }
    values.update(fields)
    return build_message(**values)


def parse(raw: bytes) -> EmailMessage:
    """Parse bytes as a mail reader would."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    return msg


def pdf_of(msg: EmailMessage) -> tuple[str | None, bytes]:
    """The attached PDF's file name and bytes."""
    (part,) = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    return part.get_filename(), part.get_content()


# --- building messages -------------------------------------------------------------------


def test_message_id_is_stable_per_athlete_and_sheet() -> None:
    """The same athlete and sheet always give the same id; a changed sheet gives a new one."""
    first = message_id("maya chen", "abc", "club.example")
    assert first == message_id("maya chen", "abc", "club.example")
    assert first != message_id("maya chen", "abd", "club.example")
    assert first != message_id("leo park", "abc", "club.example")
    assert first.startswith("<") and first.endswith("@club.example>")


SENDER_DOMAINS = [
    ("Club <coach@club.example>", "club.example"),
    ("coach@Club.Example.", "club.example"),  # one spelling, so one id for the same sheet
    ('"Smith, Dana" <dana@harriers.example.org>', "harriers.example.org"),
    ("Trainer <t@bücher.example>", "xn--bcher-kva.example"),  # IDNA: ASCII in the header
    ("Coach", None),  # no address at all
    ("@club.example", None),
    ("coach@[192.0.2.1]", None),  # an address literal names no host
    ("coach@-club-.example", None),
    ("coach@club_site.example", None),
    ("coach@club..example", None),
]


@pytest.mark.parametrize(("sender", "domain"), SENDER_DOMAINS, ids=[s for s, _ in SENDER_DOMAINS])
def test_message_ids_carry_the_senders_domain_else_the_machines_name(
    sender: str, domain: str | None
) -> None:
    """`[delivery] from`'s domain when it is a valid host name; else this machine's name."""
    assert id_domain(sender) == (domain or machine_domain())


def test_the_machines_name_is_a_valid_message_id_domain() -> None:
    """The fallback is the machine's name, checked like any domain, the same on every call."""
    expected = host_name(socket.getfqdn()) or host_name(socket.gethostname())
    assert machine_domain() == (expected or LAST_RESORT_DOMAIN) == machine_domain()
    assert re.fullmatch(r"<[0-9a-f]{40}@[a-z0-9.-]+>", message_id("maya chen", "abc"))
    assert message_id("maya chen", "abc").endswith(f"@{machine_domain()}>")


def test_message_has_text_html_and_the_pdf_with_a_readable_name() -> None:
    """A built message carries plain text, an HTML alternative and the PDF, bytes unchanged."""
    msg = parse(message_bytes(make_message()))
    assert msg["To"] == "Maya Chen <maya@example.org>"
    assert msg["Reply-To"] == "dana@example.org"
    assert msg["Message-ID"] == message_id("maya@example.org", "sheet-1")
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and "your sheet is attached" in plain.get_content()
    assert html is not None and "<b>attached</b>" in html.get_content()
    assert pdf_of(msg) == ("Maya Chen – cramp sheet.pdf", PDF)


@pytest.mark.parametrize(
    "field",
    [
        {"to_name": "Maya\r\nBcc: everyone@example.org"},
        {"to_addr": "maya@example.org\nBcc: everyone@example.org"},
        {"subject": "Sheet\nBcc: everyone@example.org"},
        {"sender": "Dana <dana@example.org>\r\nBcc: x@example.org"},
        {"reply_to": "dana@example.org\rBcc: x@example.org"},
        {"attachment_name": "sheet.pdf\nContent-Type: text/html"},
        {"cc": "kim@example.org\nBcc: everyone@example.org"},
    ],
)
def test_header_injection_is_refused(field: dict[str, str]) -> None:
    """A line break in any header value is refused before a message exists."""
    with pytest.raises(DeliveryError, match="line break"):
        make_message(**field)


def test_a_parent_is_copied_and_reaches_the_server_envelope() -> None:
    """`cc` puts the parent on a Cc header, so the mail server delivers to them too."""
    msg = make_message(cc="kim@example.org")
    assert [a.addr_spec for a in msg["Cc"].addresses] == ["kim@example.org"]
    assert [a.addr_spec for a in msg["To"].addresses] == ["maya@example.org"]


@pytest.mark.parametrize("addr", ["maya", "maya@", "a@b.org, c@d.org", "maya chen@example.org"])
def test_a_malformed_recipient_is_refused(addr: str) -> None:
    """Anything but exactly one mailbox in the To address is refused."""
    with pytest.raises(DeliveryError, match="not an email address"):
        make_message(to_addr=addr, msg_id=message_id("x", "y"))


def test_parse_message_gives_back_the_identical_bytes() -> None:
    """Bytes kept in the ledger can be re-sent unchanged after a crash."""
    raw = message_bytes(make_message())
    assert message_bytes(parse_raw(raw)) == raw


# --- outbox ------------------------------------------------------------------------------


def test_outbox_writes_a_parseable_eml_with_the_pdf(tmp_path: Path) -> None:
    """Each message becomes one `.eml` a mail reader can open, with the PDF intact."""
    outbox = Outbox(tmp_path / "outbox")
    detail = outbox.send(make_message())
    (eml,) = (tmp_path / "outbox").iterdir()
    assert detail == f"outbox/{eml.name}" and eml.suffix == ".eml"
    msg = parse(eml.read_bytes())
    assert msg["Subject"] == "Your calf-cramp sheet for the week of Nov 16"
    assert pdf_of(msg)[1] == PDF


def test_outbox_writes_a_message_id_once_and_leaves_no_temp_files(tmp_path: Path) -> None:
    """Sending the same Message-ID again returns the same file and does not rewrite it."""
    outbox = Outbox(tmp_path)
    first = outbox.send(make_message())
    eml = tmp_path / first.split("/", 1)[1]
    eml.write_bytes(b"marker")  # a rewrite would replace this
    assert outbox.send(make_message(subject="changed")) == first
    assert eml.read_bytes() == b"marker"
    outbox.send(make_message(msg_id=message_id("maya@example.org", "sheet-2")))
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".eml", ".eml"]


def test_an_unwritable_outbox_says_how_to_fix_it(tmp_path: Path) -> None:
    """A path that cannot become a folder gives a DeliveryError naming [paths] outbox."""
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(DeliveryError, match=r"\[paths\] outbox"):
        Outbox(blocker).send(make_message())


# --- SMTP --------------------------------------------------------------------------------


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    """Accept only the coach's account with the test password."""
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        b"coach",
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate and key for 127.0.0.1, made with openssl."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """The server side of TLS: the test certificate and key."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def client_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """The client side of TLS: verifying, and trusting only the test certificate."""
    return ssl.create_default_context(cafile=str(certificate[0]))


def settings_for(port: int, **fields: Any) -> SmtpSettings:
    """SMTP settings for the local test server: plain, fast timeouts, no rate limit."""
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "rate_per_minute": 0,
        "timeout_seconds": 5.0,
        "retries": 2,
        "retry_backoff_seconds": 1.5,
    }
    values.update(fields)
    return SmtpSettings(**values)


def test_smtp_delivers_recipients_subject_bodies_and_pdf(smtp_server: Callable[..., Any]) -> None:
    """A plain relay receives the message for the right recipient with bodies and PDF intact."""
    box = Mailbox()
    port = smtp_server(box).port
    with SmtpSender(settings_for(port)) as sender:
        detail = sender.send(make_message())
    assert detail.startswith(f"250 accepted by 127.0.0.1:{port}")
    (arrival,) = box.arrived
    assert arrival.rcpt_tos == ["maya@example.org"]
    msg = parse(arrival.content)
    assert msg["Subject"] == "Your calf-cramp sheet for the week of Nov 16"
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None and "attached" in plain.get_content()
    assert html is not None and "<b>attached</b>" in html.get_content()
    assert pdf_of(msg)[1] == PDF


def test_starttls_with_login_delivers(
    smtp_server: Callable[..., Any], server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    """STARTTLS, then login with the password from settings, then delivery."""
    box = Mailbox()
    port = smtp_server(
        box, tls_context=server_tls, require_starttls=True, authenticator=authenticate,
        auth_required=True, auth_require_tls=True,
    ).port  # fmt: skip
    settings = settings_for(port, security="starttls", username="coach", password=PASSWORD)
    with SmtpSender(settings, ssl_context=client_tls) as sender:
        sender.send(make_message())
    assert len(box.arrived) == 1


def test_a_refused_login_names_the_user_and_env_var_but_never_the_password(
    smtp_server: Callable[..., Any], server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    """Wrong credentials stop with a DeliveryError that says what to check."""
    port = smtp_server(Mailbox(), tls_context=server_tls, authenticator=authenticate).port
    wrong = PASSWORD + "-old"
    settings = settings_for(port, security="starttls", username="coach", password=wrong)
    with (
        SmtpSender(settings, ssl_context=client_tls) as sender,
        pytest.raises(DeliveryError) as caught,
    ):
        sender.send(make_message())
    assert not isinstance(caught.value, TemporaryDeliveryError | PermanentDeliveryError)
    text = str(caught.value)
    assert "'coach'" in text and "CRAMP_REPORTS_SMTP_PASSWORD" in text
    assert PASSWORD not in text and wrong not in text


def test_a_missing_password_names_the_environment_variable(
    smtp_server: Callable[..., Any], server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    """A username without a password says which variable to set, before any login attempt."""
    port = smtp_server(Mailbox(), tls_context=server_tls, authenticator=authenticate).port
    settings = settings_for(port, security="starttls", username="coach", password=None)
    with (
        SmtpSender(settings, ssl_context=client_tls) as sender,
        pytest.raises(DeliveryError, match="CRAMP_REPORTS_SMTP_PASSWORD is empty or not set"),
    ):
        sender.send(make_message())


def test_an_untrusted_certificate_stops_without_retrying(
    smtp_server: Callable[..., Any], server_tls: ssl.SSLContext
) -> None:
    """A certificate the system does not trust is a setup problem, not a temporary one."""
    box = Mailbox()
    port = smtp_server(box, ssl_context=server_tls).port
    sleeps: list[float] = []
    with (
        SmtpSender(settings_for(port, security="tls"), sleep=sleeps.append) as sender,
        pytest.raises(DeliveryError, match="TLS with the mail server") as caught,
    ):
        sender.send(make_message())
    assert not isinstance(caught.value, TemporaryDeliveryError)
    assert sleeps == [] and box.arrived == []


def test_starttls_missing_on_the_server_is_refused_not_skipped(
    smtp_server: Callable[..., Any],
) -> None:
    """A server without STARTTLS is never used unencrypted when starttls was asked for."""
    box = Mailbox()
    port = smtp_server(box).port
    with (
        SmtpSender(settings_for(port, security="starttls")) as sender,
        pytest.raises(DeliveryError, match="does not offer STARTTLS"),
    ):
        sender.send(make_message())
    assert box.arrived == []


def test_implicit_tls_delivers(
    smtp_server: Callable[..., Any], server_tls: ssl.SSLContext, client_tls: ssl.SSLContext
) -> None:
    """security = "tls" speaks TLS from the first byte (SMTP_SSL)."""
    box = Mailbox()
    port = smtp_server(box, ssl_context=server_tls).port
    with SmtpSender(settings_for(port, security="tls"), ssl_context=client_tls) as sender:
        sender.send(make_message())
    assert len(box.arrived) == 1


def test_a_451_is_retried_after_a_pause_and_delivered_once(smtp_server: Callable[..., Any]) -> None:
    """ "Try again later" is retried with backoff; the message arrives exactly once."""
    box = Mailbox(data_replies=("451 4.3.0 try again later",))
    port = smtp_server(box).port
    sleeps: list[float] = []
    with SmtpSender(settings_for(port), sleep=sleeps.append) as sender:
        sender.send(make_message())
    assert len(box.arrived) == 1
    assert sleeps == [1.5]


def test_a_421_reconnects_and_delivers_once(smtp_server: Callable[..., Any]) -> None:
    """A server closing the connection (421) is answered by reconnecting and resending."""
    box = Mailbox(data_replies=("421 4.3.2 shutting down",))
    port = smtp_server(box).port
    with SmtpSender(settings_for(port), sleep=lambda _: None) as sender:
        sender.send(make_message())
        sender.send(make_message(to_addr="leo@example.org"))
    assert [a.rcpt_tos for a in box.arrived] == [["maya@example.org"], ["leo@example.org"]]
    assert box.peers[0] != box.peers[1] == box.peers[2]


def test_backoff_doubles_until_retries_run_out(smtp_server: Callable[..., Any]) -> None:
    """A server that keeps deferring gets 1 + retries attempts, pauses doubling, then gives up."""
    box = Mailbox(data_replies=("451 4.3.0 busy",) * 4)
    port = smtp_server(box).port
    sleeps: list[float] = []
    with (
        SmtpSender(settings_for(port, retries=3), sleep=sleeps.append) as sender,
        pytest.raises(TemporaryDeliveryError, match="451"),
    ):
        sender.send(make_message())
    assert sleeps == [1.5, 3.0, 6.0]
    assert box.arrived == []


def test_a_550_fails_one_message_and_the_connection_goes_on(
    smtp_server: Callable[..., Any],
) -> None:
    """A permanently refused address raises for that message; later ones use the same link."""
    box = Mailbox(refuse=("gone@example.org",))
    port = smtp_server(box).port
    with SmtpSender(settings_for(port)) as sender:
        sender.send(make_message())
        with pytest.raises(PermanentDeliveryError, match=r"gone@example\.org.*550"):
            sender.send(make_message(to_addr="gone@example.org"))
        sender.send(make_message(to_addr="leo@example.org"))
    assert [a.rcpt_tos for a in box.arrived] == [["maya@example.org"], ["leo@example.org"]]
    assert box.arrived[0].peer == box.arrived[1].peer
    assert len(set(box.peers)) == 1


def test_a_server_that_is_down_gives_a_temporary_error_with_a_hint() -> None:
    """After the retries the error names host:port and the fix, and never the password."""
    port = free_port()
    sleeps: list[float] = []
    settings = settings_for(port, username="coach", password=PASSWORD, retries=2)
    with (
        SmtpSender(settings, sleep=sleeps.append) as sender,
        pytest.raises(TemporaryDeliveryError) as caught,
    ):
        sender.send(make_message())
    text = str(caught.value)
    assert f"127.0.0.1:{port}" in text and "[smtp] host/port" in text and "outbox" in text
    assert PASSWORD not in text and PASSWORD not in repr(settings)
    assert sleeps == [1.5, 3.0]


class FakeTime:
    """A clock that only moves when something sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_rate_limit_holds_the_third_message_of_a_minute(
    smtp_server: Callable[..., Any],
) -> None:
    """With 2 a minute, two messages go at once and the third waits out the minute."""
    box = Mailbox()
    port = smtp_server(box).port
    fake = FakeTime()
    settings = settings_for(port, rate_per_minute=2)
    with SmtpSender(settings, sleep=fake.sleep, clock=fake.clock) as sender:
        for addr in ("a@example.org", "b@example.org", "c@example.org"):
            sender.send(make_message(to_addr=addr))
    assert fake.sleeps == [pytest.approx(60.0)]
    assert len(box.arrived) == 3


@pytest.mark.parametrize("behaviour", ["echo-plain", "echo-login"])
def test_a_server_quoting_the_credentials_back_never_gets_them_into_the_error(
    scripted_smtp: Callable[[str], ScriptedSmtp], behaviour: str
) -> None:
    """The refusal is shown with the password, plain or base64 as AUTH sent it, as ***."""
    server = scripted_smtp(behaviour)
    settings = settings_for(server.port, username="coach", password=PASSWORD)
    with SmtpSender(settings) as sender, pytest.raises(DeliveryError) as caught:
        sender.send(make_message())
    text = str(caught.value)
    secrets = [PASSWORD, f"\0coach\0{PASSWORD}"]
    assert "refused the login for 'coach'" in text and "***" in text
    assert not any(s in text or base64.b64encode(s.encode()).decode() in text for s in secrets)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
