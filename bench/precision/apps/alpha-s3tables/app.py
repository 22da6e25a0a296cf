"""S3 Tables: a table bucket, namespace and Iceberg table, as the module's README shows them.

Source: aws-cdk.aws-s3tables-alpha 2.275.0a0 (PyPI; Apache-2.0; aws/aws-cdk,
packages/@aws-cdk/aws-s3tables-alpha/README.md). Every resource below is the module's; this
driver only passes the props its README examples pass. Offline: no lookups.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_s3tables_alpha as s3tables

app = cdk.App()
stack = cdk.Stack(app, "AlphaS3TablesStack")
bucket = s3tables.TableBucket(
    stack,
    "ExampleTableBucket",
    table_bucket_name="example-bucket-1",
    unreferenced_file_removal=s3tables.UnreferencedFileRemoval(
        status=s3tables.UnreferencedFileRemovalStatus.ENABLED,
        noncurrent_days=20,
        unreferenced_days=20,
    ),
)
namespace = s3tables.Namespace(
    stack, "ExampleNamespace", namespace_name="example_namespace", table_bucket=bucket
)
s3tables.Table(
    stack,
    "ExampleTable",
    table_name="example_table",
    namespace=namespace,
    open_table_format=s3tables.OpenTableFormat.ICEBERG,
    without_metadata=True,
)
app.synth()
