"""Execute the book's chapters with a parameter profile and render the book.

Chapters are Jupytext ``py:percent`` scripts in ``chapters/``. Each has one cell tagged
``parameters`` holding every knob with CPU-sized defaults. A profile is a folder
``params/<profile>/`` with one YAML file per chapter overriding some of those knobs.
Papermill cannot read ``.py`` files, so we convert with :func:`jupytext.read` and run
:func:`papermill.execute_notebook` on the notebook object; the executed notebooks land
in ``book/`` and Jupyter Book renders them with execution turned off.

An executed notebook records a fingerprint of everything that went into it (chapter
source, profile file, library source); a chapter whose fingerprint is unchanged is not
run again unless forced. Wall times go to ``book/run_log.json``.

Command line (also ``ntk-book``)::

    python -m ntk_scaling.book.runner run --profile ci [CHAPTER ...] [--force] [-p NAME VALUE ...]
    python -m ntk_scaling.book.runner build --profile ci      # run all, then render
    python -m ntk_scaling.book.runner render                   # render book/ only
    python -m ntk_scaling.book.runner check --profile gpu      # validate parameter files only
    python -m ntk_scaling.book.runner store --profile large    # copy the results the chapters used into results/
    python -m ntk_scaling.book.runner snapshot --profile ci    # write snapshots/ci.json from book/ (review the diff)

Values are typed element by element against the chapter's defaults, wherever they come
from (``1e-3`` in YAML is a string to PyYAML; ``-p widths "[16, 32]"`` is a string on the
command line); a value that does not fit stops before anything runs, naming the file or
flag, the key and the element. Each chapter runs with ``$NTK_SCALING_PROFILE`` set, so its
cached calls read the profile's folder of the results store, and with a ledger file that
records every cached call; the executed notebook keeps that record (the reproducibility
chapter lists it, ``store`` copies it).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .parameters import ParameterError, spec_from_default

__all__ = [
    "ROOT_ENV",
    "find_project_root",
    "REPO_ROOT",
    "CHAPTER_DIR",
    "PARAMS_DIR",
    "BOOK_DIR",
    "RUN_LOG",
    "SNAPSHOT_DIR",
    "write_profile_snapshot",
    "ChapterError",
    "ChapterResult",
    "toc_chapters",
    "chapter_path",
    "parameter_defaults",
    "load_profile",
    "fingerprint",
    "run_chapter",
    "check_profile",
    "store_results",
    "StoreSummary",
    "coerce_values",
    "parse_overrides",
    "read_ledger",
    "render_book",
    "main",
]

ROOT_ENV = "NTK_SCALING_BOOK"  #: names the checkout to run; else the one around the working directory


def find_project_root(start: Path | None = None) -> Path:
    """The checkout of the book to work on.

    ``$NTK_SCALING_BOOK`` if set; else the nearest folder at or above ``start`` (default:
    the working directory) holding ``_toc.yml`` and ``chapters/``; else the checkout this
    package was installed from. So ``make book`` in a second clone runs that clone's
    chapters even when the package was installed (editable) from another one.

    Args:
        start: where to start looking (default: the working directory).

    Returns:
        The checkout's root folder.
    """
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).expanduser().resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_toc.yml").is_file() and (folder / "chapters").is_dir():
            return folder
    return Path(__file__).resolve().parents[3]


REPO_ROOT = find_project_root()
CHAPTER_DIR = REPO_ROOT / "chapters"
PARAMS_DIR = REPO_ROOT / "params"
BOOK_DIR = REPO_ROOT / "book"
RUN_LOG = BOOK_DIR / "run_log.json"
SNAPSHOT_DIR = REPO_ROOT / "snapshots"


class ChapterError(RuntimeError):
    """A chapter raised while executing; the message names the chapter and the cell."""


class ChapterResult(NamedTuple):
    """What :func:`run_chapter` did: where the executed notebook is, and how long it took."""

    name: str
    profile: str
    seconds: float
    skipped: bool
    output: Path


def toc_chapters(toc_path: Path | None = None) -> list[str]:
    """Chapter names (e.g. ``"01_data"``) in the order of the book's table of contents.

    Args:
        toc_path: the ``_toc.yml`` to read (default: the checkout's).

    Returns:
        The names, root page first, without duplicates.
    """
    toc = yaml.safe_load((toc_path or REPO_ROOT / "_toc.yml").read_text())
    files: list[str] = [toc["root"]]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node:
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc.get("parts", toc.get("chapters", [])))
    names = [Path(f).name for f in files if str(f).startswith("book/")]
    return list(dict.fromkeys(names))


def chapter_path(name: str) -> Path:
    """The source of a chapter, ``chapters/<name>.py``.

    Args:
        name: the chapter's name.

    Returns:
        The path.

    Raises:
        FileNotFoundError: no such chapter (the message lists the chapters).
    """
    path = CHAPTER_DIR / f"{name}.py"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in CHAPTER_DIR.glob("*.py")))
        raise FileNotFoundError(f"no chapter {name!r} in {CHAPTER_DIR}; chapters: {known}")
    return path


def _parameters_cell(nb: Any, name: str) -> Any:
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"chapter {name}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    return cells[0]


def parameter_defaults(nb: Any, name: str = "?") -> dict[str, Any]:
    """Names and default values of the parameters cell (literal assignments only).

    Args:
        nb: the chapter as a notebook (``jupytext.read``).
        name: the chapter's name, for messages.

    Returns:
        ``{name: default}`` in the order of the cell.

    Raises:
        ParameterError: no or several parameters cells, an assignment to something other
            than a plain name, or a value that is not a literal.
    """
    source = _parameters_cell(nb, name).source
    defaults: dict[str, Any] = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if not isinstance(target, ast.Name):
                    raise ParameterError(f"chapter {name}: parameters cell may only assign plain names")
                try:
                    defaults[target.id] = ast.literal_eval(node.value)
                except ValueError as exc:
                    raise ParameterError(
                        f"chapter {name}: parameter {target.id!r} must be a literal value"
                    ) from exc
    return defaults


def coerce_values(values: dict[str, Any], defaults: dict[str, Any], source: str, chapter: str) -> dict[str, Any]:
    """Type ``values`` against the chapter's defaults, element by element.

    Args:
        values: parameter values by name (from a profile file or the command line).
        defaults: the chapter's parameters cell.
        source: where the values came from, for messages (a file path, "-p").
        chapter: the chapter's name, for messages.

    Returns:
        The coerced values.

    Raises:
        ParameterError: an unknown name, or a value (or list element) of the wrong type.
    """
    unknown = sorted(set(values) - set(defaults))
    if unknown:
        raise ParameterError(f"{source}: unknown parameter(s) {unknown} for chapter {chapter}; known: {sorted(defaults)}")
    out = {}
    for key, value in values.items():
        try:
            out[key] = spec_from_default(defaults[key]).coerce(value, f"parameter {key!r}")
        except ParameterError as exc:
            raise ParameterError(f"{source}: {exc} (the default is {defaults[key]!r})") from None
    return out


def load_profile(name: str, profile: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """Read ``params/<profile>/<name>.yaml`` and type it against the chapter's defaults.

    Args:
        name: the chapter.
        profile: the profile folder's name.
        defaults: the chapter's parameters cell (:func:`parameter_defaults`).

    Returns:
        The coerced values, with ``profile`` set when the chapter declares it.

    Raises:
        ParameterError: unknown profile, missing file, not a mapping, unknown name, bad type.
    """
    path = PARAMS_DIR / profile / f"{name}.yaml"
    if not (PARAMS_DIR / profile).is_dir():
        known = ", ".join(sorted(p.name for p in PARAMS_DIR.iterdir() if p.is_dir()))
        raise ParameterError(f"unknown profile {profile!r}; profiles: {known}")
    if not path.exists():
        raise ParameterError(f"chapter {name}: profile {profile!r} has no parameter file {path}")
    try:
        values = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(values, dict):
        raise ParameterError(f"{path}: expected a mapping of parameter names to values")
    values = coerce_values(values, defaults, str(path), name)
    if "profile" in defaults:
        values["profile"] = profile
    return values


def parse_overrides(pairs: list[list[str]] | None) -> dict[str, Any]:
    """``-p NAME VALUE`` pairs from the command line, each VALUE read as YAML (as papermill does).

    Args:
        pairs: ``[[name, text], ...]`` as argparse collects them, or None.

    Returns:
        ``{name: value}``; text that is not valid YAML stays a string (typed later).

    Raises:
        ParameterError: a name is given twice.
    """
    out: dict[str, Any] = {}
    for name, text in pairs or []:
        if name in out:
            raise ParameterError(f"-p {name} given twice")
        try:
            out[name] = yaml.safe_load(text)
        except yaml.YAMLError:
            out[name] = text
    return out


def _library_digest() -> str:
    h = hashlib.sha256()
    for path in sorted((REPO_ROOT / "src" / "ntk_scaling").rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def _store_digest(profile: str) -> str:
    """Names and sizes of the profile's stored results: a new store entry makes a chapter stale."""
    from ..cache import results_dir

    root = results_dir()
    folder = root / profile if root is not None else None
    if folder is None or not folder.is_dir():
        return ""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*.npz")):
        h.update(f"{path.relative_to(folder)}:{path.stat().st_size}".encode())
    return h.hexdigest()


def fingerprint(name: str, profile: str, overrides: dict[str, Any] | None = None) -> str:
    """Hash of the chapter source, its profile file, the overrides, the library and the profile's store.

    Args:
        name: the chapter.
        profile: the profile.
        overrides: one-off values from the command line.

    Returns:
        32 hex characters; an executed notebook with the same fingerprint is up to date.
    """
    h = hashlib.sha256()
    h.update(chapter_path(name).read_bytes())
    h.update(profile.encode())
    params_file = PARAMS_DIR / profile / f"{name}.yaml"
    if params_file.exists():
        h.update(params_file.read_bytes())
    h.update(json.dumps(overrides or {}, sort_keys=True, default=repr).encode())
    h.update(_library_digest().encode())
    h.update(_store_digest(profile).encode())
    return h.hexdigest()[:32]


def _read_log() -> dict[str, Any]:
    if RUN_LOG.exists():
        try:
            return json.loads(RUN_LOG.read_text())
        except json.JSONDecodeError:
            return {}
    return {}


def _write_log(log: dict[str, Any]) -> None:
    BOOK_DIR.mkdir(exist_ok=True)
    tmp = RUN_LOG.with_suffix(".tmp")
    tmp.write_text(json.dumps(log, indent=1))
    os.replace(tmp, RUN_LOG)


def _is_fresh(output: Path, digest: str) -> bool:
    if not output.exists():
        return False
    import nbformat

    try:
        nb = nbformat.read(output, as_version=4)
    except Exception:  # an unreadable notebook is simply re-executed
        return False
    return nb.metadata.get("ntk_scaling", {}).get("fingerprint") == digest


def _describe_overrides(name: str, profile: str, values: dict[str, Any], overrides: dict[str, Any]) -> str:
    shown = {k: v for k, v in values.items() if k != "profile" and k not in overrides}
    settings = ", ".join(f"`{k} = {v!r}`" for k, v in shown.items()) or "no overrides"
    text = (
        f"This page was executed with the **`{profile}`** parameter profile "
        f"(`params/{profile}/{name}.yaml`: {settings})"
    )
    if overrides:
        text += ", overridden on the command line with " + ", ".join(f"`{k} = {v!r}`" for k, v in overrides.items())
    return text + ". The cell above shows the defaults."


def read_ledger(path: Path) -> list[dict[str, Any]]:
    """The cached calls a chapter made, one per (function, key), the last record winning.

    Args:
        path: the chapter's ledger file (JSON lines; unreadable lines are skipped).

    Returns:
        The records, as dicts with at least ``function``, ``key`` and ``source``.
    """
    if not path.exists():
        return []
    records: dict[tuple[str, str], dict[str, Any]] = {}
    for line in path.read_text().splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        records[(row["function"], row["key"])] = row
    return list(records.values())


def run_chapter(
    name: str,
    profile: str = "ci",
    *,
    force: bool = False,
    quiet: bool = False,
    overrides: dict[str, Any] | None = None,
) -> ChapterResult:
    """Execute one chapter with a profile (and optional overrides) into ``book/<name>.ipynb``.

    Args:
        name: the chapter (file stem in ``chapters/``).
        profile: the parameter profile.
        force: execute even when the output is up to date.
        quiet: no progress output.
        overrides: one-off parameter values on top of the profile (``-p NAME VALUE``).

    Returns:
        A :class:`ChapterResult`.

    Raises:
        ParameterError: a bad profile value or override (before anything runs).
        ChapterError: a cell raised; the message names the chapter and the cell.
    """
    import jupytext
    import nbformat
    import papermill

    source = chapter_path(name)
    nb = jupytext.read(source)
    defaults = parameter_defaults(nb, name)
    values = load_profile(name, profile, defaults)
    extra = coerce_values(dict(overrides or {}), defaults, "-p", name)
    extra.pop("profile", None)
    values.update(extra)
    digest = fingerprint(name, profile, extra)
    output = BOOK_DIR / f"{name}.ipynb"
    if not force and _is_fresh(output, digest):
        if not quiet:
            print(f"[{name}] up to date with profile {profile!r}; skipped (use --force to rerun)")
        return ChapterResult(name, profile, 0.0, True, output)

    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    BOOK_DIR.mkdir(exist_ok=True)
    ledger = BOOK_DIR / f".{name}.ledger.jsonl"
    ledger.unlink(missing_ok=True)
    env = {
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "NTK_SCALING_PROFILE": profile,  # the kernel's cached calls read this profile's store folder
        "NTK_SCALING_LEDGER": str(ledger),  # ... and record themselves here
    }
    env_backup = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    partial = output.with_suffix(".partial.ipynb")
    if not quiet:
        print(f"[{name}] executing with profile {profile!r} ...", flush=True)
    start = time.perf_counter()
    try:
        executed = papermill.execute_notebook(
            nb,
            str(partial),
            parameters=values,
            kernel_name="python3",
            cwd=str(REPO_ROOT),
            progress_bar=not quiet,
            report_mode=False,
        )
    except papermill.PapermillExecutionError as exc:
        raise ChapterError(
            f"chapter {name} failed in cell {exc.exec_count} ({exc.ename}: {exc.evalue}); "
            f"the partly executed notebook is {partial}"
        ) from exc
    finally:
        for k, v in env_backup.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    seconds = time.perf_counter() - start
    results = read_ledger(ledger)
    ledger.unlink(missing_ok=True)

    # The injected cell duplicates the profile; the note below says it in words instead.
    cells = []
    for cell in executed.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
            cells.append(cell)
            cells.append(nbformat.v4.new_markdown_cell(_describe_overrides(name, profile, values, extra)))
            continue
        cells.append(cell)
    executed.cells = cells
    executed.metadata["ntk_scaling"] = {
        "fingerprint": digest,
        "profile": profile,
        "parameters": values,
        "overrides": extra,
        "seconds": round(seconds, 2),
        "results": results,
    }
    nbformat.write(executed, partial)
    os.replace(partial, output)

    log = _read_log()
    log[name] = {
        "profile": profile,
        "seconds": round(seconds, 2),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
        "computed": sum(r["source"] == "computed" for r in results),
        "from_cache": sum(r["source"] == "cache" for r in results),
        "from_store": sum(r["source"] == "store" for r in results),
    }
    _write_log(log)
    if not quiet:
        print(f"[{name}] done in {seconds:.1f} s -> {output.relative_to(REPO_ROOT)}", flush=True)
    return ChapterResult(name, profile, seconds, False, output)


def check_profile(profile: str, names: list[str] | None = None) -> None:
    """Validate every chapter's parameter file for ``profile`` without executing anything.

    Args:
        profile: the profile.
        names: chapters (default: all in ``_toc.yml``).

    Raises:
        ParameterError: a missing file, an unknown name or a value of the wrong type.
    """
    import jupytext

    for name in names or toc_chapters():
        nb = jupytext.read(chapter_path(name))
        load_profile(name, profile, parameter_defaults(nb, name))


STORE_PROFILE_LIMIT = 10 * 2**20  #: bytes the committed store may hold per profile
STORE_TOTAL_LIMIT = 30 * 2**20  #: bytes it may hold in all


class StoreSummary(NamedTuple):
    """What :func:`store_results` copied into the results store."""

    profile: str
    entries: int
    bytes: int
    removed: int


def store_results(profile: str, names: list[str] | None = None, *, root: Path | None = None) -> StoreSummary:
    """Copy the results that the profile's executed chapters used into ``results/<profile>/``.

    Each chapter's notebook in ``book/`` records its cached calls (the runner's ledger);
    their entries are copied from the cache, compacted (float64 to float32 unless the
    function says otherwise) and compressed. With every chapter of the book given, entries
    of the profile that no chapter used any more are removed.

    Args:
        profile: the profile whose results to store (the chapters must have run with it).
        names: chapters (default: all in ``_toc.yml``).
        root: the store's root (default: the checkout's ``results/``).

    Returns:
        A :class:`StoreSummary`.

    Raises:
        ParameterError: a chapter was not executed, or executed with another profile.
        RuntimeError: the profile's folder would exceed the committed store's size limit.
    """
    import nbformat

    from ..cache import import_cached, store_entry

    all_chapters = toc_chapters()
    names = names or all_chapters
    folder = (root or REPO_ROOT / "results") / profile
    kept: set[Path] = set()
    total = 0
    for name in names:
        path = BOOK_DIR / f"{name}.ipynb"
        if not path.exists():
            raise ParameterError(f"chapter {name} has not been executed; run `make chapters PROFILE={profile}` first")
        meta = nbformat.read(path, as_version=4).metadata.get("ntk_scaling", {})
        if meta.get("profile") != profile:
            raise ParameterError(f"book/{name}.ipynb was executed with profile {meta.get('profile')!r}, not {profile!r}")
        for record in meta.get("results", []):
            fn = import_cached(record["module"], record["qualname"])
            source = Path(record["path"])
            target = folder / fn.folder_name() / source.name
            kept.add(target)
            if source.resolve() == target.resolve():
                total += target.stat().st_size
                continue
            if not source.exists():
                raise ParameterError(f"{name}: the entry {source} it used is gone; rerun the chapter")
            total += store_entry(source, target, fn)
    removed = 0
    if set(names) == set(all_chapters) and folder.is_dir():
        for path in folder.rglob("*.npz"):
            if path not in kept:
                path.unlink()
                removed += 1
    if total > STORE_PROFILE_LIMIT:
        raise RuntimeError(
            f"results/{profile} holds {total / 2**20:.1f} MiB, over the {STORE_PROFILE_LIMIT / 2**20:.0f} MiB a profile may "
            "commit; store less (compact the result, or record fewer points)"
        )
    return StoreSummary(profile, len(kept), total, removed)


def write_profile_snapshot(profile: str, *, path: Path | None = None) -> Path:
    """Write ``snapshots/<profile>.json`` from every chapter executed in ``book/``.

    Args:
        profile: the profile the chapters were executed with.
        path: where to write (default ``snapshots/<profile>.json``).

    Returns:
        The path written; review its diff before committing it.

    Raises:
        ParameterError: a chapter was not executed, or executed with another profile.
    """
    from .snapshot import collect_records, write_snapshot

    names = toc_chapters()
    missing = [n for n in names if not (BOOK_DIR / f"{n}.ipynb").exists()]
    if missing:
        raise ParameterError(f"not executed yet: {missing}; run `make chapters PROFILE={profile}` first")
    records = collect_records(BOOK_DIR, names)
    wrong = [n for n, r in records.items() if r.profile != profile]
    if wrong:
        raise ParameterError(f"executed with another profile than {profile!r}: {wrong}")
    return write_snapshot(path or SNAPSHOT_DIR / f"{profile}.json", records, profile)


def render_book(*, strict: bool = True) -> None:
    """Render ``book/`` with Jupyter Book 1.x into ``_build/html`` (execution off).

    First writes the two generated includes: ``book/_equations.md`` (every
    ``equations/*.md``, for the appendix) and ``book/_scoreboard.md`` (the verdicts of the
    executed chapters, for the first page).

    Args:
        strict: fail on any warning (``-W -n --keep-going``), as CI does.

    Raises:
        FileNotFoundError: a chapter of the table of contents has not been executed.
        subprocess.CalledProcessError: the build failed.
    """
    missing = [n for n in toc_chapters() if not (BOOK_DIR / f"{n}.ipynb").exists()]
    if missing:
        raise FileNotFoundError(f"not executed yet: {missing}; run the chapters first")
    if (REPO_ROOT / "equations").is_dir():
        from .equations import write_equations_index

        write_equations_index(REPO_ROOT, BOOK_DIR / "_equations.md")  # the appendix includes every equations/*.md
    from .scoreboard import write_scoreboard

    write_scoreboard(BOOK_DIR, toc_chapters(), SNAPSHOT_DIR, BOOK_DIR / "_scoreboard.md")  # the first page includes it
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(REPO_ROOT), "--builder", "html"]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=REPO_ROOT)


