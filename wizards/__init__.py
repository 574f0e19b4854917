from . import econnect_psb_import_wizard
from . import econnect_psb_response_wizard
from . import econnect_psb_response_wizard_line
