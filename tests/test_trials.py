"""The trial pipeline: records, conversion (CSV rows and API v2 studies), the bundle, queries."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cartlandscape
from cartlandscape.errors import DataError, FieldError, UnknownNameError
from cartlandscape.models import Citation, Outcome, Study
from cartlandscape.trials.build import build, main, read_api_studies
from cartlandscape.trials.convert import from_api_studies, from_csv_rows, select
from cartlandscape.trials.model import (
    Certainty,
    Enrollment,
    Phase,
    Scope,
    Trial,
    TrialDate,
    TrialStatus,
)
from cartlandscape.trials.query import country_year, target_phase, top_sponsors, trials_for
from cartlandscape.trials.store import (
    bundled_meta,
    bundled_path,
    read_trials,
    trials_of,
)
from cartlandscape.vocabulary import Modality

FIXTURES = Path(__file__).parent / "fixtures"
API_STUDIES = FIXTURES / "trials" / "api_car_t_studies.json"
CTGOV = FIXTURES / "ctgov"
SNAPSHOT = Path("/work/shared/ctgov/cart_trials_2026-10.csv")
CITE = (Citation(source="clinicaltrials-gov", locator="study record NCT00000001"),)
HEADER = (
    "trial_id,title,status,phase,start_date,completion_date,primary_completion,enrollment,"
    "enrollment_type,conditions,intervention_names,intervention_types,sponsor,sponsor_class,"
    "countries,min_age,max_age,gender,std_ages,primary_outcome,results_posted,is_pediatric,"
    "start_year"
)


def rows(*lines: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(HEADER + "\n" + "\n".join(lines) + "\n")))


# -- records ------------------------------------------------------------------------------------


def test_trial_id_must_be_its_registry_id_in_lower_case() -> None:
    with pytest.raises(FieldError, match="nct00000001"):
        Trial(
            id="nct00000002",
            registry_ids=("NCT00000001",),
            title="T",
            status="recruiting",
            citations=CITE,
        )
    with pytest.raises(FieldError, match="registry_ids"):
        Trial(
            id="nct00000001", registry_ids=("NCT1",), title="T", status="recruiting", citations=CITE
        )


def test_trial_fields_are_checked() -> None:
    with pytest.raises(FieldError, match="phases"):
        Trial(
            id="nct00000001",
            registry_ids=("NCT00000001",),
            title="T",
            status="recruiting",
            phases=("2", "1"),
            citations=CITE,
        )
    with pytest.raises(FieldError, match="count"):
        Enrollment(count=-1)
    with pytest.raises(FieldError, match="countries"):
        Trial(
            id="nct00000001",
            registry_ids=("NCT00000001",),
            title="T",
            status="recruiting",
            countries=("China",),
            citations=CITE,
        )
    with pytest.raises(FieldError, match="citation"):
        Trial(
            id="nct00000001",
            registry_ids=("NCT00000001",),
            title="T",
            status="recruiting",
            citations=(),
        )


def test_trial_registry_ids_take_the_other_registries() -> None:
    trial = Trial(
        id="nct00000001",
        registry_ids=(
            "NCT00000001",
            "ChiCTR2300071234",
            "EudraCT 2015-005000-39",
            "CTR20181234",
            "jRCT2031210001",
        ),
        title="T",
        status="recruiting",
        phases=("early-1",),
        citations=CITE,
    )
    assert trial.names()[:3] == ("nct00000001", "NCT00000001", "ChiCTR2300071234")
    assert trial.phase_label == "Early phase 1"
    assert trial.in_pipeline  # no scope annotation: not judged to only mention CAR-T


def test_trial_round_trips_through_the_converter() -> None:
    (trial, *_) = from_api_studies(json.loads(API_STUDIES.read_text()), retrieved="2026-10")
    conv = cartlandscape.converter()
    assert conv.structure(conv.unstructure(trial), Trial) == trial


# -- the CSV snapshot rows ----------------------------------------------------------------------


def test_csv_row_defects_are_handled() -> None:
    (trial,) = from_csv_rows(
        rows(
            "NCT01234567,CD19 CAR-T Cells for B-ALL,RECRUITING,Phase 1/2,2025-04-01,2027-12-01,"
            '2027-03,105.0,,,"CD19 CAR-T | Fludarabine",BIOLOGICAL | DRUG,Zhejiang University,'
            "OTHER,China | United States,18 Years,,ALL,,ORR,False,False,2025.0"
        ),
        retrieved="2026-10",
    )
    assert str(trial.start.date) == "2025-04"  # day 01 is not day precision in this table
    assert trial.start.type is None  # before the retrieval: actual or anticipated unknown
    assert str(trial.completion.date) == "2027-12"
    assert trial.completion.type is Certainty.ANTICIPATED
    assert str(trial.primary_completion.date) == "2027-03"
    assert trial.enrollment == Enrollment(count=105, type=None)
    assert trial.phases == (Phase.PHASE_1, Phase.PHASE_2)
    assert trial.countries == ("CN", "US")
    assert trial.sponsor.institution == "zhejiang-university"
    assert [i.type.value for i in trial.interventions] == ["biological", "drug"]
    assert trial.target_ids == ("cd19",)
    assert trial.indication_ids == ("b-cell-acute-lymphoblastic-leukemia",)
    assert [c.source for c in trial.citations] == [
        "clinicaltrials-gov",
        "cartbridgehealth-cart-trials-2026-10",
    ]


def test_csv_keeps_a_real_day_and_reads_month_dates() -> None:
    (trial,) = from_csv_rows(
        rows("NCT01234567,CAR-T,COMPLETED,N/A,2019-03-14,,,,,,,,,,,,,,,,,,"), retrieved="2026-10"
    )
    assert str(trial.start.date) == "2019-03-14"
    assert trial.phases == ()
    assert trial.enrollment is None
    assert trial.sponsor is None


def test_csv_problems_are_reported_together() -> None:
    with pytest.raises(DataError) as caught:
        from_csv_rows(
            rows(
                "NCT01234567,CAR-T,RECRUITING,Phase 9,2025-13-01,,,10.5,,,,,,,Atlantis,,,,,,,,",
                "NCT7654321,CAR-T,RECRUITING,Phase 1,,,,,,,,,,,,,,,,,,,",
            ),
            retrieved="2026-10",
            file="trials.csv",
        )
    text = str(caught.value)
    for expected in ("Phase 9", "2025-13-01", "10.5", "Atlantis", "NCT7654321", "trials.csv"):
        assert expected in text


# -- API v2 studies -----------------------------------------------------------------------------


def test_api_studies_convert_with_every_field() -> None:
    trials = {
        t.id: t for t in from_api_studies(json.loads(API_STUDIES.read_text()), retrieved="2026-10")
    }
    mm = trials["nct09000001"]
    assert mm.registry_ids == ("NCT09000001", "EudraCT 2023-501234-12", "ChiCTR2300071234")
    assert mm.acronym == "TESTMM-1"
    assert mm.phases == (Phase.PHASE_2, Phase.PHASE_3)
    assert mm.status is TrialStatus.ACTIVE_NOT_RECRUITING
    assert mm.start == TrialDate(date="2022-03", type="actual")
    assert mm.completion == TrialDate(date="2028-06", type="anticipated")
    assert mm.enrollment == Enrollment(count=120, type=Certainty.ACTUAL)
    assert mm.countries == ("CN", "ES")
    assert mm.sponsor.institution == "legend-biotech"
    assert mm.interventions[0].other_names == ("LCAR-B38M", "JNJ-68284528")
    assert mm.product_ids == ("ciltacabtagene-autoleucel",)
    assert mm.target_ids == ("bcma",)
    assert mm.indication_ids == ("multiple-myeloma",)
    assert mm.summary.startswith("An open-label study")
    assert {e.field for e in mm.products[0].evidence} >= {
        "interventions[0].name",
        "interventions[0].other_names[0]",
    }
    assert trials["nct09000002"].scope.scope is Scope.OBSERVATIONAL
    assert trials["nct09000003"].scope.scope is Scope.SUPPORTIVE_CARE
    assert not trials["nct09000003"].in_pipeline
    nk = trials["nct09000004"]
    assert nk.modality.modality is Modality.CAR_NK
    assert nk.phases == (Phase.EARLY_1,)


def test_real_api_records_convert_and_are_dropped_as_not_car_based() -> None:
    studies = [
        s
        for f in sorted(CTGOV.glob("*.json"))
        if "receipts" not in f.name
        for s in read_api_studies(f)
    ]
    trials = from_api_studies(studies, retrieved="2026-11")
    assert len({t.id for t in trials}) == len(trials)  # a study on two pages is read once
    first = next(t for t in trials if t.id == "nct06171568")
    assert first.start.type is Certainty.ANTICIPATED
    assert first.countries == ("FR",)
    kept, dropped = select(trials)
    assert kept == []
    assert len(dropped) == len(trials)
    assert all("no CAR" in d.reason for d in dropped)


def test_api_problems_are_reported_together() -> None:
    bad = [
        {"protocolSection": {"identificationModule": {"nctId": "NCT1"}}},
        {
            "protocolSection": {
                "identificationModule": {"nctId": "NCT09000009", "briefTitle": "CAR-T"},
                "statusModule": {
                    "overallStatus": "RECRUITING",
                    "startDateStruct": {"date": "May 2020"},
                },
                "designModule": {"phases": ["PHASE7"], "enrollmentInfo": {"count": 3.5}},
                "contactsLocationsModule": {"locations": [{"country": "Atlantis"}]},
            }
        },
        {"no": "section"},
    ]
    with pytest.raises(DataError) as caught:
        from_api_studies(bad, retrieved="2026-10", file="page.json")
    text = str(caught.value)
    for expected in ("NCT1", "May 2020", "PHASE7", "3.5", "Atlantis", "protocolSection"):
        assert expected in text


# -- the bundle ---------------------------------------------------------------------------------


def test_build_from_api_json_and_read_back(tmp_path: Path) -> None:
    out = tmp_path / "mine.json.gz"
    meta = build(API_STUDIES, out, retrieved="2026-10")
    trials, read_meta = read_trials(out)
    assert {t.id for t in trials} == {"nct09000001", "nct09000002", "nct09000003", "nct09000004"}
    assert meta["counts"]["pipeline"] == 2
    assert meta["counts"]["dropped"] == 0
    assert json.loads((tmp_path / "mine.meta.json").read_text())["counts"] == meta["counts"]
    assert hashlib.sha256(out.read_bytes()).hexdigest() == meta["sha256"]
    assert read_meta["input_sha256"] == hashlib.sha256(API_STUDIES.read_bytes()).hexdigest()
    again = tmp_path / "again.json.gz"
    build(API_STUDIES, again, retrieved="2026-10")
    assert again.read_bytes() == out.read_bytes()  # reproducible


def test_build_reads_a_folder_of_raw_pages(tmp_path: Path) -> None:
    """The pages folder of a fetch (pages and their state file) builds like the studies file."""
    studies = json.loads(API_STUDIES.read_text())
    pages = tmp_path / "car-t.json.pages"
    pages.mkdir()
    (pages / "page-0001.json").write_text(
        json.dumps({"studies": studies[:3], "nextPageToken": "x"})
    )
    (pages / "page-0002.json").write_text(json.dumps({"studies": studies[2:]}))
    (pages / "state.json").write_text(json.dumps({"query": {"term": "CAR-T"}, "pages": []}))
    meta = build(pages, tmp_path / "b.json.gz")
    assert meta["counts"]["trials"] == 4  # the study on both pages is read once


def test_build_command_reports_counts_and_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(API_STUDIES), "-o", str(tmp_path / "b.json.gz")]) == 0
    assert "kept 4 CAR-based trials (2 in the pipeline" in capsys.readouterr().out
    broken = tmp_path / "broken.json"
    broken.write_text('{"studies": 3}')
    assert main([str(broken), "-o", str(tmp_path / "c.json.gz")]) == 1
    assert "broken.json" in capsys.readouterr().err


def test_bundle_references_are_checked_against_the_registry(tmp_path: Path) -> None:
    out = tmp_path / "b.json.gz"
    build(API_STUDIES, out)
    reg, _ = cartlandscape.loading.build(
        [("s.toml", b'[[source]]\nid = "x"\ntitle = "X"\ntype = "report"\n')]
    )
    with pytest.raises(DataError, match="no source has the id 'clinicaltrials-gov'"):
        trials_of(reg, out)


def test_a_bundle_of_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.json.gz"
    path.write_bytes(gzip.compress(b'{"meta": {"format": "other/9"}, "trial": []}'))
    with pytest.raises(DataError, match="format"):
        read_trials(path)


def test_bundled_snapshot_agrees_with_its_metadata_and_provenance() -> None:
    trials, meta = read_trials(bundled_path())
    assert meta == {k: v for k, v in bundled_meta().items() if k != "sha256"}
    assert len(trials) == meta["counts"]["trials"]
    assert sum(t.in_pipeline for t in trials) == meta["counts"]["pipeline"]
    data = Path(str(bundled_path())).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert bundled_meta()["sha256"] == digest
    readme = (Path(str(bundled_path())).parent / "README.md").read_text()
    assert digest in readme
    assert "49a9d8b5ff98248285e3539a00c7efd7fd4c8b4f7c603ad95bef16759a9f7155" in readme
    assert (
        meta["input_sha256"] == "49a9d8b5ff98248285e3539a00c7efd7fd4c8b4f7c603ad95bef16759a9f7155"
    )
    for number in (meta["counts"]["trials"], meta["counts"]["pipeline"], meta["counts"]["dropped"]):
        assert f"{number:,}" in readme


@pytest.mark.skipif(not SNAPSHOT.exists(), reason="the source table is not on this machine")
def test_bundled_snapshot_is_rebuilt_byte_for_byte_from_the_table(tmp_path: Path) -> None:
    out = tmp_path / "rebuilt.json.gz"
    build(SNAPSHOT, out, retrieved="2026-10")
    assert out.read_bytes() == Path(str(bundled_path())).read_bytes()


# -- queries ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reg() -> cartlandscape.Registry:
    return cartlandscape.registry()


def test_trials_for_filters(reg: cartlandscape.Registry) -> None:
    cd19 = reg.trials_for(target="CD19")
    assert cd19
    assert all("cd19" in t.target_ids and t.in_pipeline for t in cd19)
    cn = reg.trials_for(country="China", started=(2020, 2021), phase="Phase 1")
    assert cn
    assert all(
        "CN" in t.countries and 2020 <= t.start.date.year <= 2021 and Phase.PHASE_1 in t.phases
        for t in cn
    )
    assert reg.trials_for(country="CN", started=(2020, 2021), phase="1") == cn
    myeloma = reg.trials_for(indication="MM", status="recruiting", sponsor_class="industry")
    assert all(
        "multiple-myeloma" in t.indication_ids
        and t.status.value == "recruiting"
        and t.sponsor.type.value == "industry"
        for t in myeloma
    )
    cilta = reg.trials_for(product="cilta-cel")
    assert cilta
    assert all("ciltacabtagene-autoleucel" in t.product_ids for t in cilta)
    nk = reg.trials_for(modality="car-nk")
    assert nk
    assert all(t.modality.modality is Modality.CAR_NK for t in nk)
    flagged = reg.trials_for(in_pipeline=False)
    assert flagged
    assert not any(t.in_pipeline for t in flagged)
    assert len(reg.trials_for(in_pipeline=None)) == len(reg.trials)


def test_trials_for_says_what_is_wrong(reg: cartlandscape.Registry) -> None:
    with pytest.raises(UnknownNameError, match="CD1999"):
        reg.trials_for(target="CD1999")
    for criteria, words in (
        ({"phase": "5"}, "unknown phase '5'; expected one of early-1, 1, 2, 3, 4"),
        ({"status": "halfway"}, "unknown status 'halfway'"),
        ({"country": "Atlantis"}, "unknown country 'Atlantis'"),
        ({"sponsor_class": "pharma"}, "unknown sponsor class 'pharma'"),
        ({"modality": "car-x"}, "unknown modality 'car-x'"),
        ({"started": (2020,)}, "started=(from, to)"),
        ({"started": ("twenty", None)}, "expected a year or a date"),
    ):
        with pytest.raises(ValueError, match=re.escape(words)):
            reg.trials_for(**criteria)


def test_an_outcome_finds_its_trial(reg: cartlandscape.Registry) -> None:
    outcome = next(o for o in reg.outcomes if o.study and o.study.registry_id == "NCT02348216")
    assert reg.trial_of(outcome).registry_id == "NCT02348216"
    assert reg.trial_of(Study(registry_id="NCT02348216")) is reg.trial_of(outcome)
    assert reg.trial_of("NCT99999999") is None
    assert isinstance(outcome, Outcome)


def test_landscape_tables(reg: cartlandscape.Registry) -> None:
    pipeline = reg.trials_for()
    table = target_phase(pipeline, reg)
    assert table.rows[0] == "CD19"
    cd19 = [t for t in pipeline if "cd19" in t.target_ids]
    assert table.count("CD19", "3") == sum(Phase.PHASE_3 in t.phases for t in cd19)
    assert table.records()[0]["total"] == sum(len(t.phases) or 1 for t in cd19)
    years = country_year(pipeline)
    assert years.rows[0] == "CN"
    assert years.count("CN", "2019") == sum(
        1 for t in pipeline if "CN" in t.countries and t.start_year == 2019
    )
    top = top_sponsors(pipeline, 3)
    assert len(top) == 3
    assert top[0]["trials"] >= top[1]["trials"] >= top[2]["trials"]


def test_trials_for_takes_other_trials(reg: cartlandscape.Registry) -> None:
    mine = from_api_studies(json.loads(API_STUDIES.read_text()), retrieved="2026-10")
    assert [t.id for t in trials_for(reg, mine, target="BCMA")] == ["nct09000001"]


# -- lazy loading -------------------------------------------------------------------------------


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_summary_reads_no_trial() -> None:
    """The summary prints the pipeline's counts from the metadata; the trials stay unread."""
    out = _run(
        "import sys, io\n"
        "opened = []\n"
        "sys.addaudithook(lambda e, a: e == 'open' and opened.append(str(a[0])))\n"
        "from cartlandscape.cli import main\n"
        "sys.stdout = io.StringIO()\n"
        "main(['summary'])\n"
        "text = sys.stdout.getvalue()\n"
        "sys.stdout = sys.__stdout__\n"
        "gz = any(p.endswith('.json.gz') for p in opened)\n"
        "print(gz, 'cartlandscape.trials.model' in sys.modules, 'Registered trials' in text)"
    )
    assert out == "False False True"


