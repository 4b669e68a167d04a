"""The scoreboard on the book's first page: every claim of both papers and its verdict.

The first page is executed before the chapters it summarises, so it does not compute the
scoreboard itself. Instead the runner writes ``book/_scoreboard.md`` just before it
renders the book, from the executed chapters in ``book/`` (:func:`write_scoreboard`),
and the first page includes that file. The scoreboard therefore always shows the
profile the book was built with (``make book PROFILE=gpu`` shows the gpu verdicts).
Counts for the other profiles come from their committed snapshots
(``snapshots/<profile>.json``, see :mod:`ntk_scaling.book.snapshot`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from .snapshot import ChapterRecord, chapter_paper, collect_records, load_snapshot

__all__ = [
    "VERDICT_ORDER",
    "PAPER_ORDER",
    "verdict_counts",
    "snapshot_counts",
    "scoreboard_markdown",
    "write_scoreboard",
]

VERDICT_ORDER: tuple[str, ...] = ("agrees", "partly", "disagrees", "not tested")
#: Papers in the order the book treats them; "other" are the book's own checks (data, performance).
PAPER_ORDER: tuple[str, ...] = ("[B]", "[A]", "other")
_PAPER_LABEL = {"[B]": "[B]", "[A]": "[A]", "other": "the book's own checks"}
_PAPER_TITLE = {"[B]": "Claims of [B]", "[A]": "Claims of [A]",
                "other": "The book's own checks (data, performance)"}

_ESCAPE = "\\`*_{}[]<>()#+!|$~"


def _md(text: str) -> str:
    """Text safe inside a MyST table cell: markup characters escaped, one line."""
    text = " ".join(str(text).split())
    return "".join("\\" + ch if ch in _ESCAPE else ch for ch in text)


def _link_title(title: str) -> str:
    """A page title usable as the text of a ``{doc}`` role inside a table cell (no markup is parsed there)."""
    text = " ".join(str(title).split())
    return text.replace("`", "'").replace("<", "(").replace(">", ")").replace("|", "/")


def verdict_counts(records: dict[str, ChapterRecord]) -> dict[str, Counter]:
    """Verdicts counted per paper.

    Args:
        records: chapter records (:func:`~ntk_scaling.book.snapshot.collect_records`).

    Returns:
        ``{paper: Counter(verdict -> count)}`` (``"[A]"``, ``"[B]"`` or ``"other"``, the
        book's own checks); chapters without claims are left out.
    """
    out: dict[str, Counter] = {}
    for name, rec in records.items():
        for claim in rec.claims:
            out.setdefault(chapter_paper(name), Counter())[claim.verdict] += 1
    return out


def snapshot_counts(snapshot: dict[str, Any]) -> dict[str, Counter]:
    """Verdicts per paper in a loaded snapshot.

    Args:
        snapshot: as from :func:`~ntk_scaling.book.snapshot.load_snapshot`.

    Returns:
        ``{paper: Counter(verdict -> count)}``.
    """
    out: dict[str, Counter] = {}
    for name, chapter in snapshot["chapters"].items():
        for claim in chapter.get("claims", []):
            out.setdefault(chapter.get("paper", chapter_paper(name)), Counter())[claim["verdict"]] += 1
    return out


def _paper_key(paper: str) -> int:
    return PAPER_ORDER.index(paper) if paper in PAPER_ORDER else len(PAPER_ORDER)


def _count_rows(label: str, counts: dict[str, Counter]) -> list[str]:
    rows = []
    for paper in sorted(counts, key=_paper_key):
        c = counts[paper]
        cells = [str(c.get(v, 0)) for v in VERDICT_ORDER]
        rows.append(f"| {label} | {_PAPER_LABEL.get(paper, paper)} | " + " | ".join(cells) + f" | {sum(c.values())} |")
    return rows


def scoreboard_markdown(
    records: dict[str, ChapterRecord],
    snapshots: dict[str, dict[str, Any]] | None = None,
) -> str:
    """The scoreboard as MyST markdown: counts per paper and profile, then every claim.

    Args:
        records: the executed chapters of this edition, in the book's order.
        snapshots: ``{profile: loaded snapshot}`` for the counts of other profiles; the
            profile of this edition is shown from ``records`` instead.

    Returns:
        Markdown with level-3 headings (the first page includes it under a level-2
        heading), chapter titles linked with ``{doc}``.
    """
    snapshots = snapshots or {}
    profiles = sorted({r.profile or "unknown" for r in records.values()})
    edition = ", ".join(profiles) if profiles else "none"
    lines = [
        "### Verdicts per paper and profile",
        "",
        "| Profile | Paper | " + " | ".join(VERDICT_ORDER) + " | claims |",
        "|---|---|" + "---|" * len(VERDICT_ORDER) + "---|",
    ]
    for profile in profiles:
        subset = {n: r for n, r in records.items() if (r.profile or "unknown") == profile}
        lines += _count_rows(f"**{_md(profile)}** (this edition)", verdict_counts(subset))
    for profile, snap in sorted(snapshots.items()):
        if profile in profiles:
            continue
        lines += _count_rows(f"{_md(profile)} (snapshot)", snapshot_counts(snap))
    lines += [
        "",
        f"This edition was executed with the profile **{_md(edition)}**. The counts of other profiles "
        "come from their committed snapshots (`snapshots/<profile>.json`), which `make snapshot "
        "PROFILE=<profile>` writes after a full run.",
        "",
    ]
    papers: dict[str, list[tuple[str, ChapterRecord]]] = {}
    for name, rec in records.items():
        if rec.claims:
            papers.setdefault(chapter_paper(name), []).append((name, rec))
    for paper in sorted(papers, key=_paper_key):
        lines += [f"### {_PAPER_TITLE.get(paper, paper)}", "", "| Chapter | Claim | Verdict |", "|---|---|---|"]
        for name, rec in papers[paper]:
            link = f"{{doc}}`{_link_title(rec.title)} <{name}>`"
            for i, claim in enumerate(rec.claims):
                lines.append(f"| {link if i == 0 else ''} | {_md(claim.statement)} | {claim.verdict} |")
        lines.append("")
    if not papers:
        lines += ["No chapter with a claims table has been executed yet.", ""]
    return "\n".join(lines)


def write_scoreboard(
    book_dir: Path, names: list[str], snapshot_dir: Path | None = None, target: Path | None = None
) -> Path:
    """Collect the executed chapters and write the scoreboard the first page includes.

    Args:
        book_dir: the folder of executed notebooks (``book/``).
        names: the book's chapters in order (the first page itself has no claims).
        snapshot_dir: folder of ``<profile>.json`` snapshots for the other profiles' counts.
        target: the file to write (default ``book_dir/_scoreboard.md``).

    Returns:
        The path written.

    Raises:
        ValueError: a claims table or a snapshot cannot be read.
    """
    records = collect_records(book_dir, names)
    snapshots = {}
    if snapshot_dir is not None and Path(snapshot_dir).is_dir():
        snapshots = {p.stem: load_snapshot(p) for p in sorted(Path(snapshot_dir).glob("*.json"))}
    target = Path(target) if target is not None else Path(book_dir) / "_scoreboard.md"
    text = "<!-- generated by ntk_scaling.book.scoreboard from the executed chapters; do not edit -->\n\n"
    text += scoreboard_markdown(records, snapshots)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_text() != text:
        target.write_text(text)
    return target
