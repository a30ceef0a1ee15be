import { registry } from "@web/core/registry";

// A salesperson confirms a quotation the customer's credit blocks: the dialog says why and who to ask,
// and its button asks the credit controller for a review.
registry.category("web_tour.tours").add("credit_management_block_review_tour", {
    steps: () => [
        {
            content: "Confirm the blocked quotation",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_confirm']:visible:first",
            run: "click",
        },
        {
            content: "The dialog says it is blocked and names the controller",
            trigger: ".modal .modal-body:contains('Confirm is blocked'):contains('Carl Control will look at it')",
        },
        {
            content: "Ask for a review from the dialog",
            trigger: ".modal .modal-footer button.btn-primary:contains('Ask for a Review')",
            run: "click",
        },
        {
            content: "The controller has been asked",
            trigger: ".o_notification:contains('Carl Control has been asked to review')",
        },
        {
            content: "It is still a quotation",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Quotation')",
        },
    ],
});