def test_trials_are_read_once_on_first_use() -> None:
    out = _run(
        "import sys, cartlandscape\n"
        "reg = cartlandscape.registry()\n"
        "before = 'cartlandscape.trials.model' in sys.modules\n"
        "print(before, reg.trials is reg.trials, len(reg.trials) > 1000)"
    )
    assert out == "False True True"


# -- the command line ---------------------------------------------------------------------------

SCRIPT = Path(sys.executable).parent / "cartlandscape"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=300)


def test_trials_list_in_every_format() -> None:
    table = _cli("trials", "list", "--product", "cilta-cel", "--phase", "3")
    assert table.returncode == 0, table.stderr
    assert "NCT04181827" in table.stdout
    assert "3 trials" in table.stderr
    as_json = _cli("trials", "list", "--product", "cilta-cel", "--phase", "3", "--format", "json")
    rows = json.loads(as_json.stdout)
    assert [r["registry_id"] for r in rows] == ["NCT04181827", "NCT04923893", "NCT05257083"]
    assert rows[0]["targets"] == ["BCMA"]
    assert rows[0]["scope"] == "pipeline"
    as_csv = _cli("trials", "list", "--target", "GPRC5D", "--country", "CN", "--format", "csv")
    lines = as_csv.stdout.splitlines()
    assert lines[0].startswith("registry_id,phase,status,start,targets,countries,sponsor,title")
    assert len(lines) - 1 == len(cartlandscape.registry().trials_for(target="GPRC5D", country="CN"))


