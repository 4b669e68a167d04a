"""What each executed chapter concluded, and the committed snapshot that guards it.

An executed chapter (``book/<name>.ipynb``) holds two kinds of results:

* its **claims table** (the last output of its ``## Claims`` cell, rendered by
  :func:`~ntk_scaling.claims_table`), read back from the HTML table: one
  :class:`ClaimRecord` per row, with its verdict;
* its **glued numbers**: every ``glue(name, value)`` whose value is a real number.

:func:`read_chapter_record` collects both. A snapshot (``snapshots/<profile>.json``) is the
collection for every chapter of the book, written deliberately by ``make snapshot`` and
reviewed in the commit's diff; :func:`compare_with_snapshot` lists what changed. The
chapter tests compare each chapter they execute with the ``ci`` snapshot, so a verdict
that flips fails CI and the message shows the difference.

Machine-dependent values are not compared: glue keys that name a duration (see
:func:`is_timing_key`) and the numbers of the chapters listed in :data:`VOLATILE_CHAPTERS`,
which report the machine or the book itself. Numbers are compared within the relative tolerance the snapshot
file states (:data:`NUMBER_RTOL`); verdicts must match exactly.
"""

from __future__ import annotations

import html
import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "SNAPSHOT_FORMAT",
    "NUMBER_RTOL",
    "NUMBER_ATOL",
    "TIMING_SUFFIXES",
    "VOLATILE_CHAPTERS",
    "ClaimRecord",
    "ChapterRecord",
    "is_timing_key",
    "chapter_paper",
    "claims_from_html",
    "glued_numbers",
    "read_chapter_record",
    "collect_records",
    "snapshot_dict",
    "write_snapshot",
    "load_snapshot",
    "compare_with_snapshot",
]

SNAPSHOT_FORMAT = 1  #: bumped when the file's layout changes
NUMBER_RTOL = 1e-3  #: glued numbers may move by this relative amount (BLAS, threads, platform)
NUMBER_ATOL = 1e-9  #: ... or by this absolute amount (numbers that should be zero)
#: Glue keys ending in one of these (or containing "timing") are durations: never compared.
TIMING_SUFFIXES: tuple[str, ...] = ("_seconds", "_secs", "_minutes", "_hours", "_timed", "_wall", "_time_s")
#: Chapters whose numbers describe the machine or the book itself, not a result (benchmarks,
#: versions, wall times; page and equation counts, which change whenever a chapter or an
#: equation is added): their glued numbers are not compared (their verdicts, if any, are).
VOLATILE_CHAPTERS: tuple[str, ...] = ("00_intro", "29_performance", "98_equations", "99_reproducibility")

_VERDICTS = ("agrees", "partly", "disagrees", "not tested")
_COLUMNS = ("Paper's claim", "Paper", "Ours", "Verdict", "Note")


class ClaimRecord(NamedTuple):
    """One row of a chapter's claims table, as rendered."""

    statement: str  #: the paper's claim in our words
    paper: str  #: the paper's number, as text
    ours: str  #: our measurement, as text
    verdict: str  #: "agrees", "partly", "disagrees" or "not tested"
    note: str  #: the sentence on any difference


class ChapterRecord(NamedTuple):
    """What one executed chapter concluded."""

    name: str  #: the chapter, e.g. "10_b_fig1_exponents"
    title: str  #: its first heading
    profile: str | None  #: the profile it was executed with (None: unknown)
    claims: list[ClaimRecord]  #: rows of its claims tables, in order
    numbers: dict[str, float]  #: glued real numbers by key, timings excluded


def is_timing_key(key: str) -> bool:
    """Whether a glue key names a duration (never compared between runs).

    Args:
        key: a glue key such as ``"c99_total_minutes"``.

    Returns:
        True for keys ending in one of :data:`TIMING_SUFFIXES` or containing "timing".
    """
    k = key.lower()
    return "timing" in k or k.endswith(TIMING_SUFFIXES)


def chapter_paper(name: str) -> str:
    """The paper a chapter tests, from its name: ``NN_a_*`` is [A], ``NN_b_*`` is [B].

    Args:
        name: a chapter name such as ``"21_a_model_scaling"``.

    Returns:
        ``"[A]"``, ``"[B]"`` or ``"other"``.
    """
    parts = name.split("_")
    tag = parts[1] if len(parts) > 2 else ""
    return {"a": "[A]", "b": "[B]"}.get(tag, "other")


