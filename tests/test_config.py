"""Configuration: every key checked, errors name the key, secrets only from the environment."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from reports.config import default_config_text, load_settings, settings_from_mapping
from reports.errors import ConfigError
from reports.settings import RuleSettings, Settings


def settings_of(data: dict[str, Any], env: dict[str, str] | None = None) -> Settings:
    """Settings from a TOML-shaped mapping rooted at /srv/team."""
    return settings_from_mapping(data, base=Path("/srv/team"), env=env or {})


def test_no_config_file_gives_defaults_rooted_in_the_current_folder(tmp_path: Path) -> None:
    """Without a file every command works on defaults in the current folder."""
    settings = load_settings(None, cwd=tmp_path, env={})
    assert settings.paths.inbox == tmp_path.resolve() / "inbox"
    assert settings.delivery.mode == "outbox"
    assert settings.rules == RuleSettings()


def test_config_in_the_current_folder_is_found_without_flag(tmp_path: Path) -> None:
    """A cramp-reports.toml beside the user is used without --config."""
    (tmp_path / "cramp-reports.toml").write_text('[delivery]\nmode = "off"\n')
    assert load_settings(None, cwd=tmp_path, env={}).delivery.mode == "off"


def test_missing_explicit_config_says_how_to_make_one(tmp_path: Path) -> None:
    """--config pointing nowhere is an error naming the file and `init`."""
    with pytest.raises(ConfigError, match=r"not found.*cramp-reports init"):
        load_settings(tmp_path / "nope.toml", cwd=tmp_path, env={})


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    """A syntax error points at the file and the line."""
    path = tmp_path / "c.toml"
    path.write_text("[delivery\nmode = 1\n")
    with pytest.raises(ConfigError, match=r"c\.toml: not valid TOML.*line 1"):
        load_settings(path, cwd=tmp_path, env={})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"rules": {"min_fluid": 16}},
            r"unknown setting \[rules\] min_fluid — did you mean 'min_fluid_oz'",
        ),
        ({"rules": {"min_fluid_oz": "16"}}, r"\[rules\] min_fluid_oz = '16' must be a number"),
        (
            {"rules": {"doctor_cramps": 2.5}},
            r"\[rules\] doctor_cramps = 2.5 must be a whole number",
        ),
        ({"rules": {"doctor_cramps": -1}}, r"\[rules\] doctor_cramps must be 0 or more"),
        (
            {"rules": {"acwr_watch": 1.6}},
            r"\[rules\] acwr_watch \(1\.6\) is above acwr_act \(1\.5\)",
        ),
        (
            {"rules": {"weekly_increase_act": 0.05}},
            r"weekly_increase_watch \(0\.1\) is above weekly_increase_act \(0\.05\)",
        ),
        ({"rules": {"min_fluid_oz": 30}}, r"min_fluid_oz \(30\) is above max_fluid_oz"),
        ({"colour": {}}, r"unknown setting \[colour\]"),
        (
            {"delivery": {"mode": "fax"}},
            r"\[delivery\] mode = 'fax' is not allowed — use one of 'outbox', 'smtp', 'off'",
        ),
        ({"delivery": {"from": 3}}, r"\[delivery\] from = 3 must be text"),
        ({"smtp": {"port": 70000}}, r"\[smtp\] port must be between 1 and 65535"),
        ({"smtp": {"security": "ssl"}}, r"\[smtp\] security = 'ssl' is not allowed"),
        ({"smtp": {"password": "hunter2"}}, r"unknown setting \[smtp\] password"),
        ({"schedule": {"every": "soon"}}, r"\[schedule\] every = 'soon' — use \"N seconds\""),
        ({"schedule": {"at": "6am"}}, r"\[schedule\] at = '6am' — use HH:MM"),
        ({"schedule": {"every": "1 hour", "at": "06:00"}}, r"either every or at, not both"),
        ({"render": {"page_size": "A5"}}, r"\[render\] page_size = 'A5' is not allowed"),
        (
            {"render": {"templates": "missing"}},
            r"\[render\] templates = 'missing': folder .* not found",
        ),
        ({"inbox": {"min_age": 3}}, r"unknown setting \[inbox\] min_age"),
        ({"limits": {"max_file_mb": 0}}, r"\[limits\] max_file_mb must be more than 0"),
        ({"paths": {"inbx": "x"}}, r"unknown setting \[paths\] inbx — did you mean 'inbox'"),
        ({"delivery": {"admin": "a@b.org\nBcc: x@y.org"}}, r"\[delivery\] admin must be one line"),
        (
            {"delivery": {"review_reminder_days": 0}},
            r"\[delivery\] review_reminder_days must be at least 1",
        ),
    ],
)
def test_bad_setting_is_an_error_naming_the_key(data: dict[str, Any], message: str) -> None:
    """Unknown keys, wrong types and impossible values each name the key and what is valid."""
    with pytest.raises(ConfigError, match=message):
        settings_of(data)


def test_values_are_read_with_their_types() -> None:
    """Ints are accepted for floats; schedules become seconds; page size is case-insensitive."""
    settings = settings_of(
        {
            "rules": {"min_fluid_oz": 15, "doctor_cramps": 4},
            "schedule": {"every": "2 hours"},
            "render": {"page_size": "a4"},
            "paths": {"inbox": "drop"},
        }
    )
    assert settings.rules.min_fluid_oz == 15.0
    assert settings.rules.doctor_cramps == 4
    assert settings.schedule.every_seconds == 7200
    assert settings.render.page_size == "A4"
    assert settings.paths.inbox == Path("/srv/team/drop")


def test_daily_schedule_is_kept_as_a_time() -> None:
    """`at = "06:00"` schedules a daily pass."""
    schedule = settings_of({"schedule": {"at": "06:00"}}).schedule
    assert (schedule.at, schedule.every_seconds) == ("06:00", None)


def test_smtp_password_comes_from_the_named_environment_variable() -> None:
    """The password is never in the file: it is read from the variable password_env names."""
    data = {"delivery": {"mode": "smtp"}, "smtp": {"username": "coach", "password_env": "MY_PW"}}
    assert settings_of(data, env={"MY_PW": "s3cret"}).smtp.password == "s3cret"


def test_missing_password_variable_is_an_error_naming_it_without_a_value() -> None:
    """A login without its environment variable says which variable to export."""
    data = {"delivery": {"mode": "smtp"}, "smtp": {"username": "coach", "password_env": "MY_PW"}}
    with pytest.raises(ConfigError, match=r"MY_PW \(named by \[smtp\] password_env\) is not set"):
        settings_of(data)


def test_password_never_shows_in_the_settings_repr() -> None:
    """Logging the settings cannot leak the secret."""
    data = {"delivery": {"mode": "smtp"}, "smtp": {"username": "coach"}}
    settings = settings_of(data, env={"CRAMP_REPORTS_SMTP_PASSWORD": "s3cret-value"})
    assert "s3cret-value" not in repr(settings)


def test_the_config_init_writes_loads_back_to_the_defaults() -> None:
    """Every setting `init` writes is valid and equals the built-in default."""
    text = default_config_text()
    settings = settings_of(tomllib.loads(text))
    defaults = settings_of({})
    assert settings == defaults


def test_the_config_init_writes_documents_every_rule_threshold() -> None:
    """Each [rules] key appears with its unit and meaning as a comment."""
    text = default_config_text()
    for name in RuleSettings.__dataclass_fields__:
        line = next(line for line in text.splitlines() if line.startswith(f"{name} = "))
        assert "#" in line and len(line.split("#", 1)[1].strip()) > 10


def test_review_can_be_turned_on_with_its_folders_and_reminder() -> None:
    """`[delivery] review = true` is accepted, with the review and approved folders and the reminder."""
    settings = settings_of(
        {
            "delivery": {"review": True, "review_reminder_days": 5},
            "paths": {"review": "to-check", "approved": "ok-to-send"},
        }
    )
    assert settings.delivery.review and settings.delivery.review_reminder_days == 5
    assert settings.paths.review == Path("/srv/team/to-check")
    assert settings.paths.approved == Path("/srv/team/ok-to-send")


def test_the_config_init_writes_explains_review_and_how_to_approve() -> None:
    """The commented config says what review does and how the coach approves a batch."""
    text = default_config_text()
    review = next(line for line in text.splitlines() if line.startswith("review = false"))
    assert "coach" in review
    assert "approved/" in text and "HOW-TO-SEND.txt" in text and "admin" in text
