"""A function using its layers: the template's own shared layer, and Powertools by ARN."""

import shared_util
import tinydep
from aws_lambda_powertools import Logger
from aws_lambda_powertools.shared.version import VERSION

logger = Logger()


@logger.inject_lambda_context
def handler(event, context):
    logger.info("handled with Powertools", extra={"powertools": VERSION})
    return {
        "greeting": shared_util.greeting(event.get("name", "you")),
        "tinydep": tinydep.VALUE,
        "powertools": VERSION,
        "shared_util": shared_util.__file__,
    }
