"""Study-group views for the course pages: notes on every ``##`` section, notes whose section
is gone, and the debrief's group postmortem form.

Notebook cells reach these through ``drillbook.ui.pages`` (``section_notes``,
``removed_section_notes``, ``group_postmortem``). Panels are built only when opened, so a page
costs a toggle button per section until someone takes notes. One identity (group and name)
serves every panel of a page: typed once, or given as ``?group=`` and ``?name=`` in Voila.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import ipywidgets as widgets

from ..content import course_dir
from ..identity import learner_name
from ..query import query_params
from ..group_postmortem import FIELDS, FOLLOW_UPS, FollowUp, dump_follow_ups, group_notes, parse_follow_ups, postmortem_markdown
from ..topics import NotesTopic, page_topic
from ..model import Scenario
from ..sections import notebook_sections, section
from ..store import Note, Store, default_path
from ._guard import guarded, message_html
from ._models import html
from ._html import download_link, esc
from .lazy import LazySection
from .notes import NotesPanel


@dataclass
class PageIdentity:
    """Who is annotating, shared by every panel of the pages this kernel shows."""

    group: str = ""
    name: str = ""
    _store: Store | None = field(default=None, repr=False)

    def set(self, group: str, name: str) -> None:
        self.group, self.name = group, name

    def store(self) -> Store:
        if self._store is None:
            self._store = Store()
        return self._store


_identity: PageIdentity | None = None


def identity(params: dict[str, str] | None = None) -> PageIdentity:
    """This kernel's annotator, from the page's ``?group=&name=`` (or the hub user).

    Asked only when a panel opens, never while the page is built: a preheated kernel builds
    the page before any learner has asked for it, and reading the query then would hold the
    rest of the page back until a learner arrives.
    """
    global _identity
    if _identity is None:
        params = query_params() if params is None else params
        _identity = PageIdentity(params.get("group", "").strip(), learner_name(params))
    return _identity


def _panel(topic: NotesTopic, anchor: str) -> NotesPanel:
    who = identity()
    return NotesPanel(topic, None, group=who.group, author=who.name, round_id=anchor,
                      open_store=who.store, on_identity=who.set)


def section_notes_box(page: str, section_id: str) -> LazySection[NotesPanel]:
    """The collapsible study-notes panel for one section of a course page."""
    topic = page_topic(page)
    title = section(notebook_sections(course_dir() / topic.page), section_id, topic.page).title
    box: LazySection[NotesPanel] = LazySection(f"Study notes: {title}", lambda: _panel(topic, section_id),
                                               "db-section-notes")
    box.add_class("db-root")
    return box


class RemovedSectionNotes(widgets.VBox):
    """Notes anchored to sections a later edit of the page removed: listed, never lost."""

    def __init__(self, topic: NotesTopic, store: Store | None, group: str) -> None:
        self.listing = html("db-notes-list")
        super().__init__([self.listing])
        notes: list[Note] = []
        if store is not None or default_path().exists():
            notes = [n for n in (store or identity().store()).notes(topic.page, group=group)
                     if n.round_id not in topic.headings]
        if not notes:
            self.listing.value = '<p class="db-muted">No notes on removed sections.</p>'
            return
        items = "".join(
            f'<li><span class="db-note-meta">{esc(n.round_id)} · {esc(n.author or "anonymous")} · '
            f'{esc(n.updated_at)}</span><div class="db-note-body">{esc(n.body)}</div></li>'
            for n in notes
        )
        self.listing.value = f'<ul class="db-note-items">{items}</ul>'


def removed_notes_box(page: str) -> LazySection[RemovedSectionNotes]:
    """A collapsible list of the group's notes whose section no longer exists on ``page``."""
    topic = page_topic(page)
    box: LazySection[RemovedSectionNotes] = LazySection(
        "Notes on removed sections", lambda: RemovedSectionNotes(topic, None, identity().group), "db-section-notes")
    box.add_class("db-root")
    return box


