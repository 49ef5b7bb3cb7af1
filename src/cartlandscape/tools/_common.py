"""What the maintainer tools share: their options, the comparison with the files, the report."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from cartlandscape import atomic
from cartlandscape.errors import DataError
from cartlandscape.tools import TOOLS

_PROG: str = "python -m cartlandscape.tools"


def seeds_folder() -> Path:
    """The folder of the bundled seeds (in a source checkout, ``seeds/`` of the repository)."""
    from cartlandscape.loading import _bundled_root

    return Path(str(_bundled_root()))


def seeds_readme() -> Path:
    """The curators' notes, ``README.md`` of the bundled seeds folder."""
    return seeds_folder() / "README.md"


def parser(
    tool: str, description: str, *, paths: str | None = None, default: str = ""
) -> argparse.ArgumentParser:
    """The parser of *tool*: ``--check`` or ``--write``, and *paths* (files) if it takes any.

    *default* names, for the help, the files used when no path is given.
    """
    parsed = argparse.ArgumentParser(prog=f"{_PROG} {tool}", description=description)
    mode = parsed.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--check", action="store_true", help="say what is out of date and exit 1; change nothing"
    )
    mode.add_argument(
        "--write", action="store_true", help="rewrite what is out of date (whole or not at all)"
    )
    if paths is not None:
        parsed.add_argument("paths", nargs="*", type=Path, help=f"{paths} (default: {default})")
    return parsed


def generate(
    paths: Iterable[Path], make: Callable[[Path], str]
) -> tuple[list[tuple[Path, str]], list[str]]:
    """The text *make* generates for each of *paths*, and a message for each it could not.

    A file that cannot be read, or whose text *make* refuses (a :class:`ValueError`, such as
    missing markers or data that do not load), is reported and left out.
    """
    generated: list[tuple[Path, str]] = []
    problems: list[str] = []
    for path in paths:
        try:
            generated.append((path, make(path)))
        except DataError as exc:  # its problems name the file already
            problems.append(str(exc))
        except ValueError as exc:
            problems.append(f"{path}: {exc}")
        except OSError as exc:
            problems.append(f"{path}: cannot be read ({exc.strerror})")
    return generated, problems


def settle(
    tool: str,
    args: argparse.Namespace,
    generated: Iterable[tuple[Path, str]],
    problems: Sequence[str] = (),
    *,
    stale: str = "out of date",
) -> int:
    """Compare each generated text with its file, then write it or report it; the exit status.

    With ``--write`` a file whose text differs is replaced (atomically); with ``--check`` it
    is reported as *stale*, with the command that brings it up to date.  The *problems* the
    tool found are reported too, on standard error, and make the status 1.
    """
    found = list(problems)
    for path, text in generated:
        data = text.encode("utf-8")
        try:
            current: bytes | None = path.read_bytes()
        except OSError:
            current = None
        if data == current:
            continue
        if args.check:
            found.append(f"{path}: {stale}; run: {rerun(tool, args)}")
        else:
            atomic.write_bytes(path, data)
            print(f"rewrote {path}")
    for problem in found:
        print(problem, file=sys.stderr)
    return 1 if found else 0


def rerun(tool: str, args: argparse.Namespace) -> str:
    """The command that writes what ``--check`` found out of date."""
    paths = " ".join(str(p) for p in getattr(args, "paths", None) or ())
    return f"{_PROG} {tool} --write{' ' + paths if paths else ''}"


def dispatch(argv: Sequence[str]) -> int:
    """Run the tool named first in *argv* with the rest; ``all`` runs every tool in turn."""
    usage = f"usage: {_PROG} {{{','.join((*TOOLS, 'all'))}}} --check|--write [PATH...]"
    if not argv or argv[0] not in (*TOOLS, "all"):
        if argv and argv[0] in ("-h", "--help"):
            print(f"{usage}\n\n{_doc()}")
            return 0
        print(usage, file=sys.stderr)
        return 2
    name, rest = argv[0], list(argv[1:])
    if name != "all":
        return _main(name)(rest)
    if rest not in (["--check"], ["--write"]):
        print(f"usage: {_PROG} all --check|--write", file=sys.stderr)
        return 2
    status = 0
    for tool in TOOLS:
        status = max(status, _main(tool)(rest))
    return status


def _main(tool: str) -> Callable[[Sequence[str] | None], int]:
    module = importlib.import_module(f"cartlandscape.tools.{tool}")
    main: Callable[[Sequence[str] | None], int] = module.main
    return main


def _doc() -> str:
    from cartlandscape import tools

    return (tools.__doc__ or "").strip()
