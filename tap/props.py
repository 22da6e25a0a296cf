"""TapStackProps: everything that differs between environments, validated once.

The props are frozen and keyword-only: a stack is built from one immutable description of its
environment, and a typo in a keyword fails at the call site instead of silently taking a default.
Every field documents its default; conflicting or out-of-range values fail fast in
``__post_init__`` with a message that names the field, the value and what is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["TapStackProps", "SUFFIX_PATTERN", "KINESIS_RETENTION_HOURS", "LOG_RETENTION_DAYS"]

#: Environment suffix: lowercase letters and digits, 2-12 characters. It ends up in every
#: physical name (S3 needs lowercase, Glue/Athena need [a-z0-9_], IoT rules need [a-zA-Z0-9_]).
SUFFIX_PATTERN = re.compile(r"^[a-z0-9]{2,12}$")

#: Kinesis Data Streams retention bounds (hours): 24 hours to 365 days.
KINESIS_RETENTION_HOURS = (24, 8760)

#: Retention periods CloudWatch Logs accepts (days); see AWS::Logs::LogGroup RetentionInDays.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)  # fmt: skip

#: Athena's smallest allowed per-query bytes-scanned cutoff (10 MB).
ATHENA_MIN_BYTES_SCANNED_CUTOFF = 10_000_000

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, kw_only=True)
class TapStackProps:
    """Settings of one deployment of the pipeline.

    Parameters
    ----------
    env_name:
        Name of the environment in ``cdk.json`` (``dev``, ``staging``, ``prod``). Required.
    suffix:
        Carried by every physical name. Lowercase letters and digits, 2-12 characters. Required.
    ephemeral:
        ``True`` (default): every stateful resource is destroyed with the stack and buckets are
        emptied on delete. ``False``: data stores (table, stream, buckets, keys) are retained.
    kinesis_retention_hours:
        Retention of the telemetry stream, 24-8760 hours. Default 24 (the Kinesis minimum,
        which is free of the extended-retention charge).
    log_retention_days:
        Retention of every log group, one of the values CloudWatch Logs accepts. Default 7.
    alert_email:
        E-mail address subscribed to the alert topic; empty (default) means no subscription.
    congestion_level_threshold:
        Congestion level at or above which the alert function counts a segment as congested,
        on the processor's 0-3 scale (1 moderate, 2 heavy, 3 severe). Default 2: heavy traffic,
        Highway Capacity Manual level of service E, near capacity.
    alert_lookback_minutes:
        How many recent minutes the alert function reads on each run, 1-60. Default 5.
    aggregate_ttl_days:
        Days after which per-minute aggregates expire from DynamoDB (TTL), 1-3650. Default 30.
    athena_bytes_scanned_cutoff:
        Per-query cap on bytes scanned in the Athena workgroup, at least 10 MB. Default 1 GiB.

    Examples
    --------
    >>> TapStackProps(env_name="dev", suffix="dev").ephemeral
    True
    """

    env_name: str
    suffix: str
    ephemeral: bool = True
    kinesis_retention_hours: int = 24
    log_retention_days: int = 7
    alert_email: str = ""
    congestion_level_threshold: int = 2
    alert_lookback_minutes: int = 5
    aggregate_ttl_days: int = 30
    athena_bytes_scanned_cutoff: int = 1024**3

    def __post_init__(self) -> None:
        if not isinstance(self.env_name, str) or not self.env_name:
            raise ValueError("env_name must be a non-empty string")
        if not isinstance(self.suffix, str) or not SUFFIX_PATTERN.match(self.suffix):
            raise ValueError(
                f"suffix {self.suffix!r} is invalid: use 2-12 lowercase letters and digits "
                "(it is part of every physical name, e.g. S3 buckets and Glue databases)"
            )
        if not isinstance(self.ephemeral, bool):
            raise ValueError(f"ephemeral must be true or false, got {self.ephemeral!r}")
        low, high = KINESIS_RETENTION_HOURS
        _check_int("kinesis_retention_hours", self.kinesis_retention_hours, low, high)
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"log_retention_days {self.log_retention_days!r} is not a CloudWatch Logs "
                f"retention period; choose one of {', '.join(map(str, LOG_RETENTION_DAYS))}"
            )
        if not isinstance(self.alert_email, str) or (
            self.alert_email and not _EMAIL.match(self.alert_email)
        ):
            raise ValueError(
                f"alert_email {self.alert_email!r} is not an e-mail address "
                "(leave it empty for no subscription)"
            )
        _check_int("congestion_level_threshold", self.congestion_level_threshold, 1, 3)
        _check_int("alert_lookback_minutes", self.alert_lookback_minutes, 1, 60)
        _check_int("aggregate_ttl_days", self.aggregate_ttl_days, 1, 3650)
        _check_int(
            "athena_bytes_scanned_cutoff",
            self.athena_bytes_scanned_cutoff,
            ATHENA_MIN_BYTES_SCANNED_CUTOFF,
            None,
        )


def _check_int(field: str, value: object, low: int, high: int | None) -> None:
    # bool is an int subclass: `True` would otherwise pass as 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{field} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{field} {value} is out of range: must be {allowed}")
