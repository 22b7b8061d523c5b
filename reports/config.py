"""TOML configuration → `Settings`, every key checked once at start-up; secrets from the environment."""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import UnionType
from typing import Any, Literal, get_args, get_origin, get_type_hints

from reports.errors import ConfigError
from reports.settings import (
    DeliverySettings,
    LimitSettings,
    PathSettings,
    RenderSettings,
    RuleSettings,
    ScheduleSettings,
    Settings,
    SmtpSettings,
)

CONFIG_NAME = "cramp-reports.toml"

_PATH_KEYS = ("inbox", "archive", "rejected", "out", "outbox", "ledger", "review", "approved")
_EVERY = re.compile(r"^\s*(\d+)\s*(second|minute|hour)s?\s*$", re.IGNORECASE)
_AT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_EXPECTED = {int: "a whole number", float: "a number", str: "text in quotes", bool: "true or false"}
_SECTIONS = ("paths", "inbox", "schedule", "delivery", "smtp", "rules", "render", "limits")


def find_config(explicit: Path | None, cwd: Path) -> Path | None:
    """The config file to use: `--config FILE` if given, else `cramp-reports.toml` in `cwd` if present."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(
                f"{explicit}: config file not found — check the path, create one with "
                "`cramp-reports init`, or leave out --config to use the defaults"
            )
        return explicit
    candidate = cwd / CONFIG_NAME
    return candidate if candidate.is_file() else None


def load_settings(
    explicit: Path | None = None, *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Read and check the configuration; without a file, defaults rooted at `cwd`."""
    cwd = (cwd or Path.cwd()).resolve()
    env = env if env is not None else {}
    path = find_config(explicit, cwd)
    if path is None:
        return Settings(paths=PathSettings.under(cwd))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err}) — fix that line") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the config file ({err})") from err
    return settings_from_mapping(data, base=path.parent.resolve(), env=env, source=path.name)


def settings_from_mapping(
    data: Mapping[str, Any], *, base: Path, env: Mapping[str, str], source: str = CONFIG_NAME
) -> Settings:
    """Check a parsed TOML document and build `Settings`; paths are relative to `base`."""
    reader = _Reader(source)
    for section in data:
        if section not in _SECTIONS:
            raise ConfigError(reader.unknown(section, None, _SECTIONS))
        if not isinstance(data[section], dict):
            raise ConfigError(
                f"{source}: [{section}] must be a table, e.g. [{section}] on its own line"
            )
    sections = {name: dict(data.get(name, {})) for name in _SECTIONS}
    settings = Settings(
        paths=_paths(reader, sections["paths"], base),
        render=_render(reader, sections["render"], base),
        min_age_seconds=_min_age(reader, sections["inbox"]),
        schedule=_schedule(reader, sections["schedule"]),
        delivery=_delivery(reader, sections["delivery"]),
        smtp=reader.dataclass("smtp", sections["smtp"], SmtpSettings, skip=("password",)),
        rules=reader.dataclass("rules", sections["rules"], RuleSettings),
        limits=reader.dataclass("limits", sections["limits"], LimitSettings),
    )
    _check_ranges(reader, settings)
    if settings.delivery.mode == "smtp" and settings.smtp.username:
        settings = dataclasses.replace(
            settings,
            smtp=dataclasses.replace(settings.smtp, password=_password(settings.smtp, env)),
        )
    return settings


def _password(smtp: SmtpSettings, env: Mapping[str, str]) -> str:
    """The SMTP password from the environment variable the config names."""
    value = env.get(smtp.password_env)
    if not value:
        raise ConfigError(
            f"the environment variable {smtp.password_env} (named by [smtp] password_env) is not "
            f"set — export it with the password for {smtp.username!r} before starting"
        )
    return value


