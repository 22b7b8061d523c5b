"""Email delivery: build one message per sheet, then write it to the outbox or send it by SMTP."""

from __future__ import annotations

import copy
import hashlib
import ipaddress
import logging
import os
import re
import smtplib
import ssl
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from pathlib import Path
from typing import NoReturn, Self

from reports.errors import DeliveryError, PermanentDeliveryError, TemporaryDeliveryError
from reports.settings import SmtpSettings

log = logging.getLogger(__name__)

# Every character that Python's email package (or a mail server) may treat as a line end.
_BREAKS = frozenset("\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_MSG_ID = re.compile(r"<[^<>@\s]+@[^<>@\s]+>")
_WIRE = policy.SMTP  # CRLF line ends: what mail servers and .eml readers expect
_SMTP_HINT = 'check [smtp] host/port in cramp-reports.toml, or use delivery.mode = "outbox"'
_LATER_HINT = "the message stays pending and is sent again on the next pass"
_ADDRESS_FIX = "check the athlete's email address in the roster"
_CONTENT_FIX = "the server refused the message itself; its reply says why"
_SENDER_FIX = "check [delivery] from and the account [smtp] username may send as"
_STARTTLS_FIX = 'set [smtp] security = "tls" (usually port 465), or "none" for a local relay'


def message_id(athlete_key: str, sheet_key: str, domain: str = "cramp-reports.invalid") -> str:
    """A Message-ID that is the same every time for this athlete and this exact sheet."""
    _refuse_breaks("Message-ID domain", domain)
    digest = hashlib.sha256(f"{athlete_key}\x00{sheet_key}".encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def build_message(
    *,
    to_name: str,
    to_addr: str,
    sender: str,
    reply_to: str | None,
    subject: str,
    text: str,
    html: str | None,
    attachment: bytes | None,
    attachment_name: str | None,
    msg_id: str,
    date: datetime,
) -> EmailMessage:
    """One athlete's email: plain text with an HTML alternative and the PDF sheet attached."""
    for label, value in (
        ("recipient name", to_name),
        ("recipient address", to_addr),
        ("[delivery] from", sender),
        ("[delivery] reply_to", reply_to),
        ("subject", subject),
        ("attachment name", attachment_name),
        ("Message-ID", msg_id),
    ):
        _refuse_breaks(label, value)
    if not _MSG_ID.fullmatch(msg_id):
        raise DeliveryError(f"Message-ID {msg_id!r} is not of the form <id@domain>")
    msg = EmailMessage(policy=policy.default)
    msg["From"] = _one_address("[delivery] from", sender)
    msg["To"] = _recipient(to_name, to_addr)
    if reply_to:
        msg["Reply-To"] = _one_address("[delivery] reply_to", reply_to)
    msg["Subject"] = subject
    msg["Date"] = date
    msg["Message-ID"] = msg_id
    # Asks vacation responders not to answer an automated sheet.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    if attachment is not None:
        msg.add_attachment(
            attachment, maintype="application", subtype="pdf", filename=_pdf_name(attachment_name)
        )
    return msg


def message_bytes(message: EmailMessage) -> bytes:
    """The message as sent and stored (CRLF line ends), e.g. to keep in the ledger."""
    return message.as_bytes(policy=_WIRE)


def parse_raw(raw: bytes) -> EmailMessage:
    """Read back bytes from `message_bytes` (or an `.eml` file) to send them again unchanged."""
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)  # policy.default always builds EmailMessage
    return parsed


def _refuse_breaks(label: str, value: str | None) -> None:
    """Refuse a header value with a line break, which could smuggle in extra headers."""
    if value is not None and any(ch in _BREAKS for ch in value):
        raise DeliveryError(
            f"the {label} {value[:60]!r} contains a line break, which would let it add mail "
            "headers — remove the line break (in the roster or cramp-reports.toml)"
        )


def _one_address(label: str, value: str) -> str:
    """Check that a configured address like `Coach <coach@example.org>` is one valid address."""
    pairs = getaddresses([value])
    if len(pairs) != 1 or not _valid_addr(pairs[0][1]):
        raise DeliveryError(
            f'{label} = {value!r} is not one email address — write it like "Coach <coach@example.org>"'
        )
    return value


def _recipient(name: str, addr: str) -> Address:
    """The To address, refusing anything that is not exactly one mailbox."""
    try:
        address = Address(display_name=name, addr_spec=addr.strip())
        valid = _valid_addr(address.addr_spec)
    except (ValueError, IndexError, MessageError):
        valid = False
    if not valid:
        raise DeliveryError(f"{addr!r} ({name}) is not an email address — fix it in the roster")
    return address


def _valid_addr(addr: str) -> bool:
    """True for `local@domain` with both parts present and no spaces."""
    local, at, domain = addr.rpartition("@")
    return bool(at and local and domain) and not any(ch.isspace() for ch in addr)


def _pdf_name(name: str | None) -> str:
    """A plain file name ending in .pdf, with no folder parts a mail reader could misuse."""
    cleaned = (name or "").replace("/", "-").replace("\\", "-").strip(" .") or "cramp-sheet"
    return cleaned if cleaned.lower().endswith(".pdf") else f"{cleaned}.pdf"


class Outbox:
    """Writes each message to `<folder>/<Message-ID>.eml`: the default, no mail server needed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> str:
        """Write the message once (same Message-ID, same file) and return e.g. `outbox/x.eml`."""
        name = _eml_name(message)
        target = self.folder / name
        detail = f"{self.folder.name}/{name}"
        if target.exists():
            log.info("%s is already in the outbox; not written again", name)
            return detail
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(target, message_bytes(message))
        except OSError as err:
            raise DeliveryError(
                f"cannot write {target} ({err.strerror or err}) — check that the outbox folder "
                "is writable and has free space, or set [paths] outbox in cramp-reports.toml"
            ) from err
        return detail


def _eml_name(message: EmailMessage) -> str:
    """A safe file name built from the Message-ID."""
    msg_id = str(message.get("Message-ID", "")).strip().strip("<>")
    if not msg_id:
        raise DeliveryError("the message has no Message-ID — build it with build_message()")
    safe = re.sub(r"[^A-Za-z0-9._@+-]", "_", msg_id)[:150]
    return f"_{safe[1:]}.eml" if safe.startswith(".") else f"{safe}.eml"


def _write_atomically(target: Path, data: bytes) -> None:
    """Write a temp file beside `target`, flush it to disk, then rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a power cut only once the folder is synced
    finally:
        os.close(dir_fd)


@dataclass(frozen=True)
class _Envelope:
    """What SMTP needs apart from the headers: who from, who to, the bytes and the options."""

    msg_id: str
    sender: str
    recipients: tuple[str, ...]
    data: bytes
    options: tuple[str, ...]


class _Retry(Exception):
    """Internal: a temporary failure worth another attempt after a pause."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class SmtpSender:
    """One SMTP connection for a batch, with TLS, login, a rate limit and retries with backoff."""

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._clock = clock
        self._ssl = ssl_context
        self._smtp: smtplib.SMTP | None = None
        self._started: deque[float] = deque()  # start times of the attempts of the last minute
        self._where = f"{settings.host}:{settings.port}"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def send(self, message: EmailMessage) -> str:
        """Hand the message to the server and return its answer, e.g. `250 accepted by host:587`."""
        envelope = _envelope(message)
        attempts = max(self._settings.retries, 0) + 1
        last = _Retry("not attempted", _SMTP_HINT)
        for attempt in range(attempts):
            if attempt:
                delay = self._settings.retry_backoff_seconds * 2 ** (attempt - 1)
                log.warning("%s; trying again in %.1f s", last.reason, delay)
                self._sleep(delay)
            self._throttle()
            try:
                return self._transact(envelope)
            except _Retry as err:
                last = err
        raise TemporaryDeliveryError(
            f"{last.reason}; gave up after {attempts} attempts — {last.hint}"
        )

    def _throttle(self) -> None:
        """Wait so that no more than `rate_per_minute` attempts start in any 60 seconds."""
        limit = self._settings.rate_per_minute
        if limit <= 0:
            return
        now = self._clock()
        while self._started and now - self._started[0] >= 60.0:
            self._started.popleft()
        if len(self._started) >= limit:
            wait = 60.0 - (now - self._started[0])
            log.info("rate limit of %d a minute reached; waiting %.1f s", limit, wait)
            self._sleep(wait)
            now = self._clock()
            while len(self._started) >= limit:
                self._started.popleft()
        self._started.append(now)

    def _transact(self, env: _Envelope) -> str:
        """One attempt: MAIL, RCPT, DATA on the open connection (opening it if needed)."""
        smtp = self._connection()
        try:
            code, reply = smtp.mail(env.sender, list(env.options))
            if code != 250:
                self._reset(smtp)
                what = f"the sender {env.sender} was refused"
                self._failed(code, reply, what, fix=_SENDER_FIX, setup=True)
            refused = []
            for rcpt in env.recipients:
                code, reply = smtp.rcpt(rcpt)
                if code not in (250, 251):
                    refused.append((rcpt, code, reply))
            if refused:
                # Nobody gets the message unless everybody can: a retry never duplicates it.
                self._reset(smtp)
                rcpt, code, reply = max(refused, key=lambda r: r[1])  # a 5xx outranks a 4xx
                self._failed(code, reply, f"{rcpt} was refused", fix=_ADDRESS_FIX)
            code, reply = smtp.data(env.data)
            if code != 250:
                self._failed(code, reply, f"{env.msg_id} was refused", fix=_CONTENT_FIX)
        except smtplib.SMTPResponseException as err:  # DATA not accepted with 354
            self._reset(smtp)
            self._failed(err.smtp_code, err.smtp_error, "DATA was refused", fix=_CONTENT_FIX)
        except (smtplib.SMTPServerDisconnected, OSError) as err:
            self._drop()
            raise _Retry(f"lost the connection to {self._where} ({err})", _SMTP_HINT) from err
        return f"{code} accepted by {self._where}" + _brief(reply, prefix=": ")

    def _failed(
        self, code: int, reply: bytes | str, what: str, *, fix: str, setup: bool = False
    ) -> NoReturn:
        """Classify a refusal: 4xx (421 also closes) is retried, 5xx is final."""
        # A final refusal of setup (sender, STARTTLS) concerns every message, so it is a
        # plain DeliveryError that stops the batch; otherwise it fails only this message.
        text = f"{what} by {self._where}: {code}{_brief(reply, prefix=' ')}"
        if code == 421:
            self._drop()
        if 500 <= code < 600:
            raise (DeliveryError if setup else PermanentDeliveryError)(f"{text} — {fix}")
        raise _Retry(text, _LATER_HINT)

    def _connection(self) -> smtplib.SMTP:
        """The open connection, or a new one: connected, encrypted as configured, logged in."""
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def _connect(self) -> smtplib.SMTP:
        """Open a connection as `[smtp] security` says and log in when a username is set."""
        s = self._settings
        try:
            if s.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout_seconds, context=self._context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
        except ssl.SSLError as err:
            raise self._tls_error(err) from err
        except (OSError, smtplib.SMTPException) as err:
            raise _Retry(
                f"cannot connect to the mail server at {self._where} ({err})", _SMTP_HINT
            ) from err
        try:
            smtp.ehlo()
            if s.security == "starttls":
                self._starttls(smtp)
            if s.username:
                self._login(smtp)
        except ssl.SSLError as err:
            smtp.close()
            raise self._tls_error(err) from err
        except (DeliveryError, _Retry):
            smtp.close()
            raise
        except (OSError, smtplib.SMTPException) as err:
            smtp.close()
            raise _Retry(
                f"the mail server at {self._where} failed to start ({err})", _SMTP_HINT
            ) from err
        log.info("connected to %s (%s)", self._where, s.security)
        return smtp

    def _starttls(self, smtp: smtplib.SMTP) -> None:
        """Upgrade to TLS, refusing to go on unencrypted when the server declines."""
        if not smtp.has_extn("starttls"):
            raise DeliveryError(f"{self._where} does not offer STARTTLS — {_STARTTLS_FIX}")
        code, reply = smtp.starttls(context=self._context())
        if code != 220:
            self._failed(code, reply, "STARTTLS was refused", fix=_STARTTLS_FIX, setup=True)
        smtp.ehlo()

    def _login(self, smtp: smtplib.SMTP) -> None:
        """Log in, never letting the password reach a log line or an error message."""
        s = self._settings
        if s.security == "none" and not _is_loopback(s.host):
            raise DeliveryError(
                f'[smtp] security = "none" would send the password for {s.username!r} to '
                f"{self._where} unencrypted — use starttls or tls, or clear [smtp] username"
            )
        if not s.password:
            raise DeliveryError(
                f"[smtp] username is {s.username!r} but the environment variable "
                f"{s.password_env} is empty or not set — set it to that account's password"
            )
        try:
            smtp.login(s.username, s.password)
        except smtplib.SMTPAuthenticationError as err:
            reply = _brief(err.smtp_error, prefix=" ").replace(s.password, "***")
            raise DeliveryError(
                f"the mail server at {self._where} refused the login for {s.username!r} "
                f"({err.smtp_code}{reply}) — check [smtp] username and the password in the "
                f"environment variable {s.password_env}"
            ) from None  # the chained error would carry the server's reply to our credentials
        except smtplib.SMTPNotSupportedError as err:
            raise DeliveryError(
                f"the mail server at {self._where} offers no login here — clear [smtp] username, "
                'or use security = "starttls" or "tls" (many servers allow login only over TLS)'
            ) from err
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException):
            raise  # a hang-up or a "try later": retried by the caller
        except smtplib.SMTPException as err:
            raise DeliveryError(
                f"the mail server at {self._where} offers no login method this program knows "
                f"({err}) — ask its administrator for PLAIN or LOGIN over TLS"
            ) from err

    def _context(self) -> ssl.SSLContext:
        """The TLS settings: the given context, else the system's trusted certificates."""
        if self._ssl is None:
            self._ssl = ssl.create_default_context()
        return self._ssl

    def _tls_error(self, err: ssl.SSLError) -> DeliveryError:
        """A TLS failure will not fix itself by retrying: say what to check."""
        return DeliveryError(
            f"TLS with the mail server at {self._where} failed ({err.reason or err}) — check "
            '[smtp] security ("starttls" usually on port 587, "tls" on 465) and that the '
            f"server's certificate is valid for {self._settings.host}"
        )

    def _reset(self, smtp: smtplib.SMTP) -> None:
        """Abandon the current transaction, keeping the connection for the next message."""
        try:
            smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        """Forget a broken connection without the QUIT handshake; the next attempt reconnects."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()


def _envelope(message: EmailMessage) -> _Envelope:
    """Sender, recipients (To, Cc, Bcc) and wire bytes (without Bcc) of a message."""
    msg_id = str(message.get("Message-ID", "")).strip() or "the message"
    headers = message.get_all("Sender") or message.get_all("From") or []
    senders = getaddresses([str(h) for h in headers])
    fields = [str(h) for name in ("To", "Cc", "Bcc") for h in message.get_all(name, [])]
    recipients = tuple(addr for _, addr in getaddresses(fields) if addr)
    if not senders or not senders[0][1]:
        raise DeliveryError(f"{msg_id} has no From address — set [delivery] from")
    if not recipients:
        raise DeliveryError(f"{msg_id} has no recipient")
    international = not all(a.isascii() for a in (senders[0][1], *recipients))
    wire = copy.copy(message)
    del wire["Bcc"]
    return _Envelope(
        msg_id=msg_id,
        sender=senders[0][1],
        recipients=recipients,
        data=wire.as_bytes(policy=_WIRE.clone(utf8=international)),
        options=("SMTPUTF8", "BODY=8BITMIME") if international else (),
    )


def _brief(reply: bytes | str, *, prefix: str) -> str:
    """A server reply as one short line (or nothing), for details and error messages."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    text = " ".join(text.split())[:200]
    return f"{prefix}{text}" if text else ""


def _is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses, where a plain connection stays on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
