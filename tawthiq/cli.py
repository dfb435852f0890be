"""The ``tawthiq`` command: the single door for documenters and operators.

Every command is documented in its ``--help`` and in the README. Errors a person can cause are
one clear line (exit status 1); ``tawthiq --debug ...`` shows the traceback as well.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from tawthiq.errors import TawthiqError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _quiet_prefect(debug: bool) -> None:
    # Prefect logs every task at INFO to the console; people want our one-screen summary.
    # This machine may have no route to Prefect's telemetry endpoint; never try.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if not debug:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        os.environ.setdefault("PREFECT_LOGGING_LOGGERS_PREFECT_LEVEL", "WARNING")
        # Nothing of Prefect's on the terminal (its tracebacks included): the command prints
        # its own summary and one-line errors. The logs still reach Prefect's API and UI.
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")


@click.group(context_settings=CONTEXT)
@click.option("--debug", is_flag=True, help="Show tracebacks and Prefect's logs.")
@click.version_option(package_name="tawthiq")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """tawthiq (توثيق): intake for teams documenting civilians killed in armed conflict.

    Family forms and monitored news go in; extracted victim records are matched against each
    other and the archive and wait for a documenter's decision before anything is archived.

    The database is TAWTHIQ_DATABASE_URL, or tawthiq.db (SQLite) in the working directory.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    _quiet_prefect(debug or ctx.invoked_subcommand == "serve")


def _engine():  # type: ignore[no-untyped-def]
    from tawthiq.db.engine import get_engine, is_initialised

    engine = get_engine()
    if not is_initialised(engine):
        raise TawthiqError(f"the database {engine.url.render_as_string(hide_password=True)} is not set up; run `tawthiq init` first")
    return engine


def _console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(highlight=False)


# --- init / status ------------------------------------------------------------------------


@cli.command()
def init() -> None:
    """Create or migrate the database to the newest schema."""
    from tawthiq.db.engine import get_database_url, migrate_database
    from sqlalchemy.engine import make_url

    url = get_database_url()
    revision = migrate_database(url)
    click.echo(f"database ready at {make_url(url).render_as_string(hide_password=True)} (schema {revision})")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
def status(as_json: bool) -> None:
    """Counts: raw items, failed items, candidates, open queue, archived victims.

    Failed items are those that need action: an item superseded by a newer version, or
    dismissed with `tawthiq failed dismiss`, is not counted (it stays stored)."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    engine = _engine()
    with session_scope(engine) as session:
        counts = repo.status_counts(session)
        failed = [(i.id, f"{i.source.name}/{i.external_id}", i.error) for i in repo.failed_items(session, 10)] if not as_json else []
    if as_json:
        click.echo(json.dumps(counts))
        return
    labels = {"raw_items": "raw items stored", "raw_failed": "items failed", "candidates": "candidate records",
              "queue_open": "people waiting for review", "queue_incidents": "incidents to read",
              "victims": "victims in the archive", "incidents": "incidents in the archive"}
    for key, value in counts.items():
        click.echo(f"{labels[key]:<24} {value:>8}")
    if failed:
        click.echo("\nfailed items (`tawthiq failed list` shows them all; fix the cause, then `tawthiq failed retry`, "
                   "or `tawthiq failed dismiss ID --why \"...\"` one that cannot be fixed):")
        for item_id, label, error in failed:
            click.echo(f"  {item_id:>6}  {error or label}")
        if counts["raw_failed"] > len(failed):
            click.echo(f"  ... and {counts['raw_failed'] - len(failed)} more")


# --- sources and intake -------------------------------------------------------------------


@cli.group(context_settings=CONTEXT)
def sources() -> None:
    """Configure where submissions and news come from."""


#: The victim fields `--map` takes: the keys `tawthiq extract` prints (its JSON contract, the
#: places as place_of_death.locality ...), each to the key of the form mapping extraction reads
#: (extractors.forms.DEFAULT_MAPPING). `is_child` and `evidence` are derived, never read.
MAP_FIELDS: dict[str, str] = {
    "full_name": "full_name", "name_ar": "name_other_script", "sex": "sex", "age": "age",
    "date_of_death": "date_of_death",
    "place_of_death.governorate": "death_governorate", "place_of_death.locality": "death_locality",
    "origin.governorate": "origin_governorate", "origin.locality": "origin_locality",
    "perpetrator": "perpetrator", "cause": "cause", "category": "category",
}

#: Which kinds of source each option of `sources add`/`edit` applies to.
OPTION_KINDS: dict[str, tuple[str, ...]] = {
    "path": ("folder",), "id_column": ("folder",), "language": ("form",),
    "urls": ("kobo", "odk", "feed", "listing", "page"), "asset": ("kobo",), "token_env": ("kobo",), "token_block": ("kobo",),
    "project": ("odk",), "form_id": ("odk",), "user_env": ("odk",), "password_env": ("odk",), "basic_auth": ("odk",),
    "selector": ("listing",), "delay": ("kobo", "odk", "feed", "listing", "page"), "max_items": ("feed", "listing", "page"),
    "mappings": ("folder", "form", "kobo", "odk"),
}
OPTION_FLAGS = {"urls": "--url", "form_id": "--form", "mappings": "--map", "basic_auth": "--basic-auth/--session-auth"}


def map_fields() -> dict[str, str]:
    """Every name `--map` accepts, to its form mapping key: the extract contract's names, then
    the form fields extract does not print (father_name, account ...), then the mapping keys
    older commands took (death_locality, name_other_script ...), kept as aliases."""
    from tawthiq.extractors.forms import DEFAULT_MAPPING

    contract_keys = set(MAP_FIELDS.values())
    fields = dict(MAP_FIELDS)
    fields.update({key: key for key in DEFAULT_MAPPING if key not in contract_keys})
    fields.update({key: key for key in DEFAULT_MAPPING if key not in fields})
    return fields


def parse_mappings(entries: tuple[str, ...]) -> dict[str, list[str]]:
    """``FIELD=QUESTION`` entries as the mapping a form source stores (mapping key to the
    questions or columns read for it, in order); an unknown FIELD is refused with the names."""
    fields = map_fields()
    listed = [name for name, key in fields.items() if name in MAP_FIELDS or key not in MAP_FIELDS.values()]
    mapping: dict[str, list[str]] = {}
    for entry in entries:
        field, _, question = entry.partition("=")
        field, question = field.strip(), question.strip()
        if field not in fields or not question:
            raise click.UsageError(f"--map {entry!r}: write FIELD=QUESTION with FIELD one of {', '.join(listed)}")
        mapping.setdefault(fields[field], []).append(question)
    return mapping


def existing_directory(path: Path) -> Path:
    """``path`` made absolute, refused in one line unless it is a directory that exists (a
    folder source reading a mistyped path would find nothing, night after night, silently)."""
    resolved = path.expanduser().resolve()
    if not resolved.exists():
        raise TawthiqError(f"--path {path}: no such directory")
    if not resolved.is_dir():
        raise TawthiqError(f"--path {path}: not a directory")
    return resolved


def build_source_settings(kind: str, options: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The settings of a source of ``kind`` from the options of `sources add` (``current``
    None) or `sources edit` (``current`` the stored settings, which the options given change):
    one validation for both, so an edit cannot store what add would refuse."""
    settings = dict(current or {})
    given = {key: value for key, value in options.items() if value is not None and value != ()}
    for key in given:
        if kind not in OPTION_KINDS[key]:
            flag = OPTION_FLAGS.get(key, "--" + key.replace("_", "-"))
            raise click.UsageError(f"{flag} is for {', '.join(OPTION_KINDS[key])} sources, not {kind}")
    urls: tuple[str, ...] = given.get("urls", ())
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise click.UsageError(f"--url {url!r}: give an http:// or https:// address")
    if kind == "folder":
        if "path" in given:
            settings["path"] = str(existing_directory(given["path"]))
        if "path" not in settings:
            raise click.UsageError("a folder source needs --path DIR")
        if "id_column" in given:
            settings["id_column"] = given["id_column"]
    elif kind == "form":
        if "language" in given:
            settings["default_language"] = given["language"]
    elif kind in ("kobo", "odk"):
        if urls:
            if len(urls) != 1:
                raise click.UsageError(f"a {kind} source needs one --url (the server)")
            settings["url"] = urls[0].rstrip("/")
        if "url" not in settings:
            raise click.UsageError(f"a {kind} source needs one --url (the server)")
        if kind == "kobo":
            if "token_env" in given and "token_block" in given:
                raise click.UsageError("give --token-env or --token-block, not both")
            for key, other in (("token_env", "token_block"), ("token_block", "token_env")):
                if key in given:
                    settings[key] = given[key]
                    settings.pop(other, None)
            if "asset" in given:
                settings["asset"] = given["asset"]
            if not settings.get("asset"):
                raise click.UsageError("a kobo source needs --asset UID")
            if not (settings.get("token_env") or settings.get("token_block")):
                raise click.UsageError("a kobo source needs --token-env VAR (or --token-block NAME)")
        else:
            settings.update({key: given[name] for key, name in (("project", "project"), ("form", "form_id"), ("user_env", "user_env"),
                                                                ("password_env", "password_env")) if name in given})
            if not settings.get("project") or not settings.get("form"):
                raise click.UsageError("an odk source needs --project N and --form ID")
            if not (settings.get("user_env") and settings.get("password_env")):
                raise click.UsageError("an odk source needs --user-env VAR and --password-env VAR")
            if given.get("basic_auth") is True:
                settings["auth"] = "basic"
            elif given.get("basic_auth") is False:
                settings.pop("auth", None)
    else:
        if kind == "page":
            if urls:
                settings["urls"] = list(urls)
        elif len(urls) > 1:
            raise click.UsageError(f"a {kind} source takes one --url; add one source per {kind}")
        elif urls:
            settings["url"] = urls[0]
        if not settings.get("urls" if kind == "page" else "url"):
            raise click.UsageError(f"a {kind} source needs --url URL")
        if "selector" in given:
            settings["link_selector"] = given["selector"]
        if "max_items" in given:
            settings["max_items"] = given["max_items"]
    if "delay" in given:
        settings["delay"] = given["delay"]
    if "mappings" in given:
        # Each field given replaces that field's questions; the others keep theirs.
        settings["mapping"] = {**settings.get("mapping", {}), **parse_mappings(given["mappings"])}
    return settings


