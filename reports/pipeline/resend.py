"""Finishing what an earlier pass left: pending messages sent byte for byte, manifests brought up to date."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from reports import deliver, outputs
from reports.errors import CrampReportsError, PermanentDeliveryError, TemporaryDeliveryError
from reports.ledger import Ledger
from reports.pipeline.deliveries import LazySender

log = logging.getLogger(__name__)


def resend_pending(ledger: Ledger, sender: LazySender, now: datetime, out_root: Path) -> int:
    """Send again, byte for byte, every message a crash or an outage left pending; returns how many went.

    The manifest of each message's batch then says what became of it.
    """
    sent = 0
    settled: dict[int, dict[str, tuple[str, str]]] = {}
    for pending in ledger.pending_messages():
        if sender.down:
            break
        message = deliver.parse_raw(pending.raw)
        try:
            detail = sender.send(message)
        except PermanentDeliveryError as err:
            ledger.record_failed(pending.msg_id, detail=str(err), permanent=True, now=now)
            settled.setdefault(pending.batch_id, {})[pending.athlete_key] = ("failed", str(err))
            continue
        except TemporaryDeliveryError as err:
            sender.down = True
            ledger.record_failed(pending.msg_id, detail=str(err), permanent=False, now=now)
            log.warning("%s — pending messages stay queued for the next pass", err)
            break
        ledger.record_sent(pending.msg_id, detail=detail, now=now)
        settled.setdefault(pending.batch_id, {})[pending.athlete_key] = ("sent", detail)
        sent += 1
    for batch_id, deliveries in settled.items():
        note_in_manifest(ledger, batch_id, deliveries, out_root)
    return sent


def note_in_manifest(
    ledger: Ledger, batch_id: int, deliveries: dict[str, tuple[str, str]], out_root: Path
) -> None:
    """Update a batch's manifest with what became of messages sent after it was written."""
    batch = ledger.batch(batch_id)
    if batch is None or batch.team is None or batch.report_date is None:
        return
    folder = outputs.batch_path(out_root, batch.team, batch.report_date.isoformat())
    manifest = outputs.read_manifest(folder)
    if manifest is None or manifest.get("sha256") != batch.sha256:
        return  # gone, or replaced by a later roster's: its own deliveries are what it says
    changed = False
    for entry in manifest.get("athletes", []):
        if isinstance(entry, dict) and entry.get("id") in deliveries:
            status, detail = deliveries[entry["id"]]
            entry["delivery"] = {"status": status, "detail": detail}
            changed = True
    if not changed:
        return
    try:
        outputs.write_manifest_json(folder, manifest)
    except CrampReportsError as err:  # the ledger (and `status`) already hold the truth
        log.warning("%s — the manifest still shows the earlier delivery status", err)
