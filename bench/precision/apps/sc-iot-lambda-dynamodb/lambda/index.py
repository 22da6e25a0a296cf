import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["DDB_TABLE_NAME"])


def handler(event, context):
    TABLE.put_item(Item={"id": context.aws_request_id, "body": json.dumps(event)})
    return {"statusCode": 200}
