"""Reading webhook bodies: every malformed one is an EventError with a one-line
reason."""

import json

import pytest

from psb import event as psb_event

TOPICS = {"OrderReceived", "OrderChangeReceived"}


def body(**values):
    return json.dumps(
        {"topic": "OrderReceived", "partyId": "0106:1", "documentId": "d-1", **values}
    ).encode()


def test_a_good_event():
    event = psb_event.parse(body(details={"sender": "0106:2"}))
    psb_event.check(event, TOPICS)
    assert event["details"]["sender"] == "0106:2"


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
        (b'{"a":' * 20 + b"1" + b"}" * 20, "nested too deeply"),
        (b'{"partyId": "0106:\\u00001"}', "NUL"),
        (b'{"details": {"x\\u0000": 1}}', "NUL"),
        (b'{"details": [["\\u0000"]]}', "NUL"),
        (b"\xff\xfe", "not JSON"),
        (b"topic=OrderReceived", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
    ],
)
def test_malformed_bodies(raw, reason):
    with pytest.raises(psb_event.EventError, match=reason) as err:
        psb_event.parse(raw)
    assert "\n" not in err.value.message and err.value.status == 400


def test_ids_over_the_limit_are_refused_not_cut():
    long_id = "x" * (psb_event.MAX_ID_LENGTH + 1)
    for values in (
        {"documentId": long_id},
        {"partyId": long_id},
        {"refToDocumentId": long_id},
        {"details": {"sender": long_id}},
        {"details": {"orderReferenceId": long_id}},
    ):
        with pytest.raises(psb_event.EventError, match="longer than 200"):
            psb_event.check(psb_event.parse(body(**values)), TOPICS)
    psb_event.check(
        psb_event.parse(body(documentId="x" * psb_event.MAX_ID_LENGTH)), TOPICS
    )


@pytest.mark.parametrize("document_id", ["", " ", ".", "..", None])
def test_document_topics_need_a_document_id(document_id):
    with pytest.raises(psb_event.EventError, match="does not name a document"):
        psb_event.check(psb_event.parse(body(documentId=document_id)), TOPICS)
    # a Ping (not a document topic) needs none
    psb_event.check(psb_event.parse(body(topic="Ping", documentId=document_id)), TOPICS)


def test_objects_are_not_ids():
    with pytest.raises(psb_event.EventError, match="documentId is not a string"):
        psb_event.check(psb_event.parse(body(documentId={"a": 1})), TOPICS)
    assert psb_event.text(12, "n") == "12"
