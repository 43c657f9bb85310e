"""``python -m bioproof.analysis <kind> FILE… [--json]`` (same as ``bioproof analyze``)."""

from bioproof.analysis.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