def main(argv: list[str] | None = None) -> int:
    """The command line (``python -m ntk_scaling.book.runner``, ``ntk-book``); see the module docstring.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 1 with a message on stderr otherwise.

    Raises:
        SystemExit: ``--help`` or arguments argparse rejects (errors of the book itself
            are reported through the exit status instead).
    """
    parser = argparse.ArgumentParser(prog="ntk-book", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for cmd in ("run", "build", "check", "store", "snapshot"):
        p = sub.add_parser(cmd)
        p.add_argument("--profile", default="ci")
        p.add_argument("chapters", nargs="*", help="chapter names such as 10_b_fig1_exponents (default: all in _toc.yml)")
        if cmd in ("run", "build"):
            p.add_argument("--force", action="store_true", help="rerun even if the executed notebook is up to date")
            p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                           help="override one parameter (VALUE is read as YAML, as papermill does); repeatable")
    sub.add_parser("render")
    args = parser.parse_args(argv)

    try:
        if args.command == "render":
            render_book()
            return 0
        names = args.chapters or toc_chapters()
        if args.command == "check":
            check_profile(args.profile, names)
            print(f"profile {args.profile!r}: {len(names)} parameter files valid")
            return 0
        if args.command == "snapshot":
            path = write_profile_snapshot(args.profile)
            print(f"wrote {path.relative_to(REPO_ROOT)}; review `git diff {path.relative_to(REPO_ROOT)}` before committing")
            return 0
        if args.command == "store":
            summary = store_results(args.profile, args.chapters or None)
            print(f"results/{summary.profile}: {summary.entries} entries, {summary.bytes / 2**20:.2f} MiB"
                  f" ({summary.removed} unused entries removed)")
            return 0
        check_profile(args.profile, names)  # fail before spending time on the first chapters
        overrides = parse_overrides(args.parameter)
        if overrides and len(names) != 1:
            raise ParameterError("-p overrides apply to one chapter at a time; name the chapter")
        total = 0.0
        for name in names:
            total += run_chapter(name, args.profile, force=args.force, overrides=overrides).seconds
        print(f"executed chapters in {total:.0f} s")
        if args.command == "build":
            render_book()
    except (ParameterError, ChapterError, FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"error: the book build failed (exit {exc.returncode}); see the messages above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
