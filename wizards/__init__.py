from . import econnect_psb_import_wizard
from . import econnect_psb_response_wizard
from . import econnect_psb_response_wizard_line
from . import econnect_psb_answer_choice
from . import econnect_psb_confirm_wizard
from . import econnect_psb_document_wizard
from . import sale_advance_payment_inv
from . import econnect_psb_setup_wizard
