# This folder is an Odoo addon and also holds plain-Python packages (psb, psb_sandbox)
# that are tested without Odoo: the addon itself is only loaded when Odoo imports it.
if __name__.startswith("odoo.addons."):
    from . import controllers
    from . import models
    from . import report
    from . import wizards
