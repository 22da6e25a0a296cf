#!/usr/bin/env python3
"""tap CDK app: config -> stack -> guardrails -> synth.

cdk synth --context env=dev      (dev | staging | prod, see cdk.json "tap:environments")
"""

import os
import sys

# Before aws_cdk is imported: deprecated CDK APIs fail synthesis, and the jsii runtime's Node 20
# notices (deprecated, then end-of-life after 2026-10-30) stay quiet: Node 20 is a fixed decision.
os.environ.setdefault("JSII_DEPRECATED", "fail")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from tap.config import ENVIRONMENTS_KEY, ConfigError, load_props  # noqa: E402
from tap.rules.plugin import register as register_tap_rules  # noqa: E402
from tap.stack import TapStack  # noqa: E402


def main() -> int:
    app = cdk.App()

    # 1. config: one environment from cdk.json, chosen with --context env=<name>
    try:
        props = load_props(
            app.node.try_get_context("env"), app.node.try_get_context(ENVIRONMENTS_KEY)
        )
    except ConfigError as error:
        print(f"tap: {error}", file=sys.stderr)
        return 2

    # 2. stack: account and region from the CDK CLI's defaults (no lookups at synth)
    TapStack(
        app,
        f"TapStack-{props.env_name}",
        props=props,
        env=cdk.Environment(
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
            region=os.environ.get("CDK_DEFAULT_REGION"),
        ),
    )

    # 3. guardrails: validation plugins see the final template (overrides included) and fail
    #    synth on unacknowledged errors: the tap rule pack, then cdk-nag AwsSolutions. (The
    #    stack's Aspects already enforced removal policies and log retention on the tree.)
    register_tap_rules(app, environment_suffix=props.suffix, ephemeral=props.ephemeral)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))

    # 4. synth (CDK's built-in CloudFormation validation runs too: cdk.json
    #    "@aws-cdk/core:validateAgainstDefaultRules": true makes its findings errors)
    try:
        app.synth()
    except RuntimeError as error:
        if "ValidationFailed" not in str(error):
            raise
        print("tap: synthesis failed validation (report above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
