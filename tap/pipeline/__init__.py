"""The pipeline's stages, one construct per module (see tap/stack.py for the wiring)."""

from tap.pipeline.alerting import TrafficAlerting
from tap.pipeline.analytics import TelemetryAnalytics
from tap.pipeline.ingest import TelemetryIngest
from tap.pipeline.processing import TelemetryProcessor
from tap.pipeline.storage import AggregatesTable
from tap.pipeline.stream import TelemetryStream

__all__ = [
    "AggregatesTable",
    "TelemetryAnalytics",
    "TelemetryIngest",
    "TelemetryProcessor",
    "TelemetryStream",
    "TrafficAlerting",
]