def source_options(fn: Any) -> Any:
    """The options of `sources add` and `sources edit`, declared once for both."""
    options = [
        click.option("--path", type=click.Path(path_type=Path), help="folder: the directory to read (it must exist)."),
        click.option("--url", "urls", multiple=True,
                     help="kobo/odk: the server; feed/listing: the feed or listing page; page: an article (repeatable)."),
        click.option("--asset", help="kobo: the project's asset UID (from its URL, e.g. aBcD1234...)."),
        click.option("--token-env", help="kobo: environment variable holding the API token."),
        click.option("--token-block", help="kobo: Prefect Secret block holding the API token (instead of --token-env)."),
        click.option("--project", help="odk: the project id (a number)."),
        click.option("--form", "form_id", help="odk: the form id (xmlFormId)."),
        click.option("--user-env", help="odk: environment variable holding the account's e-mail."),
        click.option("--password-env", help="odk: environment variable holding the account's password."),
        click.option("--basic-auth/--session-auth", default=None, help="odk: use HTTP Basic instead of a session (or back)."),
        click.option("--map", "mappings", multiple=True, metavar="FIELD=QUESTION",
                     help="Read victim FIELD from QUESTION (a form question or CSV column), repeatable; FIELD is a name "
                          "`tawthiq extract` prints (full_name, name_ar, sex, age, date_of_death, place_of_death.governorate, "
                          "place_of_death.locality, origin.governorate, origin.locality, perpetrator, cause, category) "
                          "or father_name, mother_name, date_of_birth, date_of_death_approx, died_in_detention, account; "
                          "e.g. --map full_name=Name."),
        click.option("--id-column", help="folder: the CSV/JSON column that identifies a row across re-sent files."),
        click.option("--language", type=click.Choice(["ar", "en"]), help="form: the language the form opens in (default ar)."),
        click.option("--selector", help="listing: CSS selector of the article links."),
        click.option("--delay", type=click.FloatRange(0), help="Seconds between two requests to one host (default 2; APIs 0.5)."),
        click.option("--max-items", type=click.IntRange(1), help="At most this many articles per pull (default 100)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _os_user() -> str:
    """Who runs this command, for the audit log (the review app's users are not operators)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name, as in some containers
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


@sources.command("add")
@click.argument("kind", type=click.Choice(["folder", "form", "kobo", "odk", "feed", "listing", "page"]))
@click.argument("name")
@source_options
def sources_add(kind: str, name: str, **options: Any) -> None:
    """Add a source of KIND named NAME.

    \b
    folder   .json submissions, CSV/JSON lists from partners, .html/.txt news (--path DIR)
    form     the built-in family web form, served by `tawthiq review` at /submit/NAME
    kobo     a KoboToolbox project (--url https://kf.kobotoolbox.org --asset UID --token-env VAR)
    odk      an ODK Central form (--url URL --project N --form ID --user-env V --password-env V)
    feed     an RSS or Atom feed of news articles (--url URL)
    listing  an HTML page listing articles (--url URL [--selector CSS])
    page     single article pages (--url URL, repeatable)

    Secrets are never stored: kobo and odk sources keep only the names of the environment
    variables (or Prefect Secret blocks) that hold them. Change a source later with
    `sources edit`, stop pulling it with `sources disable`.
    """
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    settings = build_source_settings(kind, options)
    with session_scope(_engine()) as session:
        repo.add_source(session, kind, name, settings)
    click.echo(f"added {kind} source {name!r}")
    if kind == "form":
        click.echo(f"families can submit at /submit/{name} on the review app (`tawthiq review`)")


@sources.command("edit")
@click.argument("name")
@source_options
@click.option("--clear-map", is_flag=True, help="Drop the source's own --map fields first (the default mapping applies again).")
def sources_edit(name: str, clear_map: bool, **options: Any) -> None:
    """Change the settings of source NAME: only the options given change, checked as `sources
    add` checks them (--url replaces the URL, or a page source's list of URLs; --map replaces
    the questions of each FIELD given). The source keeps its items and its place in the feed
    or form (its cursor), so the next pull goes on from there; to re-read everything, `tawthiq
    pull NAME --full`."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    if not clear_map and all(value is None or value == () for value in options.values()):
        raise click.UsageError("nothing to change: give the options to change (`tawthiq sources edit --help`)")
    with session_scope(_engine()) as session:
        source = repo.get_source(session, name)
        current = dict(source.settings or {})
        if clear_map:
            current.pop("mapping", None)
        settings = build_source_settings(source.kind, options, current)
        repo.update_source(session, name, settings, by=_os_user())
        kind = source.kind
    changed = sorted(key for key in set(settings) | set(current) if settings.get(key) != current.get(key))
    if clear_map and "mapping" not in changed:
        changed.append("mapping")
    click.echo(f"updated {kind} source {name!r}: {', '.join(changed) or 'nothing changed'}")


@sources.command("disable")
@click.argument("name")
def sources_disable(name: str) -> None:
    """Stop pulling source NAME: `pull` and `nightly` skip it (unless it is named), and a
    family form stops taking submissions. Its items stay, and so does its place in the feed or
    form: `sources enable NAME` goes on from there."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine()) as session:
        source = repo.set_source_enabled(session, name, False, by=_os_user())
        items = repo.source_item_count(session, source)
    click.echo(f"disabled source {name!r}: `tawthiq pull` and `tawthiq nightly` skip it; its {items} stored item(s) stay")


@sources.command("enable")
@click.argument("name")
def sources_enable(name: str) -> None:
    """Pull source NAME again (after `sources disable`)."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine()) as session:
        repo.set_source_enabled(session, name, True, by=_os_user())
    click.echo(f"enabled source {name!r}: the next pull reads it again")


@sources.command("remove")
@click.argument("name")
@click.option("--force", is_flag=True, help="For a source with stored items: disable it (items are never deleted).")
def sources_remove(name: str, force: bool) -> None:
    """Remove source NAME when nothing was ever stored from it (a mistyped source, say).

    A source with stored items is never deleted: its items are what families and witnesses
    gave, and the archive cites them. Removing one is refused, with the way out; `--force`
    disables it instead (as `sources disable` does), and says so.
    """
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine()) as session:
        outcome, items = repo.remove_source(session, name, force=force, by=_os_user())
    if outcome == "removed":
        click.echo(f"removed source {name!r} (nothing had been stored from it)")
    else:
        click.echo(f"source {name!r} has {items} stored item(s), which are never deleted: disabled it instead "
                   f"(`tawthiq pull` and `tawthiq nightly` skip it; `sources enable {name}` undoes this)")


@cli.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), default="family_form.xlsx")
def xlsform(out: Path) -> None:
    """Write the standard family form as an XLSForm (default ./family_form.xlsx).

    Upload it to KoboToolbox or ODK Central as it is: its question names are the ones the
    default field mapping reads, in Arabic and English, with the same checks as the web form.
    """
    from tawthiq.sources.webform import write_xlsform

    write_xlsform(str(out))
    click.echo(f"wrote {out}")


