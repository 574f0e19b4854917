from . import econnect_psb_import_wizard
