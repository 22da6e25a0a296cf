def handler(event, context):
    failures = []
    for record in event.get("Records", []):
        if not record:
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}
