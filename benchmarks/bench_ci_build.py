"""The whole ``ci`` build, chapter by chapter, from a cold cache.

Writes benchmarks/results/ci_build.json: each chapter's wall time when executed with the
``ci`` profile (``--force``, an empty cache folder, so nothing is reused), their total, and
the machine with its load average at the start and end (the machine may be shared). The
executed notebooks land in ``book/`` as with ``make chapters``, so a ``make snapshot`` may
follow without rerunning anything. Run: ``python benchmarks/bench_ci_build.py [--cache DIR]``
(about 15-20 minutes on 2 cores); ``--cache`` names an empty folder to fill instead of a
temporary one, e.g. so that another profile's run can reuse the ci results. Target (from
the issues): the ci test run under 30 minutes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import jax

from ntk_scaling.book import runner

RESULTS = Path(__file__).resolve().parent / "results" / "ci_build.json"


def main() -> None:
    """Execute every chapter of the table of contents with the ci profile and record the times."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", help="an empty folder to use as the cache (default: a temporary one)")
    args = parser.parse_args()
    if args.cache and Path(args.cache).exists() and any(Path(args.cache).iterdir()):
        parser.error(f"--cache {args.cache} is not empty: the build must start cold")
    folder = contextlib.nullcontext(args.cache) if args.cache else tempfile.TemporaryDirectory(prefix="ntk-ci-build-")
    with folder as cache:
        os.environ["NTK_SCALING_CACHE"] = str(cache)  # cold: nothing is reused from earlier runs
        start_load = os.getloadavg()
        rows = []
        t0 = time.perf_counter()
        for name in runner.toc_chapters():
            result = runner.run_chapter(name, "ci", force=True)
            rows.append({"chapter": name, "seconds": round(result.seconds, 1)})
        total = time.perf_counter() - t0
    out = {
        "benchmark": "ci build (every chapter, cold cache)",
        "date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "machine": {"backend": jax.default_backend(), "devices": [str(d) for d in jax.devices()],
                    "cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "load_average_start": list(start_load), "load_average_end": list(os.getloadavg())},
        "jax_version": jax.__version__,
        "chapters": rows,
        "total_seconds": round(total, 1),
        "target_seconds": 1800,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n")
    print(f"ci build: {total:.0f} s over {len(rows)} chapters -> {RESULTS}")


if __name__ == "__main__":
    main()
