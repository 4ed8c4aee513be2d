"""``python -m otop bench``: build or reuse the national database, measure, print the table, write the JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from otop.config import Settings

DEFAULT_REPEATS = 7
QUICK_REPEATS = 5


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _bench(args: argparse.Namespace, settings: Settings) -> int:
    from otop import bench
    from otop.benchdata import BenchSpec

    spec = BenchSpec.quick() if args.quick else BenchSpec()
    backends = bench.BACKENDS if args.backend == "both" else (args.backend,)
    repeats = args.repeats or (QUICK_REPEATS if args.quick else DEFAULT_REPEATS)
    report = bench.run_bench(
        spec=spec, backends=backends, repeats=repeats, settings=settings, quick=args.quick, progress=_progress
    )
    if args.memory:
        report.memory = {
            backend: bench.measure_streamlit_memory(
                database_url=bench.bench_database_url(backend, spec, settings), spec=spec, progress=_progress
            )
            for backend in backends
        }
    path = Path(args.json) if args.json else bench.DEFAULT_JSON
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    print(bench.format_report(report))
    print(f"บันทึกผลเป็น JSON ที่ {path}")
    # Absolute times depend on the machine and its load, so only a lost ratio or a wrong figure fails the run.
    return 1 if report.regressions() or report.mismatches() else 0


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("bench", help="ทดสอบประสิทธิภาพบนข้อมูลระดับประเทศ (performance benchmark)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="a few provinces: under a minute, for CI")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs per operation (after one warm-up)")
    parser.add_argument("--json", default=None, help="where to write the JSON report (var/bench/latest.json)")
    parser.add_argument(
        "--memory",
        action="store_true",
        help="also measure the peak RSS of a Streamlit process serving the department dashboard",
    )
    parser.set_defaults(handler=_bench)
