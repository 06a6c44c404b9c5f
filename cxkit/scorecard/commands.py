"""The analyst's commands: ``cxkit scorecard`` and ``cxkit pulse`` on a company's own export."""

from __future__ import annotations

import argparse
from pathlib import Path

from cxkit.errors import CxkitError


def _scorecard(args: argparse.Namespace) -> int:
    from cxkit.scorecard.card import check_text, gather, scorecard

    if args.check:
        inputs = gather(args.data, args.mapping)
        if inputs.problems:
            print(inputs.problems.text())
            raise CxkitError(
                f"{len(inputs.problems)} problem(s) in the export or the mapping (listed above); "
                "fix them and run --check again."
            )
        print(check_text(inputs, args.data))
        return 0
    if args.out is None:
        raise CxkitError("cxkit scorecard needs --out DIR (or --check to only validate).")
    written = scorecard(
        args.data,
        args.out,
        mapping_path=args.mapping,
        period=args.period,
        min_n=args.min_responses,
        trend=args.trend,
        pdf=args.pdf,
        title=args.title,
    )
    print("Scorecard: " + ", ".join(str(p) for p in written))
    return 0


def _pulse(args: argparse.Namespace) -> int:
    from cxkit.scorecard.pulse import pulse, summary

    written = pulse(
        args.data,
        args.out,
        mapping_path=args.mapping,
        workshops=args.workshops,
        course=args.course,
        period=args.period,
        baseline_days=args.baseline_days,
        min_n=args.min_responses,
        departments=args.department or (),
    )
    print(summary(written))
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``scorecard`` and ``pulse`` to the ``cxkit`` command."""
    card = commands.add_parser(
        "scorecard", help="the organisation CX scorecard on your own survey export (offline HTML)"
    )
    card.add_argument("--data", type=Path, required=True, help="folder holding the export")
    card.add_argument("--mapping", type=Path, help="mapping file (.toml/.yaml) for the export")
    card.add_argument(
        "--period", help="START:END (2026-01-01:2026-06-30), a year, 2026-Q1 or 2026-03"
    )
    card.add_argument("--out", type=Path, help="folder for scorecard.html (and .pdf)")
    card.add_argument("--check", action="store_true", help="only validate data and mapping")
    card.add_argument(
        "--min-responses", type=int, default=30, help="fewer answers: marked, never ranked (30)"
    )
    card.add_argument("--trend", choices=["auto", "month", "quarter"], default="auto")
    card.add_argument("--pdf", action="store_true", help="also print a PDF (needs Chromium)")
    card.add_argument("--title", default="Customer experience scorecard")
    card.set_defaults(func=_scorecard)
    pulse = commands.add_parser(
        "pulse",
        help="30/60/90 days after each workshop: did each department's touchpoints move? "
        "(one offline page per department)",
    )
    pulse.add_argument("--data", type=Path, required=True, help="folder holding the exports")
    pulse.add_argument("--mapping", type=Path, help="mapping file (.toml/.yaml) for the export")
    pulse.add_argument(
        "--workshops",
        type=Path,
        help="CSV of department,workshop_date (default: workshops.csv in --data or --course)",
    )
    pulse.add_argument(
        "--course", type=Path, help="course folder: reads commitments.csv, adds to pulses.csv"
    )
    pulse.add_argument(
        "--period",
        default="90",
        help="days after each workshop (90, or 30/60/90), a date, or START:END (default 90)",
    )
    pulse.add_argument(
        "--baseline-days", type=int, default=180, help="days before each workshop (180)"
    )
    pulse.add_argument(
        "--min-responses", type=int, default=30, help="answers needed for a verdict (30)"
    )
    pulse.add_argument(
        "--department", action="append", help="only this department (repeat for more)"
    )
    pulse.add_argument("--out", type=Path, required=True, help="folder for the pages")
    pulse.set_defaults(func=_pulse)
