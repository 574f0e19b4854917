import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { ControlPanel } from "@web/search/control_panel/control_panel";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

import { Component, markup, onWillStart, useState } from "@odoo/owl";

// The order desk: the company's Peppol order figures (one model call), each opening its filtered list.
export class PsbOrderDesk extends Component {
    static template = "sale_econnect_psb.OrderDesk";
    static props = { ...standardActionServiceProps };
    static components = { ControlPanel };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ company: "", figures: [] });
        onWillStart(() => this.load());
    }

    async load() {
        const data = await this.orm.call("econnect.psb.dashboard", "get_figures", []);
        Object.assign(this.state, data);
    }

    async open(card) {
        if (card.action) {
            // The card's own list (its views and filters), showing exactly what the card counts.
            const action = await this.action.loadAction(card.action);
            return this.action.doAction({
                ...action,
                name: card.label,
                domain: card.domain,
                useSampleModel: false,
            });
        }
        // Empty, the list says so and why (no sample records); nothing is created from the desk.
        return this.action.doAction({
            type: "ir.actions.act_window",
            name: card.label,
            res_model: card.model,
            domain: card.domain,
            views: [
                [card.view_id || false, "list"],
                [false, "form"],
            ],
            context: { create: false },
            help: card.help ? markup(card.help) : undefined,
            useSampleModel: false,
            target: "current",
        });
    }

    valueClass(card) {
        return card.attention ? `text-${card.attention}` : "";
    }

    cardClass(card) {
        return card.attention ? `border-${card.attention} o_psb_desk_attention` : "";
    }
}

registry.category("actions").add("sale_econnect_psb.order_desk", PsbOrderDesk);
