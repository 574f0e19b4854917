# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import dataclasses
from datetime import datetime
from typing import Any


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What handling a document came to. The handlers (the order import, the change and
    cancellation handlers, the duplicate and revision checks) return one; only
    ``econnect.psb.document._apply_outcome`` writes it on the document.

    :param state: the document's state
    :param message: what a person reads on the document (``error_message``), or False
    :param sale_order: the sale order it belongs to (None: unchanged)
    :param retry_at: process it again at this time (a change that waits for another), or
        None
    :param duplicate_of: the document it repeats, or an empty recordset (None:
        unchanged)
    :param fix: for an error, who can act and whether Retry can help (``error_fix``)
    """

    state: str
    message: Any = False
    sale_order: Any = None
    retry_at: datetime | None = None
    duplicate_of: Any = None
    fix: str = "retry"
