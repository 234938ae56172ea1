"""Reading JSON that comes from outside (extracts, feeds, API bodies): nesting deep enough
to exhaust Python's stack is refused as malformed JSON, like any other bad file, rather
than crashing the import."""

import json


def loads(text: str | bytes):
    """``json.loads``, with too-deep nesting raised as a ``json.JSONDecodeError``."""
    try:
        return json.loads(text)
    except RecursionError:
        document = text if isinstance(text, str) else ""
        raise json.JSONDecodeError("nested too deeply", document, 0) from None
