import { registry } from "@web/core/registry";

// A sales user follows an imported Peppol order from the incoming documents to the quotation.
registry.category("web_tour.tours").add("sale_econnect_psb_incoming_order", {
    steps: () => [
        {
            content: "The imported order is listed with its state",
            trigger: ".o_list_view .o_data_row:contains('Imported') td.o_data_cell[name='buyer_order_ref']:contains('PO-TOUR')",
            run: "click",
        },
        {
            content: "The document opens on the readable order",
            trigger: ".o_form_view .o_field_widget[name='readable_html'] .o_psb_order:contains('PO-TOUR')",
        },
        {
            content: "Next to the original XML",
            trigger: ".o_notebook .nav-link:contains('XML')",
            run: "click",
        },
        {
            content: "The document shows the original XML",
            trigger: ".o_form_view .o_field_widget[name='xml_preview']:contains('PO-TOUR')",
        },
        {
            content: "Open the quotation",
            trigger: "button[name='action_open_sale_order']",
            run: "click",
        },
        {
            content: "The quotation lists what needs attention",
            trigger: ".o_form_view .alert-warning:contains('product not found')",
        },
        {
            content: "Open the Peppol tab",
            trigger: ".o_notebook .nav-link:contains('Peppol')",
            run: "click",
        },
        {
            content: "The buyer's order id is kept",
            trigger: ".o_field_widget[name='psb_order_ref']:contains('PO-TOUR')",
        },
        {
            content: "The acknowledgement is queued",
            trigger: ".o_field_widget[name='psb_response_ids'] .o_data_row:contains('Acknowledged')",
        },
        {
            content: "Answer with changes",
            trigger: ".o_form_statusbar button[name='action_psb_accept_with_changes']",
            run: "click",
        },
        {
            content: "Every order line is listed with its status",
            trigger: ".modal .o_field_widget[name='line_ids'] .o_data_row:contains('Something we do not sell')",
        },
        {
            content: "Units are Odoo's names, with the Peppol code as a hint",
            trigger: ".modal .o_data_row:contains('Screws (by GTIN)') td[name='unit_label']:contains('(H87)')",
        },
        {
            content: "The unidentified line is not accepted by itself: the wizard says it needs a decision",
            trigger: ".modal .alert-warning:contains('These lines need a decision'):contains('product not identified')",
        },
        {
            content: "The button says what the title says",
            trigger: ".modal .modal-footer button[name='action_send']:contains('Accept with changes (CA)')",
        },
        {
            content: "Close without sending",
            trigger: ".modal .modal-footer button:contains('Cancel')",
            run: "click",
        },
        {
            content: "Back on the quotation",
            trigger: ".o_form_view:not(:has(.modal))",
        },
    ],
});

// A sales user uploads a UBL file through the import wizard and sees the error of a bad one.
registry.category("web_tour.tours").add("sale_econnect_psb_failed_document", {
    steps: () => [
        {
            content: "The failed document is listed in red",
            trigger: ".o_list_view .o_data_row.text-danger:contains('Error') td.o_data_cell[name='document_type']",
            run: "click",
        },
        {
            content: "Its error says what is wrong",
            trigger: ".o_form_view .alert-danger:contains('well-formed')",
        },
        {
            content: "Retry is offered",
            trigger: ".o_form_statusbar button[name='action_process_now']",
        },
    ],
});

// An administrator sees the webhook's health in Settings > Sales > eConnect PSB.
registry.category("web_tour.tours").add("sale_econnect_psb_webhook_health", {
    steps: () => [
        {
            content: "The alert e-mail can be entered",
            trigger: "#psb_webhook .o_field_widget[name='psb_alert_email'] input",
        },
        {
            content: "Whether the alert hook is registered",
            trigger: "#psb_webhook .o_field_widget[name='psb_alert_hook_state']:contains('Registered')",
        },
        {
            content: "When the last test event arrived, and its topic",
            trigger: "#psb_webhook .o_field_widget[name='psb_hook_last_ping_topic']:contains('Ping')",
        },
        {
            content: "Test webhook sits next to Register webhook",
            trigger: "#psb_webhook button[name='action_psb_register_webhook'] + button[name='action_psb_test_webhook']",
        },
        {
            content: "The webhook URL is shown, with a copy button",
            trigger: "#psb_webhook .o_field_widget[name='psb_webhook_url']:contains('/econnect_psb/webhook') button.o_clipboard_button",
        },
        {
            content: "The party id says which form it takes",
            trigger: "#psb_connection #psb_party_id_hint:contains('NL:KVK:12345678'):contains('0106:12345678')",
        },
        {
            content: "The replay window is under the advanced section",
            trigger: "#psb_advanced .o_field_widget[name='psb_signature_window'] input",
        },
    ],
});

// A sales user reads the buyer's original order: on the incoming document, then from the quotation.
registry.category("web_tour.tours").add("sale_econnect_psb_readable_order", {
    steps: () => [
        {
            content: "Open the imported order",
            trigger: ".o_list_view .o_data_row td.o_data_cell[name='buyer_order_ref']:contains('PO-READ')",
            run: "click",
        },
        {
            content: "Open the readable order",
            trigger: ".o_notebook .nav-link:contains('Readable order')",
            run: "click",
        },
        {
            content: "It shows the buyer, the lines with their units and a missing price",
            trigger: ".o_field_widget[name='readable_html'] .o_psb_order:contains('Read BV') table[name='lines'] tr:contains('Something we do not sell'):contains('no price')",
        },
        {
            content: "The raw XML stays for experts",
            trigger: ".o_notebook .nav-link:contains('XML')",
        },
        {
            content: "Open the quotation",
            trigger: "button[name='action_open_sale_order']",
            run: "click",
        },
        {
            content: "Open the Peppol tab",
            trigger: ".o_notebook .nav-link:contains('Peppol')",
            run: "click",
        },
        {
            content: "Open the buyer's order from the quotation",
            trigger: "button[name='action_psb_view_original_order']",
            run: "click",
        },
        {
            content: "The report preview shows the order",
            trigger: ":iframe .o_psb_order h2:contains('PO-READ')",
        },
        {
            content: "With its delivery place",
            trigger: ":iframe .o_psb_order div[name='delivery']:contains('Magazijnweg 5')",
        },
    ],
});
