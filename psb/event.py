"""Reading a PSB webhook event's body, and the limits every value taken from it keeps.

Everything here runs before and after the signature check on bytes that come from
outside: a malformed body is an :class:`EventError` (the webhook answers 4xx with its
message), never an exception that reaches the HTTP layer. Values are refused, never cut:
an id longer than :data:`MAX_ID_LENGTH` is an error, so two different ids never end up
stored as one.
"""

import json

#: The longest id taken from an event (partyId, documentId, refToDocumentId, hookId, the
#: sender's Peppol id, the buyer's order id). The PSB's document ids are UUIDs (36
#: characters) and Peppol ids are at most ``scheme:`` + 50 characters; a buyer's order
#: id is free text, 200 leaves it room.
MAX_ID_LENGTH = 200
#: The longest topic name (the PSB's are 30 characters at most).
MAX_TOPIC_LENGTH = 100
#: How deeply the event's JSON may nest: the PSB's events are two levels deep
#: (``details``).
MAX_DEPTH = 16
#: Ids that do not name a document: as a URL path segment, ``.`` and ``..`` collapse.
DOT_SEGMENTS = (".", "..")


class EventError(ValueError):
    """The body is not an event this webhook accepts; ``message`` says why (one line, in
    English)."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def parse(body: bytes) -> dict:
    """The event in ``body``: a JSON object, nested at most :data:`MAX_DEPTH` levels,
    without NUL characters.

    :raises EventError: for anything else.
    """
    try:
        event = json.loads(body)
    except RecursionError as exc:
        raise EventError("the body is nested too deeply") from exc
    except ValueError as exc:  # includes UnicodeDecodeError
        raise EventError("the body is not JSON") from exc
    if not isinstance(event, dict):
        raise EventError("the body is not a JSON object")
    _check_values(event)
    return event


def _check_values(event):
    """Walks the decoded event without recursion: depth and NUL characters (PostgreSQL
    refuses them)."""
    stack = [(event, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise EventError("the body is nested too deeply")
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise EventError("the body contains a NUL character")
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and "\x00" in value:
            raise EventError("the body contains a NUL character")


def text(value, name, max_length=MAX_ID_LENGTH):
    """``value`` (a string or a number from the event) as a stripped string, ``""`` when
    absent.

    :raises EventError: when it is an object or a list, or longer than ``max_length``.
    """
    if value is None or value is False:
        return ""
    if isinstance(value, (dict, list)):
        raise EventError(f"{name} is not a string")
    result = str(value).strip()
    if len(result) > max_length:
        raise EventError(f"{name} is longer than {max_length} characters")
    return result


def check(event, document_topics):
    """Check the values the webhook takes from ``event``; a topic in ``document_topics``
    needs a document id.

    :raises EventError: a value is too long or of the wrong kind, or the document id is
        missing or a dot-segment.
    """
    topic = text(event.get("topic"), "topic", MAX_TOPIC_LENGTH)
    text(event.get("partyId"), "partyId")
    text(event.get("hookId"), "hookId")
    document_id = text(event.get("documentId"), "documentId")
    if topic in document_topics and (not document_id or document_id in DOT_SEGMENTS):
        raise EventError(f"documentId {document_id!r} does not name a document")
    ref = text(event.get("refToDocumentId"), "refToDocumentId")
    if ref in DOT_SEGMENTS:
        raise EventError(f"refToDocumentId {ref!r} does not name a document")
    details = event.get("details") if isinstance(event.get("details"), dict) else {}
    for key in ("sender", "orderReferenceId", "id"):
        text(details.get(key), f"details.{key}")
