"""Building sheet emails: stable Message-IDs, refused header injection, the exact bytes kept."""

from __future__ import annotations

import functools
import hashlib
import re
import socket
from datetime import datetime
from email import policy
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from reports.errors import DeliveryError

# Every character that Python's email package (or a mail server) may treat as a line end.
_BREAKS = frozenset("\r\n\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_MSG_ID = re.compile(r"<[^<>@\s]+@[^<>@\s]+>")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
LAST_RESORT_DOMAIN = "cramp-reports.invalid"  # a reserved name (RFC 2606) that is never real
WIRE = policy.SMTP  # CRLF line ends: what mail servers and .eml readers expect


def message_id(athlete_key: str, sheet_key: str, domain: str | None = None) -> str:
    """A Message-ID that is the same every time for this athlete and this exact sheet.

    `domain` is normally `id_domain([delivery] from)`; without it, this machine's name.
    """
    domain = machine_domain() if domain is None else domain
    _refuse_breaks("Message-ID domain", domain)
    digest = hashlib.sha256(f"{athlete_key}\x00{sheet_key}".encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def id_domain(sender: str) -> str:
    """The domain Message-IDs carry: the sender's (`[delivery] from`), else this machine's name."""
    # Spam filters and mail readers trust an id at the sender's own domain; only the domain
    # is taken from the config, so ids stay the same for the same sheet whatever the time.
    local, at, domain = parseaddr(sender)[1].rpartition("@")
    return (host_name(domain) if local and at else None) or machine_domain()


@functools.cache
def machine_domain() -> str:
    """This machine's fully qualified name (or plain host name) if it is a valid domain."""
    for name in (socket.getfqdn(), socket.gethostname()):
        if domain := host_name(name):
            return domain
    return LAST_RESORT_DOMAIN


def host_name(name: str) -> str | None:
    """`name` as a lower-case ASCII host name fit for a Message-ID, or None if it is not one."""
    try:
        ascii_name = name.strip().rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    valid = len(ascii_name) <= 253 and _HOST_NAME.fullmatch(ascii_name)
    return ascii_name if valid else None


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
    cc: str | None = None,
) -> EmailMessage:
    """One email: plain text with an HTML alternative, the PDF attached, `cc` (a parent) copied."""
    for label, value in (
        ("recipient name", to_name),
        ("recipient address", to_addr),
        ("[delivery] from", sender),
        ("[delivery] reply_to", reply_to),
        ("subject", subject),
        ("attachment name", attachment_name),
        ("Message-ID", msg_id),
        ("copy (Cc) address", cc),
    ):
        _refuse_breaks(label, value)
    if not _MSG_ID.fullmatch(msg_id):
        raise DeliveryError(f"Message-ID {msg_id!r} is not of the form <id@domain>")
    msg = EmailMessage(policy=policy.default)
    msg["From"] = _one_address("[delivery] from", sender)
    msg["To"] = _recipient(to_name, to_addr)
    if cc:
        msg["Cc"] = _recipient("", cc)
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
    return message.as_bytes(policy=WIRE)


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
