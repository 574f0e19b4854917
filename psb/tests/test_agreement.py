"""The agreement with the buyer: every transition, every refused event, and what each
state offers."""

import pytest

from psb import agreement as ag
from psb.agreement import Agreement, Refused

EVENTS = (
    ag.AB,
    ag.AP,
    ag.CA,
    ag.RE,
    ag.BUYER_CHANGE,
    ag.BUYER_CANCELLATION,
    ag.ACCEPT_CHANGE,
    ag.REFUSE_CHANGE,
    ag.ACCEPT_CANCELLATION,
    ag.REFUSE_CANCELLATION,
)

ALLOWED = {
    (ag.RECEIVED, ag.AB): ag.ACKNOWLEDGED,
    (ag.RECEIVED, ag.AP): ag.ACCEPTED,
    (ag.RECEIVED, ag.CA): ag.PROPOSED,
    (ag.RECEIVED, ag.RE): ag.REJECTED,
    (ag.ACKNOWLEDGED, ag.AP): ag.ACCEPTED,
    (ag.ACKNOWLEDGED, ag.CA): ag.PROPOSED,
    (ag.ACKNOWLEDGED, ag.RE): ag.REJECTED,
    (ag.RECEIVED, ag.BUYER_CHANGE): ag.CHANGE,
    (ag.ACKNOWLEDGED, ag.BUYER_CHANGE): ag.CHANGE,
    (ag.PROPOSED, ag.BUYER_CHANGE): ag.ACCEPTED,
    (ag.ACCEPTED, ag.BUYER_CHANGE): ag.CHANGE,
    (ag.RECEIVED, ag.BUYER_CANCELLATION): ag.CANCELLATION,
    (ag.ACKNOWLEDGED, ag.BUYER_CANCELLATION): ag.CANCELLATION,
    (ag.PROPOSED, ag.BUYER_CANCELLATION): ag.CANCELLED,
    (ag.CHANGE, ag.BUYER_CANCELLATION): ag.CANCELLATION,
    (ag.CHANGE, ag.CA): ag.PROPOSED,
    (ag.CHANGE, ag.BUYER_CHANGE): ag.CHANGE,
    (ag.ACCEPTED, ag.BUYER_CANCELLATION): ag.CANCELLATION,
    (ag.REJECTED, ag.BUYER_CANCELLATION): ag.CANCELLED,
    (ag.CHANGE, ag.ACCEPT_CHANGE): ag.ACCEPTED,
    (ag.CANCELLATION, ag.ACCEPT_CANCELLATION): ag.CANCELLED,
}

#: Refusing the buyer's document goes back to the state before it.
GOING_BACK = ((ag.CHANGE, ag.REFUSE_CHANGE), (ag.CANCELLATION, ag.REFUSE_CANCELLATION))


def at(state, before=None, advanced=False):
    return Agreement(state, before, advanced)


@pytest.mark.parametrize("pair, target", sorted(ALLOWED.items()))
def test_each_transition(pair, target):
    state, event = pair
    after = at(state).apply(event)
    assert after.state == target
    # The buyer's pending document remembers the state before it (a superseded
    # change's); nothing else does.
    pending = target in (ag.CHANGE, ag.CANCELLATION) and state != ag.CHANGE
    assert after.before == (state if pending else None)


@pytest.mark.parametrize(
    "state, event",
    [
        (s, e)
        for s in ag.STATES
        for e in EVENTS
        if (s, e) not in ALLOWED
        and (s, e)
        not in (
            (ag.CHANGE, ag.REFUSE_CHANGE),
            (ag.CANCELLATION, ag.REFUSE_CANCELLATION),
        )
    ],
)
def test_every_other_event_is_refused_with_a_reason(state, event):
    with pytest.raises(Refused) as caught:
        at(state).apply(event)
    assert caught.value.reason
    assert (caught.value.state, caught.value.event) == (state, event)
    assert not at(state).allows(event)


@pytest.mark.parametrize("before", [ag.RECEIVED, ag.ACKNOWLEDGED, ag.ACCEPTED])
def test_refusing_the_buyers_document_keeps_the_order_before_it(before):
    changed = at(before).apply(ag.BUYER_CHANGE)
    assert changed.apply(ag.REFUSE_CHANGE) == at(before)
    cancelling = at(before).apply(ag.BUYER_CANCELLATION)
    assert cancelling.apply(ag.REFUSE_CANCELLATION) == at(before)


def test_accept_twice_is_refused_and_says_what_was_sent():
    accepted = at(ag.RECEIVED).apply(ag.AP)
    with pytest.raises(Refused, match=r"already told the order is accepted \(AP\)"):
        accepted.apply(ag.AP)
    with pytest.raises(Refused, match=r"already told the order is received \(AB\)"):
        at(ag.ACKNOWLEDGED).apply(ag.AB)


def test_a_new_agreement_after_a_change_may_be_accepted_again():
    state = at(ag.RECEIVED).apply(ag.AP).apply(ag.BUYER_CHANGE).apply(ag.ACCEPT_CHANGE)
    assert state.state == ag.ACCEPTED
    assert state.apply(ag.BUYER_CHANGE).apply(ag.ACCEPT_CHANGE).state == ag.ACCEPTED