@sources.command("list")
def sources_list() -> None:
    """List the configured sources with their state (ok, failing, or disabled)."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine()) as session:
        rows = repo.list_sources(session)
        if not rows:
            click.echo("no sources yet; add one with `tawthiq sources add`")
        for s in rows:
            last = s.last_pulled_at.strftime("%Y-%m-%d %H:%M") if s.last_pulled_at else "never"
            settings = ", ".join(f"{k}={v}" for k, v in s.settings.items() if k != "mapping")
            state = s.status if s.enabled else "disabled"
            click.echo(f"{s.name:<20} {s.kind:<8} {state:<8} last pulled {last:<17} {settings}")
            if s.last_error:
                click.echo(f"{'':<20} error: {s.last_error}")


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--full", is_flag=True, help="Re-read everything the sources hold, not only what is new since the last pull "
              "(catches KoboToolbox edits, which carry no timestamp); unchanged items are skipped.")
def pull(names: tuple[str, ...], full: bool) -> None:
    """Intake only: pull new items from all sources, or from the NAMES given.

    Exits 1 when a source failed (the others are still pulled), 75 when another run is
    working on this database (nothing done; try later), 143 when stopped by SIGTERM."""
    from tawthiq.flows.nightly import pull_flow

    _engine()
    results = _run_flow("pulling", lambda: pull_flow(sources=list(names) or None, full=full, return_state=True))
    _print_pulled(results["sources"])
    _exit_for(results)


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--dask", "dask_address", envvar="TAWTHIQ_DASK_ADDRESS", metavar="ADDRESS",
              help="Run tasks on a Dask cluster (tcp://host:8786, or 'local'); or TAWTHIQ_DASK_ADDRESS.")
def nightly(names: tuple[str, ...], dask_address: str | None) -> None:
    """Run the whole nightly flow once, now: pull, extract, match, queue.

    NAMES limits intake to those sources; extraction, matching and queueing always take
    everything that is waiting. Exits 1 when a source failed (everything else is still done),
    75 when another run is working on this database (nothing done; set TAWTHIQ_LOCK_WAIT=SECONDS
    to wait for it instead), 143 when stopped by SIGTERM (what was stored stays stored; the
    next run goes on from there).
    """
    _engine()
    summary = _run_flow("running the nightly flow", lambda: _nightly(list(names) or None, dask_address))
    if "extract" in summary:
        _print_summary(summary)
    _exit_for(summary)


def _nightly(names: list[str] | None, dask_address: str | None = None) -> Any:
    from tawthiq.flows.nightly import nightly as nightly_flow, with_dask

    return with_dask(nightly_flow, dask_address)(sources=names, return_state=True)


#: Exit statuses of the flow commands, besides 0 (done) and 1 (a source or the run failed).
EXIT_SKIPPED = 75  # EX_TEMPFAIL: another run holds the database; nothing was done
EXIT_STOPPED = 143  # 128 + SIGTERM


def _install_sigterm() -> None:
    """On the first SIGTERM, ask every step to stop between two items (nothing half-done is
    left: each item is its own transaction); on a second, exit at once."""
    import signal

    from tawthiq.sources import http

    from tawthiq.flows.nightly import stop_on_sigterm

    def handle(signum: int, frame: Any) -> None:
        if http.STOP.is_set():
            os._exit(EXIT_STOPPED)
        stop_on_sigterm()

    try:
        signal.signal(signal.SIGTERM, handle)
    except ValueError:  # not the main thread (tests calling the CLI from a thread)
        pass


def _run_flow(message: str, start: Any) -> dict[str, Any]:
    """Run a flow (``start`` returns its final state) with a working Prefect API, tagged with
    this database, and turn the state into a summary: ``{"skipped": why}`` for a run that found
    another at work, the run's summary (with ``"failed"``: why) for a failed run."""
    from tawthiq.flows.nightly import RunFailed
    from tawthiq.ops import flow_context

    _install_sigterm()
    with flow_context():
        state = _with_spinner(message, start)
    if state.is_cancelled():  # stopped by SIGTERM: the state holds the summary so far
        value = state.result(raise_on_failure=False)
        if isinstance(value, dict):
            return value
        return {"stopped": state.message or "the run was cancelled"}
    if state.is_failed() or state.is_crashed():
        error = state.result(raise_on_failure=False)
        if isinstance(error, RunFailed):
            return {**error.summary, "failed": str(error)}
        if isinstance(error, TawthiqError):
            raise error
        raise TawthiqError(f"the run ended {state.name}: {state.message or error}")
    value = state.result()
    if isinstance(value, list):  # the pull flow gives its sources' summaries
        return {"sources": value}
    return value


