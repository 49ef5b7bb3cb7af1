"""Studies from the ClinicalTrials.gov API (version 2), fetched page by page.

Needs the optional ``fetch`` extra (``pip install 'cartlandscape[fetch]'``: requests and tqdm);
both are imported on first use, so importing this module costs nothing.

A fetch asks ``/studies`` for one :class:`Query` (``query.term`` and/or ``query.intr``),
``pageSize`` studies at a time (1000 by default, the API's largest), and follows each page's
``nextPageToken`` until a page comes without one; a page that is exactly full still carries a
token, and the empty page after it ends the fetch.  The first request asks for ``totalCount``
(``countTotal=true``); the API gives it with the first page only.

It is polite: about one request a second, and on HTTP 429 or 5xx the request is tried again
(by urllib3's :class:`~urllib3.util.retry.Retry` mounted on the session) after the server's
``Retry-After``, or after an exponentially growing wait.

It is evidence-keeping and resumable: each page's bytes are saved as they came, one file per
page (``page-0001.json``, ...), in a pages folder with a state file (``state.json``) that holds
the query, the pages saved (with the address asked, the time and a SHA-256 of each) and the
next page token.  A rerun with ``resume=True`` reads the saved pages and goes on from the
token; it refuses a state file of a different query.  A fetch stopped by an error or by
Ctrl-C can always be resumed: the state file is written after each page is saved.

:func:`fetch_trials` (what ``cartlandscape trials fetch`` runs) then converts the studies into
annotated trial records and writes the CAR-based ones as a trial bundle.

Everything that can go wrong on the way -- a query the API refuses (HTTP 400, with its
message), the network down, a page that is not the JSON the API documents -- is a
:class:`~cartlandscape.errors.FetchError` with one clear message.

>>> query = Query(term="CAR-T", intervention="axicabtagene ciloleucel")
>>> query.params()
{'query.term': 'CAR-T', 'query.intr': 'axicabtagene ciloleucel'}
>>> page_file(3)
'page-0003.json'
>>> pages_folder("car-t.json.gz").name
'car-t.json.gz.pages'
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

import attrs

from cartlandscape._version import __version__
from cartlandscape.errors import FetchError, ResumeError

if TYPE_CHECKING:
    import requests
    from urllib3.util.retry import Retry

    from cartlandscape._registry import Registry

__all__ = [
    "API_URL",
    "FETCH_HINT",
    "MAX_PAGE_SIZE",
    "STATE_FILE",
    "FetchResult",
    "FetchState",
    "Fetcher",
    "PageRecord",
    "Query",
    "fetch_studies",
    "fetch_trials",
    "make_session",
    "page_file",
    "pages_folder",
    "retry_policy",
]

#: The studies endpoint of the ClinicalTrials.gov API, version 2.
API_URL: Final = "https://clinicaltrials.gov/api/v2/studies"
#: The largest page the API serves; it coerces larger ``pageSize`` values down to this.
MAX_PAGE_SIZE: Final = 1000
#: The name of the state file in a pages folder.
STATE_FILE: Final = "state.json"
#: The message given when the ``fetch`` extra is not installed.
FETCH_HINT: Final = (
    "fetching from ClinicalTrials.gov needs requests and tqdm: "
    "python -m pip install 'cartlandscape[fetch]'"
)
#: The HTTP statuses a request is tried again after: too many requests, and server errors.
RETRY_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
_STATE_VERSION: Final = 1
_SHOWN: Final = 300  # characters of a server's message or of a bad page quoted in an error


def _extra(name: str) -> ModuleType:
    """Import a module of the ``fetch`` extra, or say how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ImportError(FETCH_HINT) from None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty text, found {value!r}")
    return value.strip()


@attrs.frozen
class Query:
    """What to ask the API for: ``query.term`` (other terms) and/or ``query.intr``.

    Both are in the API's Essie expression syntax; at least one is needed, so that a fetch
    never asks for the whole register by mistake.

    >>> Query()
    Traceback (most recent call last):
    ...
    ValueError: give a query term, an intervention, or both
    """

    term: str | None = attrs.field(default=None, converter=_text)
    intervention: str | None = attrs.field(default=None, converter=_text)

    def __attrs_post_init__(self) -> None:
        if self.term is None and self.intervention is None:
            raise ValueError("give a query term, an intervention, or both")

    def params(self) -> dict[str, str]:
        """The API's query parameters for this query (the same for every page)."""
        params = {"query.term": self.term, "query.intr": self.intervention}
        return {key: value for key, value in params.items() if value is not None}

    def __str__(self) -> str:
        return " ".join(f"{key}={value!r}" for key, value in self.params().items())


