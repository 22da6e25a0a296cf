"""The one intrinsic resolver (tap/rules/resolve.py): every intrinsic, unknowns included."""

from __future__ import annotations

from typing import Any

import pytest

from tap.rules.resolve import (
    NO_VALUE,
    Resolver,
    Text,
    Token,
    is_unknown,
    iter_references,
    longest_region_name,
    reference_set,
)

TEMPLATE: dict[str, Any] = {
    "Parameters": {"Env": {"Type": "String"}},
    "Mappings": {"Sizes": {"dev": {"Shards": 1}}},
    "Conditions": {
        "IsUsEast1": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]},
        "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "Always": {"Fn::Equals": ["a", "a"]},
        "Never": {"Fn::Not": [{"Condition": "Always"}]},
        "AlwaysOr": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "Always"}]},
        "NeverAnd": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "Never"}]},
        "UnknownAnd": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "Always"}]},
    },
    "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}, "Fn": {"Type": "AWS::Lambda::Function"}},
}


@pytest.fixture
def r() -> Resolver:
    return Resolver(TEMPLATE)


def test_ref_kinds(r: Resolver) -> None:
    assert r.resolve({"Ref": "AWS::AccountId"}) == Text((Token("AWS::AccountId"),))
    assert r.resolve({"Ref": "Env"}) == Text((Token("Param", "Env"),))
    assert r.resolve({"Ref": "Bucket"}) == Text((Token("Ref", "Bucket"),))
    assert r.resolve({"Ref": "AWS::NoValue"}) is NO_VALUE
    assert is_unknown(r.resolve({"Ref": "Missing"}))


def test_concrete_environment_replaces_pseudo_parameters() -> None:
    r = Resolver(TEMPLATE, region="eu-west-1", account="111122223333")
    assert r.resolve({"Fn::Sub": "arn:aws:s3:::x-${AWS::AccountId}-${AWS::Region}"}) == (
        "arn:aws:s3:::x-111122223333-eu-west-1"
    )
    assert r.condition("IsUsEast1") is False


def test_no_value_removes_the_property_and_list_item(r: Resolver) -> None:
    value = {"A": {"Ref": "AWS::NoValue"}, "B": [1, {"Ref": "AWS::NoValue"}, 2]}
    assert r.resolve(value) == {"B": [1, 2]}


def test_getatt_both_forms(r: Resolver) -> None:
    expected = Text((Token("GetAtt", "Fn", "Arn"),))
    assert r.resolve({"Fn::GetAtt": "Fn.Arn"}) == expected
    assert r.resolve({"Fn::GetAtt": ["Fn", "Arn"]}) == expected
    assert is_unknown(r.resolve({"Fn::GetAtt": 3}))


def test_join_keeps_literals_and_tokens(r: Resolver) -> None:
    text = r.text({"Fn::Join": ["-", ["logs", {"Ref": "AWS::AccountId"}, 7, True]]})
    assert text is not None
    assert text.parts == ("logs-", Token("AWS::AccountId"), "-7-true")
    assert str(text) == "logs-${AWS::AccountId}-7-true"
    assert r.resolve({"Fn::Join": ["", ["a", "b"]]}) == "ab"  # all literal: a plain str
    assert is_unknown(r.resolve({"Fn::Join": ["-", {"Ref": "Env"}]}))


def test_sub_variables_getatt_and_escapes(r: Resolver) -> None:
    text = r.text({"Fn::Sub": ["${Fn.Arn}/${Name}/${!topic(3)}/${AWS::Region}", {"Name": "x"}]})
    assert text is not None
    assert text.parts == (
        Token("GetAtt", "Fn", "Arn"),
        "/x/${topic(3)}/",
        Token("AWS::Region"),
    )
    assert r.resolve({"Fn::Sub": "plain"}) == "plain"
    assert is_unknown(r.resolve({"Fn::Sub": "${Undefined}"}))


def test_select_and_split(r: Resolver) -> None:
    assert r.resolve({"Fn::Select": [1, {"Fn::Split": [",", "a,b,c"]}]}) == "b"
    assert r.resolve({"Fn::Select": ["0", ["x"]]}) == "x"
    assert is_unknown(r.resolve({"Fn::Select": [5, ["x"]]}))
    assert is_unknown(r.resolve({"Fn::Split": [",", {"Ref": "Env"}]}))
    assert is_unknown(r.resolve({"Fn::Select": [0, {"Fn::GetAZs": ""}]}))


