import { registry } from "@web/core/registry";

// A salesperson opens a quotation for a customer over the limit, reads what Confirm will do,
// confirms, and the order waits for a credit controller's approval.
registry.category("web_tour.tours").add("credit_management_approval_tour", {
    steps: () => [
        {
            content: "The quotation says Confirm asks for credit approval, and why",
            trigger: ".o_credit_check_message .alert-warning:contains('Confirm requests credit approval'):contains('exceeds the limit')",
        },
        {
            content: "Confirm the quotation",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_confirm']:visible:first",
            run: "click",
        },
        {
            content: "The order is waiting for credit approval",
            trigger: ".o_credit_check_message .alert-warning:contains('Waiting for credit approval')",
        },
        {
            content: "It is still a quotation",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Quotation')",
        },
    ],
});
