import { registry } from "@web/core/registry";

// A sales user opens the order desk and goes to the orders waiting for a person.
registry.category("web_tour.tours").add("sale_econnect_psb_order_desk", {
    steps: () => [
        {
            content: "The desk shows the received orders",
            trigger: ".o_psb_order_desk .o_psb_desk_today .o_psb_desk_value:contains('1')",
        },
        {
            content: "Open the orders waiting for a person",
            trigger: ".o_psb_order_desk .o_psb_desk_waiting:has(.o_psb_desk_value:contains('1'))",
            run: "click",
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
