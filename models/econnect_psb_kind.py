# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The registry of document kinds: one handler per kind of incoming document
(``document_type``).

A kind is an abstract model that inherits ``econnect.psb.kind`` and sets ``_psb_kind``;
it says how the kind is recognised (the PSB topics that announce it, the UBL root
element of an uploaded file), whether and how it is downloaded, how it is processed
(:meth:`_psb_process`, which returns the document's ``Outcome``), what a person calls it
(:meth:`_psb_label`) and how it is shown (``_psb_readable``, ``_psb_linkable``). The
document model, the webhook, the import wizard and the views ask this registry
(:meth:`_psb_handler`, :meth:`_psb_kind_of_topic`...) instead of testing the kind.

Adding a kind: one file ``econnect_psb_kind_<kind>.py`` with its handler, imported in
``models/__init__.py`` (README.rst, *Add a new document kind*).
"""

from odoo import api, models, tools


class EconnectPsbKind(models.AbstractModel):
    _name = "econnect.psb.kind"
    _description = "eConnect PSB: a kind of incoming document"

    #: The ``document_type`` value of this kind; None for a model that only shares code
    #: between kinds.
    _psb_kind = None
    #: Its place in the list of kinds (the Type column's selection, its groups).
    _psb_sequence = 100
    #: The PSB webhook topics that announce it (the first one is given to an uploaded
    #: file of this kind).
    _psb_topics = ()
    #: The UBL root elements of its XML (an uploaded file, ``psb.ubl.peek``).
    _psb_roots = ()
    #: The PSB's download family (``psb.client.download_sales_order``); None: an event
    #: about something we sent, with nothing to download.
    _psb_download_family = None
    #: Downloaded in the format of the company's *Download orders as*
    #: (``targetDocumentTypeId``).
    _psb_download_converted = False
    #: A buyer's ordering document (order, change, cancellation): the readable view, the
    #: Peppol rule check, the deletion at the PSB after its import, the list's default
    #: filter.
    _psb_ordering = False
    #: About an order already in Odoo, and waits for it when it comes first (Link to
    #: sale order, woken when the order is imported).
    _psb_follows_order = False
    #: What a person calls a document of this kind, marked for translation (``_lt``):
    #: :meth:`_psb_label` says it in the reader's language.
    _psb_title = None

    # ------------------------------------------------------------------
    # The registry
    # ------------------------------------------------------------------
    @api.model
    def _psb_handlers(self):
        """Every kind's handler, in their order (``_psb_sequence``)."""
        return [self.env[name] for name in self._psb_handler_names()]

    @api.model
    @tools.ormcache()
    def _psb_handler_names(self):
        """The models of every kind's handler, in their order: the same for the life of
        the registry (its models), so looked up once."""
        registry = self.env.registry
        names = registry.descendants(["econnect.psb.kind"], "_inherit")
        return tuple(
            sorted(
                (name for name in names if registry[name]._psb_kind),
                key=lambda name: (
                    registry[name]._psb_sequence,
                    registry[name]._psb_kind,
                ),
            )
        )

    @api.model
    def _psb_handler(self, kind):
        """The handler of ``kind`` (a ``document_type``). :raises KeyError: for a kind
        nobody handles."""
        registry = self.env.registry
        for name in self._psb_handler_names():
            if registry[name]._psb_kind == kind:
                return self.env[name]
        raise KeyError(kind)

    @api.model
    def _psb_selection(self):
        """The kinds as the document's ``document_type`` selection, in the reader's
        language."""
        return [
            (handler._psb_kind, handler._psb_label())
            for handler in self._psb_handlers()
        ]

    @api.model
    def _psb_kinds(self, flag):
        """The kinds whose handler sets ``flag`` (e.g. ``_psb_ordering``)."""
        return [
            handler._psb_kind
            for handler in self._psb_handlers()
            if getattr(handler, flag)
        ]

    @api.model
    def _psb_topic_kinds(self):
        """{PSB topic: kind} for every topic a kind listens to (the webhook's
        documents)."""
        return {
            topic: handler._psb_kind
            for handler in self._psb_handlers()
            for topic in handler._psb_topics
        }

    @api.model
    def _psb_kind_of_topic(self, topic):
        """The kind a PSB webhook topic announces, or None (not a document: the PSB's
        Ping...)."""
        return self._psb_topic_kinds().get(topic)

    @api.model
    def _psb_kind_of_root(self, root):
        """The kind whose XML has the root element ``root`` (``Order``...), or None."""
        return next(
            (
                handler._psb_kind
                for handler in self._psb_handlers()
                if root in handler._psb_roots
            ),
            None,
        )

    # ------------------------------------------------------------------
    # What a kind says and does (overridden by each kind)
    # ------------------------------------------------------------------
    @api.model
    def _psb_label(self):
        """What a person calls a document of this kind, in the reader's language."""
        return self.env._(self._psb_title) if self._psb_title else self._psb_kind or ""

    @api.model
    def _psb_readable(self):
        """The document has a readable view (the Readable order tab, the report)."""
        return self._psb_ordering

    @api.model
    def _psb_linkable(self):
        """A PSB administrator may link the document to a sale order by hand (Link to
        sale order)."""
        return self._psb_follows_order

    @api.model
    def _psb_process(self, document):
        """Process ``document`` (received, or downloaded when it has something to
        download).

        :returns: its ``Outcome``, which the document writes (``_apply_outcome``)
        """
        raise NotImplementedError(f"{self._name} does not process documents")
