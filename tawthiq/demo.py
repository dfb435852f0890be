"""``tawthiq demo``: the bundled sample forms and news pages through the whole nightly path.

The demo works in its own directory with its own SQLite database under the default file name
(``tawthiq.db``), so that every ``tawthiq`` command run inside that directory afterwards works
on the demo data. Running it again takes in nothing twice.
"""

from __future__ import annotations

import os
import shutil
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any, cast
from collections.abc import Callable

from tawthiq.db.engine import DEFAULT_FILENAME, ENV_VAR, get_engine, migrate_database, session_scope

SOURCE_NAME = "demo-inbox"
INBOX = "inbox"


def run_demo(directory: Path, *, echo: Callable[[str], Any] = print,
             run: Callable[[Callable[[], Any]], dict[str, Any]] | None = None) -> dict[str, Any]:
    """Set up ``directory``, run the nightly flow on the sample data and report; returns the
    nightly flow's summary. ``run`` runs the flow (the CLI's: a local Prefect API, a spinner,
    the run's state read into a summary); by default the flow is called here."""
    from tawthiq.db import repo
    from tawthiq.errors import ConfigError

    directory = directory.expanduser().resolve()
    directory.mkdir(parents=True, exist_ok=True)
    inbox = directory / INBOX
    copy_samples(inbox)
    url = f"sqlite:///{directory / DEFAULT_FILENAME}"
    # The demo's commands and the flow's tasks must all see the demo database.
    os.environ[ENV_VAR] = url
    migrate_database(url)
    engine = get_engine(url)
    with session_scope(engine) as session:
        try:
            repo.get_source(session, SOURCE_NAME)
        except ConfigError:
            repo.add_source(session, "folder", SOURCE_NAME, {"path": str(inbox)})

    from tawthiq.flows.nightly import nightly

    if run is None:
        # Called directly, the flow returns its summary (Prefect types a flow declared `-> Any`
        # as returning None).
        summary = cast(dict[str, Any], nightly())
    else:
        summary = run(lambda: nightly(return_state=True))
    if summary.get("skipped") or summary.get("failed"):
        raise ConfigError(f"the demo's nightly run did not finish: {summary.get('skipped') or summary.get('failed')}")
    with session_scope(engine) as session:
        counts = repo.status_counts(session)
    pulled = summary["sources"][0] if summary["sources"] else {"fetched": 0, "new": 0, "unchanged": 0}
    ex, ma = summary["extract"], summary["match"]
    echo(f"tawthiq demo in {directory}")
    echo(f"  items taken in:        {pulled['new']} new, {pulled['unchanged']} already known ({counts['raw_items']} stored)")
    echo(f"  victims extracted:     {ex['candidates']} this run ({counts['candidates']} in all)")
    echo(f"  possible duplicates:   {ma['possible_duplicates']} this run")
    echo(f"  items failed:          {counts['raw_failed']}")
    echo(f"  waiting for review:    {counts['queue_open']} people, {counts['queue_incidents']} incident reports to read"
         f" ({ex.get('unnamed_deaths', 0)} of them name nobody)")
    for failure in ex["failures"]:
        echo(f"    failed: {failure['error']}")
    echo("")
    echo("Next:")
    command = command_name()
    echo(f"  cd {directory}")
    echo(f"  {command} status")
    echo(f"  {command} users add YOUR-NAME --role editor      # an account for the review app")
    echo(f"  {command} review                                 # then open http://127.0.0.1:8000/")
    return summary


def copy_samples(inbox: Path) -> int:
    """Copy the bundled sample files to ``inbox`` (never overwriting a file a person edited)."""
    count = 0
    with as_file(files("tawthiq") / "demo_data") as samples:
        for path in sorted(Path(samples).rglob("*")):
            if not path.is_file():
                continue
            target = inbox / path.relative_to(samples)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
                count += 1
    return count


def command_name() -> str:
    """How to call ``tawthiq`` from another directory: plain ``tawthiq`` when it is on the
    PATH (an activated venv, pipx), else the full path of the one running now (the README's
    first command installs it in ``.venv/bin`` without activating anything)."""
    import sys

    here = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    found = shutil.which("tawthiq")
    if found and (here is None or Path(found).resolve() == here):
        return "tawthiq"
    if here is not None and here.name == "tawthiq" and here.exists():
        return str(Path(sys.argv[0]).absolute())
    return "tawthiq"
