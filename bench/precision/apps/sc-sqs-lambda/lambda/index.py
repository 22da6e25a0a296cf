import json


def handler(event, context):
    for record in event.get("Records", []):
        print(json.dumps(record.get("body")))
