"""The agreement with the buyer on one Peppol order: what the buyer was told, and what
may happen next.

Peppol ordering exists so that buyer and seller agree on one order. The agreement moves
with our answers (Order Responses: AB, AP, CA, RE, to the order or to one of the buyer's
changes and cancellations) and with the buyer's documents (Order Change, Order
Cancellation). This module owns those moves, as plain data: :data:`TRANSITIONS` says,
for each state, which event leads where; any other event is refused with
:func:`refusal`'s reason, which a sales user can act on. The Odoo layer derives the
state from an order's answers and documents (:func:`derive`) and asks this module which
answers to offer, what Confirm does and whom the order waits for.

::

    received ──AB──► acknowledged
        │                 │
        ├───── AP ────────┴──► accepted ◄──────────── AP to the change ─┐
        ├───── CA ────────┴──► proposed (waits for the buyer)            │
        └───── RE ────────┴──► rejected (confirmed: waits for the buyer) │
                                                                         │
    received, acknowledged, accepted ── buyer's change ──► change
                   AP to the change: accepted; RE: the state before it; CA: proposed
    change ── buyer's later change (restates the order) ──► change
    received, acknowledged, accepted, change ── buyer's cancellation ──► cancellation
                   (a pending change is superseded)  AP: cancelled; RE: the state before
                   it
    proposed ── buyer's change (restates our proposal, no answer) ──► accepted
    proposed, rejected ── buyer's cancellation (declines our CA / confirms our RE, no
    answer) ──► cancelled accepted ── CA / RE (Advanced Ordering only) ──► proposed /
    rejected

Texts go through ``_`` (``env._`` from Odoo, so they are translated; plain ``%``
formatting here).
"""

# pylint: disable=prefer-env-translation  # plain Python: ``_`` is the caller's
# translation function
from dataclasses import dataclass

RECEIVED = "received"  # the order is in; the buyer was told nothing yet
ACKNOWLEDGED = "acknowledged"  # AB: received, an answer follows
PROPOSED = (
    "proposed"  # CA: we proposed changes; the buyer accepts with a change or cancels
)
ACCEPTED = "accepted"  # AP: the order (or its last change) is agreed
# RE: refused; on a confirmed order the buyer confirms with a cancellation
REJECTED = "rejected"
# the buyer's change waits for our decision (AP applies it, RE keeps the order before
# it)
CHANGE = "change"
CANCELLATION = "cancellation"  # the buyer's cancellation waits for our decision
CANCELLED = "cancelled"  # cancelled at the buyer's request, or after our rejection

STATES = (
    RECEIVED,
    ACKNOWLEDGED,
    PROPOSED,
    ACCEPTED,
    REJECTED,
    CHANGE,
    CANCELLATION,
    CANCELLED,
)

# Events: our answers to the order, the buyer's documents, and our answers to those
# documents.
AB, AP, CA, RE = "AB", "AP", "CA", "RE"
BUYER_CHANGE, BUYER_CANCELLATION = "buyer_change", "buyer_cancellation"
ACCEPT_CHANGE, REFUSE_CHANGE = (
    "accept_change",
    "refuse_change",
)  # AP / RE to the buyer's change
ACCEPT_CANCELLATION, REFUSE_CANCELLATION = "accept_cancellation", "refuse_cancellation"
#: Our answers to the order itself, in the order a person meets them.
ANSWERS = (AB, AP, CA, RE)

