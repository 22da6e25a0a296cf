"""TapStackProps: documented defaults, keyword-only and frozen, clear messages for bad values."""

from __future__ import annotations

import dataclasses

import pytest

from tap.props import TapStackProps


def test_given_only_name_and_suffix_when_built_then_documented_defaults_apply() -> None:
    props = TapStackProps(env_name="dev", suffix="dev")
    assert props.ephemeral is True
    assert props.kinesis_retention_hours == 24
    assert props.log_retention_days == 7
    assert props.alert_email == ""
    assert props.congestion_level_threshold == 2
    assert props.athena_bytes_scanned_cutoff == 1024**3


def test_given_positional_arguments_when_built_then_type_error() -> None:
    with pytest.raises(TypeError):
        TapStackProps("dev", "dev")  # type: ignore[misc]


def test_given_props_when_assigned_then_frozen() -> None:
    props = TapStackProps(env_name="dev", suffix="dev")
    with pytest.raises(dataclasses.FrozenInstanceError):
        props.suffix = "other"  # type: ignore[misc]


@pytest.mark.parametrize("suffix", ["", "d", "Dev", "dev-1", "dev_1", "abcdefghijklm", "dév"])
def test_given_bad_suffix_when_built_then_message_states_the_rule(suffix: str) -> None:
    with pytest.raises(ValueError) as error:
        TapStackProps(env_name="dev", suffix=suffix)
    assert str(error.value) == (
        f"suffix {suffix!r} is invalid: use 2-12 lowercase letters and digits "
        "(it is part of every physical name, e.g. S3 buckets and Glue databases)"
    )


@pytest.mark.parametrize("suffix", ["ab", "pr42", "abcdefghijkl"])
def test_given_valid_suffix_when_built_then_accepted(suffix: str) -> None:
    assert TapStackProps(env_name="x", suffix=suffix).suffix == suffix


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kinesis_retention_hours", 23, "kinesis_retention_hours 23 is out of range: must be "
         "between 24 and 8760"),
        ("kinesis_retention_hours", True, "kinesis_retention_hours must be an integer, got True"),
        ("congestion_level_threshold", 4, "congestion_level_threshold 4 is out of range: must "
         "be between 1 and 3"),
        ("alert_lookback_minutes", 0, "alert_lookback_minutes 0 is out of range: must be "
         "between 1 and 60"),
        ("athena_bytes_scanned_cutoff", 1000, "athena_bytes_scanned_cutoff 1000 is out of "
         "range: must be at least 10000000"),
        ("alert_email", "ops-at-example", "alert_email 'ops-at-example' is not an e-mail "
         "address (leave it empty for no subscription)"),
        ("ephemeral", "yes", "ephemeral must be true or false, got 'yes'"),
    ],
)  # fmt: skip
def test_given_out_of_range_setting_when_built_then_message_names_field_and_bounds(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError) as error:
        TapStackProps(env_name="dev", suffix="dev", **{field: value})  # type: ignore[arg-type]
    assert str(error.value) == message


def test_given_log_retention_not_accepted_by_cloudwatch_when_built_then_allowed_listed() -> None:
    with pytest.raises(ValueError, match=r"log_retention_days 10 is not a CloudWatch Logs "
                       r"retention period; choose one of 1, 3, 5, 7, 14, 30"):  # fmt: skip
        TapStackProps(env_name="dev", suffix="dev", log_retention_days=10)