def page_file(number: int) -> str:
    """The file name of page *number* (counted from 1) in a pages folder."""
    return f"page-{number:04d}.json"


def pages_folder(output: str | Path) -> Path:
    """The folder the raw pages of a fetch written to *output* go in: ``OUTPUT.pages``."""
    output = Path(output)
    return output.with_name(output.name + ".pages")


@attrs.frozen
class PageRecord:
    """One saved page: its file, the address asked, when, its SHA-256 and its study count."""

    file: str
    url: str
    retrieved: str
    sha256: str
    studies: int


@attrs.define
class FetchState:
    """The state of a fetch, kept in the pages folder's ``state.json``.

    ``query`` is the API's query parameters; ``next_page_token`` the token of the page to
    ask for next (``None`` before the first page and once ``complete``); ``total_count`` the
    API's ``totalCount`` from the first page.
    """

    query: dict[str, str]
    page_size: int
    pages: list[PageRecord] = attrs.Factory(list)
    next_page_token: str | None = None
    total_count: int | None = None
    complete: bool = False

    @classmethod
    def read(cls, path: Path) -> FetchState:
        """The state saved at *path*; a file that is not a state file is a ResumeError."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if document.get("version") != _STATE_VERSION:
                raise ValueError(f"expected version {_STATE_VERSION}")
            return cls(
                query=dict(document["query"]),
                page_size=int(document["page_size"]),
                pages=[PageRecord(**page) for page in document["pages"]],
                next_page_token=document["next_page_token"],
                total_count=document["total_count"],
                complete=bool(document["complete"]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ResumeError(
                f"{path}: not a readable fetch state ({exc}); remove {path.parent} to start over"
            ) from None

    def write(self, path: Path) -> None:
        """Save the state to *path* in one step (a stop midway leaves the old state)."""
        document = {"version": _STATE_VERSION, "api": API_URL, **attrs.asdict(self)}
        _write_atomic(path, (json.dumps(document, indent=2, sort_keys=True) + "\n").encode())


def _write_atomic(path: Path, data: bytes) -> None:
    """Write *data* to *path* through a temporary file, so *path* is never half written."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@functools.cache
def _retry_class() -> Callable[..., Retry]:
    """urllib3's Retry, with its waits going through a sleep function that can be replaced."""
    retry_module = _extra("urllib3.util.retry")

    class PoliteRetry(retry_module.Retry):  # type: ignore[misc,name-defined]
        """Retry that waits with ``sleeper``, at least ``least_wait`` seconds between tries."""

        def __init__(
            self,
            *args: Any,
            sleeper: Callable[[float], None] = time.sleep,
            least_wait: float = 0.0,
            **kwargs: Any,
        ) -> None:
            super().__init__(*args, **kwargs)
            self.sleeper, self.least_wait = sleeper, least_wait

        def new(self, **kwargs: Any) -> PoliteRetry:
            retry: PoliteRetry = super().new(**kwargs)
            retry.sleeper, retry.least_wait = self.sleeper, self.least_wait
            return retry

        def sleep(self, response: Any = None) -> None:
            after = None
            if self.respect_retry_after_header and response is not None:
                after = self.get_retry_after(response)
            wait = after if after else self.get_backoff_time()
            self.sleeper(max(wait, self.least_wait))

    return PoliteRetry