#: Where each allowed event leads. ``None``: back to the state before the buyer's
#: document.
TRANSITIONS = {
    RECEIVED: {AB: ACKNOWLEDGED, AP: ACCEPTED, CA: PROPOSED, RE: REJECTED},
    ACKNOWLEDGED: {AP: ACCEPTED, CA: PROPOSED, RE: REJECTED},
    PROPOSED: {},
    ACCEPTED: {},
    REJECTED: {},
    # CA to the buyer's change: we propose changes to the changed order (a change
    # applied to a quotation that waited for the person who confirms it).
    CHANGE: {ACCEPT_CHANGE: ACCEPTED, REFUSE_CHANGE: None, CA: PROPOSED},
    CANCELLATION: {ACCEPT_CANCELLATION: CANCELLED, REFUSE_CANCELLATION: None},
    CANCELLED: {},
}
# The buyer may change or cancel an order at any time before it is cancelled: its
# document waits for us.
for _state in (RECEIVED, ACKNOWLEDGED, ACCEPTED):
    TRANSITIONS[_state].update({BUYER_CHANGE: CHANGE, BUYER_CANCELLATION: CANCELLATION})
# A cancellation supersedes a change still waiting for a decision (never answered
# afterwards); a later change restates the order after one applied to a quotation that
# waits for Confirm (the later one is answered).
TRANSITIONS[CHANGE].update({BUYER_CANCELLATION: CANCELLATION, BUYER_CHANGE: CHANGE})
# After our CA the buyer accepts with an Order Change restating our proposal, or
# declines with an Order Cancellation; after our RE on a confirmed order the buyer's
# cancellation confirms it. Neither is answered.
TRANSITIONS[PROPOSED].update({BUYER_CHANGE: ACCEPTED, BUYER_CANCELLATION: CANCELLED})
TRANSITIONS[REJECTED][BUYER_CANCELLATION] = CANCELLED
#: The buyer's documents that are answered by nobody: they answer ours.
UNANSWERED = {
    (PROPOSED, BUYER_CHANGE),
    (PROPOSED, BUYER_CANCELLATION),
    (REJECTED, BUYER_CANCELLATION),
}
#: Advanced Ordering only: on an accepted order the seller may still propose changes
#: (scenario 3) or cancel it (scenario 5); in Ordering an AP is final.
ADVANCED_ONLY = {ACCEPTED: {CA: PROPOSED, RE: REJECTED}}

#: Whom the order waits for in each state: a person of ours, the buyer, or nobody.
WAITS_FOR = {
    RECEIVED: "person",
    ACKNOWLEDGED: "person",
    PROPOSED: "buyer",
    ACCEPTED: None,
    REJECTED: "buyer",
    CHANGE: "person",
    CANCELLATION: "person",
    CANCELLED: None,
}


class Refused(ValueError):
    """An event the agreement does not allow in its state; ``reason`` says why, for a
    sales user."""

    def __init__(self, state, event, reason):
        super().__init__(reason)
        self.state, self.event, self.reason = state, event, reason


@dataclass(frozen=True)
class Agreement:
    """Where the agreement stands: ``state``, and ``before`` the buyer's pending
    document (to go back to)."""

    state: str = RECEIVED
    before: str | None = None
    advanced: bool = False

    def allows(self, event):
        return event in self._moves()

    def _moves(self):
        moves = dict(TRANSITIONS[self.state])
        if self.advanced:
            moves.update(ADVANCED_ONLY.get(self.state, {}))
        return moves

    def apply(self, event, _=None):
        """The agreement after ``event``. :raises Refused: when the event is not allowed
        now."""
        moves = self._moves()
        if event not in moves:
            raise Refused(self.state, event, refusal(self.state, event, _))
        target = moves[event]
        if (
            target is None
        ):  # a refused change or cancellation: the order before it stands
            return Agreement(self.before or RECEIVED, None, self.advanced)
        before = None
        if target in (CHANGE, CANCELLATION):
            # A cancellation superseding a pending change goes back, when refused, to
            # the order before that change.
            before = self.before if self.state == CHANGE else self.state
        return Agreement(target, before, self.advanced)

    def answered_by_nobody(self, event):
        """Whether the buyer's document ``event`` answers ours (scenarios 1, 3 and 5):
        it gets no answer."""
        return (self.state, event) in UNANSWERED

    def answers(self):
        """Our answers to the order that may go out now (AB, AP, CA, RE), in that
        order."""
        moves = self._moves()
        return tuple(code for code in ANSWERS if code in moves)

    def confirm(self, change_applied=False):
        """What confirming the quotation does in this state.

        ``answer``: confirm and answer (AP, or CA with the changed lines); ``silent``:
        confirm, the buyer was told already; ``ask``: we proposed changes and the buyer
        has not answered, confirm only when the person says so; ``refuse``: no
        confirmation (rejected, cancelled, or a buyer's document to decide first).
        ``change_applied``: the buyer's change was applied to the quotation and waits
        for the person who confirms it to be answered (AP to the change, or CA).
        """
        if self.state in (RECEIVED, ACKNOWLEDGED) or (
            self.state == CHANGE and change_applied
        ):
            return "answer"
        if self.state == ACCEPTED:
            return "silent"
        if self.state == PROPOSED:
            return "ask"
        return "refuse"

    def waits_for(self, confirmed=False, quotation=False):
        """``person``, ``buyer`` or None (agreed, or over). A rejected quotation is
        cancelled at once; only a rejected confirmed order waits for the buyer's
        cancellation. An agreed ``quotation`` (still to be confirmed) waits for a
        person."""
        if self.state == REJECTED and not confirmed:
            return None
        if self.state == ACCEPTED and quotation:
            return "person"
        return WAITS_FOR[self.state]


