"""Class ``global-name-collision``: names in namespaces shared by every account are not
fixed literals (TAP-COGNITO-1): Cognito prefix domains, Elastic Beanstalk CNAME prefixes,
Amazon Connect instance aliases, from each service's documentation."""

from __future__ import annotations

from aws_cdk import Aws, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_elasticbeanstalk as beanstalk

from tests.rules.conftest import of_class

SLUG = "global-name-collision"


def _pool_with_prefix(prefix: str):
    def build(stack):
        pool = cognito.UserPool(stack, "Users", removal_policy=RemovalPolicy.DESTROY)
        pool.add_domain("Login", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=prefix))

    return build


def test_global_name_collision_fixed_cognito_prefix_is_flagged(synth):
    findings = of_class(synth(_pool_with_prefix("tap-login-dev")), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [
        ("TAP-COGNITO-1", "Properties/Domain")
    ]
    assert findings[0].logical_id.startswith("UsersLogin")
    assert "'tap-login-dev' is a fixed literal" in findings[0].message


def test_global_name_collision_fixed_beanstalk_cname_prefix_is_flagged(synth):
    def build(stack):
        beanstalk.CfnEnvironment(
            stack,
            "Web",
            application_name="tap-web",
            solution_stack_name="64bit Amazon Linux 2023 v4.3.0 running Python 3.12",
            cname_prefix="tap-web-dev",
        )

    findings = of_class(synth(build), SLUG)

    assert [f.property_path for f in findings] == ["Properties/CNAMEPrefix"]


def test_global_name_collision_account_scoped_prefix_and_custom_domain_pass(synth):
    # GIVEN a prefix built from the account id, and a custom domain the owner holds
    def build(stack):
        _pool_with_prefix(f"tap-login-dev-{Aws.ACCOUNT_ID}")(stack)
        pool = cognito.UserPool(stack, "Staff", removal_policy=RemovalPolicy.DESTROY)
        pool.add_domain(
            "Custom",
            custom_domain=cognito.CustomDomainOptions(
                domain_name="login.example.com",
                certificate=acm.Certificate.from_certificate_arn(
                    stack,
                    "Cert",
                    f"arn:{Aws.PARTITION}:acm:us-east-1:{Aws.ACCOUNT_ID}:certificate/abc",
                ),
            ),
        )

    # THEN no global-name-collision finding
    assert of_class(synth(build), SLUG) == []
