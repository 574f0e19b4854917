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
            content: "An uploaded order says that no answer goes through the PSB",
            trigger: ".o_form_view .alert-secondary:contains('uploaded by hand')",
        },
        {
            content: "and offers no Peppol answer",
            trigger: ".o_form_statusbar:not(:has(button[name='action_psb_answer_menu']))",
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
            content: "It says who can act: retrying cannot help, the buyer sends it again, the PSB administrator ignores it",
            trigger: ".o_form_view .o_psb_error_hint:contains('Retrying cannot help'):contains('your PSB administrator')",
        },
        {
            content: "Retry is offered, but not as the way forward",
            trigger: ".o_form_statusbar button.btn-secondary[name='action_retry_now']",
        },
        {
            content: "No primary Retry",
            trigger: ".o_form_statusbar:not(:has(button.btn-primary[name='action_retry_now']))",
        },
        {
            content: "Press Retry anyway",
            trigger: ".o_form_statusbar button[name='action_retry_now']",
            run: "click",
        },
        {
            content: "A notification says what Retry did",
            trigger: ".o_notification:contains('failed again'):contains('Retrying cannot help')",
        },
        {
            content: "and the chatter keeps it",
            trigger: ".o-mail-Chatter .o-mail-Message:contains('failed again')",
        },
    ],
});

// An administrator sees the webhook's health in Settings > Sales > eConnect PSB: one status line each.
registry.category("web_tour.tours").add("sale_econnect_psb_webhook_health", {
    steps: () => [
        {
            content: "Connected as which party",
            trigger: "#psb_status_party:contains('0106:12345678'):contains('KvK')",
        },
        {
            content: "The alert address and whether its hook is registered",
            trigger: "#psb_status_alerts:contains('ops@example.com') .o_field_widget[name='psb_alert_hook_state']:contains('Registered')",
        },
        {
            content: "When the last test event arrived, and its topic",
            trigger: "#psb_status_webhook .o_field_widget[name='psb_hook_last_ping_topic']:contains('Ping')",
        },
        {
            content: "Test webhook sits next to Change connection; Register webhook only when it is needed",
            trigger: "#psb_connection:not(:has(button[name='action_psb_register_webhook'])) button[name='action_psb_setup'] + button[name='action_psb_test_webhook']",
        },
        {
            content: "Show the advanced settings",
            trigger: "#psb_show_advanced .o_field_widget[name='psb_show_advanced'] input",
            run: "click",
        },
        {
            content: "The webhook URL is shown there, with a copy button",
            trigger: "#psb_advanced .o_field_widget[name='psb_webhook_url']:contains('/econnect_psb/webhook') button.o_clipboard_button",
        },
        {
            content: "The replay window is under the advanced section",
            trigger: "#psb_advanced .o_field_widget[name='psb_signature_window'] input",
        },
        {
            content: "Save",
            trigger: "button.o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o-settings-form-view:not(:has(.o_dirty_warning)) #psb_advanced",
        },
    ],
});

