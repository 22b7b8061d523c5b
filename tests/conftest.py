"""Shared builders: athletes, real `.xlsx` workbooks, mail servers on 127.0.0.1, the reliability recorder."""

from __future__ import annotations

import asyncio
import re
import socket
import socketserver
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from aiosmtpd.controller import Controller

from reports.models import KM_PER_MILE, Assessment, Athlete, Incident, Roster, Week

# A fixed report date: the last day of the week starting Monday 2026-11-16.
TODAY = date(2026, 11, 22)
FIRST_WEEK = date(2026, 9, 28)  # eight Monday-start weeks end on 2026-11-22
SAMPLE_ROSTERS = Path(__file__).resolve().parents[1] / "sample_rosters"

Sheets = dict[str, list[list[Any]]]


@pytest.fixture
def today() -> date:
    """The report date every core test uses."""
    return TODAY


def sample_assessed(name: str) -> tuple[Roster, list[Assessment]]:
    """A sample roster and each of its athletes assessed with the default rules."""
    from reports.roster import read_roster
    from reports.rules import assess
    from reports.settings import LimitSettings, RuleSettings

    roster = read_roster(SAMPLE_ROSTERS / name, LimitSettings())
    rules, units = RuleSettings(), roster.team.units
    return roster, [assess(a, rules, roster.report_date, units) for a in roster.athletes]


def weeks_of(miles: Iterable[float | None], first: date = FIRST_WEEK) -> tuple[Week, ...]:
    """Consecutive weeks from `first`, one per value; None means not logged."""
    return tuple(Week(start=first + timedelta(weeks=i), miles=m) for i, m in enumerate(miles))


def make_athlete(**fields: Any) -> Athlete:
    """An athlete with steady mileage and no cramps unless told otherwise."""
    fields.setdefault("key", fields.get("name", "alex rivera").lower())
    fields.setdefault("name", "Alex Rivera")
    fields.setdefault("email", "alex@example.org")
    fields.setdefault("weeks", weeks_of([20, 21, 20, 22, 21, 22, 21, 22]))
    return Athlete(**fields)


def make_incident(days_before: int = 3, **fields: Any) -> Incident:
    """A cramp `days_before` the fixed report date."""
    return Incident(day=TODAY - timedelta(days=days_before), **fields)


ATHLETE_HEADERS = [
    "Name",
    "Email",
    "ID",
    "Group",
    "Heavy sweater",
    "Compression",
    "Warm-up",
    "Pre-run fluid (oz)",
    "Medication",
    "Condition",
    "Coach note",
]
CRAMP_HEADERS = [
    "Name",
    "Date",
    "When",
    "Muscle",
    "Severity",
    "Run distance",
    "Minutes in",
    "Pace",
    "Fluid before (oz)",
    "Electrolytes",
    "Warmed up",
    "Temperature (F)",
    "Urine",
    "Lasted",
    "Red flag",
    "Notes",
]


def canonical_sheets() -> Sheets:
    """A small clean roster in the canonical layout: three athletes, eight weeks."""
    athletes = [
        list(ATHLETE_HEADERS),
        ["Maya Chen", "maya@example.org", None, "Varsity", "N", "N", "Y", 20, "N", None, None],
        [
            "Leo Park",
            "leo@example.org",
            None,
            "Varsity",
            "Y",
            "N",
            "N",
            12,
            "N",
            None,
            "Great progress this month.",
        ],
        ["Sam Ortiz", None, None, "JV", "N", "Y", "Y", 18, "N", None, None],
    ]
    mileage: list[list[Any]] = [["Name", "Week of", "Miles", "Long run"]]
    plans = {
        "Maya Chen": [20, 21, 20, 22, 21, 22, 21, 22],
        "Leo Park": [25, 26, 27, 26, 28, 27, 30, 33],
        "Sam Ortiz": [15, 15, 16, 15, 16, 16, 15, 16],
    }
    for name, miles in plans.items():
        for i, m in enumerate(miles):
            mileage.append([name, FIRST_WEEK + timedelta(weeks=i), m, round(m * 0.35, 1)])
    cramps = [
        list(CRAMP_HEADERS),
        [
            "Leo Park",
            date(2026, 11, 15),
            "during",
            "calf",
            3,
            11,
            80,
            "usual",
            8,
            "N",
            "N",
            84,
            "dark",
            2,
            None,
            None,
        ],
    ]
    team = [
        ["Key", "Value"],
        ["Team", "Harbor Harriers"],
        ["Coach", "Dana Brooks"],
        ["Coach email", "dana@example.org"],
        ["Units", "miles"],
    ]
    return {"Team": team, "Athletes": athletes, "Mileage": mileage, "Cramps": cramps}