def test_if_follows_decidable_conditions_only(r: Resolver) -> None:
    assert r.resolve({"Fn::If": ["Always", "yes", "no"]}) == "yes"
    assert r.resolve({"Fn::If": ["Never", "yes", "no"]}) == "no"
    assert is_unknown(r.resolve({"Fn::If": ["IsProd", "yes", "no"]}))
    assert is_unknown(r.resolve({"Fn::If": ["IsUsEast1", "yes", "no"]}))


def test_condition_logic(r: Resolver) -> None:
    assert r.condition("AlwaysOr") is True
    assert r.condition("NeverAnd") is False
    assert r.condition("UnknownAnd") is None
    assert r.condition("Undefined") is None


def test_find_in_map(r: Resolver) -> None:
    assert r.resolve({"Fn::FindInMap": ["Sizes", "dev", "Shards"]}) == 1
    assert is_unknown(r.resolve({"Fn::FindInMap": ["Sizes", "prod", "Shards"]}))
    assert is_unknown(r.resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Shards"]}))


def test_to_json_string_base64_length(r: Resolver) -> None:
    assert r.resolve({"Fn::ToJsonString": {"a": [1, "b"]}}) == '{"a":[1,"b"]}'
    assert is_unknown(r.resolve({"Fn::ToJsonString": {"a": {"Ref": "Env"}}}))
    assert r.resolve({"Fn::Base64": {"Fn::Sub": "echo ${!HOME}"}}) == "echo ${HOME}"
    assert r.resolve({"Fn::Length": [1, 2, 3]}) == 3
    assert is_unknown(r.resolve({"Fn::Length": {"Ref": "Env"}}))


@pytest.mark.parametrize("fn", ["Fn::GetAZs", "Fn::Cidr", "Fn::Transform"])
def test_unfollowable_intrinsics_are_unknown(r: Resolver, fn: str) -> None:
    assert is_unknown(r.resolve({fn: ""}))


def test_import_value_is_a_token_not_unknown(r: Resolver) -> None:
    value = r.resolve({"Fn::ImportValue": "shared-bucket"})
    assert value == Text((Token("Import", "shared-bucket"),))
    assert not is_unknown(value)


def test_worst_case_uses_twelve_digits_and_the_longest_region(r: Resolver) -> None:
    text = r.text({"Fn::Sub": "b-${AWS::AccountId}-${AWS::Region}"})
    assert text is not None
    region = longest_region_name()
    assert len(region) >= len("ap-southeast-2")
    assert text.worst_case() == f"b-123456789012-{region}"
    ref = r.text({"Fn::Sub": "b-${Bucket}"})
    assert ref is not None and ref.worst_case() is None


def test_text_of_scalars_and_non_strings(r: Resolver) -> None:
    assert r.text(True) == Text(("true",))
    assert r.text(42) == Text(("42",))
    assert r.text({"Key": "v"}) is None


def test_iter_references(r: Resolver) -> None:
    value = {
        "A": {"Ref": "Bucket"},
        "B": {"Fn::GetAtt": ["Fn", "Arn"]},
        "C": {"Fn::Sub": ["${Fn.Arn}-${Local}-${!Esc}", {"Local": {"Ref": "Env"}}]},
    }
    assert sorted(iter_references(value)) == ["Bucket", "Env", "Fn", "Fn"]


class _YamlDict(dict):  # cfn-lint's YAML loader returns dict, list and str subclasses
    pass


class _YamlList(list):
    pass


class _YamlStr(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {"Ref": "Bucket"},
        {"Ref": {"Ref": "Nested"}},
        {"Fn::GetAtt": "Fn.Arn"},
        {"Fn::GetAtt": ["Fn", {"Ref": "Attr"}]},
        {"Fn::GetAtt": [{"Ref": "X"}, "Arn"]},
        {"Fn::Sub": "${Bucket}-${Fn.Arn}-${!Esc}-${AWS::Region}"},
        {"Fn::Sub": ["${A}${B}", {"A": {"Ref": "Env"}, "C": {"Fn::GetAtt": ["Fn", "Arn"]}}]},
        {"Fn::Join": ["", ["a", {"Ref": "Bucket"}, ["b", {"Ref": "Fn"}]]]},
        {"Other": {"Ref": "Bucket"}},
        {"A": 1, "B": None, "C": True, "D": [{"Ref": "Env"}, "x"]},
        _YamlDict(A=_YamlList([_YamlDict(Ref=_YamlStr("Bucket")), _YamlStr("x")])),
        "Bucket",
        [],
    ],
)
def test_reference_set_is_the_set_of_iter_references(value: Any) -> None:
    # The dependency graph (circular-dependency and the ordering rules) reads reference_set:
    # it must name exactly what iter_references names, on JSON and YAML values alike.
    assert reference_set(value) == set(iter_references(value))
