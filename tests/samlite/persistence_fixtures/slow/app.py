import time


def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return event.get("n")
