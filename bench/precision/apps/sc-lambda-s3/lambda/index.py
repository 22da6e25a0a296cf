import os

import boto3

S3 = boto3.client("s3")


def handler(event, context):
    S3.put_object(Bucket=os.environ["S3_BUCKET_NAME"], Key="events/latest.json", Body=b"{}")