def _exit_for(summary: dict[str, Any]) -> None:
    """End a flow command with the exit status its summary calls for."""
    if summary.get("skipped"):
        click.echo(summary["skipped"], err=True)
        sys.exit(EXIT_SKIPPED)
    if summary.get("stopped") or (summary.get("extract") or {}).get("stopped"):
        click.echo(f"stopped: {summary.get('stopped') or summary['extract']['stopped']}; the next run goes on from here", err=True)
        sys.exit(EXIT_STOPPED)
    if summary.get("failed"):
        click.echo(f"error: {summary['failed']}", err=True)
        sys.exit(1)


def _with_spinner(message: str, fn):  # type: ignore[no-untyped-def]
    console = _console()
    if not console.is_terminal:
        return fn()
    with console.status(message + " ..."):
        return fn()


def _source_line(s: dict[str, Any]) -> str:
    """One source's line of a pull: its counts, and its error if it failed."""
    line = f"{s['source']}: {s['fetched']} fetched, {s['new']} new, {s['unchanged']} unchanged, {s['failed']} failed"
    return line + (f"  ERROR: {s['error']}" if s["error"] else "")


def _print_pulled(sources: list[dict[str, Any]]) -> None:
    """What a pull did, source by source, each with the items it set aside and what it skipped."""
    for s in sources:
        click.echo(_source_line(s))
        for error in s.get("failures", []):
            click.echo(f"  failed: {error}")
        for note in s.get("notes", []):
            click.echo(f"  skipped: {note}")


def _print_summary(summary: dict[str, Any]) -> None:
    for s in summary["sources"]:
        click.echo(_source_line(s))
    ex, ma, qu = summary["extract"], summary["match"], summary["queue"]
    click.echo(f"items extracted:      {ex['extracted']} ({ex['failed']} failed)")
    click.echo(f"victims extracted:    {ex['candidates']}")
    click.echo(f"possible duplicates:  {ma['possible_duplicates']}")
    click.echo(f"waiting for review:   {qu['queue_open']} ({qu['queued']} new)")
    click.echo(f"incidents to read:    {qu.get('incidents_queued', 0)} new (every item that reports a death)")
    for source in summary["sources"]:  # items set aside at intake (a broken CSV row, a page too large)
        for error in source.get("failures", []):
            click.echo(f"  failed: {error}")
        for note in source.get("notes", []):
            click.echo(f"  skipped: {source['source']}: {note}")
    for failure in ex["failures"]:
        click.echo(f"  failed: {failure['error']}")


@cli.command("retry-failed")
@click.option("--source", "source_name", help="Only items of this source.")
def retry_failed(source_name: str | None) -> None:
    """Put items left failed back in line; the next `tawthiq nightly` processes them again.

    The same as `tawthiq failed retry`. Superseded and dismissed items are not retried."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine()) as session:
        count = repo.retry_failed_items(session, source_name)
    click.echo(f"{count} failed item(s) will be processed again by the next run")


@cli.group(context_settings=CONTEXT)
def failed() -> None:
    """Items that could not be read: list them, retry them once the cause is fixed, or dismiss
    those that cannot be fixed. A failed item a newer version of it replaced is retired by
    itself (state superseded). Nothing here deletes an item: it stays stored raw."""


failed.add_command(retry_failed, "retry")


@failed.command("list")
@click.option("--source", "source_name", help="Only items of this source.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per item and line.")
def failed_list(source_name: str | None, as_json: bool) -> None:
    """The failed items that need action: id, source/external id, version, attempts, error."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine()) as session:
        rows = [{"id": i.id, "source": i.source.name, "external_id": i.external_id, "version": i.version,
                 "attempts": i.attempts, "error": i.error} for i in repo.failed_items(session, None, source_name)]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo("no failed items" + (f" from {source_name!r}" if source_name else ""))
        return
    for row in rows:
        click.echo(f"{row['id']:>6}  {row['source']}/{row['external_id']}  version {row['version']}, "
                   f"{row['attempts']} attempt(s)\n        {row['error'] or 'no reason recorded'}")
    click.echo(f"\n{len(rows)} failed item(s): fix the cause, then `tawthiq failed retry`; "
               "or `tawthiq failed dismiss ID --why \"...\"` for one that cannot be fixed")


