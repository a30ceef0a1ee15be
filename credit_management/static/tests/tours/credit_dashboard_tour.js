import { registry } from "@web/core/registry";

// A controller opens the dashboard: its breadcrumb names it, the tiles show the book's figures, a tile
// opens the customers it counts and a list row opens the customer.
registry.category("web_tour.tours").add("credit_management_dashboard_tour", {
    steps: () => [
        {
            content: "The dashboard is named in the breadcrumb",
            trigger: ".o_control_panel .o_breadcrumb:contains('Credit Dashboard')",
        },
        {
            content: "The largest overdue customer is listed",
            trigger: ".o_credit_dashboard table[name='overdue'] .o_credit_row:first:contains('Tour Held Customer')",
        },
        {
            content: "One customer on hold: open them",
            trigger: ".o_credit_dashboard .o_credit_kpi[name='holds']:contains('1')",
            run: "click",
        },
        {
            content: "The customers on hold, as the tile counted them",
            trigger: ".o_list_view .o_data_row .o_data_cell[name='complete_name']:contains('Tour Held Customer')",
        },
        {
            content: "Back to the dashboard",
            trigger: ".o_control_panel .o_breadcrumb a:contains('Credit Dashboard')",
            run: "click",
        },
        {
            content: "A row of the overdue list opens the customer",
            trigger: ".o_credit_dashboard table[name='overdue'] .o_credit_row:first",
            run: "click",
        },
        {
            content: "The customer's form",
            trigger: ".o_form_view .o_field_widget[name='name']:contains('Tour Held Customer'), .o_form_view .o_field_widget[name='name'] input",
        },
    ],
});
