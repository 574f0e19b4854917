from . import test_order_import
from . import test_robustness
from . import test_webhook
from . import test_sandbox_e2e
from . import test_settings
from . import test_ui
from . import test_order_response
from . import test_order_change