@failed.command("dismiss")
@click.argument("item_ids", nargs=-1, required=True, type=int, metavar="ID...")
@click.option("--why", required=True, help="Why nobody will fix it (kept with the item and in the audit log).")
def failed_dismiss(item_ids: tuple[int, ...], why: str) -> None:
    """Set aside failed items that cannot be fixed; they stay stored raw.

    The items ID... (from `tawthiq failed list`) stop counting as failed and are never
    retried. Who (your login name), when and why are kept on each item and in the audit log.
    All or none: an ID that is not a failed item is refused, naming it."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine()) as session:
        items = repo.dismiss_failed_items(session, item_ids, why, by=_os_user())
        labels = [f"{i.id} ({i.source.name}/{i.external_id})" for i in items]
    click.echo(f"dismissed {len(labels)} item(s): {', '.join(labels)}")


# --- reextract ----------------------------------------------------------------------------


@cli.command()
@click.option("--all", "all_items", is_flag=True, help="Every extracted item, whatever version read it.")
@click.option("--source", "source_name", metavar="NAME", help="Only items of this source.")
@click.option("--item", "item_ids", multiple=True, type=click.IntRange(1), metavar="ID",
              help="Only this raw item, by its id in raw_items (repeatable).")
@click.option("--dry-run", is_flag=True, help="Print what would change, and change nothing.")
def reextract(all_items: bool, source_name: str | None, item_ids: tuple[int, ...], dry_run: bool) -> None:
    """Read stored items again with the current extractors, after extraction improved.

    Takes the extracted items whose candidates or incident reports were read with an older
    version of their extractor (every extracted item with --all), reads each again from its
    stored raw bytes as the nightly extraction does, and matches and queues what is new. The
    old candidates, incident reports and their queue entries are kept, marked superseded, so
    the queue shows the new reading only; an item read the same as before keeps its rows.

    An item a documenter has started on (a candidate or incident of it decided, claimed,
    corrected, deferred, added by hand or archived, or any decision on it) is never read
    again: it is kept as it is and counted. An item that now fails to be read is failed with
    the error the extract step gives (`tawthiq failed list`), and keeps its old candidates;
    the others go on. Running it again does nothing more.

    Documenters can go on deciding while it runs: the extractor reads with no transaction
    open, and a new reading is written only over the item as it was read (one a documenter
    started on meanwhile is kept; one changed otherwise is read again).

    Exits 1 when an item failed (the others are still read), 75 when another run is working
    on this database (nothing done; TAWTHIQ_LOCK_WAIT=SECONDS waits for it), 143 when stopped
    by SIGTERM (the items read stay read; running it again goes on from there).
    """
    from tawthiq import pipeline

    engine = _engine()
    lock = None
    if not dry_run:
        from tawthiq.db.locks import acquire_run_lock, run_lock_holder

        lock = acquire_run_lock(engine, "tawthiq reextract", wait=float(os.environ.get("TAWTHIQ_LOCK_WAIT") or 0))
        if lock is None:
            click.echo(f"another run is working on this database: {run_lock_holder(engine) or 'another tawthiq run'}; "
                       "nothing done, try again later", err=True)
            sys.exit(EXIT_SKIPPED)
    previous = _install_reextract_sigterm()
    try:
        summary = _with_spinner("reading the items again", lambda: pipeline.reextract(
            engine, all_items=all_items, source=source_name, item_ids=item_ids or None, dry_run=dry_run, by=_os_user()))
    finally:
        if lock is not None:
            lock.release()
        if previous is not None:
            import signal

            signal.signal(signal.SIGTERM, previous)
    _print_reextract(summary)
    if summary.stopped:
        click.echo(f"stopped: {summary.stopped}; running it again goes on from here", err=True)
        sys.exit(EXIT_STOPPED)
    if summary.failed:
        sys.exit(1)


def _install_reextract_sigterm() -> Any:
    """The first SIGTERM stops `reextract` between two items; a second ends it at once.
    Returns the handler it replaced (None when it could not replace it)."""
    import signal

    from tawthiq.sources import http

    def handle(signum: int, frame: Any) -> None:
        if http.STOP.is_set():
            os._exit(EXIT_STOPPED)
        http.request_stop("the process received SIGTERM")
        os.write(2, b"stopping after the current item (SIGTERM; send it again to stop at once)\n")

    try:
        return signal.signal(signal.SIGTERM, handle)
    except ValueError:  # not the main thread (tests calling the CLI from a thread)
        return None


def _print_reextract(summary: Any) -> None:
    """What `reextract` did (or, with --dry-run, would do): a line per item that changes, is
    kept or fails, then the counts."""
    would = "would " if summary.dry_run else ""
    for note in summary.notes:
        click.echo(f"skipped: {note}")
    for row in summary.items:
        head = f"{row['id']:>6}  {row['item']}"
        if row["outcome"] == "reread":
            click.echo(f"{head}: {would}read again ({row['before']} -> {row['after']}): {row['superseded_candidates']} "
                       f"candidate(s) and {row['superseded_reports']} incident report(s) superseded by "
                       f"{row['new_candidates']} and {row['new_reports']}")
        elif row["outcome"] == "kept":
            why = row["detail"] if "no longer names" in (row["detail"] or "") else f"a documenter has worked on it ({row['detail']})"
            click.echo(f"{head}: {would}keep as it is ({row['before']}): {why}")
        else:
            click.echo(f"{head}: {would}fail: {row['detail']}")
    click.echo(f"{'would re-read' if summary.dry_run else 're-read':<14} {summary.reread:>6}  "
               f"({summary.candidates_superseded} candidate(s) and {summary.reports_superseded} incident report(s) "
               f"superseded; {summary.candidates_new} candidate(s) and {summary.reports_new} incident report(s) new)")
    click.echo(f"{'unchanged':<14} {summary.unchanged:>6}  (read the same as before)")
    click.echo(f"{'kept':<14} {summary.kept:>6}  (a documenter has worked on it, or the new reading would drop a name)")
    click.echo(f"{'failed':<14} {summary.failed:>6}" + ("  (`tawthiq failed list` shows them)" if summary.failed and not summary.dry_run else ""))
    click.echo(f"{'current':<14} {summary.current:>6}  (read with the current extractor already)")
    if summary.match is not None and summary.queue is not None:
        click.echo(f"possible duplicates: {summary.match['possible_duplicates']}; waiting for review: "
                   f"{summary.queue['queue_open']} ({summary.queue['queued']} new), "
                   f"incidents to read: {summary.queue['incidents_queued']} new")
    if summary.dry_run:
        click.echo("dry run: nothing was changed")


# --- extract ------------------------------------------------------------------------------


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--published", type=click.DateTime(["%Y-%m-%d"]), help="Publication date (YYYY-MM-DD) to resolve dates without a year.")
@click.option("--victims-only", is_flag=True, help="Print the victims only, without the incident lines.")
@click.option("--tagger/--no-tagger", "use_tagger", default=None,
              help="Add the names the trained tagger finds and no rule does (default: TAWTHIQ_TAGGER: on, off, or the "
                   "languages to use it for, such as en; off when unset).")
def extract(path: Path, published: dt.datetime | None, victims_only: bool, use_tagger: bool | None) -> None:
    """Print the victims in one news item (.txt, .html) or form submission (.json), one JSON
    object per victim per line, then one line per incident the item reports (``"record":
    "incident"``: date, place, perpetrator, cause, killed/injured counts as ranges, children and
    women killed, and ``victims``, the line numbers of its named victims, from 0). With
    ``--tagger``, a victim only the tagger found has ``"found_by": "tagger"`` on its line. A
    victim the text describes as a soldier or fighter has ``"described_as": "combatant"`` and the
    words that say so (``"described_as_words"``): staged for a documenter, never dropped."""
    from tawthiq.extractors import extract_path

    result = extract_path(path, published=published.date() if published else None)
    if result.language in _tagger_languages(use_tagger) or (use_tagger and result.language is None):
        from tawthiq.extractors.tagger import add_tagged

        add_tagged(result, _open_tagger())
    for record in result.records:
        line = record.to_contract()
        if (record.extra or {}).get("found_by") == "tagger":
            line["found_by"] = "tagger"
        if (record.extra or {}).get("described_as"):
            line["described_as"] = record.extra["described_as"]
            line["described_as_words"] = record.extra.get("described_as_words")
        click.echo(json.dumps(line, ensure_ascii=False))
    if victims_only:
        return
    for index, incident in enumerate(result.incidents):
        data = incident.to_contract()
        data["victims"] = [n for n, r in enumerate(result.records) if (r.extra or {}).get("incident", 0) == index]
        click.echo(json.dumps(data, ensure_ascii=False))


# --- tagger -------------------------------------------------------------------------------

def tagger_model_path() -> Path:
    """Where the tagger's model lives (:func:`tawthiq.pipeline.tagger_model_path`)."""
    from tawthiq.pipeline import tagger_model_path as model_path

    return model_path()