def typed_date(day: date, order: str, separator: str = "/", year_digits: int = 4) -> str:
    """A date typed as text with two-digit day and month, `order` "day first" or "month first"."""
    first, second = (day.day, day.month) if order == "day first" else (day.month, day.day)
    year = day.year if year_digits == 4 else day.year % 100
    return f"{first:02d}{separator}{second:02d}{separator}{year:0{year_digits}d}"


def day_first_km_sheets() -> Sheets:
    """The canonical roster as a km club keeps it: distances in km, and every week and cramp
    date typed as text day first (28/09/2026 …), with no Date order on the Team sheet."""
    sheets = canonical_sheets()
    sheets["Team"][4][1] = "km"
    sheets["Mileage"][0][2] = "Km"
    for row in sheets["Mileage"][1:]:
        row[1] = typed_date(row[1], "day first")
        row[2], row[3] = row[2] * KM_PER_MILE, row[3] * KM_PER_MILE
    for row in sheets["Cramps"][1:]:
        row[1] = typed_date(row[1], "day first")
        row[5] *= KM_PER_MILE
    return sheets


def told_day_first_miles_sheets() -> Sheets:
    """The canonical miles roster whose Team sheet says Date order DD/MM, with Leo Park's cramp
    typed 10/11/2026: 10 November, which nothing but the Team sheet settles."""
    sheets = canonical_sheets()
    sheets["Team"].append(["Date order", "DD/MM"])
    sheets["Cramps"][1][1] = "10/11/2026"
    return sheets


def write_workbook(path: Path, sheets: Sheets) -> Path:
    """Write `sheets` (name → rows) as a real `.xlsx` with openpyxl and return its path."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


@pytest.fixture
def workbook(tmp_path: Path) -> Callable[..., Path]:
    """Factory: `workbook(sheets=None, name="harbor.xlsx")` writes a roster into tmp_path."""

    def build(sheets: Sheets | None = None, name: str = "harbor.xlsx") -> Path:
        return write_workbook(tmp_path / name, sheets if sheets is not None else canonical_sheets())

    return build


def big_roster(athletes: int, team: str = "Harbor Harriers") -> Sheets:
    """A roster of `athletes` runners named `Runner 000`…, all with email, eight weeks each."""
    sheets = canonical_sheets()
    sheets["Team"][1][1] = team
    sheets["Athletes"] = [list(ATHLETE_HEADERS)]
    sheets["Mileage"] = [sheets["Mileage"][0]]
    slug = "".join(c for c in team.lower() if c.isalnum())
    for i in range(athletes):
        name = f"Runner {i:03d}"
        sheets["Athletes"].append(
            [name, f"{slug}{i:03d}@example.org", None, "A", "N", "N", "Y", 20, "N", None, None]
        )
        for w in range(8):
            sheets["Mileage"].append([name, FIRST_WEEK + timedelta(weeks=w), 20 + (i + w) % 5, 7])
    sheets["Cramps"] = [list(CRAMP_HEADERS)]
    return sheets


QUICK_TEMPLATES = {
    "athlete.html": "<!doctype html><title>sheet</title><h1>{{ athlete.name }}</h1>",
    "summary.html": "<!doctype html><title>summary</title><h1>{{ team.name }}</h1>",
    "style.css": "h1 { font-size: 14pt }",
}


def quick_templates(folder: Path) -> Path:
    """A coach's template folder with one-line sheets, for tests about what surrounds rendering.

    Sheets then take milliseconds instead of a third of a second each, so crash, fault and
    concurrency tests can run many passes; the built-in sheets are tested elsewhere.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in QUICK_TEMPLATES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- the reliability report: each case a test records for docs/reliability.md -----------------


class Reliability:
    """Records the running test as one row of docs/reliability.md (see scripts/reliability_report)."""

    def __init__(self, node: pytest.Item) -> None:
        self.node = node

    def case(self, category: str, case: str, expected: str) -> None:
        """What is tried (`category`: hostile, fault, crash, concurrency or security) and what must happen."""
        self.node.user_properties += [
            ("reliability.category", category),
            ("reliability.case", case),
            ("reliability.expected", expected),
        ]

    def observed(self, outcome: str) -> None:
        """What actually happened, in a line a reader of the table understands."""
        self.node.user_properties.append(("reliability.observed", steady(outcome)))


def steady(text: str) -> str:
    """`text` on one line without what changes from run to run: temp paths, ports, ids."""
    text = re.sub(r"(?:/tmp|/var/folders|/private)\S*?/pytest-\d+/[^/\s]+", "<folder>", text)
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", text)
    text = re.sub(r"\b[0-9a-f]{40}\b", "<id>", text)
    text = re.sub(r"\bpid \d+", "pid <n>", text)
    return " ".join(text.split())


