"""Rebuild the local text cache of the real labelled set from saved search excerpts.

Why: the longer texts of ``labels/real-casualty-texts.jsonl`` may not be committed (their
licences are not ours to grant), so ``extract_eval.real_items`` reads them from
``build/real-texts.jsonl``, which is git-ignored and is lost with the machine. The texts were
found with the ``search`` tool (corpus ``pages``: a stored page's excerpt from its beginning) and
trimmed to the labelled version by hand. ``labels/real-text-recipes.jsonl`` records, for each
rebuilt item, the query that found the page, the SHA-256 of the excerpt exactly as the tool
returned it, and the trimming as offsets and flags (no text), so that a later session only has to
run the queries again, save the excerpts, and run this script.

    # 1. For each id this script reports missing, search (corpus "pages") with its query and save
    #    the excerpt of the result whose address is the recipe's source_url (or url) to
    #    DIR/<id>.json as {"excerpt": "<the excerpt as returned>"} (or the bare JSON string, or
    #    DIR/<id>.txt holding the excerpt's characters, UTF-8, nothing added).
    # 2. Rebuild:
    .venv/bin/python benchmarks/rebuild_real_texts.py --excerpts DIR
    .venv/bin/python benchmarks/rebuild_real_texts.py --excerpts DIR --dry-run   # check only

A ``.json`` file in DIR may also hold an object mapping ids to excerpts (``{"<id>": "...",
"<id>#2": "..."}``, as saved by the helpers who first rebuilt the cache); every excerpt of an id is
tried. An excerpt whose SHA-256 is not the recipe's is still tried (a page may be stored again
with the same text), but only a result whose SHA-256 is the label's ``text_sha256`` is written.
Rows are appended to the cache (``--cache``), never duplicated, never rewritten. The script prints
counts per part and language, and the ids (with their queries) that still lack a text; it never
prints a text.

A recipe line: ``{"id", "url", "query", "source_url"?, "excerpt_sha256", "steps"}``. ``steps`` is a
list applied in order to the excerpt, each ``{"op": NAME, ...}``:

* ``strip_line_ends``: ``rstrip()`` every line (lines split on ``"\\n"``);
* ``strip_lines``: ``strip()`` every line;
* ``collapse_spaces``: every run of spaces, tabs and no-break spaces becomes one space;
* ``collapse_blank_lines``: every newline, blank lines and newline becomes two newlines;
* ``single_newlines``: every run of newlines (with any whitespace between) becomes one newline;
* ``keep`` with ``spans`` (``[[start, end], ...]``, code-point offsets into the text at that step,
  ``[start, end)``) and optional ``sep`` (default ``""``): the spans' characters joined by ``sep``;
* ``strip``: ``strip()`` the whole text.

(The recipes written so far need only ``keep``, or no step at all; the other steps are there for
texts that were trimmed of whitespace as well.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels" / "real-casualty-texts.jsonl"
RECIPES = HERE / "labels" / "real-text-recipes.jsonl"
CACHE = HERE.parent / "build" / "real-texts.jsonl"

#: The outlet's name for a label URL's host, used in a suggested query for an item without a recipe.
OUTLETS = {
    "news.snhr.org": "SNHR", "news.sn4hr.org": "SNHR", "snhr.org": "SNHR", "npasyria.com": "North Press",
    "baladi-news.com": "Baladi News", "www.rasdsyria.org": "Rasd", "syrianpc.com": "Syrian Press Center",
    "jesrpress.com": "Jesr Press", "www.syria.tv": "Syria TV", "syria.tv": "Syria TV", "www.zamanalwsl.net": "Zaman al-Wasl",
    "www.orient-news.net": "Orient", "smartnews-agency.com": "SMART", "www.syriahr.com": "SOHR", "www.kurdistan24.net": "Kurdistan 24",
    "rudaw.net": "Rudaw", "www.newarab.com": "The New Arab", "www.alwatan.com.sa": "Al-Watan", "www.enabbaladi.net": "Enab Baladi",
}
_NOT_QUERY_WORDS = {"en", "ar", "news", "public", "articles", "article", "html", "php", "amp", "index", "p", "www", "global", "local",
                    "show", "details", "archives", "via", "wires", "blog", "post", "stories", "english", "arabic"}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _lines(text: str, fn: Any) -> str:
    return "\n".join(fn(line) for line in text.split("\n"))


def apply_step(text: str, step: dict[str, Any]) -> str:
    """One step of a recipe (see the module docstring)."""
    op = step["op"]
    if op == "strip_line_ends":
        return _lines(text, str.rstrip)
    if op == "strip_lines":
        return _lines(text, str.strip)
    if op == "collapse_spaces":
        return re.sub(r"[ \t\xa0]+", " ", text)
    if op == "collapse_blank_lines":
        return re.sub(r"\n\s*\n+", "\n\n", text)
    if op == "single_newlines":
        return re.sub(r"\n\s*\n*", "\n", text)
    if op == "keep":
        return str(step.get("sep", "")).join(text[start:end] for start, end in step["spans"])
    if op == "strip":
        return text.strip()
    raise ValueError(f"unknown recipe step {op!r}")


def apply_recipe(excerpt: str, steps: Iterable[dict[str, Any]]) -> str:
    """The labelled text that ``steps`` derive from ``excerpt``."""
    for step in steps:
        excerpt = apply_step(excerpt, step)
    return excerpt


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("//")]


def read_excerpts(folder: Path) -> dict[str, list[str]]:
    """Every saved excerpt under ``folder``, by id: ``<id>.txt`` (the characters), ``<id>.json`` (a
    JSON string, or ``{"excerpt": ...}``), or any ``.json`` holding ``{id or id#n: excerpt}``."""
    found: dict[str, list[str]] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".txt":
            found.setdefault(path.stem, []).append(path.read_bytes().decode("utf-8"))  # no newline translation
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, str):
                found.setdefault(path.stem, []).append(data)
            elif isinstance(data, dict) and isinstance(data.get("excerpt"), str):
                found.setdefault(path.stem, []).append(data["excerpt"])
            elif isinstance(data, dict):
                for key, value in data.items():
                    if isinstance(value, str):
                        found.setdefault(key.split("#")[0], []).append(value)
    return found