def test_trials_list_flagged_and_started() -> None:
    done = _cli(
        "trials", "list", "--scope", "flagged", "--started", "2020:2020", "--format", "json"
    )
    rows = json.loads(done.stdout)
    assert rows
    assert all(r["scope"] != "pipeline" and r["start"].startswith("2020") for r in rows)


def test_trials_show_gives_the_evidence() -> None:
    done = _cli("trials", "show", "nct02348216")
    assert done.returncode == 0, done.stderr
    assert "therapy axicabtagene-ciloleucel (high)" in done.stdout
    assert "clinicaltrials-gov (study record NCT02348216)" in done.stdout
    record = json.loads(_cli("trials", "show", "NCT02348216", "--format", "json").stdout)
    assert record["id"] == "nct02348216"
    assert record["products"][0]["therapy"] == "axicabtagene-ciloleucel"
    missing = _cli("trials", "show", "NCT99999999")
    assert missing.returncode == 1
    assert "NCT99999999" in missing.stderr


def test_trials_tables() -> None:
    done = _cli("trials", "table", "target-phase", "--limit", "2", "--format", "csv")
    header, cd19, bcma = done.stdout.splitlines()
    assert header == "target,early 1,1,2,3,4,N/A,total"
    assert cd19.startswith("CD19,")
    assert bcma.startswith("BCMA,")
    years = _cli("trials", "table", "country-year", "--limit", "1", "--format", "json")
    (china,) = json.loads(years.stdout)
    assert china["country"] == "CN"
    assert china["total"] > 1000
    sponsors = _cli("trials", "table", "sponsors", "--sponsor-class", "industry", "--limit", "3")
    assert sponsors.returncode == 0
    assert "industry" in sponsors.stdout


