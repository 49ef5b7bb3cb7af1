"""The documentation: every code block in docs/ is run or checked, and the site builds.

Python blocks are doctests, run by pytest itself (``--doctest-glob=*.md`` over ``docs``); the
tests here make sure no other kind of block goes unchecked, and test the build hooks that
generate pages from the code.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import cartlandscape
from cartlandscape.kinds import BASE_KINDS, tags
from cartlandscape.tools import datadict

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_hooks" not in p.parts)
FENCE = re.compile(
    r"^(?P<indent> *)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```\s*$", re.M | re.S
)
#: The kinds of fenced block the docs may hold; each is checked by a test below.
CHECKED = {"python", "toml", "bash", "console", "text"}


@attrs.frozen
class Block:
    page: Path
    lang: str
    body: str

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.lang}"


def _blocks(text: str, page: Path) -> list[Block]:
    found = []
    for match in FENCE.finditer(text):
        indent = len(match["indent"])
        body = "\n".join(line[indent:] for line in match["body"].splitlines())
        found.append(Block(page, match["lang"], body))
    return found


BLOCKS = [b for page in PAGES for b in _blocks(page.read_text(encoding="utf-8"), page)]


def _of(lang: str) -> list[Block]:
    return [b for b in BLOCKS if b.lang == lang]


def _ids(blocks: list[Block]) -> list[str]:
    return [b.name for b in blocks]


def _hook(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"docs_hook_{name}", DOCS / "_hooks" / f"{name}.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _doctest_source(page: Path) -> str:
    """The source code of every doctest example on *page*, joined."""
    parser = doctest.DocTestParser()
    examples = parser.get_examples(page.read_text(encoding="utf-8"))
    return "".join(e.source for e in examples)


def test_docs_have_pages_and_blocks() -> None:
    """The docs folder has Markdown pages with code blocks to check."""
    assert len(PAGES) >= 8
    assert len(_of("python")) >= 10


@pytest.mark.parametrize("block", BLOCKS, ids=_ids(BLOCKS))
def test_every_block_is_of_a_checked_kind(block: Block) -> None:
    """Every fenced block names a language that a test runs or checks."""
    assert block.lang in CHECKED, f"{block.name}: no test checks ```{block.lang} blocks"


@pytest.mark.parametrize("block", _of("text"), ids=_ids(_of("text")))
def test_every_name_a_diagram_gives_exists(block: Block) -> None:
    """A diagram (a text block) names modules and functions of the package that exist."""
    import importlib
    import importlib.util
    import re

    named = re.findall(r"\b([a-z_]+)\.([A-Za-z_]+)\b", block.body)
    assert named, f"{block.name}: a text block is a diagram that names the code"
    for module, attribute in named:
        if module == "seeds" or attribute in {"py", "toml", "json"}:
            continue  # a file, not a name in the code
        found = importlib.import_module(f"cartlandscape.{module}")
        exists = hasattr(found, attribute) or importlib.util.find_spec(
            f"cartlandscape.{module}.{attribute}"
        )
        assert exists, f"{block.name}: {module}.{attribute} does not exist"


@pytest.mark.parametrize("block", _of("python"), ids=_ids(_of("python")))
def test_every_python_block_is_a_doctest(block: Block) -> None:
    """Every Python block is written as doctest examples, so pytest runs it."""
    lines = [line for line in block.body.splitlines() if line.strip()]
    assert lines, f"{block.name} is empty"
    assert lines[0].startswith(">>> "), f"{block.name} does not start with >>>"


@pytest.mark.parametrize("block", _of("toml"), ids=_ids(_of("toml")))
def test_toml_blocks_load(block: Block, tmp_path: Path) -> None:
    """A TOML data file shown in the docs loads with the bundled data, or a doctest loads it."""
    document = tomllib.loads(block.body)
    if set(document) <= set(BASE_KINDS):
        (tmp_path / "shown.toml").write_text(block.body, encoding="utf-8")
        registry = cartlandscape.load(tmp_path)
        for tag, items in document.items():
            for item in items:
                assert registry.get(tag, item["id"]) is not None
    else:
        unknown = set(document) - set(tags())
        assert unknown, f"{block.name}: tags {sorted(document)} should load"
        assert block.body.strip() in _doctest_source(block.page), (
            f"{block.name} uses the tags {sorted(unknown)}: a doctest on the page must load it"
        )


def _readme_commands() -> list[str]:
    """The README's two set-up commands: its first two code blocks."""
    readme = ROOT / "README.md"
    blocks = _blocks(readme.read_text(encoding="utf-8"), readme)[:2]
    assert [b.lang for b in blocks] == ["bash", "bash"], "the README opens with two commands"
    return [b.body.strip() for b in blocks]


