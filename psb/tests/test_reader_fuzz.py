"""Fuzzing the reader: whatever bytes arrive, it returns an OrderDocument or raises a UblError."""
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psb.ubl.model import OrderDocument, UblError
from psb.ubl.reader import read_document

from .conftest import peppol_dir


def _seeds():
    base = peppol_dir()
    if not base:
        return [b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>']
    return [p.read_bytes() for kind in ("order", "order_change", "order_cancellation")
            for p in sorted((base / "examples" / kind / "official").rglob("*.xml"))]


SEEDS = _seeds()


def mutate(data, rnd):
    choice = rnd.randrange(6)
    if choice == 0:
        return data[: rnd.randrange(len(data) + 1)]
    if choice == 1:
        pos = rnd.randrange(len(data))
        return data[:pos] + bytes([rnd.randrange(256)]) + data[pos + 1:]
    if choice == 2:   # drop an element
        start = data.find(b"<cbc:", rnd.randrange(len(data)))
        end = data.find(b">", data.find(b"</cbc:", start + 1)) + 1 if start >= 0 else -1
        return data[:start] + data[end:] if 0 <= start < end else data
    if choice == 3:   # garbage in a value
        start = data.find(b">", rnd.randrange(len(data)))
        junk = rnd.choice([b"NaN", b"1e999", b"-0", b"\xc3\x28", b"&amp;", b"2026-13-45", b"", b"x" * 50])
        return data[: start + 1] + junk + data[start + 1:] if start >= 0 else data
    if choice == 4:   # duplicate a chunk
        a, b = sorted(rnd.randrange(len(data)) for _ in range(2))
        return data[:b] + data[a:b] + data[b:]
    return data.replace(b"cbc:Quantity", b"cbc:Quantity" if rnd.random() < 0.5 else b"cbc:Qty")


def check(data):
    try:
        result = read_document(data)
    except UblError:
        return
    assert isinstance(result, OrderDocument)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), rounds=st.integers(min_value=1, max_value=4))
def test_mutated_official_documents(seed, rounds):
    rnd = random.Random(seed)
    data = rnd.choice(SEEDS)
    for _ in range(rounds):
        data = mutate(data, rnd) or data
    check(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    check(data)
