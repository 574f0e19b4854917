# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Field declarations shared by the addon's models."""


def peppol_field(field_type, *args, **kwargs):
    """A field only the addon writes (what a Peppol document said, or what became of
    it): read-only in the forms, and not copied with its record."""
    return field_type(*args, readonly=True, copy=False, **kwargs)
