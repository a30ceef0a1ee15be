import { Component, onWillStart, useState, useSubEnv } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { useSetupAction } from "@web/search/action_hook";
import { Layout } from "@web/search/layout";
import { getDefaultConfig } from "@web/views/view";
import { formatFloat, formatInteger, formatMonetary } from "@web/views/fields/formatters";

/**
 * The credit controller's dashboard: KPI tiles that open the list they count, exposure and
 * overdue by grade, the grade mix over twelve months, and the lists to act on. Every figure comes
 * from one call to credit.dashboard.get_data (the server's definitions, shared with every screen);
 * the charts' geometry is computed there too (credit_management/charts.py).
 */
export class CreditDashboard extends Component {
    static template = "credit_management.CreditDashboard";
    static components = { Layout };
    static props = ["*"];

    setup() {
        useSubEnv({ config: { ...getDefaultConfig(), ...this.env.config } });
        useSetupAction();
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null });
        onWillStart(async () => {
            this.state.data = await this.orm.call("credit.dashboard", "get_data", []);
        });
    }

    get data() {
        return this.state.data;
    }

    money(value, currencyId = this.data.currency_id) {
        return formatMonetary(value, { currencyId });
    }

    kpiValue(kpi) {
        switch (kpi.format) {
            case "monetary":
                return this.money(kpi.value);
            case "percent":
                return `${formatFloat(kpi.value, { digits: [16, 1] })} %`;
            case "days":
                return formatInteger(Math.round(kpi.value));
            default:
                return formatInteger(kpi.value);
        }
    }

    async openKpi(kpi) {
        const action = await this.orm.call("credit.dashboard", "action_open_kpi", [kpi.key]);
        return this.action.doAction(action);
    }

    openRecord(resModel, resId) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: resModel,
            res_id: resId,
            views: [[false, "form"]],
            target: "current",
        });
    }

    colorClass(color) {
        return `o_credit_color_${color || 0}`;
    }
}

registry.category("actions").add("credit_management.dashboard", CreditDashboard);
