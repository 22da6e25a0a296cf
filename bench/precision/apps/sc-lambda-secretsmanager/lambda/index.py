import os

import boto3

SECRETS = boto3.client("secretsmanager")


def handler(event, context):
    SECRETS.get_secret_value(SecretId=os.environ["SECRET_ARN"])
    return {"ok": True}
