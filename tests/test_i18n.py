# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The translation files follow the code: every text Odoo would export for this module
is in the template, and the Dutch file translates every one of them."""

import os

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

I18N = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n")


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sources = {
            row[4]
            for row in TranslationModuleReader(cls.env.cr, ["sale_econnect_psb"])
            if row[4]
        }

    def _missing(self, po_file, need_translation):
        entries = polib.pofile(os.path.join(I18N, po_file))
        done = {
            e.msgid
            for e in entries
            if not e.obsolete and (e.msgstr or not need_translation)
        }
        return sorted(self.sources - done)

    def test_template_has_every_text(self):
        missing = self._missing("sale_econnect_psb.pot", need_translation=False)
        self.assertFalse(
            missing,
            f"i18n/sale_econnect_psb.pot lacks {len(missing)} text(s), e.g. "
            f"{missing[:3]!r}: export it again",
        )

    def test_dutch_translates_every_text(self):
        missing = self._missing("nl.po", need_translation=True)
        self.assertFalse(
            missing,
            f"i18n/nl.po does not translate {len(missing)} text(s), e.g. "
            f"{missing[:3]!r}",
        )
