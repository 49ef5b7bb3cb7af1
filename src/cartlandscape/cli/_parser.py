"""The argument parser of the command line; it imports nothing heavy (no pint, no data)."""

from __future__ import annotations

import argparse
import math
from typing import Any

from cartlandscape._version import __version__
from cartlandscape.cli import _handlers
from cartlandscape.cli._common import Handler

__all__ = ["KINDS", "build_parser"]

#: The kinds of record, in registry order (kept here so that ``--help`` loads no model).
KINDS = (
    "source",
    "target",
    "indication",
    "institution",
    "therapy",
    "outcome",
    "price",
    "policy",
    "statement",
    "event",
)
TABULAR = ("table", "json", "csv")
_ENDPOINT_HELP = "the endpoint, by name or label: ORR, CR, 'CR/CRi', 'median PFS', CRS, ..."
_ONE_PER_STUDY_HELP = (
    "of several reports of one study keep one: the one giving counts, then the latest data "
    "cut, then the larger n, then the higher source tier"
)


def _endpoint(text: str) -> str:
    """Check an ``--endpoint`` argument; a wrong one is a usage error (exit status 2)."""
    from cartlandscape.vocabulary import parse_endpoint

    try:
        return parse_endpoint(text).value
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _grade(text: str) -> str:
    """Check a ``--grade`` argument: ``any``, ``>=2``, ``>=3`` (or ``≥3``), ``>=4`` or ``5``."""
    from cartlandscape.vocabulary import parse_grade

    try:
        return parse_grade(text).value
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _grading_scale(text: str) -> str:
    """Check a ``--grading-scale`` argument: ``astct-2019``, ``lee-2014``, ``ctcae-5.0``, ..."""
    from cartlandscape.vocabulary import parse_grading_scale

    try:
        return parse_grading_scale(text).value
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_grading(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """The ``--grade`` and ``--grading-scale`` options of the commands that choose outcomes."""
    parser.add_argument(
        "--grade",
        type=_grade,
        help=prefix + "toxicity grades counted: any, '>=2', '>=3', '>=4' or 5 (CRS, ICANS, ...)",
    )
    parser.add_argument(
        "--grading-scale",
        type=_grading_scale,
        help=prefix + "toxicity grading scale: astct-2019, lee-2014, ctcae-5.0, ...",
    )


def _timepoint(text: str) -> str:
    """Check a ``--timepoint`` argument: a time with its unit, such as ``12 month``."""
    from cartlandscape.errors import FieldError
    from cartlandscape.fields import check_value
    from cartlandscape.values import parse_value

    try:
        check_value("timepoint", parse_value(text), "time")
    except FieldError:
        raise argparse.ArgumentTypeError(
            f"expected a time with its unit, such as '12 month' or '2 year', not {text!r}"
        ) from None
    return text


def _correction(text: str) -> float:
    """Check a ``--correction`` argument: a finite number of 0 or more."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(
            f"expected a number of 0 or more, such as 0.5, not {text!r}"
        )
    return value


def _level(text: str) -> float:
    """Check a ``--level`` argument: a number between 0 and 1, such as 0.95."""
    from cartlandscape.stats import check_level

    try:
        return check_level(float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number above 0 and below 1, such as 0.95, not {text!r}"
        ) from None


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _common(formats: tuple[str, ...] | None, default: str = "table") -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="PATH",
        help="a data file or folder (TOML or JSON) to add to the bundled data; repeatable",
    )
    if formats:
        parent.add_argument(
            "--format",
            choices=formats,
            default=default,
            help=f"output format (default: {default})",
        )
    return parent


def _command(
    commands: Any,
    name: str,
    handler: Handler,
    help: str,
    examples: tuple[str, ...],
    formats: tuple[str, ...] | None = TABULAR,
    default: str = "table",
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=help,
        description=help[0].upper() + help[1:] + ".",
        epilog=_examples(*examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[_common(formats, default)],
    )
    parser.set_defaults(handler=handler)
    return parser


def _kind(parser: argparse.ArgumentParser, help: str, action: str = "store") -> None:
    """The ``--kind`` option of the commands that look among records of every kind."""
    parser.add_argument("--kind", action=action, choices=KINDS, help=help)


def _trial_filters(parser: argparse.ArgumentParser) -> None:
    """The filters every ``trials`` subcommand takes (those of ``Registry.trials_for``)."""
    group = parser.add_argument_group("filters (all must match)")
    group.add_argument("--target", help="a target by any name: CD19, BCMA, 'Claudin 18.2', ...")
    group.add_argument("--indication", help="an indication (sub-indications included)")
    group.add_argument(
        "--phase", help="a phase: early-1, 1, 2, 3 or 4 (a phase 1/2 trial has both)"
    )
    group.add_argument("--status", help="recruiting, completed, not-yet-recruiting, ...")
    group.add_argument("--country", help="a country of a site: ISO code (CN) or name (China)")
    group.add_argument("--sponsor-class", help="industry, other, nih, other-gov, network, ...")
    group.add_argument(
        "--started",
        metavar="FROM:TO",
        help="start between two years or dates: 2020:2022, 2021:, :2018",
    )
    group.add_argument("--modality", help="car-t, car-nk or other (CAR-M and other CAR cells)")
    group.add_argument("--product", help="a product (therapy) by any name: CTL019, cilta-cel, ...")
    group.add_argument(
        "--scope",
        choices=("pipeline", "flagged", "all"),
        default="pipeline",
        help="pipeline trials (default), those flagged as only mentioning CAR-T, or all",
    )
    parser.add_argument(
        "--bundle", metavar="FILE", help="a trial bundle to read instead of the bundled snapshot"
    )


def _trials(commands: Any) -> None:
    """``cartlandscape trials SUBCOMMAND``: the registered-trial pipeline.

    ``fetch`` (:func:`_fetch`) refreshes the studies from ClinicalTrials.gov; ``list``,
    ``show``, ``table`` and ``plot`` query the bundled snapshot (or a ``--bundle``).
    """
    group = commands.add_parser(
        "trials",
        help="registered CAR-based cell therapy trials: fetch, list, show, tables, plot",
        description="Registered CAR-based cell therapy trials (a ClinicalTrials.gov snapshot).",
        epilog=_examples(
            "cartlandscape trials list --target BCMA --phase 3",
            "cartlandscape trials list --country CN --started 2023:2025 --format csv",
            "cartlandscape trials show NCT02348216",
            "cartlandscape trials table target-phase",
            "cartlandscape trials plot -o trials.png",
            'cartlandscape trials fetch --query "CAR-T" -o car-t.json.gz',
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = group.add_subparsers(dest="trials_command", required=True, metavar="SUBCOMMAND")
    _fetch(sub)
    listing = _command(
        sub,
        "list",
        _handlers.trials_list,
        "trials matching the filters",
        (
            "cartlandscape trials list --target CD19 --status recruiting",
            "cartlandscape trials list --product cilta-cel --format json",
            "cartlandscape trials list --scope flagged --limit 0",
        ),
    )
    _trial_filters(listing)
    listing.add_argument(
        "--limit", type=int, default=50, help="table rows shown (default 50; 0 for all)"
    )
    show = _command(
        sub,
        "show",
        _handlers.trials_show,
        "one trial with its annotations and their evidence",
        (
            "cartlandscape trials show NCT02348216",
            "cartlandscape trials show NCT02348216 --format json",
        ),
        formats=("table", "json"),
    )
    show.add_argument("id", metavar="ID", help="a registry id (NCT...)")
    show.add_argument("--bundle", metavar="FILE", help="a trial bundle instead of the bundled one")
    tables = _command(
        sub,
        "table",
        _handlers.trials_table,
        "a landscape table: target x phase, country x start year, or the top sponsors",
        (
            "cartlandscape trials table target-phase --limit 15",
            "cartlandscape trials table country-year --format csv",
            "cartlandscape trials table sponsors --sponsor-class industry",
        ),
    )
    tables.add_argument("view", choices=("target-phase", "country-year", "sponsors"))
    _trial_filters(tables)
    tables.add_argument("--limit", type=int, default=0, help="rows shown (0: all; sponsors: 10)")
    plot = _command(
        sub,
        "plot",
        _handlers.trials_plot,
        "plot trials started per year by country and the top targets (needs matplotlib)",
        (
            "cartlandscape trials plot -o trials.png",
            "cartlandscape trials plot --target CD19 -o cd19.svg",
        ),
        formats=None,
    )
    _trial_filters(plot)
    plot.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the image (.png or .svg)"
    )


# Long by design: a flat declaration table of every command and option, read top to bottom.
def build_parser() -> argparse.ArgumentParser:
    """The parser of ``cartlandscape`` and its commands."""
    parser = argparse.ArgumentParser(
        prog="cartlandscape",
        description="The CAR-T cell therapy landscape: typed, cited records of approved "
        "products, targets, indications, outcomes, institutions and policies.",
        epilog=_examples(
            "cartlandscape summary",
            "cartlandscape show CNCT19",
            "cartlandscape search lymphoma",
            "cartlandscape export --format json -o landscape.json",
            "cartlandscape validate my-data/",
            "",
            "Run 'cartlandscape COMMAND --help' for a command's options.",
            "Exit status: 0 done, 1 a problem with the data or a name, 2 wrong arguments.",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _command(
        commands,
        "summary",
        _handlers.summary,
        "the landscape at a glance: approved products, outcomes, policies, counts",
        (
            "cartlandscape summary",
            "cartlandscape summary --all",
            "cartlandscape summary --format json",
            "cartlandscape summary --data my-data/",
        ),
        formats=("table", "json"),
    ).add_argument(
        "--all",
        action="store_true",
        help="also list the approval timeline and every institution",
    )

    show = _command(
        commands,
        "show",
        _handlers.show,
        "one record, found by any of its names, with its related records and citations",
        (
            "cartlandscape show inati-cel        # a therapy, by INN, brand or code",
            "cartlandscape show CD19             # a target",
            "cartlandscape show DLBCL            # an indication",
            "cartlandscape show FAHZU            # an institution",
            "cartlandscape show CNCT19 --format json",
        ),
        formats=("table", "json"),
    )
    show.add_argument("name", metavar="NAME", help="an id, name, INN, brand, code or alias")
    _kind(show, "only look among records of this kind")

    search = _command(
        commands,
        "search",
        _handlers.search,
        "records whose names contain a text, across kinds",
        (
            "cartlandscape search lymphoma",
            "cartlandscape search cel --kind therapy",
            "cartlandscape search cd --format csv",
        ),
    )
    search.add_argument("text", metavar="TEXT", help="text to look for in names")
    _kind(search, "only records of this kind")

    compare = _command(
        commands,
        "compare",
        _handlers.compare,
        "compare therapies on one endpoint, or rank every outcome of it",
        (
            "cartlandscape compare cilta-cel ide-cel --endpoint ORR",
            "cartlandscape compare axi-cel liso-cel --endpoint CR --indication LBCL",
            "cartlandscape compare CNCT19 axi-cel --endpoint ORR --allow-mismatch",
            "cartlandscape compare --endpoint ORR --indication 'multiple myeloma'   # ranks all",
            "cartlandscape compare --endpoint 'PFS rate' --timepoint '12 month' --format csv",
            "cartlandscape compare axi-cel tisa-cel --endpoint CRS --grade '>=3'",
        ),
    )
    compare.add_argument(
        "therapies",
        nargs="*",
        metavar="THERAPY",
        help="two or more therapies by any name; none ranks every outcome of the endpoint",
    )
    compare.add_argument("--endpoint", type=_endpoint, required=True, help=_ENDPOINT_HELP)
    compare.add_argument(
        "--indication", help="only results in this indication (sub-indications included)"
    )
    compare.add_argument(
        "--timepoint", type=_timepoint, help="only results at this time point ('12 month')"
    )
    compare.add_argument(
        "--allow-mismatch",
        action="store_true",
        help="compare although indications, time points or grading differ (each is flagged)",
    )
    compare.add_argument(
        "--lowest-first", action="store_true", help="rank from the lowest value up"
    )
    _add_grading(compare)
    compare.add_argument("--one-per-study", action="store_true", help=_ONE_PER_STUDY_HELP)

    pool = _command(
        commands,
        "pool",
        _handlers.pool,
        "pool a proportion endpoint across studies (random effects meta-analysis)",
        (
            "cartlandscape pool --endpoint ORR --target BCMA --one-per-study",
            "cartlandscape pool --endpoint ORR --target BCMA --one-per-study --tau2 reml "
            "--ci hartung-knapp",
            "cartlandscape pool --endpoint ORR --one-per-study --by target",
            "cartlandscape pool --endpoint ORR --indication LBCL --one-per-study --format json",
            "cartlandscape pool --outcome ID --outcome ID2 --level 0.9",
            'pip install "cartlandscape[stats]"   # scipy: Paule–Mandel, Hartung–Knapp, GLMM',
        ),
    )
    pool.add_argument("--endpoint", type=_endpoint, help=_ENDPOINT_HELP + " (required)")
    pool.add_argument("--therapy", help="only outcomes of this therapy")
    pool.add_argument("--target", help="only outcomes of therapies directed against this target")
    pool.add_argument(
        "--indication", help="only outcomes in this indication (sub-indications included)"
    )
    pool.add_argument(
        "--outcome",
        action="append",
        metavar="ID",
        help="pool exactly these outcomes, by id (repeatable; instead of --endpoint and filters)",
    )
    pool.add_argument("--one-per-study", action="store_true", help=_ONE_PER_STUDY_HELP)
    _add_grading(pool, "only outcomes with these ")
    pool.add_argument("--level", type=_level, default=0.95, help="confidence level (default: 0.95)")
    pool.add_argument(
        "--same-indication",
        action="store_true",
        help="refuse to pool outcomes of different indications",
    )
    method = pool.add_argument_group("method (pm, hartung-knapp and --glmm need scipy)")
    method.add_argument(
        "--measure",
        choices=("logit", "freeman-tukey"),
        default="logit",
        help="the scale studies are pooled on (default: logit)",
    )
    method.add_argument(
        "--tau2",
        choices=("dl", "reml", "pm", "ml"),
        help="the between-study variance estimator (default: dl, DerSimonian–Laird)",
    )
    method.add_argument(
        "--ci",
        choices=("normal", "hartung-knapp"),
        default="normal",
        help="the confidence interval (default: normal)",
    )
    method.add_argument(
        "--glmm",
        action="store_true",
        help="fit the binomial-normal GLMM by maximum likelihood instead (logit scale)",
    )
    method.add_argument(
        "--correction",
        type=_correction,
        default=0.5,
        help="added to the cells of a study with 0 or n events, logit scale (default: 0.5)",
    )
    method.add_argument(
        "--by",
        choices=("target", "indication", "therapy"),
        help="pool each subgroup on its own and test whether they differ",
    )
    method.add_argument(
        "--leave-one-out",
        action="store_true",
        help="also pool with each study left out in turn (a sensitivity analysis)",
    )

    plot = _command(
        commands,
        "plot",
        _handlers.plot,
        "draw a forest plot of an endpoint, or a timeline of approvals (needs matplotlib)",
        (
            "cartlandscape plot forest cilta-cel ide-cel --endpoint ORR -o orr.png",
            "cartlandscape plot forest --endpoint CR --indication LBCL -o cr.svg",
            "cartlandscape plot timeline -o approvals.svg",
            "cartlandscape plot timeline --agency NMPA -o nmpa.png",
            'pip install "cartlandscape[plot]"   # installs matplotlib',
        ),
        formats=None,
    )
    plot.add_argument("chart", choices=("forest", "timeline"), help="which chart to draw")
    plot.add_argument(
        "therapies",
        nargs="*",
        metavar="THERAPY",
        help="forest: two or more therapies; none plots every outcome of the endpoint",
    )
    plot.add_argument(
        "--endpoint", type=_endpoint, help="forest: the endpoint: " + _ENDPOINT_HELP.split(": ")[1]
    )
    plot.add_argument("--indication", help="forest: only this indication (and those under it)")
    plot.add_argument(
        "--timepoint", type=_timepoint, help="forest: only results at this time point ('12 month')"
    )
    plot.add_argument(
        "--allow-mismatch",
        action="store_true",
        help="forest: plot although indications, time points or grading differ",
    )
    _add_grading(plot, "forest: ")
    plot.add_argument("--one-per-study", action="store_true", help="forest: " + _ONE_PER_STUDY_HELP)
    plot.add_argument("--agency", help="timeline: only this agency's approvals (NMPA, FDA, ...)")
    plot.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the image file (.png or .svg)"
    )

    export = _command(
        commands,
        "export",
        _handlers.export,
        "write records as JSON or CSV",
        (
            "cartlandscape export --format json -o landscape.json   # every kind, loadable again",
            "cartlandscape export --kind therapy --kind target --format json",
            "cartlandscape export --kind outcome --format csv -o outcomes.csv",
        ),
        formats=("json", "csv"),
        default="json",
    )
    _kind(export, "only records of this kind; repeatable (CSV takes exactly one)", "append")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not to the screen")

    validate = _command(
        commands,
        "validate",
        _handlers.validate,
        "check data files against the schema and the bundled data",
        (
            "cartlandscape validate my-data/",
            "cartlandscape validate therapies.toml outcomes.json",
            "cartlandscape validate full-export.json --no-bundled",
            "cartlandscape validate my-data/ --format json   # problems as JSON, for CI",
        ),
        formats=("table", "json"),
    )
    validate.add_argument("paths", nargs="+", metavar="PATH", help="data files or folders")
    validate.add_argument(
        "--no-bundled",
        action="store_true",
        help="check the files on their own, without the bundled data",
    )

    report = _command(
        commands,
        "report",
        _handlers.report,
        "write the landscape as one self-contained HTML page (charts need matplotlib)",
        (
            "cartlandscape report -o landscape.html",
            "cartlandscape report --data my-data/ -o my-landscape.html",
            "cartlandscape report --no-charts -o tables-only.html",
        ),
        formats=None,
    )
    report.add_argument(
        "-o",
        "--output",
        default="landscape.html",
        metavar="FILE",
        help="the HTML file to write (default: landscape.html)",
    )
    report.add_argument(
        "--no-charts", action="store_true", help="leave out the charts (no matplotlib needed)"
    )

    _trials(commands)
    return parser


def _page_size(text: str) -> int:
    """Check a ``--page-size`` argument: a whole number from 1 to 1000."""
    try:
        size = int(text)
    except ValueError:
        size = 0
    if not 1 <= size <= 1000:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 1000, not {text!r}")
    return size


def _fetch(group: Any) -> None:
    """``trials fetch``: studies of a query from the ClinicalTrials.gov API."""
    fetch: argparse.ArgumentParser = group.add_parser(
        "fetch",
        help="fetch the studies of a query from the ClinicalTrials.gov API (needs requests)",
        description="Fetch the studies of a query from the ClinicalTrials.gov API (version 2),\n"
        "keeping each raw page in the folder FILE.pages, and write the CAR-based cell\n"
        "therapy trials among them to FILE as a trial bundle (gzip JSON, for --bundle).\n"
        "About one request a second; busy or failing servers are tried again;\n"
        "a stopped fetch goes on with --resume.",
        epilog=_examples(
            'cartlandscape trials fetch --query "CAR-T" -o car-t.json.gz',
            'cartlandscape trials fetch --query "CAR T" --intervention "CD19" -o cd19.json.gz',
            'cartlandscape trials fetch --query "CAR-T" -o car-t.json.gz --resume',
            "cartlandscape trials list --bundle car-t.json.gz --target CD19",
            'pip install "cartlandscape[fetch]"   # installs requests and tqdm',
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fetch.set_defaults(handler=_handlers.trials_fetch)
    fetch.add_argument(
        "--query", metavar="TEXT", help="the API's query.term (other terms, Essie syntax)"
    )
    fetch.add_argument(
        "--intervention", metavar="TEXT", help="the API's query.intr (intervention / treatment)"
    )
    fetch.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="the trial bundle to write"
    )
    fetch.add_argument(
        "--page-size",
        type=_page_size,
        default=1000,
        metavar="N",
        help="studies a page, 1 to 1000 (default: 1000)",
    )
    fetch.add_argument(
        "--resume",
        action="store_true",
        help="go on with an earlier fetch of the same query into FILE.pages",
    )
