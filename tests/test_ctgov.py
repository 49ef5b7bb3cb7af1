"""The ClinicalTrials.gov client, against recorded API answers played by a mocked transport.

The ``responses`` library stands in for the network (a request it was not told of fails), and
the fetcher's clock and sleep are fakes, so nothing here waits or leaves the machine.  The
fixtures and where they come from are described in ``tests/fixtures/ctgov/README.md``.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cartlandscape.cli import main
from cartlandscape.errors import FetchError, ResumeError
from cartlandscape.trials.build import build
from cartlandscape.trials.ctgov import (
    API_URL,
    FETCH_HINT,
    STATE_FILE,
    Fetcher,
    FetchState,
    Query,
    fetch_studies,
    fetch_trials,
    page_file,
    pages_folder,
    retry_policy,
)
from cartlandscape.trials.store import read_trials

requests = pytest.importorskip("requests")
responses = pytest.importorskip("responses")
HTTPResponse = pytest.importorskip("urllib3.response").HTTPResponse
matchers = pytest.importorskip("responses.matchers")

FIXTURES = Path(__file__).parent / "fixtures" / "ctgov"
PAGE_1 = "biomcp_search_phelan_limit5_20260811.json"
PAGE_2 = "biomcp_search_phelan_next_20260811.json"
LAST = "biomcp_search_nsclc_egfr_l858r_20260811.json"
SEARCH_PAGES = (PAGE_1, PAGE_2, "biomcp_search_phelan_limit50_20260811.json", LAST)
RECORDS = ("aact_NCT03418623.json", "aact_NCT04207047.json", "aact_NCT06171568.json")
TERM = "Phelan-McDermid Syndrome"
#: Hand-written CAR-based study objects of the trial pipeline's tests (see their README).
CAR_STUDIES = Path(__file__).parent / "fixtures" / "trials" / "api_car_t_studies.json"


def _bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _json(name: str) -> Any:
    return json.loads(_bytes(name))


TOKEN_1 = _json(PAGE_1)["nextPageToken"]
TOKEN_2 = _json(PAGE_2)["nextPageToken"]


def _ids(studies: list[dict[str, Any]]) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]


class FakeTime:
    """A clock that moves only when slept on, recording every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def _fetcher(tmp_path: Path, fake: FakeTime, **options: Any) -> Fetcher:
    settings: dict[str, Any] = {"page_size": 5, "retries": 3, "progress": False}
    settings.update(options)
    query = settings.pop("query", Query(term=TERM))
    return Fetcher(
        query, tmp_path / "out.json.pages", sleep=fake.sleep, clock=fake.clock, **settings
    )


def _first(page_size: int = 5, term: str = TERM) -> list[Any]:
    params = {"query.term": term, "pageSize": str(page_size), "countTotal": "true"}
    return [matchers.query_param_matcher(params)]


def _next(token: str, page_size: int = 5, term: str = TERM) -> list[Any]:
    params = {"query.term": term, "pageSize": str(page_size), "pageToken": token}
    return [matchers.query_param_matcher(params)]


def _page(studies: list[Any], **fields: Any) -> bytes:
    return json.dumps({"studies": studies, **fields}).encode()


def _records() -> list[Any]:
    return [_json(name) for name in RECORDS]


# -- the fixtures -------------------------------------------------------------------------------


def test_fixtures_are_the_receipted_bytes() -> None:
    """Each recorded page is byte for byte the capture its receipt describes."""
    receipts = _json("biomcp_capture-receipts_ctgov.json")["entries"]
    by_file = {"biomcp_" + e["path"].removeprefix("ctgov/"): e["receipt"] for e in receipts}
    assert set(by_file) == set(SEARCH_PAGES)
    for name, receipt in by_file.items():
        assert hashlib.sha256(_bytes(name)).hexdigest() == receipt["sha256"], name
        assert receipt["request"].startswith(API_URL + "?"), name
    assert f"pageToken={TOKEN_1}" in by_file[PAGE_2]["request"]


