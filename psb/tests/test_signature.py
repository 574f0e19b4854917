from datetime import datetime, timedelta, timezone

from psb import signature

BODY = b'{"topic":"OrderReceived","partyId":"0106:12345678","documentId":"d1"}'


def test_sign_and_verify_round_trip():
    header = signature.sign("secret", BODY)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert signature.verify("secret", BODY, header)
    assert signature.verify("secret", BODY, header.upper().replace("SHA256=", "sha256="))


def test_known_vector():
    # HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), RFC 4231-style public vector
    body = b"The quick brown fox jumps over the lazy dog"
    assert signature.sign("key", body) == "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"


def test_rejects_tampering_wrong_secret_and_garbage():
    header = signature.sign("secret", BODY)
    assert not signature.verify("other", BODY, header)
    assert not signature.verify("secret", BODY + b" ", header)
    assert not signature.verify("secret", BODY.replace(b"\n", b"\r\n") + b"\r\n", header)
    for bad in (None, "", "sha256=", "md5=" + header[7:], header[7:], "sha256=zz" + header[9:], header + "00"):
        assert not signature.verify("secret", BODY, bad)
    assert not signature.verify("", BODY, signature.sign("", BODY))


def test_sent_on_window():
    now = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    assert signature.check_sent_on("2026-11-28T12:03:00+00:00", now=now)
    assert signature.check_sent_on("2026-11-28T11:57:00Z", now=now)
    assert signature.check_sent_on("2026-11-28T13:01:00.1234567+01:00", now=now)  # .NET's 7 digits
    assert not signature.check_sent_on("2026-11-28T11:50:00Z", now=now)
    assert not signature.check_sent_on("yesterday", now=now)
    assert not signature.check_sent_on(None, now=now)
    assert signature.check_sent_on(None, now=now, window=timedelta(0)), "a zero window disables the check"


def test_generated_secrets_are_strong_and_fragment_safe():
    secrets = {signature.generate_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(s) >= 40 and "#" not in s for s in secrets)