def _tagger_languages(flag: bool | None) -> frozenset[str]:
    """The languages ``extract`` gives the tagger (:func:`tawthiq.pipeline.tagger_languages`)."""
    from tawthiq.pipeline import tagger_languages

    return tagger_languages(flag)


def _open_tagger():  # type: ignore[no-untyped-def]
    from tawthiq.extractors.tagger import Tagger

    path = tagger_model_path()
    try:
        return Tagger(path)
    except (FileNotFoundError, ValueError) as exc:
        raise TawthiqError(str(exc)) from exc


def _label_file_examples(path: Path) -> tuple[list[Any], int]:
    """Examples from a JSONL file of labelled texts (the format of benchmarks/labels: ``text``,
    ``language``, ``victims`` as ``[{"name": ...}]``); lines without a text are skipped and
    counted."""
    from tawthiq.extractors.tagger import Example

    examples, skipped = [], 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("//"):
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TawthiqError(f"{path}:{number}: not a JSON object ({exc.msg})") from exc
        if not row.get("text"):
            skipped += 1
            continue
        names = [v["name"] for v in row.get("victims", []) if v.get("name")]
        examples.append(Example(row["text"], names, [], row.get("language"), f"{path.name}:{row.get('id', number)}"))
    return examples, skipped


@cli.group(context_settings=CONTEXT)
def tagger() -> None:
    """The statistical name tagger learnt from documenters' decisions (``tawthiq extract --tagger``).

    The model file is TAWTHIQ_TAGGER_MODEL, or tawthiq-tagger.crfsuite beside the SQLite
    database (in the working directory otherwise)."""


@tagger.command("train")
@click.option("--from-db/--no-from-db", default=True, show_default=True,
              help="Learn from the archive's decisions: accepted candidates, rejected ones, victims added from a text.")
