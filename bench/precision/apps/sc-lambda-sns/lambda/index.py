import json
import os

import boto3

SNS = boto3.client("sns")


def handler(event, context):
    SNS.publish(TopicArn=os.environ["SNS_TOPIC_ARN"], Message=json.dumps(event))