class _TableParser(HTMLParser):
    """Rows of every ``<table>`` in an HTML fragment, as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def claims_from_html(text: str) -> list[ClaimRecord]:
    """The claims of every claims table in an HTML fragment (a rendered DataFrame).

    Args:
        text: HTML, e.g. the ``text/html`` output of a cell that ends with
            ``nts.claims_table([...])``.

    Returns:
        One :class:`ClaimRecord` per row of each table whose header has the claims
        table's columns; other tables are ignored.

    Raises:
        ValueError: a claims table with an unknown verdict or a row of the wrong width.
    """
    parser = _TableParser()
    parser.feed(text)
    out: list[ClaimRecord] = []
    for rows in parser.tables:
        header = next((r for r in rows if "Verdict" in r), None)
        if header is None or "Paper's claim" not in header:
            continue
        index = {col: header.index(col) for col in _COLUMNS if col in header}
        for row in rows[rows.index(header) + 1 :]:
            if len(row) != len(header):
                if len(row) == len(header) + 1:  # the index column has its own header cell in some pandas
                    row = row[1:]
                else:
                    raise ValueError(f"claims table: a row has {len(row)} cells, the header {len(header)}")
            cells = {col: html.unescape(row[i]) for col, i in index.items()}
            verdict = cells.get("Verdict", "")
            if verdict not in _VERDICTS:
                raise ValueError(f"claims table: unknown verdict {verdict!r}")
            out.append(ClaimRecord(cells.get("Paper's claim", ""), cells.get("Paper", ""), cells.get("Ours", ""),
                                   verdict, cells.get("Note", "")))
    return out


_NUMPY_SCALAR = re.compile(r"^(?:np|numpy)\.(?:float|int|uint)\d*\((.*)\)$")


def _as_number(text: str) -> float | None:
    text = text.strip()
    match = _NUMPY_SCALAR.match(text)
    if match:
        text = match.group(1)
    if text in ("True", "False"):
        return None
    try:
        return float(text)
    except ValueError:
        return None


def glued_numbers(nb: Any) -> dict[str, float]:
    """Every glued real number of an executed notebook, timings excluded.

    Args:
        nb: an ``nbformat`` notebook.

    Returns:
        ``{glue key: value}`` for glues whose plain-text value is a number (Python or
        numpy scalar; NaN and infinities included), except keys :func:`is_timing_key` flags.
    """
    out: dict[str, float] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook")
            if not meta:
                continue
            key = meta.get("name")
            prefix = meta.get("mime_prefix", "")
            text = output.get("data", {}).get(prefix + "text/plain")
            if key is None or text is None or is_timing_key(key):
                continue
            value = _as_number(text)
            if value is not None:
                out[key] = value
    return out


def _title(nb: Any, default: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


def read_chapter_record(path: Path) -> ChapterRecord:
    """Claims and glued numbers of one executed chapter.

    Args:
        path: an executed notebook, ``book/<name>.ipynb``.

    Returns:
        A :class:`ChapterRecord` (numbers empty for :data:`VOLATILE_CHAPTERS`).

    Raises:
        FileNotFoundError: the notebook does not exist.
        ValueError: a claims table cannot be read (see :func:`claims_from_html`).
    """
    import nbformat

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} has not been executed")
    nb = nbformat.read(path, as_version=4)
    name = path.stem
    claims: list[ClaimRecord] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/html", "")
            if isinstance(text, list):
                text = "".join(text)
            if "Verdict" in text and "<table" in text:
                claims.extend(claims_from_html(text))
    numbers = {} if name in VOLATILE_CHAPTERS else glued_numbers(nb)
    profile = nb.metadata.get("ntk_scaling", {}).get("profile")
    return ChapterRecord(name, _title(nb, name), profile, claims, numbers)


def collect_records(book_dir: Path, names: list[str]) -> dict[str, ChapterRecord]:
    """Records of the executed chapters ``names`` in ``book_dir`` (missing ones skipped).

    Args:
        book_dir: the folder of executed notebooks.
        names: chapter names, in the book's order.

    Returns:
        ``{name: ChapterRecord}`` in the order of ``names``, for those executed.
    """
    return {n: read_chapter_record(Path(book_dir) / f"{n}.ipynb") for n in names
            if (Path(book_dir) / f"{n}.ipynb").exists()}


def snapshot_dict(records: dict[str, ChapterRecord], profile: str) -> dict[str, Any]:
    """The JSON-ready snapshot of a profile's records, with its tolerances stated.

    Args:
        records: every chapter's record, as from :func:`collect_records`.
        profile: the profile they were executed with.

    Returns:
        A dict with ``format``, ``profile``, ``tolerance``, ``excluded`` and ``chapters``.

    Raises:
        ValueError: a record was executed with another profile.
    """
    chapters = {}
    for name, rec in records.items():
        if rec.profile not in (None, profile):
            raise ValueError(f"book/{name}.ipynb was executed with profile {rec.profile!r}, not {profile!r}")
        chapters[name] = {
            "title": rec.title,
            "paper": chapter_paper(name),
            "claims": [{"statement": c.statement, "verdict": c.verdict} for c in rec.claims],
            "numbers": {k: (v if math.isfinite(v) else repr(v)) for k, v in sorted(rec.numbers.items())},
        }
    return {
        "format": SNAPSHOT_FORMAT,
        "profile": profile,
        "tolerance": {
            "verdicts": "exact",
            "numbers_rtol": NUMBER_RTOL,
            "numbers_atol": NUMBER_ATOL,
            "rule": "|ours - snapshot| <= atol + rtol * |snapshot|; NaN equals NaN",
        },
        "excluded": {
            "glue_keys": f"ending in {list(TIMING_SUFFIXES)} or containing 'timing' (durations)",
            "chapters_numbers": list(VOLATILE_CHAPTERS),
        },
        "regenerate": f"make snapshot PROFILE={profile} (then review the diff)",
        "chapters": chapters,
    }


def write_snapshot(path: Path, records: dict[str, ChapterRecord], profile: str) -> Path:
    """Write :func:`snapshot_dict` as stable, diff-friendly JSON.

    Args:
        path: the snapshot file, e.g. ``snapshots/ci.json``.
        records: every chapter's record.
        profile: the profile they were executed with.

    Returns:
        ``path``.

    Raises:
        ValueError: a record was executed with another profile.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(snapshot_dict(records, profile), indent=1, ensure_ascii=False) + "\n")
    return path