class GroupPostmortemForm(widgets.VBox):
    """The debrief's postmortem, written by a group together and saved as it is typed."""

    def __init__(self, scenario: Scenario, store: Store, group: str = "",
                 on_group: Callable[[str], None] | None = None) -> None:
        self.scenario = scenario
        self.store = store
        self._loading = False
        self.group = widgets.Text(value=group, description="Group", placeholder="e.g. blue-team",
                                  continuous_update=False)
        self.fields: dict[str, widgets.Text | widgets.Textarea] = {}
        rows: list[widgets.Widget] = []
        for item in FIELDS:
            box: widgets.Text | widgets.Textarea
            if item.lines == 1:
                box = widgets.Text(placeholder=item.hint, layout=widgets.Layout(width="100%"))
            else:
                box = widgets.Textarea(placeholder=item.hint,
                                       layout=widgets.Layout(width="100%", height=f"{item.lines * 24 + 12}px"))
            box.observe(self._saver(item.key), names="value")
            self.fields[item.key] = box
            rows += [widgets.HTML(f'<label class="db-form-label">{esc(item.label)}</label>'), box]
        self.follow_ups = widgets.VBox()
        self.add_follow_up = widgets.Button(description="Add follow-up", tooltip="Add an action with an owner")
        self.add_follow_up.on_click(lambda _b: self._guard(self._add_row)(FollowUp("", "")))
        self.status = html("db-form-status")
        self.alongside = html("db-form-alongside")
        self.download = widgets.Button(description="Download postmortem", button_style="primary",
                                       tooltip="The postmortem as Markdown, with the group's runs and notes")
        self.download.on_click(lambda _b: self._guard(self._export)())
        self.downloads = html("db-form-downloads")
        self.group.observe(lambda _c: self._guard(self._on_group)(), names="value")
        self._on_group_change = on_group
        super().__init__([self.group, *rows,
                          widgets.HTML('<label class="db-form-label">Follow-ups (action and owner)</label>'),
                          self.follow_ups, self.add_follow_up, self.status,
                          widgets.HBox([self.download, self.downloads]), self.alongside])
        self.add_class("db-postmortem-form")
        self._guard(self.load)()

    def _show(self, text: str, kind: str = "error") -> None:
        self.status.value = message_html(text, kind)

    def _guard(self, fn: Callable[..., None]) -> Callable[..., None]:
        return guarded(self._show)(fn)

    @property
    def group_name(self) -> str:
        return str(self.group.value).strip()

    def _on_group(self) -> None:
        if self._on_group_change is not None:
            self._on_group_change(self.group_name)
        self.load()

    def load(self) -> None:
        """Show the group's form as saved, with its runs and notes beside it."""
        form = self.store.postmortem(self.scenario.id, group=self.group_name)
        self._loading = True
        try:
            for key, box in self.fields.items():
                box.value = form.get(key, "")
            self.follow_ups.children = ()
            for item in parse_follow_ups(form.get(FOLLOW_UPS)):
                self._add_row(item)
        finally:
            self._loading = False
        self.alongside.value = self._alongside_html()
        self.status.value = ""

    def _saver(self, key: str) -> Callable[[dict[str, object]], None]:
        def save(change: dict[str, object]) -> None:
            if self._loading:
                return
            self.store.save_postmortem_field(self.scenario.id, key, str(change["new"]), group=self.group_name)
            self._show("Saved.", "info")
        return lambda change: self._guard(save)(change)

    def _add_row(self, item: FollowUp) -> None:
        action = widgets.Text(value=item.action, placeholder="action, e.g. alert on firmware drift",
                              layout=widgets.Layout(flex="2 1 auto"))
        owner = widgets.Text(value=item.owner, placeholder="owner", layout=widgets.Layout(flex="1 1 auto"))
        remove = widgets.Button(description="Remove", tooltip="Remove this follow-up")
        row = widgets.HBox([action, owner, remove])
        row.add_class("db-follow-up")
        for box in (action, owner):
            box.observe(lambda _c: self._guard(self._save_follow_ups)(), names="value")
        remove.on_click(lambda _b: self._guard(self._remove_row)(row))
        self.follow_ups.children = (*self.follow_ups.children, row)

    def _remove_row(self, row: widgets.HBox) -> None:
        self.follow_ups.children = tuple(r for r in self.follow_ups.children if r is not row)
        row.close()
        self._save_follow_ups()

    def current_follow_ups(self) -> list[FollowUp]:
        return [FollowUp(r.children[0].value.strip(), r.children[1].value.strip()) for r in self.follow_ups.children]

    def _save_follow_ups(self) -> None:
        if self._loading:
            return
        self.store.save_postmortem_field(self.scenario.id, FOLLOW_UPS, dump_follow_ups(self.current_follow_ups()),
                                         group=self.group_name)
        self._show("Saved.", "info")

    def _alongside_html(self) -> str:
        runs = self.store.group_progress(self.scenario.id, group=self.group_name)
        rows = "".join(f"<tr><td>{esc(r.learner or 'anonymous')}</td><td><code>{esc(r.path_code)}</code></td>"
                       f"<td>{r.total_minutes}</td><td>{'yes' if r.finished else 'no'}</td></tr>" for r in runs)
        table = (f'<table class="db-form-runs"><thead><tr><th>Learner</th><th>Path</th><th>Minutes</th>'
                 f"<th>Finished</th></tr></thead><tbody>{rows}</tbody></table>" if runs
                 else '<p class="db-muted">No saved replay runs for this group yet.</p>')
        count = sum(len(n) for _, parts in group_notes(self.scenario, self.store, self.group_name) for _, n in parts)
        return (f"<h4>Your group's replay runs</h4>{table}<p class=\"db-muted\">{count} note(s) from the group "
                "will be included in the download.</p>")

    def _export(self) -> None:
        markdown = postmortem_markdown(self.scenario, self.store, self.group_name)
        stem = f"{self.scenario.id}-postmortem"
        self.downloads.value = download_link(f"{stem}.md", markdown, "text/markdown", "Save the Markdown file")
        self._show("Postmortem ready: use the link to save it.", "info")


def postmortem_box(scenario: Scenario) -> LazySection[GroupPostmortemForm]:
    """The debrief's collapsible group postmortem form."""
    def build() -> GroupPostmortemForm:
        who = identity()
        return GroupPostmortemForm(scenario, who.store(), who.group, on_group=lambda g: who.set(g, who.name))

    box: LazySection[GroupPostmortemForm] = LazySection(
        "Write your group's postmortem (saved as you type)", build, "db-postmortem-box")
    box.add_class("db-root")
    return box
