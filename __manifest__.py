# Copyright 2026 sale_econnect_psb developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Sales: Peppol orders through the eConnect PSB",
    "summary": "Receive Peppol purchase orders from the eConnect Procurement Service "
    "Bus "
    "as draft quotations and answer them with Peppol Order Responses",
    "version": "19.0.1.1.0",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "sale_econnect_psb developers",
    "website": "https://psb.econnect.eu",
    "depends": [
        "sale_management",
        "sale_edi_ubl",
        "mail",
    ],
    "external_dependencies": {"python": ["requests", "lxml"]},
    "data": [
        "security/security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/ir_cron_rules_data.xml",
        "data/product_data.xml",
        "views/econnect_psb_document_views.xml",
        "views/econnect_psb_response_views.xml",
        "views/sale_order_views.xml",
        "views/econnect_psb_lifecycle_views.xml",
        "views/res_config_settings_views.xml",
        "views/econnect_psb_product_code_views.xml",
        "views/res_partner_views.xml",
        "views/econnect_psb_dashboard_views.xml",
        "views/mail_activity_views.xml",
        "views/account_move_views.xml",
        "wizards/econnect_psb_import_wizard_views.xml",
        "wizards/econnect_psb_response_wizard_views.xml",
        "wizards/econnect_psb_answer_wizards_views.xml",
        "wizards/econnect_psb_document_wizard_views.xml",
        "wizards/sale_advance_payment_inv_views.xml",
        "wizards/econnect_psb_setup_wizard_views.xml",
        "report/report_psb_order.xml",
        "views/menus.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "sale_econnect_psb/static/src/**/*",
        ],
        "web.assets_tests": [
            "sale_econnect_psb/static/tests/tours/**/*",
        ],
    },
}
