"""SMTP delivery: TLS, login, a rate limit and retries with backoff (the only smtplib user)."""

from __future__ import annotations

import base64
import copy
import ipaddress
import logging
import smtplib
import ssl
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from typing import NoReturn, Self

from reports.deliver.message import WIRE
from reports.errors import DeliveryError, PermanentDeliveryError, TemporaryDeliveryError
from reports.settings import SmtpSettings

log = logging.getLogger(__name__)

_SMTP_HINT = 'check [smtp] host/port in cramp-reports.toml, or use delivery.mode = "outbox"'
_LATER_HINT = "the message stays pending and is sent again on the next pass"
_ADDRESS_FIX = "check the athlete's email address in the roster"
_CONTENT_FIX = "the server refused the message itself; its reply says why"
_SENDER_FIX = "check [delivery] from and the account [smtp] username may send as"
_STARTTLS_FIX = 'set [smtp] security = "tls" (usually port 465), or "none" for a local relay'


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
        self._secrets = _secret_forms(settings)

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
        text = self._scrub(f"{what} by {self._where}: {code}{_brief(reply, prefix=' ')}")
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
            said = self._scrub(str(err))
            retry = _Retry(f"the mail server at {self._where} failed to start ({said})", _SMTP_HINT)
            if said != str(err):
                raise retry from None  # the server echoed our credentials: keep them out
            raise retry from err
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
            reply = self._scrub(_brief(err.smtp_error, prefix=" "))
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

    def _scrub(self, text: str) -> str:
        """`text` with the password, in every form a server could echo it, replaced by ***."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

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
        data=wire.as_bytes(policy=WIRE.clone(utf8=international)),
        options=("SMTPUTF8", "BODY=8BITMIME") if international else (),
    )


def _secret_forms(settings: SmtpSettings) -> tuple[str, ...]:
    """The password as typed and as AUTH PLAIN and LOGIN send it (base64), longest first."""
    password = settings.password
    if not password:
        return ()
    user = settings.username
    blobs = (password, f"\0{user}\0{password}", f"{user}\0{password}")
    encoded = [base64.b64encode(b.encode()).decode() for b in blobs]
    return tuple(sorted({password, *encoded}, key=len, reverse=True))


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
