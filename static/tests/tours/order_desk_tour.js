import { registry } from "@web/core/registry";

// A sales user opens the order desk and goes to the orders waiting for a person.
registry.category("web_tour.tours").add("sale_econnect_psb_order_desk", {
    steps: () => [
        {
            content: "The desk shows the received orders",
            trigger: ".o_psb_order_desk .o_psb_desk_today .o_psb_desk_value:contains('1')",
        },
        {
            content: "A figure that needs a person looks like it",
            trigger: ".o_psb_order_desk .o_psb_desk_waiting.border-warning .o_psb_desk_value.text-warning:contains('1')",
        },
        {
            content: "A figure that needs nobody does not",
            trigger: ".o_psb_order_desk .o_psb_desk_today:not(.o_psb_desk_attention) .o_psb_desk_value:not(.text-warning)",
        },
        {
            content: "Open the orders waiting for a person",
            trigger: ".o_psb_order_desk .o_psb_desk_waiting:has(.o_psb_desk_value:contains('1'))",
            run: "click",
        },
        {
            content: "The list shows when the order was received, and offers no New",
            trigger: ".o_list_view th[data-name='create_date']:contains('Received')",
        },
        {
            content: "No New button",
            trigger: ".o_control_panel:not(:has(.o_list_button_add))",
        },
        {
            content: "The waiting order is listed",
            trigger: ".o_list_view .o_data_row:contains('Desk BV') td.o_data_cell[name='partner_id']",
            run: "click",
        },
        {
            content: "It says why it was not confirmed automatically",
            trigger: ".o_form_view .alert-warning:contains('Not confirmed automatically'):contains('Desk BV')",
        },
    ],
});

// A team member opens his team's Peppol activities from the desk and goes to the order.
registry.category("web_tour.tours").add("sale_econnect_psb_team_activities", {
    steps: () => [
        {
            content: "Open the team's Peppol activities",
            trigger: ".o_psb_order_desk .o_psb_desk_team_activities:has(.o_psb_desk_value:contains('1'))",
            run: "click",
        },
        {
            content: "The colleague's activity is listed with its team",
            trigger: ".o_list_view .o_data_row:contains('Check the Peppol order TEAM-1'):contains('Peppol Team Tour') td.o_data_cell[name='res_name']",
            run: "click",
        },
        {
            content: "A click opens the sale order",
            trigger: ".o_form_view .o_field_widget[name='partner_id'] input:value(Team Tour BV)",
        },
    ],
});

// The desk of a company without Peppol orders yet: a card at 0 opens an empty list that says why, not Odoo's
// sample orders.
registry.category("web_tour.tours").add("sale_econnect_psb_order_desk_empty", {
    steps: () => [
        {
            content: "Nothing received today",
            trigger: ".o_psb_order_desk .o_psb_desk_today .o_psb_desk_value:contains('0')",
        },
        {
            content: "No figure asks for action",
            trigger: ".o_psb_order_desk:not(:has(.o_psb_desk_attention))",
        },
        {
            content: "Open the orders received today",
            trigger: ".o_psb_order_desk .o_psb_desk_today",
            run: "click",
        },
        {
            content: "The empty list explains itself",
            trigger: ".o_view_nocontent:contains('No Peppol order received today'):contains('on the day they arrive')",
        },
        {
            content: "and shows no sample orders",
            trigger: ".o_content:not(:has(.o_view_sample_data)):not(:has(.o_data_row))",
        },
        {
            content: "and no New button",
            trigger: ".o_control_panel:not(:has(.o_list_button_add))",
        },
        {
            content: "Back to the desk",
            trigger: ".o_breadcrumb li.breadcrumb-item a",
            run: "click",
        },
        {
            content: "Open the failed answers",
            trigger: ".o_psb_order_desk .o_psb_desk_failed",
            run: "click",
        },
        {
            content: "It says that none failed, and what would be listed",
            trigger: ".o_view_nocontent:contains('No answer failed'):contains('whether Retry can help')",
        },
        {
            content: "no sample orders",
            trigger: ".o_content:not(:has(.o_view_sample_data)):not(:has(.o_data_row))",
        },
    ],
});
