"""Study notes for a group: typed beside a replay round or a course section, saved to SQLite at
once, editable by their author, exportable.

One panel serves every annotated place. What it annotates is a ``NotesTopic``: a page id
(the scenario id, or a notebook file name for a course page), the anchors on that page (round
or section ids) and their titles. The panel follows the anchor the page shows (``show_round``)
and never touches the engine. A group name scopes whose notes you see, so a study group sharing
one server reads one thread.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from ..errors import StoreError
from ..model import Scenario
from ..topics import NotesTopic
from ..store import Note, Store, default_path, export_json, export_markdown
from ._guard import guarded, message_html
from ._html import download_link, esc
from ._models import html


class NotesPanel(widgets.VBox):
    """Notes for one anchor of a page, with group/author fields, edit/delete of your own notes
    and Markdown/JSON export."""

    def __init__(self, topic: NotesTopic | Scenario, store: Store | None = None, *, group: str = "",
                 author: str = "", round_id: str = "", open_store: Callable[[], Store] = Store,
                 on_identity: Callable[[str, str], None] | None = None) -> None:
        """``topic`` is what is annotated (a scenario means its rounds); ``open_store`` opens
        the database on first use (the replay shares its own); ``on_identity(group, author)``
        hears every change of the two name boxes."""
        self.topic = topic if isinstance(topic, NotesTopic) else NotesTopic.of_scenario(topic)
        self._store = store
        self._open_store = open_store
        self.round_id = round_id or next(iter(self.topic.captions))
        self._editing: int | None = None
        self._written_here: set[int] = set()
        self.heading = html("db-notes-heading")
        self.group = widgets.Text(value=group, description="Group", placeholder="e.g. blue-team",
                                  continuous_update=False)
        self.author = widgets.Text(value=author, description="Your name", placeholder="optional")
        self.body = widgets.Textarea(placeholder="What would you check next? What surprised you?",
                                     layout=widgets.Layout(width="100%", height="90px"))
        self.body.add_class("db-notes-input")
        self.save = widgets.Button(description="Save note", button_style="primary", tooltip="Save this note")
        self.export = widgets.Button(description="Export notes", tooltip="Download every note of this page")
        self.mine = widgets.Dropdown(description="Your notes", options=[])
        self.edit = widgets.Button(description="Edit", tooltip="Load the chosen note of yours to change it")
        self.delete = widgets.Button(description="Delete", button_style="danger",
                                     tooltip="Delete the chosen note of yours")
        self.own_row = widgets.HBox([self.mine, self.edit, self.delete], layout=widgets.Layout(display="none"))
        self.status = html("db-notes-status")
        self.listing = html("db-notes-list")
        self.downloads = html("db-notes-downloads")
        self.save.on_click(self._on_save)
        self.export.on_click(self._on_export)
        self.edit.on_click(self._on_edit)
        self.delete.on_click(self._on_delete)
        self.group.observe(lambda _change: self.refresh(), names="value")
        self.author.observe(lambda _change: self.refresh(), names="value")
        if on_identity is not None:
            for box in (self.group, self.author):
                box.observe(lambda _change: on_identity(self.group.value.strip(), self.author.value.strip()),
                            names="value")
        super().__init__([
            self.heading,
            widgets.HBox([self.group, self.author]),
            self.body,
            widgets.HBox([self.save, self.export]),
            self.own_row,
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
        self._stop_editing()
        self.refresh()

    def _is_mine(self, note: Note) -> bool:
        """Your own notes: written in this panel, or under the name you typed in this group."""
        name = self.author.value.strip()
        return note.id in self._written_here or (bool(name) and note.author == name)

    def refresh(self) -> None:
        self.heading.value = f"<h3>{esc(self.topic.caption(self.round_id))}</h3>"
        notes: list[Note] = []
        if self._store is not None or default_path().exists():
            notes = self.store.notes(self.topic.page, self.round_id, group=self.group.value.strip())
        mine = [n for n in notes if self._is_mine(n)]
        self.mine.options = [(f"{n.updated_at}: {n.body[:40]}", n.id) for n in mine]
        if mine:  # the newest of yours is the one you most likely want to fix
            self.mine.value = mine[-1].id
        self.own_row.layout.display = "flex" if mine else "none"
        if not notes:
            self.listing.value = '<p class="db-muted">No notes yet.</p>'
            return
        items = "".join(
            f'<li><span class="db-note-meta">{esc(n.author or "anonymous")} · {esc(n.updated_at)}'
            f'{" · yours" if self._is_mine(n) else ""}</span>'
            f'<div class="db-note-body">{esc(n.body)}</div></li>'
            for n in notes
        )
        notices = "".join(f'<p class="db-notes-notice" role="status">{esc(n)}</p>' for n in self.store.notices())
        self.listing.value = f'<ul class="db-note-items">{items}</ul>{notices}'

    def _stop_editing(self) -> None:
        self._editing = None
        self.save.description = "Save note"

    def _on_save(self, _button: widgets.Button | None = None) -> None:
        @guarded(self._show)
        def save() -> None:
            if self._editing is not None:
                self.store.update_note(self._editing, self.body.value)
                self._stop_editing()
                self._show("Note updated.", "info")
            else:
                note = self.store.add_note(self.topic.page, self.round_id, self.body.value,
                                           group=self.group.value, author=self.author.value)
                self._written_here.add(note.id)
                self._show("Note saved.", "info")
            self.body.value = ""
            self.refresh()

        save()

    def _chosen(self) -> Note:
        note_id = self.mine.value
        if note_id is None:
            raise StoreError("choose one of your notes first")
        note = self.store.note(int(note_id))
        if not self._is_mine(note):
            raise StoreError("you can change only your own notes")
        return note

    def _on_edit(self, _button: widgets.Button | None = None) -> None:
        @guarded(self._show)
        def edit() -> None:
            note = self._chosen()
            self._editing = note.id
            self.body.value = note.body
            self.save.description = "Save changes"
            self._show("Editing your note: change it and press Save changes.", "info")

        edit()

    def _on_delete(self, _button: widgets.Button | None = None) -> None:
        @guarded(self._show)
        def delete() -> None:
            note = self._chosen()
            self.store.delete_note(note.id)
            if self._editing == note.id:
                self._stop_editing()
                self.body.value = ""
            self._show("Note deleted.", "info")
            self.refresh()

        delete()

    def _on_export(self, _button: widgets.Button | None = None) -> None:
        @guarded(self._show)
        def export() -> None:
            notes = self.store.notes(self.topic.page, group=self.group.value.strip())
            if not notes:
                self._show("There are no notes to export yet.", "info")
                self.downloads.value = ""
                return
            markdown = export_markdown(notes, self.topic.headings, self.topic.title)
            stem = f"{self.topic.file_stem}-notes"
            self.downloads.value = (
                download_link(f"{stem}.md", markdown, "text/markdown", "Download Markdown")
                + " "
                + download_link(f"{stem}.json", export_json(notes), "application/json", "Download JSON")
            )
            self._show(f"{len(notes)} note(s) ready to download.", "info")

        export()
