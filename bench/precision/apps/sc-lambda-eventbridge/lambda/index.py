import json
import os

import boto3

EVENTS = boto3.client("events")


def handler(event, context):
    EVENTS.put_events(
        Entries=[
            {
                "Source": "app.orders",
                "DetailType": "order",
                "Detail": json.dumps(event),
                "EventBusName": os.environ["EVENTBUS_NAME"],
            }
        ]
    )
