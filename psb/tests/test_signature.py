"""The webhook signature (HMAC-SHA256 of the raw body) and the sentOn replay window."""

from datetime import datetime, timedelta, timezone

import pytest

from psb import signature

# The webhook body of eConnect's own signature unit test (econnect-psb-dotnet,
# EConnect.Psb.UnitTests/WebHook/PsbWebHookSignatureTests.cs): a C# verbatim string, so
# the bytes that were signed have CRLF line endings (psb-api.md §6.3).
DOTNET_EVENT = """{
    "topic": "InvoiceSent",
    "partyId": "NL:KVK:SENDER",
    "hookId": "111",
    "documentId": "f96bad15-0500-4d80-b883-1a82c01b8f93",
    "message": "'Invoice' successfully sent: 'ffb4b016-5c24-4bbb-b56c-3571ec4bb6a2@econnect.eu'.",
    "details": {
        "sender": "NL:KVK:SENDER",
        "id": "12115120",
        "sourceDocumentTypeId": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0::2.1",
        "attempt": "1",
        "targetDocumentTypeId": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0::2.1",
        "endpoint": "https://accp-ap.econnect.eu/as4/v1",
        "recipient": "NL:KVK:RECEIVER",
        "protocol": "As4",
        "messageId": "f96bad15-0500-4d80-b883-1a82c01b8f93@econnect.eu",
        "returnedMessageId": "ffb4b016-5c24-4bbb-b56c-3571ec4bb6a2@econnect.eu"
    },
    "createdOn": "2022-01-21T10:03:18.3726197+00:00",
    "sentOn": "2022-01-21T10:03:18.5951881+00:00"
}""".replace("\n", "\r\n").encode("utf-8")
DOTNET_SIGNATURE = (
    "sha256=8f3382eadc9a5444977205979f22d5a899cae74b75b6aade80c3274b214096f4"
)

BODY = b'{"topic":"OrderReceived","partyId":"0106:12345678","documentId":"d1"}'


def test_econnect_test_vector():
    assert signature.sign("secret", DOTNET_EVENT) == DOTNET_SIGNATURE
    assert signature.verify("secret", DOTNET_EVENT, DOTNET_SIGNATURE)


def test_line_endings_are_part_of_the_signed_bytes():
    lf_body = DOTNET_EVENT.replace(b"\r\n", b"\n")
    assert signature.sign("secret", lf_body) != DOTNET_SIGNATURE
    assert not signature.verify("secret", lf_body, DOTNET_SIGNATURE)


def test_public_hmac_vector():
    body = b"The quick brown fox jumps over the lazy dog"
    assert (
        signature.sign("key", body)
        == "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )


def test_round_trip_and_header_spelling():
    header = signature.sign("secret", BODY)
    assert header.startswith("sha256=") and len(header) == len("sha256=") + 64
    assert header == header.lower()
    assert signature.verify("secret", BODY, header)
    assert signature.verify("secret", BODY, "SHA256=" + header[7:].upper())
    assert signature.verify("secret", BODY, f"  {header}\r\n"), (
        "surrounding whitespace is ignored"
    )


def test_every_single_byte_change_is_detected():
    header = signature.sign("secret", BODY)
    for index in range(len(BODY)):
        tampered = bytearray(BODY)
        tampered[index] ^= 0x01
        assert not signature.verify("secret", bytes(tampered), header)
    assert not signature.verify("secret", BODY + b" ", header)
    assert not signature.verify("secret", BODY[:-1], header)


def test_wrong_secret_and_non_ascii_secret():
    header = signature.sign("secret", BODY)
    assert not signature.verify("Secret", BODY, header)
    assert signature.verify("sécret-€", BODY, signature.sign("sécret-€", BODY)), (
        "the key is the UTF-8 secret"
    )


@pytest.mark.parametrize(
    "bad",
    [
        None,
        "",
        "sha256=",
        "sha256",
        "md5=" + "0" * 64,
        "0" * 64,
        "sha256=" + "z" * 64,
        "sha256=" + "0" * 63,
        "sha256=" + "0" * 65,
        "sha256= " + "0" * 64,
        b"sha256=" + b"0" * 64,
        "sha256=" + "0" * 64 + "\n0",
    ],
)
def test_malformed_headers_are_refused(bad):
    assert not signature.verify("secret", BODY, bad)


def test_missing_secret_never_verifies():
    assert not signature.verify("", BODY, signature.sign("", BODY))
    assert not signature.verify(None, BODY, signature.sign("", BODY))


NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "sent_on",
    [
        "2026-11-28T12:00:00+00:00",
        "2026-11-28T12:04:59Z",
        "2026-11-28T11:55:00z",
        "2026-11-28T13:01:00.1234567+01:00",  # .NET's seven fraction digits
        "2026-11-28T10:57:00.5-01:00",
        "2026-11-28T12:00:00.123456789+00:00",
        "2026-11-28T12:00:00",  # no offset: read as UTC
    ],
)
def test_sent_on_inside_the_window(sent_on):
    assert signature.check_sent_on(sent_on, now=NOW)


@pytest.mark.parametrize(
    "sent_on",
    [
        "2026-11-28T11:54:59Z",
        "2026-11-28T12:05:01+00:00",
        "2026-11-28T12:00:00+01:00",
        None,
        "",
        "yesterday",
        "2026-13-28T12:00:00Z",
        "Z",
        1764331200,
    ],
)
def test_sent_on_outside_the_window_or_unreadable(sent_on):
    assert not signature.check_sent_on(sent_on, now=NOW)


def test_sent_on_window_is_a_parameter():
    late = "2026-11-28T12:20:00Z"
    assert not signature.check_sent_on(late, now=NOW)
    assert signature.check_sent_on(late, now=NOW, window=timedelta(minutes=30))
    assert signature.check_sent_on(late, now=NOW, window=1200)
    assert not signature.check_sent_on(late, now=NOW, window=1199)
    for disabled in (timedelta(0), 0, None):
        assert signature.check_sent_on(None, now=NOW, window=disabled), (
            "a zero window disables the check"
        )
    assert signature.check_sent_on(
        "2026-11-28T12:01:00Z", now=NOW.replace(tzinfo=None)
    ), "naive now is UTC"
    assert signature.check_sent_on(datetime.now(timezone.utc).isoformat()), (
        "now defaults to the current time"
    )


def test_generated_secrets_are_strong_and_fragment_safe():
    secrets = {signature.generate_secret() for _ in range(100)}
    assert len(secrets) == 100
    for secret in secrets:
        assert len(secret) >= 43 and "#" not in secret
        assert set(secret) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
