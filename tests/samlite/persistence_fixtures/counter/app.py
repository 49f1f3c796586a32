def handler(event, context):
    print("invoked with", len(event.get("Records", [])), "records")
