import { registry } from "@web/core/registry";

// An administrator sets up the PSB from Settings on a company without a connection: the wizard refuses a
// party id of the wrong form, tests the credentials, registers the webhook and tests it. The sandbox's
// address comes from the test (window.psbSandboxUrl).
registry.category("web_tour.tours").add("sale_econnect_psb_setup", {
    steps: () => [
        {
            content: "The block says that the PSB is not connected yet",
            trigger: "#psb_connection:contains('Not connected yet')",
        },
        {
            content: "Business choices stay in the block",
            trigger: "#psb_auto_acknowledge .o_field_widget[name='psb_auto_acknowledge']",
        },
        {
            content: "Limits are not shown until asked for",
            trigger: "body:not(:has(#psb_lifecycle))",
        },
        {
            content: "Set up",
            trigger: "#psb_connection button[name='action_psb_setup']:contains('Set up')",
            run: "click",
        },
        {
            content: "Custom URLs",
            trigger: ".modal .o_field_widget[name='environment'] input[data-value='custom']",
            run: "click",
        },
        {
            content: "The API URL",
            trigger: ".modal .o_field_widget[name='api_url'] input",
            run(helpers) {
                return helpers.edit(window.psbSandboxUrl);
            },
        },
        {
            content: "The identity URL",
            trigger: ".modal .o_field_widget[name='identity_url'] input",
            run(helpers) {
                return helpers.edit(window.psbSandboxUrl);
            },
        },
        {
            content: "A party id without its scheme",
            trigger: ".modal .o_field_widget[name='party_id'] input",
            run: "edit 12345678",
        },
        {
            content: "The client id",
            trigger: ".modal .o_field_widget[name='client_id'] input",
            run: "edit odoo-client",
        },
        {
            content: "is refused at once, with both forms named",
            trigger: ".modal .o_psb_party_id_check:contains('0106:12345678'):contains('NL:KVK:12345678')",
        },
        {
            content: "Correct the party id",
            trigger: ".modal .o_field_widget[name='party_id'] input",
            run: "edit 0106:12345678",
        },
        {
            content: "The client secret",
            trigger: ".modal .o_field_widget[name='client_secret'] input",
            run: "edit odoo-secret",
        },
        {
            content: "Test the connection",
            trigger: ".modal:not(:has(.o_psb_party_id_check:visible)) button[name='action_test_connection']",
            run: "click",
        },
        {
            content: "The PSB accepted the credentials",
            trigger: ".modal .o_psb_setup_ok:contains('accepted the credentials')",
        },
        {
            content: "The webhook step shows this database's address",
            trigger: ".modal .o_field_widget[name='webhook_url']:contains('/econnect_psb/webhook')",
        },
        {
            content: "An alert address",
            trigger: ".modal .o_field_widget[name='alert_email'] input",
            run: "edit ops@example.com",
        },
        {
            content: "Register the webhook",
            trigger: ".modal button[name='action_register_webhook']",
            run: "click",
        },
        {
            content: "It is registered",
            trigger: ".modal .o_psb_setup_ok:contains('The webhook is registered')",
        },
        {
            content: "Test the webhook",
            trigger: ".modal button[name='action_test_webhook']",
            run: "click",
        },
        {
            content: "The PSB was asked for a test event",
            trigger: ".modal .o_psb_setup_ok:contains('test event')",
        },
        {
            content: "Done is now the main button",
            trigger: ".modal button.btn-primary[name='action_done']",
            run: "click",
        },
        {
            content: "The block shows the party and the registered webhook",
            trigger: "body:not(:has(.modal)) #psb_status_party:contains('0106:12345678'):contains('KvK')",
        },
        {
            content: "and the alert address",
            trigger: "#psb_status_alerts:contains('ops@example.com')",
        },
        {
            content: "Show the advanced settings",
            trigger: "#psb_show_advanced .o_field_widget[name='psb_show_advanced'] input",
            run: "click",
        },
        {
            content: "Limits and products are under the advanced section",
            trigger: "#psb_lifecycle .o_field_widget[name='psb_max_unit_price'] input",
        },
        {
            content: "Save",
            trigger: "button.o_form_button_save",
            run: "click",
        },
        {
            content: "The advanced section stays open once saved",
            trigger: ".o-settings-form-view:not(:has(.o_dirty_warning)) #psb_lifecycle",
        },
    ],
});
