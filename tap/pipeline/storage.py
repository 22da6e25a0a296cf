"""Stage 4: the DynamoDB aggregates table (on-demand, encrypted, PITR, TTL).

Keys serve both readers without a Scan:

- the API reads one segment's minutes: ``pk = SEG#<segment_id>``, ``sk`` between two
  ``MIN#<YYYY-MM-DDTHH:MMZ>`` values (Query on the table);
- the alert function reads every segment of one minute: GSI ``by-minute``, partition
  ``minute``, sort ``segment_id`` (Query on the index).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from tap.pipeline.common import data_removal_policy

if TYPE_CHECKING:
    from tap.props import TapStackProps

__all__ = ["AggregatesTable", "MINUTE_INDEX_NAME", "TTL_ATTRIBUTE"]

MINUTE_INDEX_NAME = "by-minute"
TTL_ATTRIBUTE = "expires_at"


class AggregatesTable(Construct):
    """The ``tap-aggregates-<suffix>`` table.

    Attributes
    ----------
    table:
        The table; point-in-time recovery is on (it also feeds the incremental exports that
        bring the aggregates to Athena).
    minute_index_name:
        Name of the GSI the alert function queries (``by-minute``).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: TapStackProps) -> None:
        super().__init__(scope, construct_id)
        self._table = dynamodb.Table(
            self,
            "Table",
            table_name=f"tap-aggregates-{props.suffix}",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=TTL_ATTRIBUTE,
            deletion_protection=not props.ephemeral,
            removal_policy=data_removal_policy(props),
        )
        self._table.add_global_secondary_index(
            index_name=MINUTE_INDEX_NAME,
            partition_key=dynamodb.Attribute(name="minute", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="segment_id", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )

    @property
    def table(self) -> dynamodb.Table:
        return self._table

    @property
    def minute_index_name(self) -> str:
        return MINUTE_INDEX_NAME
