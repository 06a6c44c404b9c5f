"""The ``cxkit`` command a facilitator runs in a terminal."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from cxkit.errors import CxkitError


def _generate(args: argparse.Namespace) -> int:
    from cxkit.data.generate import generate

    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if args.size != "sample":
            print(f"  {done:,} of {total:,} customers", file=sys.stderr, flush=True)

    rows = generate(args.out, size=args.size, seed=args.seed, progress=progress)
    width = max(len(t) for t in rows)
    for table, count in rows.items():
        print(f"  {table:<{width}}  {count:>12,} rows")
    seconds = time.perf_counter() - started
    print(f"Wrote {len(rows)} tables to {args.out} in {seconds:.1f} s.")
    return 0


def _headline(args: argparse.Namespace) -> int:
    from cxkit.course.headline import headline

    if args.data is not None:
        print(headline(args.data))
        return 0
    from cxkit.data.generate import generate

    with tempfile.TemporaryDirectory(prefix="cxkit-demo-") as folder:
        generate(folder)
        print("Generated the sample company into a temporary folder.\n")
        print(headline(folder))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command line, one sub-command per step of a workshop cycle."""
    parser = argparse.ArgumentParser(
        prog="cxkit",
        description="Customer-experience workshops for every department: data, grading, reports.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    data = commands.add_parser("data", help="the sample company's data")
    data_commands = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    gen = data_commands.add_parser(
        "generate", help="generate the sample company as CSV files (defaults = datasets/)"
    )
    gen.add_argument("--size", choices=["sample", "large"], default="sample")
    gen.add_argument(
        "--seed", type=int, default=None, help="random seed (default: the shipped sample's)"
    )
    gen.add_argument("--out", required=True, type=Path, help="folder to write the CSV files to")
    gen.set_defaults(func=_generate)

    demo = commands.add_parser(
        "demo", help="generate the sample company and print its headline CX numbers"
    )
    demo.add_argument("--data", type=Path, default=None, help="use this folder instead")
    demo.set_defaults(func=_headline)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``cxkit`` command; return its exit code."""
    args = build_parser().parse_args(argv)
    if getattr(args, "seed", 0) is None:
        from cxkit.data.story import DEFAULT_SEED

        args.seed = DEFAULT_SEED
    try:
        return int(args.func(args))
    except CxkitError as err:
        print(f"cxkit: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
