from . import account_analytic_distribution_model
from . import account_edi_xml_ubl_bis3
from . import account_move
from . import account_move_send
from . import account_move_line
from . import econnect_psb_auto_confirm
from . import econnect_psb_dashboard

# The document's mixins before the document (a model is registered after those it
# inherits)
from . import econnect_psb_document_retention
from . import econnect_psb_document_rules
from . import econnect_psb_document_revision
from . import econnect_psb_document

# The registry of document kinds: the base first, then the kinds (a model is registered
# after those it inherits)
from . import econnect_psb_kind
from . import econnect_psb_kind_ordering
from . import econnect_psb_kind_order
from . import econnect_psb_kind_follow_up
from . import econnect_psb_kind_order_change
from . import econnect_psb_kind_order_cancellation
from . import econnect_psb_kind_delivery
from . import econnect_psb_kind_response_status
from . import econnect_psb_kind_invoice_status
from . import econnect_psb_kind_invoice_response

# The queue, then what an answer and an invoice share, before them (a model is
# registered after those it inherits)
from . import econnect_psb_queue_mixin
from . import econnect_psb_sent_mixin
from . import econnect_psb_invoice_send

from . import econnect_psb_order_change
from . import econnect_psb_order_import
from . import econnect_psb_product_code
from . import econnect_psb_response
from . import econnect_psb_response_line
from . import ir_cron
from . import mail_activity
from . import mail_message
from . import res_company
from . import res_config_settings
from . import res_partner
from . import sale_order
from . import sale_order_line
from . import uom_uom