@click.option("--labels", "label_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also learn from a JSONL file of labelled texts (the benchmarks/labels format). Repeatable.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Confidence at which extract takes a name only the tagger found (default 0.5).")
def tagger_train(from_db: bool, label_files: tuple[Path, ...], threshold: float | None) -> None:
    """Train the tagger again, from scratch, and write its model."""
    from tawthiq.extractors.tagger import DEFAULT_THRESHOLD, train

    examples: list[Any] = []
    if from_db:
        from tawthiq.db.engine import read_scope
        from tawthiq.db.labels import decided_examples

        with read_scope(_engine()) as session:
            examples.extend(decided_examples(session))
        click.echo(f"from the archive: {len(examples)} decided text(s)")
    for label_file in label_files:
        found, skipped = _label_file_examples(label_file)
        examples.extend(found)
        click.echo(f"from {label_file}: {len(found)} labelled text(s)" + (f" ({skipped} without their text, skipped)" if skipped else ""))
    path = tagger_model_path()
    try:
        summary = train(examples, path, threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
    except ValueError as exc:
        raise TawthiqError(f"nothing to train on: {exc}") from exc
    languages = ", ".join(f"{k} {v}" for k, v in sorted(summary.by_language.items()))
    click.echo(f"trained on {summary.texts} text(s) ({languages}): {summary.names} name(s) found in their text, "
               f"{summary.unlocated} not found, {summary.negatives} rejected; model written to {path}")


@tagger.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def tagger_status(as_json: bool) -> None:
    """Say where the model is, what it was trained on and whether extract uses it."""
    from tawthiq.extractors.tagger import read_meta

    path = tagger_model_path()
    meta = read_meta(path)
    languages_on = sorted(_tagger_languages(None))
    if as_json:
        click.echo(json.dumps({"model": str(path), "trained": meta is not None, "enabled_by_default": bool(languages_on),
                               "enabled_languages": languages_on, **(meta or {})}, ensure_ascii=False))
        return
    if meta is None:
        click.echo(f"no model at {path}; train one with `tawthiq tagger train`")
        return
    languages = ", ".join(f"{k} {v}" for k, v in sorted(meta.get("by_language", {}).items()))
    click.echo(f"model {path}, trained {meta.get('trained_at')} on {meta.get('texts')} text(s) ({languages}), "
               f"{meta.get('names')} name(s), {meta.get('negatives')} rejected; threshold {meta.get('threshold')}")
    click.echo("extract uses it " + (f"by default for {', '.join(languages_on)} items (TAWTHIQ_TAGGER)" if languages_on
                                      else "with --tagger only (TAWTHIQ_TAGGER is off)"))


# --- dedupe -------------------------------------------------------------------------------


@cli.command()
@click.argument("left", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("right", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "id_column", required=True, help="Column holding each record's unique id (in both files).")
@click.option("--field", "fields", multiple=True, required=True, metavar="TARGET=COL[+COL...]",
              help="Matcher field from columns joined by a space; TARGET is full_name, name_ar, date_of_death, "
                   "locality, governorate, sex or age. Repeat for each field.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Probability at or above which a pair is the same person (default: the engine's, 0.5: more likely than not).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write the pairs here instead of standard output.")
def dedupe(left: Path, right: Path | None, id_column: str, fields: tuple[str, ...], threshold: float | None, out: Path | None) -> None:
    """Find the records of LEFT.csv that are the same person (or link LEFT to RIGHT.csv) and write
    left_id,right_id,probability for every such pair. Names may be in Arabic script or any
    Latin transliteration; no labels are needed."""
    from tawthiq.dedupe import dedupe_records, link_records
    from tawthiq.dedupe.files import parse_field_specs, read_records, write_pairs

    specs = parse_field_specs(fields)
    left_records = read_records(left, id_column, specs)
    if right is None:
        pairs = dedupe_records(left_records, threshold=threshold)
    else:
        pairs = link_records(left_records, read_records(right, id_column, specs), threshold=threshold)
    if out is None:
        write_pairs(pairs, sys.stdout)
    else:
        with open(out, "w", encoding="utf-8", newline="") as handle:
            write_pairs(pairs, handle)
        click.echo(f"{len(pairs)} pairs written to {out}", err=True)


# --- report -------------------------------------------------------------------------------


@cli.command()
@click.option("--month", help="The month to report, YYYY-MM.")
@click.option("--year", help="The year to report, YYYY.")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "csv", "json"]), default="md", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write the report, one CSV per table and the charts (PNG and SVG) into this directory.")
@click.option("--victims", is_flag=True, help="Also write the list of victims behind the figures (needs --out).")
def report(month: str | None, year: str | None, fmt: str, out: Path | None, victims: bool) -> None:
    """The monthly or yearly figures from the verified archive: civilians killed by perpetrator,
    governorate and month with children and women, torture, personnel, massacres."""
    from tawthiq.db.engine import session_scope
    from tawthiq.reports import build_report, render, victims_behind, write_report

    with session_scope(_engine()) as session:
        built = build_report(session, month=month, year=year)
        if out is None:
            if victims:
                raise click.UsageError("--victims needs --out DIR")
            click.echo(render(built, fmt), nl=False)
            return
        rows = victims_behind(session, month=month, year=year) if victims else None
        written = write_report(built, fmt, out, rows)
    click.echo(f"{built.total['victims']} victims in {built.period}; wrote {len(written)} files to {out}")


# --- users --------------------------------------------------------------------------------


USER_ROLES = ("documenter", "editor", "admin")


@cli.group(context_settings=CONTEXT)
def users() -> None:
    """Manage the accounts of the review app: add, list, disable and enable, change a role,
    reset a password. Disabling a user, changing their role or resetting their password ends
    their open sessions in the review app at once; each change goes in the audit log with your
    login name."""


def password_options(fn: Any) -> Any:
    """The options giving a new password, the same for `users add` and `users reset-password`
    (read by :func:`read_new_password`)."""
    fn = click.option("--password-stdin", is_flag=True,
                      help="Read the password from standard input, for scripts: one line, its newline dropped; "
                           "no terminal needed.")(fn)
    fn = click.option("--password", envvar="TAWTHIQ_NEW_PASSWORD",
                      help="The password (or TAWTHIQ_NEW_PASSWORD); prompted for, twice, when not given.")(fn)
    return fn


def read_new_password(password: str | None, password_stdin: bool) -> str:
    """The password the options of :func:`password_options` give: --password (or
    TAWTHIQ_NEW_PASSWORD), standard input with --password-stdin, else asked for twice. Its
    length is checked where every password is (``repo.check_password``)."""
    if password_stdin:
        if click.get_current_context().get_parameter_source("password") == click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError("give --password or --password-stdin, not both")
        return read_password_stdin()
    if password is None:
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(USER_ROLES), default="documenter", show_default=True)
@password_options
def users_add(name: str, role: str, password: str | None, password_stdin: bool) -> None:
    """Add a user NAME with a role: documenters decide, editors also merge and undo, admins also manage users.

    A password has at least 8 characters, however it is given.
    """
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    engine = _engine()
    password = read_new_password(password, password_stdin)
    with session_scope(engine) as session:
        repo.add_user(session, name, password, role)
    click.echo(f"added {role} {name!r}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per user and line.")
def users_list(as_json: bool) -> None:
    """List the accounts.

    Each with its name, role, state (active or disabled), when it was created and when it last
    logged in to the review app (UTC; never if not yet)."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine()) as session:
        rows: list[dict[str, Any]] = [
            {"name": user.username, "role": user.role, "active": user.active, "created": user.created_at.isoformat(),
             "last_login": last.isoformat() if last else None} for user, last in repo.list_users(session)]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo("no users yet; `tawthiq users add NAME --role admin` adds the first")
        return
    width = max(len(row["name"]) for row in rows)
    when = lambda value: dt.datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M") if value else "never"  # noqa: E731
    click.echo(f"{'name':<{width}}  {'role':<10}  {'state':<8}  {'created':<16}  last login")
    for row in rows:
        click.echo(f"{row['name']:<{width}}  {row['role']:<10}  {'active' if row['active'] else 'disabled':<8}  "
                   f"{when(row['created']):<16}  {when(row['last_login'])}")


def _ended(count: int | None) -> str:
    return f"{count} open session(s) ended" if count else "no open session"


@users.command("disable")
@click.argument("name")
def users_disable(name: str) -> None:
    """Disable user NAME and end their sessions.

    They can no longer log in, and their open sessions in the review app end at once. Refused
    for the last active admin. Their decisions and history stay; `users enable NAME` lets them
    in again."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine()) as session:
        ended = repo.set_user_active(session, repo.get_user(session, name), False, by=_os_user())
    click.echo(f"{name!r} was already disabled" if ended is None else f"disabled {name!r}: {_ended(ended)}")


