"""``drillbook import-markdown``: a Markdown incident in, a validated, commented scenario out."""

from __future__ import annotations

from pathlib import Path

from .._schema import _ID
from ..course import Course
from ..errors import DrillbookError
from .emit import import_markdown
from .infer import slug


def scenario_id_for(md_path: Path, out: Path | None) -> str:
    """The id a scenario gets: the output file's name, else a slug of the Markdown file's."""
    if out is None:
        return slug(md_path.stem, "imported")
    if out.suffix not in (".yaml", ".yml"):
        raise DrillbookError(f"{out}: the output must be a .yaml file (e.g. scenarios/{slug(md_path.stem, 'incident')}.yaml)")
    if not _ID.match(out.stem):
        raise DrillbookError(f"{out}: '{out.stem}' is not a scenario id; use lowercase letters, digits, '-' and '_'")
    return out.stem


def run_import(md_path: Path, out: Path | None, course: Course, *, force: bool = False) -> tuple[str, str]:
    """Import ``md_path``; write the YAML to ``out`` if given. Returns (yaml text, summary line)."""
    if out is not None and out.exists() and not force:
        raise DrillbookError(f"{out} already exists; pass --force to replace it")
    imported = import_markdown(md_path, scenario_id_for(md_path, out), course, str(out or "<import>"))
    guesses = imported.text.count("  # TODO: check")
    rounds = len(imported.scenario.rounds)
    if out is not None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(imported.text, encoding="utf-8")
        except OSError as exc:
            raise DrillbookError(f"{out}: cannot write the file ({exc.strerror or exc})") from None
    where = str(out) if out is not None else "the scenario"
    return imported.text, f"{where}: valid, {rounds} rounds; {guesses} guesses marked '# TODO: check' to review"