class _Reader:
    """Type-checks TOML values against dataclass fields, naming the key on every error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def unknown(self, section: str, key: str | None, valid: Any) -> str:
        """An 'unknown key' message with the closest valid spelling."""
        name = f"[{section}]" if key is None else f"[{section}] {key}"
        close = difflib.get_close_matches(key or section, list(valid), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "valid: " + ", ".join(sorted(valid))
        return f"{self.source}: unknown setting {name} — {hint}"

    def value(self, section: str, key: str, raw: Any, kind: Any) -> Any:
        """`raw` if it has the type `kind` (ints accepted for floats), else a ConfigError."""
        if get_origin(kind) is Literal:
            if raw in get_args(kind):
                return raw
            allowed = ", ".join(repr(c) for c in get_args(kind))
            raise ConfigError(
                f"{self.source}: [{section}] {key} = {raw!r} is not allowed — use one of {allowed}"
            )
        if isinstance(kind, UnionType):  # `X | None`: TOML has no null, so X it is
            kind = next(k for k in get_args(kind) if k is not type(None))
        if kind is float and isinstance(raw, int) and not isinstance(raw, bool):
            return float(raw)
        if isinstance(raw, kind) and not (kind is int and isinstance(raw, bool)):
            return raw
        expected = _EXPECTED.get(kind, f"a {getattr(kind, '__name__', kind)}")
        raise ConfigError(f"{self.source}: [{section}] {key} = {raw!r} must be {expected}")

    def dataclass(
        self, section: str, table: dict[str, Any], cls: Any, skip: tuple[str, ...] = ()
    ) -> Any:
        """Build `cls` from `table`, refusing unknown keys and wrong types."""
        hints = get_type_hints(cls)
        fields = [f.name for f in dataclasses.fields(cls) if f.name not in skip]
        values: dict[str, Any] = {}
        for key, raw in table.items():
            if key not in fields:
                raise ConfigError(self.unknown(section, key, fields))
            values[key] = self.value(section, key, raw, hints[key])
        return cls(**values)


def _paths(reader: _Reader, table: dict[str, Any], base: Path) -> PathSettings:
    """Working-folder paths; relative ones resolve against the config file's folder."""
    root = base / reader.value("paths", "root", table.pop("root"), str) if "root" in table else base
    defaults = PathSettings.under(root)
    values: dict[str, Path] = {}
    for key, raw in table.items():
        if key not in _PATH_KEYS:
            raise ConfigError(reader.unknown("paths", key, (*_PATH_KEYS, "root")))
        values[key] = (root / reader.value("paths", key, raw, str)).resolve()
    return dataclasses.replace(defaults, **values)


def _render(reader: _Reader, table: dict[str, Any], base: Path) -> RenderSettings:
    """Template folder (relative to the config) and page size."""
    if "page_size" in table and isinstance(table["page_size"], str):
        table["page_size"] = {"letter": "Letter", "a4": "A4"}.get(
            table["page_size"].lower(), table["page_size"]
        )
    templates = table.pop("templates", None)
    render: RenderSettings = reader.dataclass("render", table, RenderSettings, skip=("templates",))
    if templates is None:
        return render
    folder = (base / reader.value("render", "templates", templates, str)).resolve()
    if not folder.is_dir():
        raise ConfigError(
            f"{reader.source}: [render] templates = {templates!r}: folder {folder} not found — "
            "copy the built-in templates folder there, or remove the setting"
        )
    return dataclasses.replace(render, templates=folder)


def _min_age(reader: _Reader, table: dict[str, Any]) -> float:
    """`[inbox] min_age_seconds`: how long a file must sit unchanged before it is read."""
    for key in table:
        if key != "min_age_seconds":
            raise ConfigError(reader.unknown("inbox", key, ("min_age_seconds",)))
    value: float = reader.value(
        "inbox", "min_age_seconds", table.get("min_age_seconds", 10.0), float
    )
    if value < 0:
        raise ConfigError(f"{reader.source}: [inbox] min_age_seconds must be 0 or more")
    return value


