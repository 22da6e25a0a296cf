import json
import os

import boto3

SFN = boto3.client("stepfunctions")


def handler(event, context):
    SFN.start_execution(stateMachineArn=os.environ["STATE_MACHINE_ARN"], input=json.dumps(event))