def retry_policy(
    retries: int = 5,
    backoff: float = 2.0,
    *,
    least_wait: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Retry:
    """urllib3's Retry for the API: up to *retries* more tries of a GET.

    A try is repeated after HTTP 429 or 5xx, and after a connection or read failure.  The wait
    is the server's ``Retry-After`` where it gives one, else urllib3's exponential backoff
    (*backoff* times 2, 4, 8, ... seconds, at most 120), and never less than *least_wait*;
    *sleep* does the waiting.  After the last try the last answer is returned, not raised.
    """
    return _retry_class()(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=sorted(RETRY_STATUSES),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
        sleeper=sleep,
        least_wait=least_wait,
    )


def make_session(retry: Retry | None = None) -> requests.Session:
    """A requests session for the API, with *retry* (default :func:`retry_policy`) mounted."""
    http = _extra("requests")
    adapters = _extra("requests.adapters")
    session: requests.Session = http.Session()
    adapter = adapters.HTTPAdapter(max_retries=retry if retry is not None else retry_policy())
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers.update(
        {"User-Agent": f"cartlandscape/{__version__}", "Accept": "application/json"}
    )
    return session


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def _reason(exc: BaseException) -> str:
    """The innermost reason of a requests error, without urllib3's wrapping."""
    inner: Any = exc.args[0] if exc.args else exc
    while getattr(inner, "reason", None) is not None and not isinstance(inner.reason, str):
        inner = inner.reason
    return _snippet(str(inner))


def _check_page(document: Any, number: int) -> tuple[list[dict[str, Any]], str | None, int | None]:
    """The studies, next page token and total count of a page, or a FetchError on its shape."""
    where = f"page {number} from ClinicalTrials.gov"
    if not isinstance(document, dict):
        raise FetchError(f"{where}: expected a JSON object, found {type(document).__name__}")
    studies = document.get("studies")
    token = document.get("nextPageToken")
    total = document.get("totalCount")
    problems = []
    if not isinstance(studies, list) or not all(isinstance(s, dict) for s in studies):
        problems.append(f"'studies': expected a list of study objects, found {studies!r:.60}")
    if token is not None and (not isinstance(token, str) or not token):
        problems.append(f"'nextPageToken': expected a text, found {token!r:.60}")
    if total is not None and (isinstance(total, bool) or not isinstance(total, int)):
        problems.append(f"'totalCount': expected a whole number, found {total!r:.60}")
    if problems:
        raise FetchError(f"{where}: " + "; ".join(problems))
    return studies, token, total  # type: ignore[return-value]


@attrs.frozen
class FetchResult:
    """What a fetch wrote: the bundle, its pages folder, and the counts.

    ``studies`` fetched (``total_count`` is the API's count of them), on ``page_count`` pages;
    ``trials`` kept in the bundle as CAR-based cell therapy trials, and ``dropped`` the others.
    """

    output: Path
    pages: Path
    studies: int
    total_count: int | None
    page_count: int
    trials: int
    dropped: int


@attrs.define
class Fetcher:
    """A fetch of the studies matching *query*, its raw pages kept in the folder *pages*.

    ``page_size`` (1 to 1000) studies a page; ``interval`` seconds at least between two
    requests; ``retries`` and ``backoff`` as for :func:`retry_policy`; ``timeout`` seconds
    for a page to arrive.  ``session`` replaces the requests session (the default is
    :func:`make_session` with those retries); ``sleep`` and ``clock`` replace
    :func:`time.sleep` and :func:`time.monotonic` (tests pass fakes, so nothing waits).
    ``progress`` shows a progress bar on stderr: ``None`` (the default) only on a terminal.
    """

    query: Query
    pages: Path = attrs.field(converter=Path)
    page_size: int = MAX_PAGE_SIZE
    interval: float = 1.0
    retries: int = 5
    backoff: float = 2.0
    timeout: float = 60.0
    session: requests.Session | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    progress: bool | None = None
    state: FetchState | None = attrs.field(default=None, init=False)
    _last_request: float | None = attrs.field(default=None, init=False)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.page_size, bool) or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(
                f"page size: expected a whole number from 1 to {MAX_PAGE_SIZE}, "
                f"found {self.page_size!r}"
            )

    @property
    def state_file(self) -> Path:
        """The state file in the pages folder."""
        return self.pages / STATE_FILE

    def studies(self, resume: bool = False) -> Iterator[dict[str, Any]]:
        """The study objects of every page, in the API's order, fetching what is not saved.

        Without *resume* the pages folder must not hold an earlier fetch.  With it, the pages
        an earlier fetch of the same query saved are read back first; a state of another
        query is a :class:`~cartlandscape.errors.ResumeError`.
        """
        state = self._start(resume)
        self.state = state
        for number, record in enumerate(state.pages, 1):
            yield from self._saved(record, number)
        if state.complete:
            return
        bar = self._bar(state)
        try:
            while not state.complete:
                studies = self._next_page(state)
                if bar is not None:
                    if bar.total is None and state.total_count is not None:
                        bar.total = state.total_count
                    bar.update(len(studies))
                yield from studies
        finally:
            if bar is not None:
                bar.close()

    def _start(self, resume: bool) -> FetchState:
        query = self.query.params()
        if self.pages.exists() and not self.pages.is_dir():
            raise FetchError(f"{self.pages}: expected a folder for the pages, found a file")
        earlier = FetchState.read(self.state_file) if self.state_file.exists() else None
        if earlier is not None and earlier.pages:
            if not resume:
                raise ResumeError(
                    f"{self.pages} holds an earlier fetch: resume it, or remove the folder "
                    "to start over"
                )
            if earlier.query != query:
                raise ResumeError(
                    f"{self.pages} holds a fetch of another query "
                    f"({' '.join(f'{k}={v!r}' for k, v in earlier.query.items())}), "
                    f"not of {self.query}: remove the folder or choose another output"
                )
            return earlier
        # A state without pages (a fetch that failed on its first page) is started over.
        if earlier is None and self.pages.exists() and any(self.pages.iterdir()):
            raise ResumeError(
                f"{self.pages} is not empty and holds no fetch state: remove it or choose "
                "another output"
            )
        try:
            self.pages.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FetchError(f"cannot create {self.pages}: {exc.strerror or exc}") from None
        state = FetchState(query=query, page_size=self.page_size)
        state.write(self.state_file)
        return state

    def _saved(self, record: PageRecord, number: int) -> list[dict[str, Any]]:
        """The studies of a page saved earlier, checked against its recorded SHA-256."""
        path = self.pages / record.file
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ResumeError(
                f"{path}: a saved page cannot be read ({exc.strerror or exc}); "
                f"remove {self.pages} to start over"
            ) from None
        if hashlib.sha256(data).hexdigest() != record.sha256:
            raise ResumeError(
                f"{path}: the saved page has changed since it was fetched; "
                f"remove {self.pages} to start over"
            )
        return _check_page(json.loads(data), number)[0]

    def _bar(self, state: FetchState) -> Any:
        show = sys.stderr.isatty() if self.progress is None else self.progress
        if not show:
            return None
        tqdm = _extra("tqdm")
        done = sum(page.studies for page in state.pages)
        return tqdm.tqdm(
            total=state.total_count,
            initial=done,
            unit=" studies",
            desc="ClinicalTrials.gov",
            file=sys.stderr,
            leave=True,
        )

    def _wait_turn(self) -> None:
        """Wait until ``interval`` seconds have passed since the last request."""
        now = self.clock()
        if self._last_request is not None:
            wait = self._last_request + self.interval - now
            if wait > 0:
                self.sleep(wait)
                now = self.clock()
        self._last_request = now

    def _request(self, params: dict[str, str | int], number: int) -> tuple[bytes, str]:
        """The body and the address of page *number*, or a FetchError saying what failed."""
        http = _extra("requests")
        if self.session is None:
            retry = retry_policy(
                self.retries, self.backoff, least_wait=self.interval, sleep=self.sleep
            )
            self.session = make_session(retry)
        self._wait_turn()
        where = f"page {number} from ClinicalTrials.gov"
        try:
            response = self.session.get(API_URL, params=params, timeout=self.timeout)
        except http.exceptions.Timeout:
            raise FetchError(f"{where}: no answer within {self.timeout:g} s") from None
        except http.exceptions.RetryError as exc:
            raise FetchError(
                f"{where}: gave up after {self.retries} retries ({_reason(exc)})"
            ) from None
        except http.exceptions.ConnectionError as exc:
            raise FetchError(f"cannot reach ClinicalTrials.gov ({_reason(exc)})") from None
        except http.exceptions.RequestException as exc:
            raise FetchError(f"{where}: the request failed ({_reason(exc)})") from None
        url = str(response.url)
        if response.status_code != 200:
            status = f"HTTP {response.status_code} {response.reason or ''}".rstrip()
            message = _snippet(response.text) or "no message"
            if response.status_code == 400:
                raise FetchError(f"ClinicalTrials.gov refused the query ({status}): {message}")
            if response.status_code in RETRY_STATUSES:
                status += f", still after {self.retries} retries"
            raise FetchError(f"{where}: {status}: {message}")
        return response.content, url

    def _next_page(self, state: FetchState) -> list[dict[str, Any]]:
        """Fetch, check and save the next page; update and save the state; its studies."""
        number = len(state.pages) + 1
        params: dict[str, str | int] = {**state.query, "pageSize": self.page_size}
        if state.next_page_token is None:
            params["countTotal"] = "true"
        else:
            params["pageToken"] = state.next_page_token
        data, url = self._request(params, number)
        try:
            document = json.loads(data)
        except ValueError:
            text = data.decode("utf-8", "replace")
            raise FetchError(
                f"page {number} from ClinicalTrials.gov is not JSON: {_snippet(text)!r}"
            ) from None
        studies, token, total = _check_page(document, number)
        if token is not None and token == state.next_page_token:
            raise FetchError(f"page {number} from ClinicalTrials.gov repeats its own page token")
        name = page_file(number)
        try:
            _write_atomic(self.pages / name, data)
        except OSError as exc:
            raise FetchError(f"cannot write {self.pages / name}: {exc.strerror or exc}") from None
        record = PageRecord(
            file=name,
            url=url,
            retrieved=datetime.now(UTC).isoformat(timespec="seconds"),
            sha256=hashlib.sha256(data).hexdigest(),
            studies=len(studies),
        )
        state.pages.append(record)
        if number == 1:
            state.total_count = total
        state.next_page_token = token
        state.complete = token is None
        state.write(self.state_file)
        return studies