def _schedule(reader: _Reader, table: dict[str, Any]) -> ScheduleSettings:
    """`every = "N seconds|minutes|hours"` or `at = "HH:MM"`, not both."""
    for key in table:
        if key not in ("every", "at"):
            raise ConfigError(reader.unknown("schedule", key, ("every", "at")))
    if "every" in table and "at" in table:
        raise ConfigError(f"{reader.source}: [schedule] set either every or at, not both")
    if "at" in table:
        at = reader.value("schedule", "at", table["at"], str)
        if not _AT.match(at):
            raise ConfigError(f'{reader.source}: [schedule] at = {at!r} — use HH:MM, e.g. "06:00"')
        return ScheduleSettings(every_seconds=None, at=at)
    every = reader.value("schedule", "every", table.get("every", "15 minutes"), str)
    match = _EVERY.match(every)
    if not match or int(match[1]) == 0:
        raise ConfigError(
            f'{reader.source}: [schedule] every = {every!r} — use "N seconds", "N minutes" '
            'or "N hours" with N at least 1, e.g. "15 minutes"'
        )
    seconds = int(match[1]) * {"second": 1, "minute": 60, "hour": 3600}[match[2].lower()]
    return ScheduleSettings(every_seconds=seconds, at=None)


def _delivery(reader: _Reader, table: dict[str, Any]) -> DeliverySettings:
    """`[delivery]`, where the TOML key `from` names the `sender` field."""
    if "from" in table:
        table["sender"] = table.pop("from")
    for key, shown in (("sender", "from"), ("admin", "admin")):
        if key in table and any(ch in str(table[key]) for ch in "\r\n"):
            raise ConfigError(f"{reader.source}: [delivery] {shown} must be one line")
    try:
        delivery: DeliverySettings = reader.dataclass("delivery", table, DeliverySettings)
    except ConfigError as err:
        raise ConfigError(str(err).replace("] sender", "] from")) from err
    return delivery


def _check_ranges(reader: _Reader, settings: Settings) -> None:
    """Numbers that type-check but make no sense."""
    smtp, limits = settings.smtp, settings.limits
    checks = [
        (1 <= smtp.port <= 65535, "[smtp] port must be between 1 and 65535"),
        (smtp.rate_per_minute >= 1, "[smtp] rate_per_minute must be at least 1"),
        (smtp.retries >= 0, "[smtp] retries must be 0 or more"),
        (smtp.timeout_seconds > 0, "[smtp] timeout_seconds must be more than 0"),
        (limits.max_rows_per_sheet >= 1, "[limits] max_rows_per_sheet must be at least 1"),
        (limits.max_file_mb > 0, "[limits] max_file_mb must be more than 0"),
        (settings.render.workers >= 0, "[render] workers must be 0 (one per core) or more"),
        (
            settings.delivery.review_reminder_days >= 1,
            "[delivery] review_reminder_days must be at least 1",
        ),
    ]
    for ok, message in checks:
        if not ok:
            raise ConfigError(f"{reader.source}: {message}")
    for field in dataclasses.fields(RuleSettings):
        value = getattr(settings.rules, field.name)
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise ConfigError(f"{reader.source}: [rules] {field.name} must be 0 or more")
    rules = settings.rules
    # A "watch" threshold above its "act" one would make the milder level the harder to reach.
    pairs = [
        ("weekly_increase_watch", "weekly_increase_act"),
        ("acwr_watch", "acwr_act"),
        ("min_fluid_oz", "max_fluid_oz"),
    ]
    for low, high in pairs:
        if getattr(rules, low) > getattr(rules, high):
            raise ConfigError(
                f"{reader.source}: [rules] {low} ({getattr(rules, low):g}) is above {high} "
                f"({getattr(rules, high):g}) — make {low} the smaller of the two"
            )