def test_deciding_twice_says_already_decided():
    decided = (
        at(ag.ACCEPTED, advanced=True).apply(ag.BUYER_CHANGE).apply(ag.ACCEPT_CHANGE)
    )
    for event in (ag.ACCEPT_CHANGE, ag.REFUSE_CHANGE):
        with pytest.raises(Refused, match="already decided"):
            decided.apply(event)
    cancelled = (
        at(ag.ACCEPTED).apply(ag.BUYER_CANCELLATION).apply(ag.ACCEPT_CANCELLATION)
    )
    with pytest.raises(Refused, match="already decided"):
        cancelled.apply(ag.REFUSE_CANCELLATION)


def test_after_our_proposal_or_rejection_we_wait_for_the_buyer():
    for code in ag.ANSWERS:
        with pytest.raises(Refused, match="wait for the buyer's Order Change"):
            at(ag.PROPOSED).apply(code)
        with pytest.raises(Refused, match="wait for the buyer's Order Cancellation"):
            at(ag.REJECTED).apply(code)


def test_advanced_ordering_may_still_propose_or_cancel_an_accepted_order():
    with pytest.raises(Refused, match="that is final"):
        at(ag.ACCEPTED).apply(ag.CA)
    assert at(ag.ACCEPTED, advanced=True).apply(ag.CA).state == ag.PROPOSED
    assert at(ag.ACCEPTED, advanced=True).apply(ag.RE).state == ag.REJECTED
    assert at(ag.ACCEPTED, advanced=True).answers() == (ag.CA, ag.RE)


@pytest.mark.parametrize(
    "state, answers, confirm, waits",
    [
        (ag.RECEIVED, ("AB", "AP", "CA", "RE"), "answer", "person"),
        (ag.ACKNOWLEDGED, ("AP", "CA", "RE"), "answer", "person"),
        (ag.PROPOSED, (), "ask", "buyer"),
        (ag.ACCEPTED, (), "silent", None),
        (ag.REJECTED, (), "refuse", "buyer"),
        (ag.CHANGE, ("CA",), "refuse", "person"),
        (ag.CANCELLATION, (), "refuse", "person"),
        (ag.CANCELLED, (), "refuse", None),
    ],
)
def test_what_each_state_offers(state, answers, confirm, waits):
    assert at(state).answers() == answers
    assert at(state).confirm() == confirm
    assert at(state).waits_for(confirmed=True) == waits
    assert ag.state_label(state)


def test_a_rejected_quotation_waits_for_nobody():
    assert at(ag.REJECTED).waits_for(confirmed=False) is None


def test_an_agreed_quotation_waits_for_the_person_who_confirms_it():
    assert at(ag.ACCEPTED).waits_for(quotation=True) == "person"
    assert at(ag.ACCEPTED).waits_for(confirmed=True) is None


def test_a_cancellation_supersedes_a_pending_change():
    pending = at(ag.ACCEPTED).apply(ag.BUYER_CHANGE).apply(ag.BUYER_CANCELLATION)
    assert pending == at(ag.CANCELLATION, before=ag.ACCEPTED)
    # Refusing the cancellation goes back to the order before the superseded change,
    # never to the change.
    assert pending.apply(ag.REFUSE_CANCELLATION) == at(ag.ACCEPTED)
    with pytest.raises(Refused, match="already decided"):
        pending.apply(ag.ACCEPT_CHANGE)


def test_the_buyers_answers_to_ours_get_no_answer():
    assert at(ag.PROPOSED).answered_by_nobody(ag.BUYER_CHANGE)
    assert at(ag.PROPOSED).answered_by_nobody(ag.BUYER_CANCELLATION)
    assert at(ag.REJECTED).answered_by_nobody(ag.BUYER_CANCELLATION)
    assert not at(ag.ACCEPTED).answered_by_nobody(ag.BUYER_CANCELLATION)
    assert not at(ag.RECEIVED).answered_by_nobody(ag.BUYER_CHANGE)


def test_a_change_applied_to_a_quotation_is_answered_by_confirm():
    assert at(ag.CHANGE, before=ag.RECEIVED).confirm(change_applied=True) == "answer"
    assert at(ag.CHANGE, before=ag.RECEIVED).confirm() == "refuse"


def test_derive_from_the_record():
    assert ag.derive([]) == at(ag.RECEIVED)
    assert (
        ag.derive([ag.AB, ag.CA, ag.BUYER_CHANGE, ag.ACCEPT_CHANGE]).state
        == ag.ACCEPTED
    )
    assert ag.derive([ag.AP, ag.BUYER_CHANGE]) == at(ag.CHANGE, before=ag.ACCEPTED)
    assert ag.derive([ag.RE, ag.BUYER_CANCELLATION]).state == ag.CANCELLED
    # A second AP recorded by an older version is passed over: the state stays one the
    # rules know.
    assert ag.derive([ag.AP, ag.AP]).state == ag.ACCEPTED
    assert ag.derive([ag.AP, ag.CA], advanced=True).state == ag.PROPOSED


def test_every_state_has_its_moves_and_waits():
    assert set(ag.TRANSITIONS) == set(ag.STATES) == set(ag.WAITS_FOR)


def test_translator_is_used():
    def translate(message, **kwargs):
        return "T:" + message

    with pytest.raises(Refused) as caught:
        at(ag.ACCEPTED).apply(ag.AP, translate)
    assert caught.value.reason.startswith("T:")
    assert (
        ag.state_label(ag.PROPOSED, translate)
        == "T:changes proposed, waiting for the buyer"
    )
