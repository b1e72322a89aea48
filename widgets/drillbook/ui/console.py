"""The practice console: a terminal-styled widget over a simulated host's :class:`Shell`.

It only forwards what the learner types to the shell and shows the answer; the shell decides
everything (output, clock cost). ``on_minutes`` lets a replay charge the console time to its
engine. Learner text and command output reach the page only through :func:`esc`/:func:`pre`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..console_text import FRIENDLY_ERROR as _FRIENDLY
from ..console_text import MAX_OUTPUT, clip, cost_line
from ._html import esc, pre
from .theme import style_widget

#: transcript entries kept on screen (older ones scroll away for good, like a terminal)
MAX_ENTRIES = 200
#: history entries offered in the input's drop-down (newest first)
MAX_SUGGESTIONS = 30
__all__ = ["MAX_OUTPUT", "Console", "cost_line"]


class Console(widgets.VBox):
    """``Console(shell, on_minutes=None)``: type a command, press Enter (or Run)."""

    def __init__(self, shell: Any, on_minutes: Callable[[int], None] | None = None, *,
                 styled: bool = True, **kwargs: Any) -> None:
        """``styled=False`` when embedded in a view that already carries the stylesheet."""
        self.shell = shell
        self.on_minutes = on_minutes
        self._entries: list[str] = []
        prompt = getattr(shell, "prompt", "$")
        self.screen = widgets.HTML(self._screen_html())
        self.screen.add_class("db-console-screen")
        self.input = widgets.Combobox(
            value="", options=[], ensure_option=False, placeholder="type a command, e.g. help",
            description=prompt, style={"description_width": "initial"},
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
        )
        self.input.add_class("db-console-input")
        self.input.on_msg(self._on_input_msg)
        self.run_button = widgets.Button(description="Run", tooltip="Run the command (or press Enter)",
                                         button_style="primary")
        self.run_button.on_click(lambda _button: self.submit())
        self.status = widgets.HTML("")
        self.status.add_class("db-console-status")
        line = widgets.HBox([self.input, self.run_button])
        line.add_class("db-console-line")
        hint = widgets.HTML('<div class="db-console-hint">Enter runs the command; Down arrow lists your '
                            'earlier commands; <code>help</code> lists what this console knows.</div>')
        parts = [self.screen, line, self.status, hint]
        super().__init__([style_widget(), *parts] if styled else parts, **kwargs)
        self.add_class("db-root")
        self.add_class("db-console")

    # -- events -----------------------------------------------------------------------------
    def _on_input_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "submit":
            self.submit()

    def submit(self) -> None:
        """Run what is in the input box (Enter or the Run button)."""
        line = self.input.value or ""
        self.input.value = ""
        if line.strip():
            self.run(line)

    def run(self, line: str) -> Any:
        """Run ``line`` as if typed; returns the shell's result (None if it failed)."""
        try:
            result = self.shell.run(line)
            if getattr(result, "clear", False):
                self._entries.clear()
            else:
                self._entries.append(self._entry(result.command, result.output))
                del self._entries[:-MAX_ENTRIES]
            self.screen.value = self._screen_html()
            self._remember(line)
            minutes = int(getattr(result, "minutes", 0) or 0)
            if minutes and self.on_minutes is not None:
                self.on_minutes(minutes)
            self.status.value = f'<span class="db-console-cost">{esc(cost_line(minutes, getattr(result, "now", None)))}</span>'
            return result
        except Exception:  # never a traceback in front of a learner (Voila hides them anyway)
            self.status.value = f'<span class="db-console-error">{esc(_FRIENDLY)}</span>'
            return None

    # -- drawing ----------------------------------------------------------------------------
    def _remember(self, line: str) -> None:
        shown = line.strip()[:200]
        options = [shown] + [o for o in self.input.options if o != shown]
        self.input.options = tuple(options[:MAX_SUGGESTIONS])

    def _entry(self, command: str, output: str) -> str:
        prompt = getattr(self.shell, "prompt", "$")
        output = clip(output)
        text = f"{prompt} {command}" + (f"\n{output}" if output else "")
        return text

    def _screen_html(self) -> str:
        prompt = getattr(self.shell, "prompt", "$")
        body = "\n".join(self._entries) + ("\n" if self._entries else "") + prompt
        return (f'<div class="db-console-scroll" role="log" aria-live="polite" aria-label="Console output" '
                f'tabindex="0"><div>{pre(body, "db-terminal db-console-output", focusable=False)}</div></div>')

    @property
    def transcript(self) -> str:
        """The plain text on screen (for tests and the "copy" habit)."""
        return "\n".join(self._entries)
