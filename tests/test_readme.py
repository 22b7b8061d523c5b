"""Every `cramp-reports` command line in README.md runs as written and exits as the README says.

The README's code blocks are read as a reader would use them: the `sh` lines typed in one
folder, one after the other; the crontab line run by `sh` as cron would; the systemd unit's
`ExecStart` run in its `WorkingDirectory` with its `Environment`. The README's example
paths are mapped into a temporary folder: `/srv/club` is the `club/` folder that
`cramp-reports init club/` made, and `/srv/cramp-reports/.venv/bin/cramp-reports` is this
checkout's installed command. `serve` is started, stopped with SIGTERM, and must exit 0.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[1] / "README.md"
INSTALLED = "/srv/cramp-reports/.venv/bin/cramp-reports"  # where the README installs it
CLUB = "/srv/club"  # the README's working folder, made by `cramp-reports init club/`
BIN = Path(sys.executable).parent  # this checkout's .venv/bin, which holds `cramp-reports`
COMMAND_SECONDS = 120  # a command that takes longer has hung
SERVE_START_SECONDS = 60
SERVE_STOP_SECONDS = 30  # SIGTERM lets the pass in flight finish, which takes seconds at most
CODE_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class ReadmeCommand:
    """One command line of the README, and how the reader's system would run it."""

    written: str  # the line as the README shows it
    argv: list[str]  # what runs, after the example paths are mapped
    cwd: str = "."  # relative to the reader's folder; may name an example path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def serves(self) -> bool:
        """Whether this is the long-running `serve`, which runs until it is stopped."""
        words = shlex.split(self.argv[-1], comments=True) if self.argv[0] == "sh" else self.argv
        return "serve" in words


def readme_commands(markdown: str) -> list[ReadmeCommand]:
    """Every `cramp-reports` command line in the markdown's code blocks, in order."""
    commands: list[ReadmeCommand] = []
    for language, body in CODE_BLOCK.findall(markdown):
        lines = [line.strip() for line in body.splitlines()]
        if language == "ini":
            commands += _systemd_commands(lines)
            continue
        for line in lines:
            if language == "cron" and line and not line.startswith("#"):
                shell = line.split(None, 5)[5]  # after minute hour day month weekday
                if "cramp-reports" in shell:
                    commands.append(ReadmeCommand(line, ["sh", "-c", shell]))
            elif language in ("sh", "") and line.split()[:1] == ["cramp-reports"]:
                # `exec`: a signal meant for `serve` reaches it, not the shell around it.
                commands.append(ReadmeCommand(line, ["sh", "-c", f"exec {line}"]))
    return commands


def _systemd_commands(lines: list[str]) -> list[ReadmeCommand]:
    """A systemd unit's ExecStart, with its WorkingDirectory and Environment."""
    keys: dict[str, str] = {}
    env: dict[str, str] = {}
    for line in lines:
        key, _, value = line.partition("=")
        if key == "Environment":
            name, _, setting = value.partition("=")
            env[name] = setting
        elif key in ("ExecStart", "WorkingDirectory"):
            keys[key] = value
    if "cramp-reports" not in keys.get("ExecStart", ""):
        return []
    return [
        ReadmeCommand(
            f"ExecStart={keys['ExecStart']}",
            shlex.split(keys["ExecStart"]),  # systemd splits it itself: no shell
            keys.get("WorkingDirectory", "."),
            env,
        )
    ]


def run_as_written(command: ReadmeCommand, folder: Path) -> tuple[int, str]:
    """Run one README command in `folder` with the example paths mapped; (exit code, output)."""
    mapped = {INSTALLED: str(BIN / "cramp-reports"), CLUB: str(folder / "club")}
    argv = [_mapped(part, mapped) for part in command.argv]
    cwd = folder / _mapped(command.cwd, mapped)
    env = {**os.environ, **command.env, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    if not command.serves:
        try:
            done = subprocess.run(
                argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=COMMAND_SECONDS
            )
        except subprocess.TimeoutExpired:
            return -1, f"still running after {COMMAND_SECONDS} s"
        return done.returncode, done.stdout + done.stderr
    return _serve_and_stop(argv, cwd, env, folder / "serve.log")


def _serve_and_stop(argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> tuple[int, str]:
    """Start `serve`, wait until it says it is serving, SIGTERM it; (exit code, output)."""
    with log.open("w") as output:
        server = subprocess.Popen(argv, cwd=cwd, env=env, stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + SERVE_START_SECONDS
        while "serving" not in log.read_text() and server.poll() is None:
            if time.monotonic() > deadline:
                return -1, f"did not start serving within {SERVE_START_SECONDS} s"
            time.sleep(0.05)
        if server.poll() is not None:
            return -1, f"stopped by itself (exit {server.returncode}):\n{log.read_text()}"
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=SERVE_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            return -1, f"still running {SERVE_STOP_SECONDS} s after SIGTERM"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    return code, log.read_text()


def _mapped(text: str, paths: dict[str, str]) -> str:
    """`text` with each README example path replaced by its place in the test's folder."""
    for example, real in paths.items():
        text = text.replace(example, real)
    return text


def failures(markdown: str, folder: Path) -> list[str]:
    """Each command of the markdown that did not exit 0, with its exit code and output."""
    found = []
    for command in readme_commands(markdown):
        code, output = run_as_written(command, folder)
        if code != 0:  # the README promises 0 for success; none of its lines is meant to fail
            found.append(f"{command.written}\n  exit {code}:\n{output}")
    return found


def test_every_command_in_the_readme_works_as_written(tmp_path: Path) -> None:
    """Each subcommand, the crontab line and the systemd ExecStart exit 0, in the README's order."""
    markdown = README.read_text(encoding="utf-8")
    commands = readme_commands(markdown)
    written = [c.written for c in commands]
    assert any(w.startswith("*/15 ") and "run --quiet" in w for w in written), written
    assert any(w.startswith("ExecStart=") and w.endswith(" serve") for w in written), written
    subcommands = {w.split("cramp-reports ")[1].split()[0] for w in written}
    assert subcommands >= {"init", "template", "check", "render", "run", "serve", "status"}
    assert failures(markdown, tmp_path) == []
    assert (tmp_path / "club" / "cramp-reports.toml").is_file()  # `init club/` made /srv/club
    assert (tmp_path / "club" / "cramp-reports.sqlite").is_file()  # where cron and systemd ran


BROKEN = {
    "a misspelled option": "```sh\ncramp-reports run --quite   # for cron\n```\n",
    "an unknown command": "```sh\ncramp-reports chek roster.xlsx\n```\n",
    "a roster that is not there": "```sh\ncramp-reports check roster.xlsx\n```\n",
    "a crontab line with a wrong path": "```sh\ncramp-reports init club/\n```\n```cron\n"
    "*/15 * * * * cd /srv/clubs && /srv/cramp-reports/.venv/bin/cramp-reports run --quiet\n```\n",
    "an ExecStart that cannot serve": "```ini\n[Service]\nWorkingDirectory=/srv/club\n"
    "ExecStart=/srv/cramp-reports/.venv/bin/cramp-reports serve --config nowhere.toml\n```\n",
}


@pytest.mark.parametrize("markdown", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_readme_command_fails_the_readme_test(tmp_path: Path, markdown: str) -> None:
    """The check is not vacuous: a README line that does not work is reported with its exit code."""
    (tmp_path / "club").mkdir()
    found = failures(markdown, tmp_path)
    assert len(found) == 1 and "exit " in found[0], found
