import { registry } from "@web/core/registry";

// A collector opens the worklist, takes the first customer (the largest expected loss), logs a call and
// records the promise to pay the customer made on it.
registry.category("web_tour.tours").add("credit_management_collections_tour", {
    steps: () => [
        {
            content: "The worklist puts the largest expected loss first",
            trigger: ".o_list_view .o_data_row:first .o_data_cell[name='partner_id']:contains('Tour Big Debtor')",
            run: "click",
        },
        {
            content: "The customer's collection view shows the overdue invoice",
            trigger: ".o_form_view .o_field_widget[name='credit_open_item_ids'] .o_data_row:contains('INV/')",
        },
        {
            content: "Log a call",
            trigger: ".o_form_view button[name='action_credit_log_call']",
            run: "click",
        },
        {
            content: "Say what was agreed",
            trigger: ".modal .o_field_widget[name='note'] textarea",
            run: "edit Will pay the invoice on Friday",
        },
        {
            content: "Save the call",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Record the promise to pay",
            trigger: ".o_form_view button[name='action_credit_record_promise']",
            run: "click",
        },
        {
            content: "The promise covers the overdue amount",
            trigger: ".modal .o_field_widget[name='amount'] input:value('4,000.00')",
        },
        {
            content: "Save the promise",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The dialog closes",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Open the contacts",
            trigger: ".o_notebook a.nav-link:contains('Contacts')",
            run: "click",
        },
        {
            content: "The call and the promise are among the customer's contacts",
            trigger: ".o_field_widget[name='credit_collection_event_ids'] .o_data_row:contains('Promise to pay')",
        },
    ],
});
