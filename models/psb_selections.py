# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The choices of selection fields that more than one model declares (or reads): an
incoming document's source, an answer's code and the states of what goes out through
the PSB. The labels are translated as the fields' selections are, per model."""

#: How an incoming document came in (``econnect.psb.document``).
DOCUMENT_SOURCES = [
    ("webhook", "Webhook"),
    ("manual", "Imported by id"),
    ("upload", "Uploaded file"),
]
#: The Order Response codes (UNCL4343 subset of Peppol BIS 3): an answer's, and the
#: last one a sale order sent.
RESPONSE_CODES = [
    ("AB", "Acknowledged (AB)"),
    ("AP", "Accepted (AP)"),
    ("CA", "Accepted with changes (CA)"),
    ("RE", "Rejected (RE)"),
]
#: The answers that decide on the order (not a mere acknowledgement).
BUSINESS_CODES = ("AP", "CA", "RE")
#: The states of what goes out through the PSB: an answer (and the sale order's last
#: one), an invoice.
SEND_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("failed", "Failed"),
]
