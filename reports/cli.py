"""`cramp-reports`: parse arguments, call the pipeline, print what happened, return an exit code."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from reports import __version__, pipeline
from reports.config import load_settings
from reports.errors import BusyError, ConfigError, CrampReportsError, RosterError
from reports.render import harfbuzz_subset_available
from reports.settings import Settings

log = logging.getLogger("reports")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# How long `run` waits by default for another `run` in the same folder to finish.
RUN_LOCK_WAIT_SECONDS = 60.0


def shown(text: object) -> str:
    """Text (e.g. a dropped file's name) with control characters as `?`, one printable line."""
    return "".join(c if c.isprintable() else "?" for c in str(text))


class PlainFormatter(logging.Formatter):
    """Log lines whose arguments (file names…) cannot add lines or drive the terminal."""

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(record.args, tuple):
            record.args = tuple(
                shown(a) if isinstance(a, str | os.PathLike) else a for a in record.args
            )
        return super().format(record)


class ProgressPrinter:
    """Sheets done, rate and time left: a bar on a terminal, a log line every few seconds otherwise.

    Each roster is a batch of its own: a call with fewer sheets done, or another total,
    starts a new one. Batches that finish within a second show nothing.
    """

    def __init__(
        self,
        stream: TextIO,
        label: str = "sheets",
        *,
        clock: Callable[[], float] = time.monotonic,
        every: float = 5.0,
    ) -> None:
        self.stream = stream
        self.label = label
        self.tty = stream.isatty()
        self.clock = clock
        self.every = every  # seconds between log lines when not on a terminal
        self.first: tuple[int, int, float] = (0, 0, 0.0)  # total, done, time of the first call
        self.last_done = 0
        self.last_shown = float("-inf")
        self.shown = False
        self.width = 0

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if total != self.first[0] or done <= self.last_done:
            self.first, self.shown, self.last_shown = (total, done, now), False, float("-inf")
        self.last_done = done
        _, first_done, started = self.first
        finished = done >= total
        if now - started < 1 and not (finished and self.shown):
            return  # a quick batch needs no display
        if not finished and now - self.last_shown < (0.1 if self.tty else self.every):
            return
        self.last_shown, self.shown = now, True
        rate = (done - first_done) / (now - started) if now > started else 0.0
        left = (total - done) / rate if rate else 0.0
        if self.tty:
            filled = int(30 * done / max(total, 1))
            line = (
                f"[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,} {self.label}"
                f"  {rate:.1f}/s  {_clock_text(left)} left"
            )
            self.stream.write(f"\r{line}{' ' * max(0, self.width - len(line))}")
            self.width = len(line)
            if finished:
                self.stream.write("\n")
                self.width = 0
            self.stream.flush()
        else:
            log.info(
                "%d/%d %s rendered (%.1f/s, about %s left)",
                done,
                total,
                self.label,
                rate,
                _clock_text(left),
            )


def _clock_text(seconds: float) -> str:
    """`1:05:09` or `4:07`."""
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from --config, or ./cramp-reports.toml, or the defaults."""
    return load_settings(args.config, cwd=Path.cwd(), env=os.environ)


def _warn_if_slow_fonts() -> None:
    """Say so once when WeasyPrint has to subset fonts in slow pure Python."""
    if not harfbuzz_subset_available():
        log.warning(
            "HarfBuzz subsetting (libharfbuzz-subset0) is not installed: PDFs will render about "
            "2.6x slower. Install it with: sudo apt-get install libharfbuzz-subset0"
        )


def cmd_init(args: argparse.Namespace) -> int:
    """Create a working folder."""
    folder = Path(args.dir)
    created = pipeline.init_folder(folder)
    for path in created:
        print(f"created {path}")
    if not created:
        print(f"{folder} is already a working folder; nothing changed")
    print(f"Next: drop a roster into {folder / 'inbox'} and run `cramp-reports run` in {folder}.")
    return EXIT_OK


def cmd_template(args: argparse.Namespace) -> int:
    """Write a blank roster workbook."""
    path = Path(args.path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        path = path.with_suffix(".xlsx")
    pipeline.write_template(path)
    print(
        f"wrote {path}: fill in the Athletes, Mileage and Cramps sheets, then `cramp-reports check {path}`"
    )
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    """Validate workbooks and print every problem with its cell."""
    settings = _settings(args)
    results = pipeline.check_rosters([Path(p) for p in args.rosters], settings.limits)
    for result in results:
        for problem in result.problems:
            print(
                f"{shown(result.path.name)}: {problem.location}: {problem.severity}: {problem.message}"
            )
        if result.errors:
            verdict = f"REJECTED — {result.errors} error(s), {result.warnings} warning(s)"
        else:
            verdict = f"OK — {result.athletes} athletes, {result.warnings} warning(s)"
        print(f"{shown(result.path.name)}: {verdict}")
    return EXIT_FAILED if any(r.errors for r in results) else EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    """Render one roster's sheets and manifest; nothing is sent."""
    settings = _settings(args)
    _warn_if_slow_fonts()
    try:
        result = pipeline.render_roster(
            Path(args.roster), Path(args.out), settings, progress=ProgressPrinter(sys.stderr)
        )
    except RosterError as err:
        _print_rejection(Path(args.roster).name, err)
        return EXIT_FAILED
    for problem in result.problems:
        if problem.severity == "warning":
            print(f"{shown(result.file)}: {problem}")
    print(
        f"{shown(result.file)}: {result.team}, report date {result.report_date}: "
        f"{result.rendered} sheet(s) rendered, manifest in {result.folder}"
    )
    return EXIT_OK


def _print_rejection(name: str, err: RosterError) -> None:
    """Every problem of a rejected workbook, errors first."""
    problems = sorted(err.problems, key=lambda p: p.severity != "error")
    if not problems:
        print(f"{shown(name)}: error: {shown(err)}")
    for problem in problems:
        if problem.severity != "note":
            print(f"{shown(name)}: {problem.location}: {problem.severity}: {problem.message}")
    print(f"{shown(name)}: REJECTED — fix the errors above and try again")


def _print_pass(result: pipeline.PassResult) -> None:
    """One line per workbook, plus what was resent."""
    if result.resent:
        print(f"resent {result.resent} message(s) left pending by an earlier pass")
    for approval in result.approvals:
        counts = ", ".join(f"{n} {s}" for s, n in sorted(approval.counts.items())) or "no sheets"
        print(
            f"{shown(approval.folder)}: approved: {counts}; archived as {shown(approval.moved_to)}"
        )
        for name in approval.not_sent:
            print(f"  not sent (added or changed in the folder): {shown(name)}")
    if not result.workbooks and not result.approvals:
        print("inbox: nothing new")
    for wb in result.workbooks:
        if wb.outcome == "rejected":
            print(f"{shown(wb.file)}: REJECTED — see {shown(wb.moved_to)}.errors.txt")
            for problem in wb.problems[:5]:
                if problem.severity == "error":
                    print(f"  {problem}")
            continue
        counts = ", ".join(f"{n} {s}" for s, n in sorted(wb.counts.items())) or "no athletes"
        where = (
            f"archived as {wb.moved_to}" if wb.moved_to else "left in the inbox for the next pass"
        )
        print(f"{shown(wb.file)}: {wb.team}, {wb.report_date}: {counts}; {shown(where)}")


def cmd_run(args: argparse.Namespace) -> int:
    """One pass over the inbox."""
    settings = _settings(args)
    _warn_if_slow_fonts()
    result = pipeline.run_pass(
        settings,
        now=datetime.now().astimezone(),
        min_age_seconds=args.min_age,
        progress=ProgressPrinter(sys.stderr),
        lock_wait_seconds=args.wait,
    )
    _print_pass(result)
    return EXIT_FAILED if result.failed else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Run passes on the schedule until stopped."""
    settings = _settings(args)
    _warn_if_slow_fonts()
    stopping = pipeline.StopRequest()
    pipeline.install_stop_handlers(stopping)
    pipeline.serve(
        settings, stopping, clock=lambda: datetime.now().astimezone(), on_pass=_print_pass
    )
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    """Recent batches and messages needing attention."""
    settings = _settings(args)
    report = pipeline.read_status(settings, limit=args.limit)
    if not report.batches:
        print(f"no batches yet in {settings.paths.ledger}")
        return EXIT_OK
    print(f"{'started':<17} {'file':<28} {'team':<20} {'outcome':<11} sent skip fail same")
    for b in report.batches:
        outcome = b.outcome or "unfinished"
        print(
            f"{b.started:%Y-%m-%d %H:%M} {shown(b.file)[:28]:<28} {shown(b.team or '-')[:20]:<20} "
            f"{shown(outcome)[:11]:<11} {b.sent:>4} {b.skipped:>4} {b.failed:>4} {b.unchanged:>4}"
        )
    if report.reviews:
        now = datetime.now().astimezone()
        print(f"\nwaiting for review in {settings.paths.review}:")
        for r in report.reviews:
            print(f"  {shown(r.folder)}  waiting {_age(now - r.created)}")
    if report.problems:
        print("\nmessages needing attention:")
        for m in report.problems:
            print(
                f"  {m.status:<8} {shown(m.name)} <{shown(m.email)}> attempts {m.attempts}, "
                f"{m.updated:%Y-%m-%d %H:%M}: {shown(m.detail)}"
            )
    return EXIT_OK


def _age(waited: timedelta) -> str:
    """`3 days`, `5 hours` or `12 minutes`: how long a batch has waited."""
    seconds = max(0, int(waited.total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


CONFIG_HELP = "config file (default: ./cramp-reports.toml if present, else built-in defaults)"


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """`--config`, `-v` and `-q`, which people type before or after the command."""
    flag: object = argparse.SUPPRESS if suppress else False
    path: object = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "-v", "--verbose", action="store_true", default=flag, help="log more detail"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", default=flag, help="log only warnings and errors"
    )
    parser.add_argument("--config", type=Path, metavar="FILE", default=path, help=CONFIG_HELP)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser; every command and option has help text."""
    parser = argparse.ArgumentParser(
        prog="cramp-reports",
        description="Turn running rosters (.xlsx) into personal calf-cramp prevention sheets.",
    )
    parser.add_argument("--version", action="version", version=f"cramp-reports {__version__}")
    _add_global_options(parser, suppress=False)
    # The same options on every command, SUPPRESSed: one typed before the command keeps its
    # value when the command's own parsing does not see it again.
    common = argparse.ArgumentParser(add_help=False)
    _add_global_options(common, suppress=True)
    sub = parser.add_subparsers(
        dest="command",
        required=True,
        metavar="COMMAND",
        help="what to do; `cramp-reports COMMAND --help` shows its options",
    )

    def command(
        name: str, func: Callable[[argparse.Namespace], int], summary: str
    ) -> argparse.ArgumentParser:
        """A subcommand whose one-line summary is also its `--help` description."""
        p = sub.add_parser(name, parents=[common], help=summary, description=f"{summary}.")
        p.set_defaults(func=func)
        return p

    p = command("init", cmd_init, "make a working folder with a commented config")
    p.add_argument("dir", nargs="?", default=".", help="folder to set up (default: here)")
    p = command("template", cmd_template, "write a blank roster workbook")
    p.add_argument("path", help="where to write it, e.g. roster.xlsx")
    p = command("check", cmd_check, "validate rosters and name every cell to fix")
    p.add_argument("rosters", nargs="+", metavar="ROSTER", help="workbook(s) to check")
    p = command("render", cmd_render, "render one roster's PDFs and manifest, send nothing")
    p.add_argument("roster", metavar="ROSTER", help="the workbook")
    p.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    p = command("run", cmd_run, "one pass over the inbox: check, render, deliver, archive")
    p.add_argument(
        "--min-age",
        type=float,
        metavar="SECONDS",
        help="take files unchanged for this long (default: [inbox] min_age_seconds, 10)",
    )
    p.add_argument(
        "--wait",
        type=float,
        default=RUN_LOCK_WAIT_SECONDS,
        metavar="SECONDS",
        help="if another `run` is working in the folder, wait this long for it to finish "
        f"before giving up with exit code 2 (default: {RUN_LOCK_WAIT_SECONDS:g}; a `serve` "
        "is never waited for)",
    )
    command("serve", cmd_serve, "run passes on the configured schedule until stopped")
    p = command("status", cmd_status, "recent batches and messages needing attention")
    p.add_argument("--limit", type=int, default=10, help="how many batches to show (default 10)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `cramp-reports` command."""
    args = build_parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PlainFormatter("%(levelname)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler])
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    try:
        code: int = args.func(args)
    except (ConfigError, BusyError) as err:
        print(f"cramp-reports: {shown(err)}", file=sys.stderr)
        return EXIT_USAGE
    except CrampReportsError as err:
        print(f"cramp-reports: {shown(err)}", file=sys.stderr)
        return EXIT_FAILED
    return code


if __name__ == "__main__":
    sys.exit(main())
