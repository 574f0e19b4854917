"""Starts Odoo's command line like ``odoo-bin`` does, wherever the importable ``odoo``
lives.

``python -m odoo server --workers N`` cannot start Odoo's websocket (gevent) process:
Odoo spawns it as ``python <sys.argv[0]> gevent ...`` and ``odoo/__main__.py`` cannot
run as a script, so the master restarts it in a loop (hundreds of failed Python starts
per minute, noise in every timing). Started through this file, the gevent process starts
once like in production.
"""

import odoo.cli

if __name__ == "__main__":
    odoo.cli.main()
