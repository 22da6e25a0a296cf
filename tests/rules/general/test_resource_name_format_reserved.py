"""Class ``resource-name-format``, widened by RULES-SPEC Part 2: Cognito prefix domains
contain none of the reserved words aws, amazon, cognito (TAP-GEN-30), from the Cognito
Developer Guide's "Using the Amazon Cognito prefix domain"."""

from __future__ import annotations

import pytest
from aws_cdk import Aws, RemovalPolicy
from aws_cdk import aws_cognito as cognito

from tests.rules.conftest import of_class

SLUG = "resource-name-format"


def _pool_with_prefix(prefix: str):
    def build(stack):
        pool = cognito.UserPool(stack, "Users", removal_policy=RemovalPolicy.DESTROY)
        pool.add_domain("Login", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=prefix))

    return build


@pytest.mark.parametrize("word", ["aws", "amazon", "cognito"])
def test_resource_name_format_reserved_word_in_cognito_prefix_is_flagged(synth, word):
    findings = of_class(synth(_pool_with_prefix(f"tap-{word}-dev-{Aws.ACCOUNT_ID}")), SLUG)

    assert [(f.rule_id, f.property_path) for f in findings] == [("TAP-GEN-30", "Properties/Domain")]
    assert f"reserved word '{word}'" in findings[0].message


def test_resource_name_format_prefix_without_reserved_words_passes(synth):
    assert of_class(synth(_pool_with_prefix(f"tap-login-dev-{Aws.ACCOUNT_ID}")), SLUG) == []