def test_fixtures_have_the_shapes_of_the_openapi_description() -> None:
    """Pages are PagedStudies and records are Study objects, as the OpenAPI 2.0.3 text has them.

    PagedStudies: an object with a required ``studies`` list, an optional ``nextPageToken``
    string and an optional int32 ``totalCount``, and no other property.  Study: an object of
    the section properties and ``hasResults``.
    """
    for name in SEARCH_PAGES:
        page = _json(name)
        assert set(page) <= {"studies", "nextPageToken", "totalCount"}, name
        assert isinstance(page["studies"], list), name
        assert isinstance(page.get("nextPageToken", ""), str), name
        assert isinstance(page.get("totalCount", 0), int), name
    sections = {
        "protocolSection",
        "resultsSection",
        "annotationSection",
        "documentSection",
        "derivedSection",
        "hasResults",
    }
    for study in [*_records(), *(s for n in SEARCH_PAGES for s in _json(n)["studies"])]:
        assert set(study) <= sections
        assert study["protocolSection"]["identificationModule"]["nctId"].startswith("NCT")
    assert "totalCount" in _json(PAGE_1)
    assert "totalCount" not in _json(PAGE_2)


# -- paging -------------------------------------------------------------------------------------


def test_follows_the_token_chain_and_keeps_every_page(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    """Page 1 asks for the total, later pages send the token; the raw bytes are kept."""
    api.get(API_URL, body=_bytes(PAGE_1), match=_first())
    api.get(API_URL, body=_bytes(PAGE_2), match=_next(TOKEN_1))
    api.get(API_URL, body=_bytes(LAST), match=_next(TOKEN_2))
    fetcher = _fetcher(tmp_path, fake)
    studies = list(fetcher.studies())
    assert _ids(studies) == [
        *_ids(_json(PAGE_1)["studies"]),
        *_ids(_json(PAGE_2)["studies"]),
        *_ids(_json(LAST)["studies"]),
    ]
    assert len(api.calls) == 3
    # The last page's totalCount (2) is not the fetch's: that is page 1's.
    assert fetcher.state is not None
    assert fetcher.state.total_count == 21
    assert fetcher.state.complete
    assert fetcher.state.next_page_token is None
    for number, name in enumerate((PAGE_1, PAGE_2, LAST), 1):
        assert (fetcher.pages / page_file(number)).read_bytes() == _bytes(name)
    saved = FetchState.read(fetcher.pages / STATE_FILE)
    assert [p.file for p in saved.pages] == [page_file(n) for n in (1, 2, 3)]
    assert [p.studies for p in saved.pages] == [5, 5, 2]
    assert saved.pages[0].sha256 == hashlib.sha256(_bytes(PAGE_1)).hexdigest()
    assert f"pageToken={TOKEN_1}" in saved.pages[1].url
    assert saved.query == {"query.term": TERM}
    # About one request a second: the fake clock stood still, so each later request waited.
    assert fake.sleeps == [1.0, 1.0]


def test_a_page_exactly_full_is_followed_by_an_empty_last_page(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    """A full page carries a token; the empty page after it, without one, ends the fetch."""
    records = _records()
    api.get(API_URL, body=_page(records, totalCount=3, nextPageToken="t1"), match=_first(3))
    api.get(API_URL, body=_page([]), match=_next("t1", 3))
    fetcher = _fetcher(tmp_path, fake, page_size=3)
    assert list(fetcher.studies()) == records
    assert fetcher.state is not None
    assert fetcher.state.complete
    assert [p.studies for p in fetcher.state.pages] == [3, 0]


def test_intervention_and_term_are_both_sent(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    params = {
        "query.term": "CAR-T",
        "query.intr": "tisagenlecleucel",
        "pageSize": "1000",
        "countTotal": "true",
    }
    api.get(API_URL, body=_bytes(LAST), match=[matchers.query_param_matcher(params)])
    query = Query(term="CAR-T", intervention="tisagenlecleucel")
    studies = fetch_studies(
        query.term,
        query.intervention,
        pages=tmp_path / "p",
        sleep=fake.sleep,
        clock=fake.clock,
        progress=False,
    )
    assert _ids(studies) == ["NCT06382129", "NCT06604689"]


def test_a_page_that_repeats_its_token_stops_the_fetch(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    api.get(API_URL, body=_page([], nextPageToken="t1"), match=_first())
    api.get(API_URL, body=_page([], nextPageToken="t1"), match=_next("t1"))
    with pytest.raises(FetchError, match=r"page 2 .* repeats its own page token"):
        list(_fetcher(tmp_path, fake).studies())


def test_progress_bar_counts_studies_against_the_total(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.get(API_URL, body=_bytes(PAGE_1), match=_first())
    api.get(API_URL, body=_bytes(PAGE_2), match=_next(TOKEN_1))
    api.get(API_URL, body=_bytes(LAST), match=_next(TOKEN_2))
    list(_fetcher(tmp_path, fake, progress=True).studies())
    err = capsys.readouterr().err
    assert "ClinicalTrials.gov" in err
    assert "12/21" in err


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.get(API_URL, body=_bytes(LAST), match=_first())
    list(_fetcher(tmp_path, fake, progress=None).studies())
    assert capsys.readouterr().err == ""


# -- retries ------------------------------------------------------------------------------------


def test_retries_after_429_and_503(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    """A busy answer and a server error are tried again by the mounted Retry."""
    api.get(API_URL, status=429, headers={"Retry-After": "7"}, body="slow down")
    api.get(API_URL, status=503, body="unavailable")
    api.get(API_URL, body=_bytes(LAST))
    studies = list(_fetcher(tmp_path, fake).studies())
    assert len(studies) == 2
    assert len(api.calls) == 3


def test_gives_up_after_the_last_retry(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    api.get(API_URL, status=503, body="Service Temporarily Unavailable")
    with pytest.raises(FetchError) as caught:
        list(_fetcher(tmp_path, fake, retries=2).studies())
    assert len(api.calls) == 3
    message = str(caught.value)
    assert "HTTP 503" in message
    assert "after 2 retries" in message
    assert "Service Temporarily Unavailable" in message


def _answer(status: int, headers: dict[str, str] | None = None) -> HTTPResponse:
    return HTTPResponse(body=b"", status=status, headers=headers or {}, preload_content=False)


def test_retry_policy_honours_retry_after_and_backs_off(fake: FakeTime) -> None:
    """The policy's waits: Retry-After when given, else exponential, never below the interval."""
    policy = retry_policy(4, backoff=2.0, least_wait=1.0, sleep=fake.sleep)
    assert policy.is_retry("GET", 429)
    assert policy.is_retry("GET", 503)
    assert policy.is_retry("GET", 500)
    assert not policy.is_retry("GET", 400)
    assert not policy.is_retry("POST", 503)
    busy = _answer(429, {"Retry-After": "7"})
    policy = policy.increment("GET", API_URL, response=busy)
    policy.sleep(busy)
    for _ in range(3):
        failed = _answer(503)
        policy = policy.increment("GET", API_URL, response=failed)
        policy.sleep(failed)
    assert fake.sleeps == [7, 4.0, 8.0, 16.0]
    with pytest.raises(Exception, match="Max retries exceeded"):
        policy.increment("GET", API_URL, response=_answer(503))


def test_first_backoff_is_the_polite_interval(fake: FakeTime) -> None:
    policy = retry_policy(3, backoff=2.0, least_wait=1.5, sleep=fake.sleep)
    policy = policy.increment("GET", API_URL, response=_answer(502))
    policy.sleep(_answer(502))
    assert fake.sleeps == [1.5]


# -- errors -------------------------------------------------------------------------------------


def test_a_refused_query_gives_the_apis_message(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    """HTTP 400 (a plain-text message in the OpenAPI description) is not tried again."""
    message = "Invalid value for parameter query.term: unbalanced parenthesis"
    api.get(API_URL, status=400, body=message, content_type="text/plain")
    with pytest.raises(FetchError) as caught:
        list(_fetcher(tmp_path, fake).studies())
    assert str(caught.value) == (
        f"ClinicalTrials.gov refused the query (HTTP 400 Bad Request): {message}"
    )
    assert len(api.calls) == 1


def test_network_down(api: responses.RequestsMock, fake: FakeTime, tmp_path: Path) -> None:
    down = requests.exceptions.ConnectionError("Failed to resolve 'clinicaltrials.gov'")
    api.get(API_URL, body=down)
    with pytest.raises(FetchError, match=r"cannot reach ClinicalTrials.gov \(Failed to resolve"):
        list(_fetcher(tmp_path, fake).studies())


def test_timeout(api: responses.RequestsMock, fake: FakeTime, tmp_path: Path) -> None:
    api.get(API_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(FetchError, match=r"page 1 from ClinicalTrials\.gov: no answer within 60 s"):
        list(_fetcher(tmp_path, fake).studies())


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<html>Service maintenance</html>", "page 1 from ClinicalTrials.gov is not JSON"),
        (b"[1, 2]", "expected a JSON object, found list"),
        (b'{"studies": "none"}', "'studies': expected a list of study objects"),
        (b'{"studies": [], "nextPageToken": 5}', "'nextPageToken': expected a text"),
        (b'{"studies": [], "totalCount": "21"}', "'totalCount': expected a whole number"),
    ],
)
def test_a_page_that_is_not_what_the_api_documents(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path, body: bytes, expected: str
) -> None:
    api.get(API_URL, body=body)
    with pytest.raises(FetchError, match=expected):
        list(_fetcher(tmp_path, fake).studies())
    assert not (tmp_path / "out.json.pages" / page_file(1)).exists()


def test_page_size_is_checked(tmp_path: Path) -> None:
    for size in (0, 1001, True):
        with pytest.raises(ValueError, match="page size: expected a whole number from 1 to 1000"):
            Fetcher(Query(term="x"), tmp_path, page_size=size)


def test_a_query_needs_a_term_or_an_intervention() -> None:
    with pytest.raises(ValueError, match="give a query term, an intervention, or both"):
        Query()
    with pytest.raises(ValueError, match="non-empty text"):
        Query(term="  ")


def test_missing_extra_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, fake: FakeTime, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "requests", None)
    with pytest.raises(ImportError) as caught:
        list(_fetcher(tmp_path, fake).studies())
    assert str(caught.value) == FETCH_HINT


def test_importing_the_module_imports_no_http_library() -> None:
    code = (
        "import sys, cartlandscape.trials.ctgov\n"
        "print('requests' in sys.modules, 'tqdm' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False False"


# -- resuming -----------------------------------------------------------------------------------


def _stop(request: Any) -> Any:
    raise KeyboardInterrupt


def test_resume_after_an_interruption(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    """Ctrl-C during page 2 leaves page 1 and its token; the rerun asks from page 2 on."""
    api.get(API_URL, body=_bytes(PAGE_1), match=_first())
    api.add_callback(responses.GET, API_URL, callback=_stop, match=_next(TOKEN_1))
    with pytest.raises(KeyboardInterrupt):
        list(_fetcher(tmp_path, fake).studies())
    state = FetchState.read(tmp_path / "out.json.pages" / STATE_FILE)
    assert state.next_page_token == TOKEN_1
    assert [p.file for p in state.pages] == [page_file(1)]
    assert not state.complete

    api.reset()
    api.get(API_URL, body=_bytes(PAGE_2), match=_next(TOKEN_1))
    api.get(API_URL, body=_bytes(LAST), match=_next(TOKEN_2))
    fetcher = _fetcher(tmp_path, fake)
    studies = list(fetcher.studies(resume=True))
    assert len(studies) == 12
    assert _ids(studies)[:5] == _ids(_json(PAGE_1)["studies"])
    assert len(api.calls) == 2
    assert fetcher.state is not None
    assert fetcher.state.total_count == 21
    assert fetcher.state.complete


def test_a_finished_fetch_resumes_without_a_request(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    api.get(API_URL, body=_bytes(LAST), match=_first())
    first = list(_fetcher(tmp_path, fake).studies())
    api.reset()
    assert list(_fetcher(tmp_path, fake).studies(resume=True)) == first
    assert len(api.calls) == 0


def test_an_earlier_fetch_is_not_overwritten_without_resume(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    api.get(API_URL, body=_bytes(LAST), match=_first())
    list(_fetcher(tmp_path, fake).studies())
    with pytest.raises(ResumeError, match="holds an earlier fetch: resume it, or remove"):
        list(_fetcher(tmp_path, fake).studies())


def test_refuses_to_resume_another_query(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    api.get(API_URL, body=_bytes(PAGE_1), match=_first())
    api.get(API_URL, status=400, body="stop here", match=_next(TOKEN_1))
    with pytest.raises(FetchError):
        list(_fetcher(tmp_path, fake).studies())
    other = Query(term="CAR-T", intervention="tisagenlecleucel")
    with pytest.raises(ResumeError) as caught:
        list(_fetcher(tmp_path, fake, query=other).studies(resume=True))
    assert f"query.term={TERM!r}" in str(caught.value)
    assert "not of query.term='CAR-T' query.intr='tisagenlecleucel'" in str(caught.value)


def test_a_failed_first_page_is_started_over(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    """A fetch that saved no page holds nothing to keep: a corrected query starts afresh."""
    api.get(API_URL, status=400, body="bad query", match=_first(term="(("))
    with pytest.raises(FetchError):
        list(_fetcher(tmp_path, fake, query=Query(term="((")).studies())
    api.get(API_URL, body=_bytes(LAST), match=_first())
    assert len(list(_fetcher(tmp_path, fake).studies())) == 2


def test_a_changed_saved_page_is_refused(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    api.get(API_URL, body=_bytes(LAST), match=_first())
    fetcher = _fetcher(tmp_path, fake)
    list(fetcher.studies())
    (fetcher.pages / page_file(1)).write_text('{"studies": []}', encoding="utf-8")
    with pytest.raises(ResumeError, match="the saved page has changed"):
        list(_fetcher(tmp_path, fake).studies(resume=True))


@pytest.mark.parametrize("content", ["not json", '{"version": 99}', '{"version": 1}'])
def test_a_broken_state_file_is_a_clear_error(fake: FakeTime, tmp_path: Path, content: str) -> None:
    pages = tmp_path / "out.json.pages"
    pages.mkdir()
    (pages / STATE_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(ResumeError, match="not a readable fetch state"):
        list(_fetcher(tmp_path, fake).studies(resume=True))


def test_a_folder_of_other_files_is_left_alone(fake: FakeTime, tmp_path: Path) -> None:
    pages = tmp_path / "out.json.pages"
    pages.mkdir()
    (pages / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ResumeError, match="not empty and holds no fetch state"):
        list(_fetcher(tmp_path, fake).studies())


# -- the output file and the command line -------------------------------------------------------


def _car_page() -> bytes:
    studies = json.loads(CAR_STUDIES.read_bytes())
    return _page(studies, totalCount=len(studies))


def test_fetch_trials_writes_a_bundle_of_the_trials_and_keeps_the_pages(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    """The studies become annotated trials in a bundle; the metadata say what was asked."""
    api.get(API_URL, body=_car_page(), match=_first(term="CAR-T"))
    output = tmp_path / "car-t.json.gz"
    result = fetch_trials(
        output, "CAR-T", page_size=5, sleep=fake.sleep, clock=fake.clock, progress=False
    )
    trials, meta = read_trials(output)
    assert sorted(t.registry_id for t in trials) == [
        "NCT09000001",
        "NCT09000002",
        "NCT09000003",
        "NCT09000004",
    ]
    assert result.pages == pages_folder(output) == tmp_path / "car-t.json.gz.pages"
    assert (result.studies, result.total_count, result.page_count) == (4, 4, 1)
    assert (result.trials, result.dropped) == (4, 0)
    state = FetchState.read(result.pages / STATE_FILE)
    assert meta["retrieved"] == state.pages[0].retrieved[:10]
    assert meta["fetch"] == {
        "api": API_URL,
        "query": {"query.term": "CAR-T"},
        "pages": "car-t.json.gz.pages",
        "page_count": 1,
        "studies": 4,
        "total_count": 4,
    }


def test_recorded_pages_convert_and_their_studies_are_dropped(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    """Real API pages go through the converter; none of their studies is CAR-based."""
    api.get(API_URL, body=_bytes(PAGE_1), match=_first())
    api.get(API_URL, body=_bytes(PAGE_2), match=_next(TOKEN_1))
    api.get(API_URL, body=_bytes(LAST), match=_next(TOKEN_2))
    output = tmp_path / "phelan.json.gz"
    result = fetch_trials(output, TERM, page_size=5, sleep=fake.sleep, clock=fake.clock)
    assert (result.studies, result.trials, result.dropped) == (12, 0, 12)
    assert read_trials(output)[0] == []


def test_the_build_reads_a_fetch_s_pages_folder(
    api: responses.RequestsMock, fake: FakeTime, tmp_path: Path
) -> None:
    """``python -m cartlandscape.trials.build FILE.pages`` skips the fetch state."""
    api.get(API_URL, body=_car_page(), match=_first(term="CAR-T"))
    result = fetch_trials(tmp_path / "a.json.gz", "CAR-T", page_size=5, sleep=fake.sleep)
    meta = build(result.pages, tmp_path / "b.json.gz", retrieved="2026-11")
    assert meta["counts"]["trials"] == 4


def _cli(*args: str) -> int:
    return main(["trials", "fetch", *args])


def test_cli_fetch(
    api: responses.RequestsMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    params = {"query.term": "CAR-T", "query.intr": "CD19", "pageSize": "50", "countTotal": "true"}
    api.get(API_URL, body=_car_page(), match=[matchers.query_param_matcher(params)])
    output = tmp_path / "car-t.json.gz"
    args = ("--query", "CAR-T", "--intervention", "CD19", "-o", str(output), "--page-size", "50")
    assert _cli(*args) == 0
    assert len(read_trials(output)[0]) == 4
    assert capsys.readouterr().err == (
        f"fetched 4 studies of 4 reported (1 raw pages in {output}.pages/)\n"
        f"wrote 4 CAR-based trials to {output} (0 other studies dropped)\n"
    )
    assert main(["trials", "list", "--bundle", str(output), "--format", "json"]) == 0
    assert "NCT09000001" in capsys.readouterr().out


def test_cli_studies_that_do_not_convert_are_kept_for_a_rerun(
    api: responses.RequestsMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A study the converter refuses is reported; --resume converts again without a request."""
    api.get(API_URL, body=_page([{"protocolSection": {"identificationModule": {"nctId": "x"}}}]))
    output = tmp_path / "x.json.gz"
    assert _cli("--query", TERM, "-o", str(output)) == 1
    err = capsys.readouterr().err
    assert "field 'nctId': expected an NCT id, found 'x'" in err
    assert f"the studies fetched are kept in {output}.pages/: --resume converts them" in err
    api.reset()
    assert _cli("--query", TERM, "-o", str(output), "--resume") == 1
    assert len(api.calls) == 0


def test_cli_refused_query_is_one_message(
    api: responses.RequestsMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.get(API_URL, status=400, body="Unknown field in query.term", content_type="text/plain")
    assert _cli("--query", "AREA[Nope]x", "-o", str(tmp_path / "x.json")) == 1
    err = capsys.readouterr().err
    assert err.startswith("cartlandscape: ClinicalTrials.gov refused the query (HTTP 400")
    assert "Unknown field in query.term" in err
    assert "Traceback" not in err


def test_cli_interrupted_then_resumed(
    api: responses.RequestsMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.add_callback(responses.GET, API_URL, callback=_stop)
    output = tmp_path / "x.json"
    assert _cli("--query", TERM, "-o", str(output)) == 130
    assert "rerun with --resume to go on" in capsys.readouterr().err
    api.reset()
    api.get(API_URL, body=_car_page())
    assert _cli("--query", TERM, "-o", str(output), "--resume") == 0
    assert len(read_trials(output)[0]) == 4


def test_cli_refuses_to_resume_another_query(
    api: responses.RequestsMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.get(API_URL, body=_bytes(LAST))
    output = tmp_path / "x.json"
    assert _cli("--query", TERM, "-o", str(output)) == 0
    capsys.readouterr()
    assert _cli("--query", "CAR-T", "-o", str(output), "--resume") == 1
    err = capsys.readouterr().err
    assert "holds a fetch of another query" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("-o", "x.json"), "give --query, --intervention, or both"),
        (("--query", "x", "-o", "x.json", "--page-size", "5000"), "from 1 to 1000"),
        (("--query", "x"), "the following arguments are required: -o/--output"),
    ],
)
def test_cli_wrong_arguments(
    args: tuple[str, ...], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        status = _cli(*args)
    except SystemExit as exc:  # argparse's own errors
        status = int(str(exc.code))
    assert status == 2
    assert expected in capsys.readouterr().err


def test_cli_without_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "requests", None)
    assert _cli("--query", "x", "-o", str(tmp_path / "x.json")) == 1
    assert capsys.readouterr().err == f"cartlandscape: {FETCH_HINT}\n"


def test_errors_are_library_errors_and_survive_pickling() -> None:
    import pickle

    from cartlandscape.errors import CartlandscapeError

    assert issubclass(FetchError, CartlandscapeError)
    assert issubclass(FetchError, OSError)
    assert issubclass(ResumeError, CartlandscapeError)
    assert issubclass(ResumeError, ValueError)
    for error in (FetchError("no network"), ResumeError("another query")):
        copied = pickle.loads(pickle.dumps(error))
        assert type(copied) is type(error)
        assert str(copied) == str(error)
