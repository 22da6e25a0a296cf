"""s3-public-access-block: public grants refused by the default Block Public Access."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3

from bench.coverage.cases import Build, Case, _bucket


def _public_site(policies_allowed: bool) -> Build:
    def build(stack: cdk.Stack) -> None:
        bpa = s3.BlockPublicAccess.BLOCK_ACLS_ONLY if policies_allowed else None
        _bucket(stack, "Site", block_public_access=bpa).grant_public_access()

    return build


CASES = (
    Case(
        "public-policy-default-bpa",
        "s3-public-access-block",
        "reported",
        "bucket.grant_public_access() on a bucket whose Block Public Access is S3's default",
        _public_site(False),
        _public_site(True),
        ("Site",),
    ),
)