def _ci_lines() -> list[str]:
    return [
        line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    ]


@pytest.mark.parametrize("block", _of("bash"), ids=_ids(_of("bash")))
def test_bash_blocks_are_commands_the_project_runs(block: Block) -> None:
    """A shell command in the docs is one of the README's or one that CI runs."""
    command = block.body.strip()
    lines = [line.strip() for line in command.splitlines()]
    assert command in _readme_commands() or all(line in _ci_lines() for line in lines), (
        f"{block.name}: {command!r} is neither a README command nor lines of .ci/run"
    )


def test_getting_started_has_the_readme_commands_exactly() -> None:
    """The getting-started page gives the README's two commands, unchanged and in order."""
    page = DOCS / "getting-started.md"
    shown = [
        b.body.strip() for b in _blocks(page.read_text(encoding="utf-8"), page) if b.lang == "bash"
    ]
    readme = _readme_commands()
    assert len(readme) == 2
    assert shown[:2] == readme


def test_readme_test_command_is_what_ci_runs() -> None:
    """CI runs the README's test command exactly as written."""
    assert _readme_commands()[1] in _ci_lines()


def _script(name: str) -> str:
    script = Path(sys.executable).parent / name
    assert script.exists(), f"the {name} command is not installed at {script}"
    return str(script)