def fetch_studies(
    term: str | None = None,
    intervention: str | None = None,
    *,
    pages: str | Path,
    page_size: int = MAX_PAGE_SIZE,
    resume: bool = False,
    **options: Any,
) -> list[dict[str, Any]]:
    """Every study matching *term* (``query.term``) and/or *intervention* (``query.intr``).

    The raw pages are kept in the folder *pages*; *resume* goes on with an earlier fetch
    into that folder; *options* are further :class:`Fetcher` settings.
    """
    fetcher = Fetcher(Query(term, intervention), pages, page_size=page_size, **options)
    return list(fetcher.studies(resume=resume))


def fetch_trials(
    output: str | Path,
    term: str | None = None,
    intervention: str | None = None,
    *,
    page_size: int = MAX_PAGE_SIZE,
    resume: bool = False,
    registry: Registry | None = None,
    **options: Any,
) -> FetchResult:
    """Fetch the studies of a query and write their trials to *output*, the raw pages beside it.

    The studies are converted and annotated by
    :func:`~cartlandscape.trials.convert.from_api_studies` (against *registry*, default the
    bundled one), the CAR-based cell therapy trials kept, and *output* written as a trial
    bundle (gzip JSON, see :func:`~cartlandscape.trials.build.bundle`) that ``cartlandscape
    trials list --bundle`` reads; its metadata say what was asked (``fetch``).  The retrieval
    date of the trials is the day the last page was fetched.  The raw pages go in
    :func:`pages_folder` of *output*.  *resume* and *options* are as for :func:`fetch_studies`.
    Studies that cannot be converted raise :class:`~cartlandscape.errors.DataError`; the pages
    stay, so a rerun with *resume* converts them again without a request.
    """
    from cartlandscape.trials.build import bundle
    from cartlandscape.trials.convert import REGISTRY_SOURCE, from_api_studies

    output = Path(output)
    fetcher = Fetcher(
        Query(term, intervention), pages_folder(output), page_size=page_size, **options
    )
    studies = list(fetcher.studies(resume=resume))
    state = fetcher.state
    assert state is not None
    retrieved = state.pages[-1].retrieved[:10]
    trials = from_api_studies(
        studies, retrieved=retrieved, registry=registry, file=str(fetcher.pages)
    )
    fetched = {
        "api": API_URL,
        "query": state.query,
        "pages": fetcher.pages.name,
        "page_count": len(state.pages),
        "studies": len(studies),
        "total_count": state.total_count,
    }
    sources = {"registry": REGISTRY_SOURCE}
    try:
        meta = bundle(trials, output, retrieved=retrieved, sources=sources, fetched=fetched)
    except OSError as exc:
        raise FetchError(f"cannot write {output}: {exc.strerror or exc}") from None
    return FetchResult(
        output=output,
        pages=fetcher.pages,
        studies=len(studies),
        total_count=state.total_count,
        page_count=len(state.pages),
        trials=meta["counts"]["trials"],
        dropped=meta["counts"]["dropped"],
    )
