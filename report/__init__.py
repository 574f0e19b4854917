from . import report_psb_order
