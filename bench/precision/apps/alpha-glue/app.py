"""Glue: a database, an S3 table and a job, as the aws-glue-alpha README shows them.

Source: aws-cdk.aws-glue-alpha 2.274.0a0 (PyPI; Apache-2.0; aws/aws-cdk,
packages/@aws-cdk/aws-glue-alpha/README.md). Every resource below is the module's; this
driver only passes the props its README examples pass (the job script is a local file).
Offline: no lookups.
"""

from __future__ import annotations

import os

import aws_cdk as cdk
import aws_cdk.aws_glue_alpha as glue
from aws_cdk import aws_iam as iam

HERE = os.path.dirname(os.path.abspath(__file__))

app = cdk.App()
stack = cdk.Stack(app, "AlphaGlueStack")
database = glue.Database(stack, "MyDatabase", database_name="my_database")
glue.S3Table(
    stack,
    "MyTable",
    database=database,
    columns=[
        glue.Column(name="col1", type=glue.Schema.STRING),
        glue.Column(
            name="col2",
            type=glue.Schema.array(glue.Schema.STRING),
            comment="col2 is an array of strings",
        ),
    ],
    data_format=glue.DataFormat.JSON,
)
logs_database = glue.Database(stack, "LogDatabase", database_name="log-database")
role = iam.Role(
    stack,
    "JobRole",
    assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
    managed_policies=[
        iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSGlueServiceRole")
    ],
)
glue.PySparkEtlJob(
    stack,
    "PySparkETLJob",
    role=role,
    script=glue.Code.from_asset(os.path.join(HERE, "job.py")),
    job_name="PySparkETLJob",
)
app.synth()
