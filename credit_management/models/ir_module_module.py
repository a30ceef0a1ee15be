from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False, imported_module=False):
        res = super()._load_module_terms(modules, langs, overwrite=overwrite, imported_module=imported_module)
        # a language installed after the grades and plans were made: their default names in it too
        if "credit_management" in modules and "credit.policy" in self.env:
            self.env["credit.policy"]._translate_defaults(langs, overwrite=overwrite)
        return res
