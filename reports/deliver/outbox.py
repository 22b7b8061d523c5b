"""The outbox: one `.eml` file per message, named for its Message-ID, written atomically."""

from __future__ import annotations

import logging
import re
from email.message import EmailMessage
from pathlib import Path

from reports.deliver.message import message_bytes
from reports.errors import DeliveryError
from reports.files import replace_atomically

log = logging.getLogger(__name__)


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
            replace_atomically(target, message_bytes(message))
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