// Confirm on a Peppol quotation with an unidentified line warns first, and says what confirming answers.
registry.category("web_tour.tours").add("sale_econnect_psb_confirm_warning", {
    steps: () => [
        {
            content: "The banner lists the unidentified line",
            trigger: ".o_form_view .o_psb_attention:contains('Line 4')",
        },
        {
            content: "Confirm",
            trigger: ".o_form_statusbar button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The warning lists what is open",
            trigger: ".modal .o_field_widget[name='issues']:contains('product not found')",
        },
        {
            content: "and says that confirming answers the buyer",
            trigger: ".modal .o_field_widget[name='answer']:contains('AP (accepted as ordered)')",
        },
        {
            content: "Go back and fix it",
            trigger: ".modal .modal-footer button:contains('Go back')",
            run: "click",
        },
        {
            content: "Still a quotation, with Mark as checked in the banner",
            trigger: ".o_form_view:not(:has(.modal)) .o_psb_attention button[name='action_psb_mark_checked']",
        },
        {
            content: "One Peppol answer menu instead of a button per answer",
            trigger: ".o_form_statusbar button[name='action_psb_answer_menu']",
            run: "click",
        },
        {
            content: "It offers no second AB (one is queued), and accepting with changes",
            trigger: ".modal:not(:has(button[name='action_acknowledge'])) button[name='action_accept_with_changes']",
            run: "click",
        },
        {
            content: "Every order line is listed with its status",
            trigger: ".modal .o_field_widget[name='line_ids'] .o_data_row:contains('Something we do not sell')",
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

// Refusing a buyer's cancellation has its own dialog, and the cancellation band goes afterwards.
registry.category("web_tour.tours").add("sale_econnect_psb_refuse_cancellation", {
    steps: () => [
        {
            content: "The buyer asks to cancel",
            trigger: ".o_form_view .alert-info:contains('The buyer asks to cancel this order')",
        },
        {
            content: "Refuse the cancellation",
            trigger: ".alert-info button[name='action_psb_refuse_pending']",
            run: "click",
        },
        {
            content: "The dialog is about the cancellation, not a rejection of the order",
            trigger: ".modal .modal-title:contains('Refuse the cancellation (RE)')",
        },
        {
            content: "and says what the buyer is told",
            trigger: ".modal p:contains('the order is not cancelled')",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name='note'] textarea",
            run: "edit Already on its way",
        },
        {
            content: "Send",
            trigger: ".modal .modal-footer button[name='action_send']",
            run: "click",
        },
        {
            content: "The chatter says the cancellation was refused",
            trigger: ".o_form_view:not(:has(.modal)) .o-mail-Message:contains('Cancellation refused')",
        },
        {
            content: "The cancellation band is gone",
            trigger: ".o_form_view:not(:has(.alert-info:contains('asks to cancel'))):not(:has(.alert:contains('cancellation reason')))",
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

// Identifying an unidentified line is no substitution: Confirm says it sends AP and offers to remember the
// buyer's item code for the customer (issue 26).
registry.category("web_tour.tours").add("sale_econnect_psb_identify_placeholder", {
    steps: () => [
        {
            content: "The buyer's glue was not identified",
            trigger: ".o_form_view .o_psb_attention:contains('Line 3')",
        },
        {
            content: "Open its product",
            trigger:
                ".o_field_one2many[name='order_line'] .o_data_row:contains('Glue (by their code)') td[name='product_template_id']",
            run: "click",
        },
        {
            content: "Look for our glue",
            trigger: ".o_field_one2many[name='order_line'] .o_selected_row td[name='product_template_id'] input",
            run: "edit Wood glue",
        },
        {
            content: "It is our wood glue",
            trigger: "ul.ui-autocomplete a:contains('Wood glue 500 ml')",
            run: "click",
        },
        {
            content: "Leave the line (the onchange has run)",
            trigger: "a[name=order_lines]",
            run: "click",
        },
        {
            content: "The line has our product",
            trigger:
                ".o_field_one2many[name='order_line'] table:not(:has(.o_selected_row)) .o_data_row:contains('Wood glue 500 ml')",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".o_form_statusbar button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The dialog says AP goes out, not CA",
            trigger: ".modal .o_field_widget[name='answer']:contains('AP (accepted as ordered)')",
        },
        {
            content: "and offers to remember the buyer's code",
            trigger: ".modal .o_field_widget[name='codes']:contains('LIJM-9')",
        },
        {
            content: "Remembering is ticked",
            trigger: ".modal .o_field_widget[name='remember_codes'] input:checked",
        },
        {
            content: "Confirm in the dialog",
            trigger: ".modal .modal-footer button[name='action_confirm']",
            run: "click",
        },
        {
            content: "A sales order now",
            trigger: ".o_form_view:not(:has(.modal)) .o_statusbar_status .o_arrow_button_current:contains('Sales Order')",
        },
    ],
});

registry.category("web_tour.tours").add("sale_econnect_psb_proposal_then_confirm", {
    steps: () => [
        {
            content: "The quotation says we wait for the buyer",
            trigger: ".o_form_view .alert:contains('waiting for the buyer')",
        },
        {
            content: "It carries our proposal: 8 screws, not the 10 ordered",
            trigger: ".o_field_one2many[name='order_line'] .o_data_row:contains('Screws') td[name='product_uom_qty']:contains('8.00')",
        },
        {
            content: "Confirm",
            trigger: ".o_form_statusbar button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The dialog asks first: the buyer has not answered our proposal",
            trigger: ".modal .o_field_widget[name='answer']:contains('the buyer has not answered yet')",
        },
        {
            content: "Go back",
            trigger: ".modal .modal-footer button:contains('Go back')",
            run: "click",
        },
        {
            content: "Still a quotation",
            trigger: ".o_form_view:not(:has(.modal)) .o_statusbar_status .o_arrow_button_current:contains('Quotation')",
        },
    ],
});

registry.category("web_tour.tours").add("sale_econnect_psb_rejected_then_confirm", {
    steps: () => [
        {
            content: "The rejected quotation is cancelled",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Cancelled')",
        },
        {
            content: "Set it back to a quotation, as a user might",
            trigger: ".o_form_statusbar button[name='action_draft']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".o_form_statusbar button[name='action_confirm']",
            run: "click",
        },
        {
            content: "Refused: the buyer was told the order is rejected",
            trigger: ".modal:contains('The buyer was told the order is rejected')",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Not a sales order",
            trigger: ".o_form_view:not(:has(.modal)) .o_statusbar_status .o_arrow_button_current:not(:contains('Sales Order'))",
        },
    ],
});
