"""``drillbook validate|paths|play|notes|export|console|serve|import-markdown|graph|new`` for authors and instructors.

The CLI only parses arguments and calls the library; every error the library raises on purpose
is a :class:`DrillbookError`, printed as one sentence with its exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from . import group_postmortem, postmortem
from ._fs import is_dir
from .content import find_scenario, scenario_dir
from .engine import play
from .errors import DrillbookError
from .replay_codes import summarize
from .report import damage_report
from .scenario import load_scenario
from .store import Store, default_path, export_json, export_markdown


def _scenario_files(paths: Sequence[str]) -> list[Path]:
    if not paths:
        return sorted(scenario_dir().glob("*.yaml"))
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files.extend(sorted(path.glob("*.yaml")) if is_dir(path) else [path])
    return files


def cmd_validate(args: argparse.Namespace) -> int:
    files = _scenario_files(args.paths)
    if not files:
        print("drillbook: no scenario files found", file=sys.stderr)
        return 1
    failures = 0
    for path in files:
        try:
            scenario = load_scenario(path)
        except DrillbookError as exc:
            failures += 1
            print(exc.format_message(), file=sys.stderr)
        else:
            print(f"{path}: ok ({scenario.title}, {len(scenario.rounds)} rounds)")
    if failures:
        print(f"{failures} of {len(files)} scenario file(s) have errors", file=sys.stderr)
    return 1 if failures else 0


def cmd_paths(args: argparse.Namespace) -> int:
    scenario = load_scenario(find_scenario(args.scenario))
    summary = summarize(scenario)
    print(f"{scenario.title}")
    print(f"distinct paths: {summary.count}")
    print(f"optimal: {summary.optimal_code} ({summary.optimal_minutes} min)")
    print(f"worst:   {summary.worst_code} ({summary.worst_minutes} min)")
    return 0


def cmd_play(args: argparse.Namespace) -> int:
    scenario = load_scenario(find_scenario(args.scenario))
    engine = play(scenario, args.code)
    rnd = engine.current_round
    if rnd is not None:
        print(f"drillbook: path {args.code} stops in round {rnd.number}; no damage report yet", file=sys.stderr)
        return 1
    report = damage_report(scenario, engine.state)
    sla = "BREACHED" if report.sla_breached else "met"
    print(f"{report.title}: path {report.path_code}")
    print(f"time: {report.total_minutes} min (optimal {report.optimal_minutes}, worst {report.worst_minutes})")
    print(f"downtime: {report.downtime_minutes} min, SLA {report.sla_minutes} min: {sla}")
    for step in report.steps:
        print(f"  round {step.round_number} {step.key}: {step.verdict_label} (+{step.minutes} min)")
    for risk in report.risks:
        print(f"  risk: {risk}")
    return 0


def _read_store(args: argparse.Namespace) -> Store:
    """Exports only read: the file is opened read-only, so an instructor can export from a
    database they cannot write, and a missing one is never created."""
    return Store.read_only(Path(args.db) if args.db else default_path())


def _print_notices(store: Store) -> None:
    for notice in store.notices():
        print(f"drillbook: {notice}", file=sys.stderr)


def cmd_notes(args: argparse.Namespace) -> int:
    scenario = load_scenario(find_scenario(args.scenario))
    group = args.group.strip()  # stored names are stripped, so is the query
    store = _read_store(args)
    db = store.path
    try:
        notes = store.notes(scenario.id, group=group)
    finally:
        store.close()
    _print_notices(store)
    if not notes:
        who = f"group '{group}'" if group else "the default group"
        print(f"drillbook: no notes on {scenario.id} for {who} in {db}", file=sys.stderr)
        return 0
    if args.format == "json":
        print(export_json(notes))
    else:
        print(export_markdown(notes, scenario.round_headings(), scenario.title), end="")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    scenario = load_scenario(find_scenario(args.scenario))
    store = _read_store(args)
    if args.learner is None:  # the group's own postmortem, as the debrief's form writes it
        try:
            text = group_postmortem.postmortem_markdown(scenario, store, args.group.strip())
        finally:
            store.close()
        who = f"group '{args.group.strip()}'" if args.group.strip() else "the default group"
    else:
        try:
            events = store.run_events(scenario.id, group=args.group, learner=args.learner)
            notes = store.notes(scenario.id, group=args.group)
        finally:
            store.close()
        who = f"learner '{args.learner}'" + (f" of group '{args.group}'" if args.group else "")
        report, reasons = postmortem.report_for(scenario, events, who)
        day = dt.date.fromisoformat(events[-1].created_at[:10])
        text = postmortem.render(report, scenario=scenario, learner=args.learner, group=args.group, date=day,
                                 reasons=reasons, notes=notes)
    _print_notices(store)
    if not args.output or args.output == "-":
        print(text, end="")
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DrillbookError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"wrote the postmortem of {who} to {args.output}", file=sys.stderr)
    return 0


def cmd_console(args: argparse.Namespace) -> int:
    from .terminal import run_console

    return run_console(args.scenario, args.at)


def cmd_import_markdown(args: argparse.Namespace) -> int:
    from .authoring.importer import run_import
    from .authoring.document import MarkdownError
    from .course import default_course

    try:
        text, summary = run_import(Path(args.file), Path(args.output) if args.output else None,
                                   default_course(), force=args.force)
    except MarkdownError as exc:
        print(exc.format_message(), file=sys.stderr)  # file:line: message, as editors jump to it
        return 1
    if not args.output:
        print(text, end="")
    print(summary, file=sys.stderr)
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    from .authoring.graph import load_graph, write_graph

    graph, problem = load_graph(args.scenario)
    dot_text, written = write_graph(graph, Path(args.output) if args.output else None)
    print(dot_text, end="")
    for path in written:
        print(f"wrote {path}", file=sys.stderr)
    if problem:
        print(f"{problem} (drawn anyway; the problem is marked in red)", file=sys.stderr)
        return 1
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .authoring.scaffold import scaffold
    from .content import content_root

    made = scaffold(args.name, Path(args.root) if args.root else content_root(), args.title)
    print(f"wrote {made.scenario}\nwrote {made.notebook}\nadded {made.notebook.name} to {made.course}")
    if made.atlas.is_file():
        print(f"added a section for {args.name} to {made.atlas}")
    print(f"next: fill in the TODOs, `drillbook validate {made.scenario}`, then execute {made.notebook.name} and "
          f"{made.atlas.name} once so nbval has their outputs "
          "(jupyter nbconvert --to notebook --execute --inplace course/NAME.ipynb)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="drillbook", description="Incident replays for on-call engineers.")
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check scenario files; exit 1 on any error")
    validate.add_argument("paths", nargs="*", help="files or folders (default: the scenarios/ folder)")
    validate.set_defaults(func=cmd_validate)
    paths = sub.add_parser("paths", help="count the paths through a scenario, with the optimal and worst")
    paths.add_argument("scenario", help="scenario id (bond-failover) or file")
    paths.set_defaults(func=cmd_paths)
    play_cmd = sub.add_parser("play", help="play a replay code (e.g. B-A-A) and print its damage report")
    play_cmd.add_argument("scenario", help="scenario id (bond-failover) or file")
    play_cmd.add_argument("code", help="replay code: the keys tried in each round, rounds separated by '-'")
    play_cmd.set_defaults(func=cmd_play)
    notes = sub.add_parser("notes", help="print a study group's notes on a scenario as Markdown or JSON")
    notes.add_argument("scenario", help="scenario id (bond-failover) or file")
    notes.add_argument("--group", default="", help="the group name used in the replay's notes panel")
    notes.add_argument("--format", choices=("md", "json"), default="md", help="output format (default: md)")
    notes.add_argument("--db", help="notes database (default: $DRILLBOOK_DB, else ~/.local/share/drillbook/drillbook.sqlite3)")
    notes.set_defaults(func=cmd_notes)
    export = sub.add_parser("export", help="write a blameless postmortem as Markdown: a learner's run "
                                           "(--learner), or the group's own from the debrief (no --learner)")
    export.add_argument("scenario", help="scenario id (bond-failover) or file")
    export.add_argument("--group", default="", help="the learner's group (?group= in the replay's address)")
    export.add_argument("--learner", help="the learner's name (?name= in the replay's address); without it, "
                                          "the group's postmortem written in the debrief, with its runs and notes")
    export.add_argument("-o", "--output", help="file to write (default: print to standard output)")
    export.add_argument("--db", help="database (default: $DRILLBOOK_DB, else ~/.local/share/drillbook/drillbook.sqlite3)")
    export.set_defaults(func=cmd_export)
    console = sub.add_parser("console", help="the practice console in this terminal (commands from the keyboard or stdin)")
    console.add_argument("scenario", help="scenario id (bond-failover) or file")
    console.add_argument("--at", default="start", metavar="CODE",
                         help="replay code whose host to open, e.g. B-A-C (default: start, when the alert fires)")
    console.set_defaults(func=cmd_console)
    # Listed for --help only: main() hands "serve ..." to drillbook.serve, which owns its options.
    sub.add_parser("serve", add_help=False, help="serve the course with Voila on 127.0.0.1 (drillbook serve --help)")
    imp = sub.add_parser("import-markdown", help="turn an incident replay written in Markdown into scenario YAML")
    imp.add_argument("file", help="the Markdown document (e.g. incident.md)")
    imp.add_argument("-o", "--output", help="write scenarios/NAME.yaml (default: print the YAML)")
    imp.add_argument("--force", action="store_true", help="replace the output file if it exists")
    imp.set_defaults(func=cmd_import_markdown)
    graph = sub.add_parser("graph", help="draw a scenario's rounds and choices (Graphviz DOT, SVG where dot is installed)")
    graph.add_argument("scenario", help="scenario id (bond-failover) or file")
    graph.add_argument("-o", "--output", help="FILE.dot (plus FILE.svg where Graphviz is installed) or FILE.svg; default: DOT on stdout")
    graph.set_defaults(func=cmd_graph)
    new = sub.add_parser("new", help="scaffold a scenario YAML and its replay notebook, registered in the course")
    new.add_argument("name", help="the scenario id, e.g. lacp-one-link (lowercase letters, digits, '-', '_')")
    new.add_argument("--title", help="the incident's title (default: from the name)")
    new.add_argument("--root", help="the content folder holding scenarios/ and course/ (default: the course's own)")
    new.set_defaults(func=cmd_new)
    return parser


def cmd_serve(argv: Sequence[str]) -> int:
    """``drillbook serve [--theme dark] [--port N] [--open]``: what ``./run serve`` runs."""
    from .serve import main as serve_main  # Voila is imported only to serve

    return serve_main(argv, prog="drillbook serve")


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        sys.exit(cmd_serve(argv[1:]))
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except DrillbookError as exc:
        print(f"drillbook: {exc.format_message()}", file=sys.stderr)
        code = exc.exit_code
    sys.exit(code)