def suggested_query(label: dict[str, Any]) -> str:
    """A query for an item without a recipe: the outlet, the words of its id and address and, for
    the dev part, the victims' names (what the search matches best); at most 400 characters."""
    url = urlparse(label["url"])
    outlet = OUTLETS.get(url.netloc, url.netloc.removeprefix("www."))
    words = [w for w in re.split(r"[\s\-_/.,?=&:]+", unquote(url.path) + " " + label["id"].split("-", 1)[-1])
             if w.isalpha() and len(w) > 1 and w.lower() not in _NOT_QUERY_WORDS]
    # No names for the heldout part: its labels are scored, never read by those writing rules.
    names = [] if label.get("part") == "heldout" else [v["name"] for v in label.get("victims", [])[:3] if v.get("name")]
    return " ".join([outlet, *dict.fromkeys(words), *names])[:400]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--excerpts", type=Path, required=True, help="folder of saved excerpts (see the module docstring)")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--recipes", type=Path, default=RECIPES)
    parser.add_argument("--cache", type=Path, default=CACHE, help="the text cache to append to")
    parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    args = parser.parse_args(argv)

    labels = {row["id"]: row for row in read_jsonl(args.labels)}
    recipes = {row["id"]: row for row in read_jsonl(args.recipes)}
    excerpts = read_excerpts(args.excerpts)
    cached: dict[str, str] = {row["id"]: row["text"] for row in read_jsonl(args.cache)}

    counts: Counter[tuple[str, str, str]] = Counter()
    new_rows: list[dict[str, str]] = []
    for id_, label in labels.items():
        if label.get("text") or not label.get("text_sha256"):
            continue  # kept in the label file, or nothing to rebuild
        group = (label["part"], label["language"])
        if id_ in cached and sha256(cached[id_]) == label["text_sha256"]:
            counts[(*group, "cached")] += 1
            continue
        recipe = recipes.get(id_)
        saved = excerpts.get(id_, []) if recipe else []
        steps: list[dict[str, Any]] = recipe["steps"] if recipe else []
        if saved and recipe and all(sha256(excerpt) != recipe["excerpt_sha256"] for excerpt in saved):
            counts[(*group, "excerpt hash differs")] += 1
        text = None
        for excerpt in saved:
            try:
                candidate = apply_recipe(excerpt, steps)
            except (IndexError, KeyError, TypeError, ValueError):
                continue
            if sha256(candidate) == label["text_sha256"]:
                text = candidate
                break
        if text is None:
            counts[(*group, "missing")] += 1
            continue
        counts[(*group, "rebuilt")] += 1
        new_rows.append({"id": id_, "text": text})
        cached[id_] = text

    if new_rows and not args.dry_run:
        args.cache.parent.mkdir(parents=True, exist_ok=True)
        existing = args.cache.read_text(encoding="utf-8") if args.cache.exists() else ""
        with args.cache.open("a", encoding="utf-8") as handle:
            if existing and not existing.endswith("\n"):
                handle.write("\n")
            for row in new_rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    kinds = ("cached", "rebuilt", "excerpt hash differs", "missing")
    print(f"{'part':8} {'lang':4} " + " ".join(f"{k:>20}" for k in kinds))
    for group in sorted({key[:2] for key in counts}):
        print(f"{group[0]:8} {group[1]:4} " + " ".join(f"{counts[(*group, k)]:>20}" for k in kinds))
    verb = "would append" if args.dry_run else "appended"
    print(f"{verb} {len(new_rows)} rows to {args.cache}")
    missing = [id_ for id_, label in labels.items()
               if label.get("text_sha256") and not label.get("text") and not (id_ in cached and sha256(cached[id_]) == label["text_sha256"])]
    if missing:
        print(f"\n{len(missing)} items still lack a text (id, part, language, whether a recipe exists, query):")
        for id_ in missing:
            label = labels[id_]
            recipe = recipes.get(id_)
            query = recipe["query"] if recipe else suggested_query(label)
            print(f"  {id_}\t{label['part']}\t{label['language']}\t{'recipe' if recipe else 'no recipe'}\t{query}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