def test_readme_main_job_runs() -> None:
    """The command after the install in the README's first command runs and prints the summary."""
    _, _, job = _readme_commands()[0].partition(" && ")
    words = shlex.split(job)
    done = subprocess.run(
        [_script(words[0]), *words[1:]], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Approved products" in done.stdout


@pytest.mark.parametrize("block", _of("console"), ids=_ids(_of("console")))
def test_console_blocks_print_what_they_show(block: Block, tmp_path: Path) -> None:
    """Each `$ command` in a console block prints what the block shows (... matches anything).

    The commands of a block run one after the other in a fresh folder that has the examples.
    """
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    checker = doctest.OutputChecker()
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    runs = re.split(r"^\$ ", block.body, flags=re.M)[1:]
    assert runs, f"{block.name} has no '$ ' command"
    for run in runs:
        command, _, expected = run.partition("\n")
        words = shlex.split(command)
        assert words[0] == "cartlandscape", f"{block.name}: only cartlandscape commands run"
        done = subprocess.run(
            [_script(words[0]), *words[1:]],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        got = done.stdout + done.stderr
        assert checker.check_output(expected.strip() + "\n", got, flags), (
            f"{block.name}: `{command}` printed\n{got}"
        )


# -- the generated pages -----------------------------------------------------------------------


def test_dictionary_lists_every_field_of_every_record_class() -> None:
    """The generated data dictionary has a row for every attrs field of every record class."""
    site = _hook("site")
    text = site.dictionary_markdown()
    classes = datadict.record_classes()
    assert {cls for cls, _ in BASE_KINDS.values()} <= set(classes)
    nested = {c.__name__ for c in classes} - {cls.__name__ for cls, _ in BASE_KINDS.values()}
    assert nested == {
        "Citation",
        "Construct",
        "Disagreement",
        "HazardRatio",
        "Milestone",
        "Study",
        "Period",
    }
    for cls in classes:
        heading = re.compile(rf"^## (`\[\[[a-z]+\]\]` — )?{cls.__name__}( \(nested\))?$", re.M)
        found = heading.search(text)
        assert found, f"{cls.__name__} has no section"
        section = text[found.end() :].split("\n## ", 1)[0]
        for field in attrs.fields(cls):
            assert f"| `{field.name}` |" in section, f"{cls.__name__}.{field.name} is missing"


def test_dictionary_quotes_each_validator_and_reference_kind() -> None:
    """Each row says what the field's validator expects and which kind it refers to."""
    site = _hook("site")
    fields = attrs.fields_dict(cartlandscape.Target)
    assert datadict.expects(fields["hgnc"]) == "an HGNC id such as 'HGNC:1633'"
    assert datadict.expects(fields["citations"]) == "at least one citation"
    timepoint = attrs.fields_dict(cartlandscape.Outcome)["timepoint"]
    assert datadict.expects(timepoint).endswith("dimension: time")
    rows = site.dictionary_markdown().splitlines()
    (row,) = [r for r in rows if r.startswith("| `targets` |")]
    assert "target id" in row
    (row,) = [r for r in rows if r.startswith("| `subject` |")]
    assert "any kind" in row


def test_the_site_and_the_readme_share_one_data_dictionary() -> None:
    """The site's page is the generator's dictionary under a heading, as in seeds/README.md."""
    site = _hook("site")
    assert site.dictionary_markdown().endswith("\n" + datadict.markdown(level=2))
    readme = (ROOT / "seeds" / "README.md").read_text(encoding="utf-8")
    assert f"{datadict.START}\n\n{datadict.markdown(level=3)}\n{datadict.END}" in readme


def test_dictionary_lists_every_endpoint_vocabulary_and_unit() -> None:
    """The dictionary lists each endpoint, each vocabulary value and each unit of units.txt."""
    site = _hook("site")
    text = site.dictionary_markdown()
    for endpoint in cartlandscape.Endpoint:
        assert f"| `{endpoint.value}` |" in text
    for member in cartlandscape.MilestoneKind:
        assert f"`{member.value}`" in text
    for unit in ("percent", "patient", "CNY", "month"):
        assert f"| `{unit}` |" in text


def test_seeds_page_includes_the_curators_readme() -> None:
    """The curators' notes page holds seeds/README.md, its dictionary replaced by a link."""
    site = _hook("site")
    text = site.seeds_markdown()
    readme = (ROOT / "seeds" / "README.md").read_text(encoding="utf-8")
    assert text.splitlines()[0] == readme.splitlines()[0]
    assert "<!-- datadict:start -->" not in text
    assert "](dictionary.md)" in text


def test_source_list_has_every_source() -> None:
    """The generated source list has a row for each source of the bundled data."""
    site = _hook("site")
    text = site.sources_markdown()
    for source in cartlandscape.registry().sources:
        assert f"| `{source.id}` |" in text


def test_examples_page_shows_every_script() -> None:
    """The examples page shows each script in examples/ with its source."""
    site = _hook("site")
    text = site.examples_markdown()
    for script in (ROOT / "examples").glob("*.py"):
        assert f"## {script.name}" in text
        last_lines = script.read_text(encoding="utf-8").strip().splitlines()[-5:]
        assert "\n".join(last_lines) in text


def test_every_public_module_has_a_reference_page() -> None:
    """Each public module of the package is documented on a page of the API reference."""
    documented = {
        line.removeprefix(":::").strip()
        for page in (DOCS / "reference").glob("*.md")
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith(":::")
    }
    package = ROOT / "src" / "cartlandscape"
    public = {
        f"cartlandscape.{p.stem if p.is_file() else p.name}"
        for p in package.iterdir()
        if not p.name.startswith("_") and (p.suffix == ".py" or (p / "__init__.py").is_file())
    }
    assert public - documented == set()
    assert "cartlandscape._registry" in documented


def test_roles_become_links_or_code() -> None:
    """reST roles become cross-references to documented names, or plain code otherwise."""
    pytest.importorskip("griffe")
    roles = _hook("roles")
    text = roles.to_markdown(
        "See :class:`~cartlandscape.errors.DataError`, :func:`cartlandscape.load` and "
        ":class:`pint.Quantity`.",
        "cartlandscape.models",
        "cartlandscape.models",
    )
    assert "[`DataError`][cartlandscape.errors.DataError]" in text
    assert "[`cartlandscape.load`][cartlandscape.loading.load]" in text
    assert "`pint.Quantity`" in text
    assert "][pint" not in text


def test_doctests_and_tables_become_markdown() -> None:
    """Doctest examples become fenced blocks and reST simple tables become Markdown tables."""
    pytest.importorskip("griffe")
    roles = _hook("roles")
    text = roles.to_markdown(
        "Forms:\n\n=====  ====\nform   text\n=====  ====\nExact  ``1 percent``\n=====  ====\n\n"
        ">>> 1 + 1  # doctest: +SKIP\n2\n"
    )
    assert "| form | text |" in text
    assert "| Exact | ``1 percent`` |" in text
    assert "```pycon\n>>> 1 + 1\n2\n```" in text


def test_site_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    """`mkdocs build --strict` succeeds (where the docs extra is installed)."""
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings_handlers.python")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "data" / "dictionary" / "index.html").is_file()
    assert (tmp_path / "site" / "reference" / "models" / "index.html").is_file()
