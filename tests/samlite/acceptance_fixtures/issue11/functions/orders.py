"""Two steps of the acceptance fixture's order workflow."""


def validate(event, context):
    if not event.get("items"):
        raise ValueError("an order needs items")
    return {**event, "total": sum(item["price"] * item["quantity"] for item in event["items"])}


def charge(event, context):
    return {"order": event["order"], "charged": event["total"], "by": context.function_name}