def derive(events, advanced=False):
    """The agreement after ``events`` (oldest first), as recorded: an event the
    agreement would refuse (a record older than these rules) is passed over, so that the
    state is always one of :data:`STATES`."""
    agreement = Agreement(advanced=advanced)
    for event in events:
        if agreement.allows(event):
            agreement = agreement.apply(event)
    return agreement


def _plain(message, **kwargs):
    return message % kwargs if kwargs else message


def state_label(state, _=_plain):
    """The state as a sales user reads it."""
    _ = _ or _plain
    return {
        RECEIVED: _("received, not answered yet"),
        ACKNOWLEDGED: _("acknowledged, not accepted yet"),
        PROPOSED: _("changes proposed, waiting for the buyer"),
        ACCEPTED: _("accepted"),
        REJECTED: _("rejected, waiting for the buyer's cancellation"),
        CHANGE: _("changed by the buyer, to decide"),
        CANCELLATION: _("cancellation requested by the buyer, to decide"),
        CANCELLED: _("cancelled"),
    }[state]


def refusal(state, event, _=None):
    """Why ``event`` cannot happen in ``state``, for a sales user."""
    _ = _ or _plain
    told = {
        ACKNOWLEDGED: _("The buyer was already told the order is received (AB)."),
        ACCEPTED: _("The buyer was already told the order is accepted (AP)."),
        PROPOSED: _(
            "The buyer was told our proposed changes (CA): wait for the buyer's Order "
            "Change (accepting them) "
            "or Order Cancellation."
        ),
        REJECTED: _(
            "The buyer was told the order is rejected (RE): wait for the buyer's "
            "Order Cancellation."
        ),
        CHANGE: _(
            "The buyer's Order Change waits for a decision: accept or refuse it first."
        ),
        CANCELLATION: _(
            "The buyer's Order Cancellation waits for a decision: accept or refuse it "
            "first."
        ),
        CANCELLED: _("The order is cancelled: nothing more can be answered."),
    }
    if event == AB and state != RECEIVED:
        return told[state]
    if event in (ACCEPT_CHANGE, REFUSE_CHANGE) and state != CHANGE:
        return _(
            "No Order Change of the buyer waits for a decision: it was already decided."
        )
    if event in (ACCEPT_CANCELLATION, REFUSE_CANCELLATION) and state != CANCELLATION:
        return _(
            "No Order Cancellation of the buyer waits for a decision: it was already "
            "decided."
        )
    if state == ACCEPTED and event in (CA, RE):
        return _(
            "The buyer was already told the order is accepted (AP); in Peppol "
            "Ordering that is final: "
            "agree any change with the buyer, who sends an Order Change."
        )
    return told.get(state) or _("This is not possible now.")
