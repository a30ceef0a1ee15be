from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _send(self, *args, **kwargs):
        # Reminders are written as they leave, not in the collection run: the run stays fast, and the
        # email and its statement show the items as they are on the day it is sent.
        self.env["credit.collection.event"].sudo()._prepare_reminders(self)
        return super()._send(*args, **kwargs)