def load_snapshot(path: Path) -> dict[str, Any]:
    """Read a snapshot file written by :func:`write_snapshot`.

    Args:
        path: the snapshot file.

    Returns:
        Its contents, numbers as floats (``"nan"``/``"inf"`` restored).

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a snapshot of a known format.
    """
    data = json.loads(Path(path).read_text())
    if not isinstance(data, dict) or data.get("format") != SNAPSHOT_FORMAT or "chapters" not in data:
        raise ValueError(f"{path}: not a snapshot of format {SNAPSHOT_FORMAT}; regenerate it with `make snapshot`")
    for chapter in data["chapters"].values():
        chapter["numbers"] = {k: float(v) for k, v in chapter.get("numbers", {}).items()}
    return data


def _close(a: float, b: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def compare_with_snapshot(record: ChapterRecord, snapshot: dict[str, Any]) -> list[str]:
    """Differences between one chapter's record and the snapshot, in words.

    Args:
        record: the chapter as executed now.
        snapshot: a loaded snapshot (:func:`load_snapshot`).

    Returns:
        One line per difference (empty when they agree): a verdict that changed, a claim
        added or removed, a glued number outside the tolerance, a number added or removed,
        or the chapter missing from the snapshot.
    """
    tol = snapshot.get("tolerance", {})
    rtol, atol = float(tol.get("numbers_rtol", NUMBER_RTOL)), float(tol.get("numbers_atol", NUMBER_ATOL))
    regenerate = snapshot.get("regenerate", "make snapshot")
    saved = snapshot["chapters"].get(record.name)
    if saved is None:
        return [f"{record.name}: not in the snapshot; run `{regenerate}` and review the diff"]
    out: list[str] = []
    old_claims = saved.get("claims", [])
    for i, (new, old) in enumerate(zip(record.claims, old_claims), 1):
        if new.verdict != old["verdict"]:
            out.append(f"{record.name}: claim {i} ({old['statement'][:80]!r}) was {old['verdict']!r}, "
                       f"now {new.verdict!r} (ours: {new.ours}; note: {new.note[:120]})")
    if len(record.claims) != len(old_claims):
        out.append(f"{record.name}: {len(record.claims)} claims, the snapshot has {len(old_claims)}")
    old_numbers = saved.get("numbers", {})
    for key in sorted(set(record.numbers) | set(old_numbers)):
        if key not in old_numbers:
            out.append(f"{record.name}: glued number {key} = {record.numbers[key]:.6g} is new")
        elif key not in record.numbers:
            out.append(f"{record.name}: glued number {key} (was {old_numbers[key]:.6g}) is gone")
        elif not _close(record.numbers[key], old_numbers[key], rtol, atol):
            out.append(f"{record.name}: {key} = {record.numbers[key]:.6g}, snapshot {old_numbers[key]:.6g} "
                       f"(tolerance: rtol {rtol:g}, atol {atol:g})")
    return out
