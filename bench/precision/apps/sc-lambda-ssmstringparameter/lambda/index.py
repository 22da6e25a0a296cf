import os

import boto3

SSM = boto3.client("ssm")


def handler(event, context):
    return SSM.get_parameter(Name=os.environ["SSM_STRING_PARAMETER_NAME"])["Parameter"]["Value"]