@pytest.fixture
def reliability(request: pytest.FixtureRequest) -> Reliability:
    """The recorder for this test's row of the reliability report."""
    return Reliability(request.node)


# --- mail servers on 127.0.0.1 ----------------------------------------------------------------


@dataclass(frozen=True)
class Arrival:
    """One message as the server received it, with the client's address and port."""

    peer: Any
    rcpt_tos: list[str]
    content: bytes


class Mailbox:
    """An aiosmtpd handler that keeps what arrives and answers DATA as scripted."""

    def __init__(self, data_replies: tuple[str, ...] = (), refuse: tuple[str, ...] = ()) -> None:
        self.arrived: list[Arrival] = []
        self.peers: list[Any] = []  # the client address of every DATA, delivered or not
        self.data_replies = list(data_replies)
        self.refuse = set(refuse)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        if self.data_replies:
            return self.data_replies.pop(0)
        self.arrived.append(Arrival(session.peer, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 queued as 7F3A"

    def recipients(self) -> Counter[str]:
        """How many delivered messages each address received."""
        return Counter(rcpt for arrival in self.arrived for rcpt in arrival.rcpt_tos)


class LocalController(Controller):
    """A Controller that may listen on port 0 and then learns the port it was given."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., LocalController]]:
    """Factory: start an aiosmtpd server on 127.0.0.1 with a handler; stopped after the test."""
    started: list[LocalController] = []

    def start(handler: Any, **kwargs: Any) -> LocalController:
        controller = LocalController(handler, hostname="127.0.0.1", port=0, **kwargs)
        controller.start()
        started.append(controller)
        return controller

    yield start
    for controller in started:
        controller.stop()


class ScriptedSmtp(socketserver.ThreadingTCPServer):
    """A tiny SMTP server on 127.0.0.1 that misbehaves on purpose, as `behaviour` says.

    - "hang-after-data": takes the message, then never answers (a timeout mid-DATA);
    - "close-after-rcpt": accepts the recipient, then hangs up when DATA starts;
    - "421-after-data": answers the message with 421 and closes;
    - "421-greeting": says 421 as soon as a client connects;
    - "echo-plain", "echo-login": offer only AUTH PLAIN (or LOGIN) and refuse every login,
      quoting the credentials the client sent back in the refusal.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, behaviour: str) -> None:
        super().__init__(("127.0.0.1", 0), _ScriptedHandler)
        self.behaviour = behaviour
        self.connections = 0
        self.messages = 0  # messages received in full (but never accepted)
        self.release = threading.Event()  # lets hanging handlers go when the server stops
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self.server_address[1])

    def stop(self) -> None:
        """Stop listening and let every hanging connection go."""
        self.release.set()
        self.shutdown()
        self.server_close()


class _ScriptedHandler(socketserver.StreamRequestHandler):
    """One client connection of a ScriptedSmtp."""

    server: ScriptedSmtp

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        behaviour = self.server.behaviour
        self.server.connections += 1
        if behaviour == "421-greeting":
            self.reply("421 4.3.2 service not available, closing the connection")
            return
        self.reply("220 127.0.0.1 scripted ESMTP")
        while line := self.rfile.readline():
            verb = line.decode("ascii", "replace").strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                auth = "LOGIN" if behaviour == "echo-login" else "PLAIN"
                self.reply(f"250-127.0.0.1\r\n250-AUTH {auth}\r\n250 8BITMIME")
            elif verb.startswith("AUTH"):
                said = line.decode("ascii", "replace").split(maxsplit=2)[-1].strip()
                if verb.startswith("AUTH LOGIN"):
                    self.reply("334 UGFzc3dvcmQ6")  # "Password:"
                    said = self.rfile.readline().decode("ascii", "replace").strip()
                self.reply(f"535 5.7.8 credentials {said} rejected")
            elif verb.startswith("DATA"):
                if behaviour == "close-after-rcpt":
                    return
                self.reply("354 go ahead")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                self.server.messages += 1
                if behaviour == "hang-after-data":
                    self.server.release.wait(30)
                    return
                self.reply("421 4.3.2 shutting down")
                return
            elif verb.startswith("QUIT"):
                self.reply("221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.reply("250 OK")


@pytest.fixture
def scripted_smtp() -> Iterator[Callable[[str], ScriptedSmtp]]:
    """Factory: a misbehaving SMTP server on 127.0.0.1; stopped after the test."""
    started: list[ScriptedSmtp] = []

    def start(behaviour: str) -> ScriptedSmtp:
        server = ScriptedSmtp(behaviour)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def free_port() -> int:
    """A port on 127.0.0.1 with nobody listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
