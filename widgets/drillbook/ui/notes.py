"""Per-round notes for study groups: typed in the replay, saved to SQLite at once, exportable.

The panel follows the round the replay shows (``show_round``); it never touches the engine.
A group name scopes whose notes you see, so a study group sharing one server reads one thread.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from ..model import Scenario
from ..store import Store, default_path, export_json, export_markdown
from ._guard import guarded, message_html
from ._html import download_link, esc
from ._models import html


class NotesPanel(widgets.VBox):
    """Notes for the current round, with group/author fields and Markdown/JSON export."""

    def __init__(self, scenario: Scenario, store: Store | None = None, *, group: str = "", author: str = "",
                 round_id: str = "", open_store: Callable[[], Store] = Store,
                 on_identity: Callable[[str, str], None] | None = None) -> None:
        """``open_store`` opens the database on first use (the replay shares its own);
        ``on_identity(group, author)`` hears every change of the two name boxes."""
        self.scenario = scenario
        self._store = store
        self._open_store = open_store
        self.round_id = round_id or scenario.first_round.id
        self.heading = html("db-notes-heading")
        self.group = widgets.Text(value=group, description="Group", placeholder="e.g. blue-team",
                                  continuous_update=False)
        self.author = widgets.Text(value=author, description="Your name", placeholder="optional")
        self.body = widgets.Textarea(placeholder="What would you check next? What surprised you?",
                                     layout=widgets.Layout(width="100%", height="90px"))
        self.body.add_class("db-notes-input")
        self.save = widgets.Button(description="Save note", button_style="primary", tooltip="Save this note for this round")
        self.export = widgets.Button(description="Export notes", tooltip="Download every note of this incident")
        self.status = html("db-notes-status")
        self.listing = html("db-notes-list")
        self.downloads = html("db-notes-downloads")
        self.save.on_click(self._on_save)
        self.export.on_click(self._on_export)
        self.group.observe(lambda _change: self.refresh(), names="value")
        if on_identity is not None:
            for box in (self.group, self.author):
                box.observe(lambda _change: on_identity(self.group.value.strip(), self.author.value.strip()),
                            names="value")
        super().__init__([
            self.heading,
            widgets.HBox([self.group, self.author]),
            self.body,
            widgets.HBox([self.save, self.export]),
            self.status,
            self.listing,
            self.downloads,
        ])
        self.add_class("db-notes")
        self.refresh()

    @property
    def store(self) -> Store:
        # opened lazily: a learner who never takes notes never creates a database file
        if self._store is None:
            self._store = self._open_store()
        return self._store

    def _show(self, text: str, kind: str = "error") -> None:
        self.status.value = message_html(text, kind)

    def show_round(self, round_id: str) -> None:
        self.round_id = round_id
        self.status.value = ""
        self.refresh()

    def refresh(self) -> None:
        rnd = self.scenario.round(self.round_id)
        self.heading.value = f"<h3>Notes on round {rnd.number}: {esc(rnd.title)}</h3>"
        if self._store is None and not default_path().exists():
            self.listing.value = '<p class="db-muted">No notes yet for this round.</p>'
            return
        notes = self.store.notes(self.scenario.id, self.round_id, group=self.group.value.strip())
        if not notes:
            self.listing.value = '<p class="db-muted">No notes yet for this round.</p>'
            return
        items = "".join(
            f'<li><span class="db-note-meta">{esc(n.author or "anonymous")} · {esc(n.updated_at)}</span>'
            f'<div class="db-note-body">{esc(n.body)}</div></li>'
            for n in notes
        )
        notices = "".join(f'<p class="db-notes-notice" role="status">{esc(n)}</p>' for n in self.store.notices())
        self.listing.value = f'<ul class="db-note-items">{items}</ul>{notices}'

    def _on_save(self, _button: widgets.Button | None = None) -> None:
        @guarded(self._show)
        def save() -> None:
            self.store.add_note(self.scenario.id, self.round_id, self.body.value,
                                group=self.group.value, author=self.author.value)
            self.body.value = ""
            self._show("Note saved.", "info")
            self.refresh()

        save()

    def _on_export(self, _button: widgets.Button | None = None) -> None:
        @guarded(self._show)
        def export() -> None:
            notes = self.store.notes(self.scenario.id, group=self.group.value.strip())
            if not notes:
                self._show("There are no notes to export yet.", "info")
                self.downloads.value = ""
                return
            markdown = export_markdown(notes, self.scenario.round_headings(), self.scenario.title)
            stem = f"{self.scenario.id}-notes"
            self.downloads.value = (
                download_link(f"{stem}.md", markdown, "text/markdown", "Download Markdown")
                + " "
                + download_link(f"{stem}.json", export_json(notes), "application/json", "Download JSON")
            )
            self._show(f"{len(notes)} note(s) ready to download.", "info")

        export()
