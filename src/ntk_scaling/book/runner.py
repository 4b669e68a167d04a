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

    python -m ntk_scaling.runner run --profile ci [CHAPTER ...] [--force]
    python -m ntk_scaling.runner build --profile ci      # run all, then render
    python -m ntk_scaling.runner render                   # render book/ only
    python -m ntk_scaling.runner check --profile gpu      # validate parameter files only
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

__all__ = [
    "ROOT_ENV",
    "find_project_root",
    "REPO_ROOT",
    "CHAPTER_DIR",
    "PARAMS_DIR",
    "BOOK_DIR",
    "RUN_LOG",
    "ParameterError",
    "ChapterError",
    "ChapterResult",
    "toc_chapters",
    "chapter_path",
    "parameter_defaults",
    "load_profile",
    "fingerprint",
    "run_chapter",
    "check_profile",
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


class ParameterError(ValueError):
    """A profile file names an unknown parameter, gives a wrong type, or is missing."""


class ChapterError(RuntimeError):
    """A chapter raised while executing; the message names the chapter and the cell."""


class ChapterResult(NamedTuple):
    name: str
    profile: str
    seconds: float
    skipped: bool
    output: Path


def toc_chapters(toc_path: Path = REPO_ROOT / "_toc.yml") -> list[str]:
    """Chapter names (e.g. ``"01_data"``) in the order of the book's table of contents."""
    toc = yaml.safe_load(toc_path.read_text())
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
    """Names and default values of the parameters cell (literal assignments only)."""
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


def _type_ok(default: Any, value: Any) -> bool:
    if default is None or value is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    if isinstance(default, int):
        return isinstance(value, int)
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


def load_profile(name: str, profile: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """Read ``params/<profile>/<name>.yaml`` and check it against the chapter's defaults."""
    path = PARAMS_DIR / profile / f"{name}.yaml"
    if not (PARAMS_DIR / profile).is_dir():
        known = ", ".join(sorted(p.name for p in PARAMS_DIR.iterdir() if p.is_dir()))
        raise ParameterError(f"unknown profile {profile!r}; profiles: {known}")
    if not path.exists():
        raise ParameterError(f"chapter {name}: profile {profile!r} has no parameter file {path}")
    values = yaml.safe_load(path.read_text()) or {}
    if not isinstance(values, dict):
        raise ParameterError(f"{path}: expected a mapping of parameter names to values")
    unknown = sorted(set(values) - set(defaults))
    if unknown:
        raise ParameterError(
            f"{path}: unknown parameter(s) {unknown} for chapter {name}; known: {sorted(defaults)}"
        )
    for key, value in values.items():
        if not _type_ok(defaults[key], value):
            raise ParameterError(
                f"{path}: parameter {key!r} should be {type(defaults[key]).__name__} "
                f"like its default {defaults[key]!r}, got {type(value).__name__} {value!r}"
            )
    if "profile" in defaults:
        values["profile"] = profile
    return values


def _library_digest() -> str:
    h = hashlib.sha256()
    for path in sorted((REPO_ROOT / "src" / "ntk_scaling").rglob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def fingerprint(name: str, profile: str) -> str:
    """Hash of the chapter source, its profile file and the library source."""
    h = hashlib.sha256()
    h.update(chapter_path(name).read_bytes())
    h.update(profile.encode())
    params_file = PARAMS_DIR / profile / f"{name}.yaml"
    if params_file.exists():
        h.update(params_file.read_bytes())
    h.update(_library_digest().encode())
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


def _describe_overrides(name: str, profile: str, values: dict[str, Any]) -> str:
    shown = {k: v for k, v in values.items() if k != "profile"}
    settings = ", ".join(f"`{k} = {v!r}`" for k, v in shown.items()) or "no overrides"
    return (
        f"This page was executed with the **`{profile}`** parameter profile "
        f"(`params/{profile}/{name}.yaml`: {settings}). The cell above shows the defaults."
    )


def run_chapter(name: str, profile: str = "ci", *, force: bool = False, quiet: bool = False) -> ChapterResult:
    """Execute one chapter with a profile into ``book/<name>.ipynb``."""
    import jupytext
    import nbformat
    import papermill

    source = chapter_path(name)
    nb = jupytext.read(source)
    defaults = parameter_defaults(nb, name)
    values = load_profile(name, profile, defaults)
    digest = fingerprint(name, profile)
    output = BOOK_DIR / f"{name}.ipynb"
    if not force and _is_fresh(output, digest):
        if not quiet:
            print(f"[{name}] up to date with profile {profile!r}; skipped (use --force to rerun)")
        return ChapterResult(name, profile, 0.0, True, output)

    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    BOOK_DIR.mkdir(exist_ok=True)
    env_backup = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
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
        if env_backup is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_backup
    seconds = time.perf_counter() - start

    # The injected cell duplicates the profile; the note below says it in words instead.
    cells = []
    for cell in executed.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
            cells.append(cell)
            cells.append(nbformat.v4.new_markdown_cell(_describe_overrides(name, profile, values)))
            continue
        cells.append(cell)
    executed.cells = cells
    executed.metadata["ntk_scaling"] = {
        "fingerprint": digest,
        "profile": profile,
        "parameters": values,
        "seconds": round(seconds, 2),
    }
    nbformat.write(executed, partial)
    os.replace(partial, output)

    log = _read_log()
    log[name] = {"profile": profile, "seconds": round(seconds, 2), "finished": time.strftime("%Y-%m-%d %H:%M:%S")}
    _write_log(log)
    if not quiet:
        print(f"[{name}] done in {seconds:.1f} s -> {output.relative_to(REPO_ROOT)}", flush=True)
    return ChapterResult(name, profile, seconds, False, output)


def check_profile(profile: str, names: list[str] | None = None) -> None:
    """Validate every chapter's parameter file for ``profile`` without executing anything."""
    import jupytext

    for name in names or toc_chapters():
        nb = jupytext.read(chapter_path(name))
        load_profile(name, profile, parameter_defaults(nb, name))


def render_book(*, strict: bool = True) -> None:
    """Render ``book/`` with Jupyter Book 1.x into ``_build/html`` (execution off)."""
    missing = [n for n in toc_chapters() if not (BOOK_DIR / f"{n}.ipynb").exists()]
    if missing:
        raise FileNotFoundError(f"not executed yet: {missing}; run the chapters first")
    cmd = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(REPO_ROOT), "--builder", "html"]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=REPO_ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ntk-book", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for cmd in ("run", "build", "check"):
        p = sub.add_parser(cmd)
        p.add_argument("--profile", default="ci")
        p.add_argument("chapters", nargs="*", help="chapter names such as 02_fig1_exponents (default: all in _toc.yml)")
        p.add_argument("--force", action="store_true", help="rerun even if the executed notebook is up to date")
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
        check_profile(args.profile, names)  # fail before spending time on the first chapters
        total = 0.0
        for name in names:
            total += run_chapter(name, args.profile, force=args.force).seconds
        print(f"executed chapters in {total:.0f} s")
        if args.command == "build":
            render_book()
    except (ParameterError, ChapterError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"error: the book build failed (exit {exc.returncode}); see the messages above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