@users.command("enable")
@click.argument("name")
def users_enable(name: str) -> None:
    """Let user NAME log in again.

    After `users disable`, with the password they had (`users reset-password` gives another)."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine()) as session:
        ended = repo.set_user_active(session, repo.get_user(session, name), True, by=_os_user())
    click.echo(f"{name!r} was already enabled" if ended is None else f"enabled {name!r}: they can log in again")


@users.command("role")
@click.argument("name")
@click.argument("role", type=click.Choice(USER_ROLES))
def users_role(name: str, role: str) -> None:
    """Give user NAME the role ROLE.

    ROLE is documenter, editor or admin. Their open sessions end at once, so they log in again
    with it. Making the last active admin anything else is refused: make another user admin
    first."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    with session_scope(_engine()) as session:
        ended = repo.set_user_role(session, repo.get_user(session, name), role, by=_os_user())
    click.echo(f"{name!r} is already {role}" if ended is None else f"{name!r} is now {role}: {_ended(ended)}")


@users.command("reset-password")
@click.argument("name")
@password_options
def users_reset_password(name: str, password: str | None, password_stdin: bool) -> None:
    """Give user NAME a new password and end their sessions.

    The password is given as for `users add` (asked for twice, --password or --password-stdin)
    and has 8 characters or more. Their open sessions in the review app end at once."""
    from tawthiq.db import repo
    from tawthiq.db.engine import session_scope

    engine = _engine()
    with session_scope(engine) as session:
        user = repo.get_user(session, name)  # an unknown name is refused before the password is asked for
    password = read_new_password(password, password_stdin)
    with session_scope(engine) as session:
        ended = repo.reset_password(session, repo.get_user(session, name), password, by=_os_user())
    click.echo(f"reset the password of {user.username!r}: {_ended(ended)}")


def read_password_stdin() -> str:
    """The password piped to standard input: one line, its one trailing newline dropped
    (``echo`` and here-strings add it); more lines are refused rather than guessed at. Its
    length is checked where every password is (``repo.check_password``)."""
    text = sys.stdin.read()
    for ending in ("\r\n", "\n"):
        if text.endswith(ending):
            text = text[: -len(ending)]
            break
    if "\n" in text or "\r" in text:
        raise TawthiqError("--password-stdin: standard input holds more than one line; give the password alone")
    return text


# --- operations ---------------------------------------------------------------------------


@cli.command()
@click.option("--cron", default="0 2 * * *", show_default=True, help="When to run, as a cron expression.")
@click.option("--timezone", envvar="TAWTHIQ_TIMEZONE", default="Asia/Damascus", show_default=True,
              help="IANA time zone of the cron schedule (or TAWTHIQ_TIMEZONE).")
def serve(cron: str, timezone: str) -> None:
    """Run the nightly flow on its cron schedule until stopped (Prefect serve).

    Runs appear in `tawthiq runs` and in Prefect's UI. Teams with a Prefect server and
    workers deploy with prefect.yaml instead (see README, "Production").
    """
    from tawthiq.ops import nightly_schedule, serve as serve_nightly

    _engine()
    nightly_schedule(cron, timezone)  # fail fast on a bad cron or time zone
    from tawthiq.ops import flow_context

    with flow_context():
        click.echo(f"serving the nightly flow at '{cron}' ({timezone}); stop with Ctrl-C")
        serve_nightly(cron, timezone)


@cli.command()
@click.option("--limit", default=20, show_default=True, help="How many runs to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON lines.")
def runs(limit: int, as_json: bool) -> None:
    """Recent flow runs with state, duration, counts and the failure reason."""
    from tawthiq.ops import flow_context, list_runs

    with flow_context():
        rows = list_runs(limit)
    if not rows:
        click.echo("no runs yet; `tawthiq nightly` runs the flow once")
    for run in rows:
        if as_json:
            click.echo(json.dumps({**run.__dict__, "start": run.start.isoformat() if run.start else None}))
            continue
        start = run.start.strftime("%Y-%m-%d %H:%M") if run.start else "not started"
        took = f"{run.duration:.0f}s" if run.duration is not None else "-"
        click.echo(f"{run.id}  {run.flow:<8} {run.state:<10} {start}  {took:>6}  {run.summary or ''}")
        if run.message:
            click.echo(f"    failed: {run.message}")


@cli.command()
@click.argument("run_id")
def rerun(run_id: str) -> None:
    """Retry the flow run RUN_ID (from `tawthiq runs`; a failed or crashed run of this
    database): tasks it finished are skipped, the rest (a failed source's pull, say) run again,
    and nothing is done twice. Exits as `nightly` does."""
    _engine()
    from tawthiq.ops import rerun as rerun_flow

    summary = _run_flow(f"retrying {run_id}", lambda: rerun_flow(run_id))
    if "extract" in summary:
        _print_summary(summary)
    elif summary.get("sources"):
        _print_pulled(summary["sources"])
    click.echo(f"run {run_id} retried")
    _exit_for(summary)


# --- review app -----------------------------------------------------------------------------


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 behind a proxy).")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Server processes (PostgreSQL only; SQLite needs 1).")
def review(host: str, port: int, workers: int) -> None:
    """Serve the documenters' verification-queue web app (and the public family form)."""
    import uvicorn

    from tawthiq.db.engine import get_database_url

    _engine()
    url = get_database_url()
    if workers > 1 and url.startswith("sqlite"):
        raise click.UsageError("several workers need PostgreSQL; with SQLite use --workers 1")
    os.environ["TAWTHIQ_DATABASE_URL"] = url
    click.echo(f"tawthiq review on http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run("tawthiq.review.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", proxy_headers=True)


# --- demo ---------------------------------------------------------------------------------


@cli.command()
@click.argument("directory", default="tawthiq-demo", type=click.Path(file_okay=False, path_type=Path))
def demo(directory: Path) -> None:
    """Try tawthiq on bundled sample forms and news: sets up DIRECTORY (default ./tawthiq-demo)
    with its own database, runs the nightly flow, and says what waits for review."""
    from tawthiq.demo import run_demo

    run_demo(directory, echo=click.echo, run=lambda start: _run_flow("running the nightly flow on the samples", start))


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI and turns tawthiq's errors into one clear line."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="tawthiq", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TawthiqError as exc:
        if debug:
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        if debug:
            raise
        click.echo(f"error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