def test_trials_plot(tmp_path: Path) -> None:
    out = tmp_path / "trials.png"
    done = _cli("trials", "plot", "--target", "CD19", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = _cli("trials", "plot", "-o", str(tmp_path / "trials.gif"))
    assert bad.returncode == 2
    assert ".gif" in bad.stderr


def test_trials_commands_say_what_is_wrong() -> None:
    for args, words in (
        (("--status", "halfway"), "unknown status 'halfway'"),
        (("--phase", "9"), "unknown phase '9'"),
        (("--country", "Atlantis"), "unknown country 'Atlantis'"),
        (("--target", "CD1999"), "CD1999"),
        (("--started", "soon:"), "expected a year or a date"),
    ):
        done = _cli("trials", "list", *args)
        assert done.returncode == 1, (args, done.stderr)
        assert words in done.stderr
        assert "Traceback" not in done.stderr
    assert _cli("trials").returncode == 2


def test_trials_list_reads_another_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "mine.json.gz"
    build(API_STUDIES, bundle)
    done = _cli("trials", "list", "--bundle", str(bundle), "--scope", "all", "--format", "json")
    assert {r["registry_id"] for r in json.loads(done.stdout)} == {
        "NCT09000001",
        "NCT09000002",
        "NCT09000003",
        "NCT09000004",
    }


def test_summary_json_has_the_pipeline_counts() -> None:
    done = _cli("summary", "--format", "json")
    found = json.loads(done.stdout)["trial_pipeline"]
    counts = bundled_meta()["counts"]
    assert found["pipeline"] == counts["pipeline"]
    assert found["retrieved"] == "2026-10"
    assert [t["target"] for t in found["targets"][:2]] == ["CD19", "BCMA"]
    assert found["countries"][0] == {"country": "CN", "trials": counts["countries"]["CN"]}
