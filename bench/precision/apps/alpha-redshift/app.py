"""Redshift: a cluster, a user and a table, as the aws-redshift-alpha README shows them
(the user and table are custom resources behind the module's own provider framework).

Source: aws-cdk.aws-redshift-alpha 2.275.0a0 (PyPI; Apache-2.0; aws/aws-cdk,
packages/@aws-cdk/aws-redshift-alpha/README.md). Every resource below is the module's;
this driver only passes the props its README examples pass. Offline: the VPC is created,
not looked up.
"""

from __future__ import annotations

import aws_cdk as cdk
import aws_cdk.aws_redshift_alpha as redshift
from aws_cdk import aws_ec2 as ec2

app = cdk.App()
stack = cdk.Stack(app, "AlphaRedshiftStack")
vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
cluster = redshift.Cluster(
    stack,
    "Redshift",
    master_user=redshift.Login(master_username="admin"),
    vpc=vpc,
)
user = redshift.User(stack, "User", cluster=cluster, database_name="databaseName")
table = redshift.Table(
    stack,
    "Table",
    table_columns=[
        redshift.Column(name="col1", data_type="varchar(4)"),
        redshift.Column(name="col2", data_type="float"),
    ],
    cluster=cluster,
    database_name="databaseName",
)
table.grant(user, redshift.TableAction.DROP, redshift.TableAction.SELECT)
app.synth()