def default_config_text() -> str:
    """The fully commented config `init` writes: every setting with its default and meaning."""
    smtp, delivery, limits = SmtpSettings(), DeliverySettings(), LimitSettings()
    lines = [
        "# cramp-reports configuration. Every setting is optional: delete a line to use its default.",
        "# Paths are relative to this file. Secrets never go here: the SMTP password is read",
        "# from the environment variable named by [smtp] password_env.",
        "",
        "[paths]",
        'inbox = "inbox"            # coaches drop rosters (.xlsx/.xlsm) here',
        'archive = "archive"        # processed rosters move to archive/<date>/',
        'rejected = "rejected"      # unusable files move here with <name>.errors.txt',
        'out = "out"                # PDFs and manifest.json: out/<team>/<report date>/',
        'outbox = "outbox"          # .eml files when [delivery] mode = "outbox"',
        'ledger = "cramp-reports.sqlite"  # what was sent to whom (never delete while running)',
        'review = "review"          # with [delivery] review = true: batches waiting for the coach',
        'approved = "approved"      # the coach moves a review folder here to send its sheets',
        "",
        "[inbox]",
        "min_age_seconds = 10       # a file must sit unchanged this long before it is read,",
        "                           # so a roster still being copied is never read half-written",
        "",
        "[schedule]                 # for `serve`: set one of the two",
        'every = "15 minutes"       # "N seconds", "N minutes" or "N hours"',
        '# at = "06:00"             # daily, 24-hour HH:MM in this machine\'s time zone',
        "",
        "[delivery]",
        f'mode = "{delivery.mode}"          # outbox (write .eml files) | smtp (send mail) | off',
        f'from = "{delivery.sender}"  # the coach: shown as sender',
        '# reply_to = "coach@example.org"',
        "coach_summary = true       # email the coach the team summary after each batch",
        "review = false             # true: the coach looks at each batch before athletes get it.",
        "                           # The sheets wait in review/<team>-<date>/ (with HOW-TO-SEND.txt)",
        '                           # and the coach gets a "ready for review" email; moving the',
        "                           # folder into approved/ sends the sheets still in it, deleting",
        "                           # a PDF holds that athlete back, deleting the folder sends nothing",
        f"review_reminder_days = {delivery.review_reminder_days}   # one reminder to the coach for a batch still waiting",
        '# admin = "club@example.org"  # also gets the errors of every rejected workbook',
        "                           # (the workbook's Team sheet Coach email always does)",
        "",
        '[smtp]                     # used when [delivery] mode = "smtp"',
        f'host = "{smtp.host}"',
        f"port = {smtp.port}                 # 587 for starttls, 465 for tls, 25 for a local relay",
        f'security = "{smtp.security}"      # starttls | tls (implicit TLS) | none (local relay only)',
        'username = ""              # empty: no login',
        f'password_env = "{smtp.password_env}"  # name of the environment variable holding the password',
        f"rate_per_minute = {smtp.rate_per_minute}       # at most this many messages a minute",
        f"timeout_seconds = {smtp.timeout_seconds:g}       # give up on a silent server after this long",
        f"retries = {smtp.retries}                # tries again this often on temporary failures (4xx, dropped connection)",
        f"retry_backoff_seconds = {smtp.retry_backoff_seconds:g}  # first wait; doubles each retry",
        "",
        "[rules]                    # thresholds of the cramp-prevention rules",
    ]
    for f in dataclasses.fields(RuleSettings):
        default = f.default
        value = f"{default:g}" if isinstance(default, float) else str(default)
        if isinstance(default, float) and "." not in value and "e" not in value:
            value += ".0"
        lines.append(
            f"{f.name} = {value}  # {f.metadata.get('unit', '')}: {f.metadata.get('help', '')}"
        )
    lines += [
        "",
        "[render]",
        '# templates = "my_templates"  # a folder with your own copies of any template files',
        'page_size = "Letter"       # Letter | A4',
        "workers = 0                # processes rendering PDFs; 0 = one per CPU core",
        "",
        "[limits]                   # refuse huge or hostile workbooks quickly",
        f"max_rows_per_sheet = {limits.max_rows_per_sheet}",
        f"max_file_mb = {limits.max_file_mb:g}",
        "",
    ]
    return "\n".join(lines)
