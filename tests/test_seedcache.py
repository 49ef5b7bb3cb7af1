from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from cartlandscape import loading, seedcache
from cartlandscape.errors import DataError

FILES = [("seeds/a.toml", b'[[source]]\nid = "s"\ntitle = "S"\ntype = "report"\n')]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CARTLANDSCAPE_CACHE", str(tmp_path))
    return tmp_path


def _records(reg: object) -> list[object]:
    return list(reg.records())  # type: ignore[attr-defined]


def test_cached_documents_give_the_same_registry(cache_dir: Path) -> None:
    """The second build of the bundled registry reads the cache and gives equal records."""
    first = loading._bundled_registry()
    assert list(cache_dir.glob("seeds-*.json"))
    files = loading._bundled_files()
    assert seedcache.read(files) is not None
    second = loading._bundled_registry()
    assert _records(second) == _records(first)
    assert second.version == first.version


def test_a_changed_seed_file_misses_the_cache(cache_dir: Path) -> None:
    """The cache is named by the files' bytes: other bytes, another cache file."""
    changed = [(FILES[0][0], FILES[0][1] + b"\n")]
    assert seedcache.cache_file(FILES) != seedcache.cache_file(changed)


def test_corrupt_cache_is_ignored_and_replaced(cache_dir: Path) -> None:
    """A corrupt cache file is ignored, and a good one is written in its place."""
    files = loading._bundled_files()
    path = seedcache.cache_file(files)
    assert path is not None
    path.write_text("{not json", encoding="utf-8")
    assert seedcache.read(files) is None
    reg = loading._bundled_registry()
    assert len(reg) > 0
    assert seedcache.read(files) is not None


def test_cache_of_other_files_is_not_used(cache_dir: Path) -> None:
    """A cache whose names differ from the files' is ignored."""
    path = seedcache.cache_file(FILES)
    assert path is not None
    path.write_text(json.dumps({"other.toml": {}}), encoding="utf-8")
    assert seedcache.read(FILES) is None


def test_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CARTLANDSCAPE_CACHE=0 writes and reads nothing."""
    monkeypatch.setenv("CARTLANDSCAPE_CACHE", "0")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert seedcache.cache_file(FILES) is None
    seedcache.write(FILES, {"seeds/a.toml": {}})
    assert not any(tmp_path.rglob("*.json"))


def test_unwritable_cache_folder_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache folder that cannot be created leaves no error and no cache."""
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("CARTLANDSCAPE_CACHE", str(blocker / "cache"))
    seedcache.write(FILES, {"seeds/a.toml": {}})
    assert seedcache.read(FILES) is None


def test_documents_json_cannot_hold_are_not_cached(cache_dir: Path) -> None:
    """A document holding a TOML date is not cached (JSON has no dates)."""
    import datetime as dt

    seedcache.write(FILES, {"seeds/a.toml": {"meta": {"as_of": dt.date(2026, 1, 1)}}})
    assert seedcache.read(FILES) is None


def _cached(files: list[tuple[str, bytes]]) -> tuple[Path, bytes, bytes]:
    loading._bundled_registry()
    path = seedcache.cache_file(files)
    assert path is not None
    header, _, body = path.read_bytes().partition(b"\n")
    return path, header, body


def test_a_cache_file_of_an_earlier_layout_is_not_used(cache_dir: Path) -> None:
    """A plain {"documents": ...} file (the layout before the digest) is parsed afresh."""
    files = loading._bundled_files()
    path, _, body = _cached(files)
    path.write_bytes(json.dumps({"documents": json.loads(body)}).encode())
    assert seedcache.read(files) is None


def test_an_altered_cache_is_not_trusted(cache_dir: Path) -> None:
    """Valid JSON with a changed value (82 % made 12 %) fails the digest; the seeds are used."""
    files = loading._bundled_files()
    path, header, body = _cached(files)
    assert b'"82.5 percent"' in body
    path.write_bytes(header + b"\n" + body.replace(b'"82.5 percent"', b'"12.5 percent"'))
    assert seedcache.read(files) is None
    reg = loading._bundled_registry()
    assert str(reg.outcomes["tisagenlecleucel-eliana-label-cr-cri"].value) == "82.5 percent"


def test_a_cache_that_verifies_but_does_not_build_is_parsed_afresh(cache_dir: Path) -> None:
    """A cached record with a bad key, digest recomputed, neither breaks nor blames the seeds."""
    files = loading._bundled_files()
    path, _, body = _cached(files)
    documents = json.loads(body)
    document = documents["seeds/targets.toml"]
    document["target"][0]["no_such_field"] = 1
    forged = json.dumps(documents).encode()
    header = json.dumps(
        {"cartlandscape-seed-cache": seedcache.FORMAT, "sha256": hashlib.sha256(forged).hexdigest()}
    ).encode()
    path.write_bytes(header + b"\n" + forged)
    assert seedcache.read(files) is not None  # it verifies ...
    reg = loading._bundled_registry()  # ... but the registry comes from the seeds
    assert document["target"][0]["id"] in reg.targets
    assert len(reg) == len(loading.load())
    assert b"no_such_field" not in path.read_bytes()  # and the cache was rewritten


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_at_the_cache_path_is_not_read(cache_dir: Path) -> None:
    """Reading would block forever on a FIFO with no writer: it is never opened for reading."""
    files = loading._bundled_files()
    path = seedcache.cache_file(files)
    assert path is not None
    os.mkfifo(path)
    assert seedcache.read(files) is None
    loading._bundled_registry()  # parses the seeds; cannot replace the FIFO's name, no hang


def test_a_folder_at_the_cache_path_leaves_no_temporary_file(cache_dir: Path) -> None:
    files = loading._bundled_files()
    path = seedcache.cache_file(files)
    assert path is not None
    path.mkdir()
    for _ in range(3):
        loading._bundled_registry()
    assert sorted(p.name for p in cache_dir.iterdir()) == [path.name]


def test_pruning_leaves_files_the_cache_did_not_write(cache_dir: Path) -> None:
    """Files named like cache files in a shared folder are the user's: never deleted."""
    mine = [cache_dir / f"seeds-{n:032x}.json" for n in range(6)]
    for path in mine:
        path.write_text('{"my": "data"}', encoding="utf-8")
    other = cache_dir / "seeds-notes.json"
    other.write_text("[]", encoding="utf-8")
    loading._bundled_registry()
    assert all(p.exists() for p in [*mine, other])


def test_cold_and_warm_starts_load_the_bundled_registry_without_pint(cache_dir: Path) -> None:
    """Before and after the cache is written, a new interpreter builds the registry sans pint."""
    import os
    import subprocess
    import sys

    code = (
        "import sys, cartlandscape as c\nr = c.registry()\nprint(len(r) > 0, 'pint' in sys.modules)"
    )
    env = {**os.environ, "CARTLANDSCAPE_CACHE": str(cache_dir)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs == [["True", "False"], ["True", "False"]]
    assert list(cache_dir.glob("seeds-*.json"))


def test_old_cache_files_are_pruned(cache_dir: Path) -> None:
    """Writing a cache keeps only the newest few files, the one just written among them."""
    written = []
    for i in range(seedcache.KEEP + 3):
        files = [(FILES[0][0], FILES[0][1] + b"\n" * i)]
        seedcache.write(files, {FILES[0][0]: {"source": []}})
        path = seedcache.cache_file(files)
        assert path is not None
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
        written.append(path)
    left = set(cache_dir.glob("seeds-*.json"))
    assert len(left) == seedcache.KEEP
    assert written[-1] in left
    assert written[0] not in left


def _parsed_seeds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the bundled files parsed from here on."""
    parsed: list[str] = []
    real = loading._parse

    def counting(name: str, data: bytes, max_bytes: int) -> object:
        if name.startswith("seeds/"):
            parsed.append(name)
        return real(name, data, max_bytes)

    monkeypatch.setattr(loading, "_parse", counting)
    return parsed


def test_load_reads_the_bundled_seeds_from_the_cache(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``load(path)`` merges a user's file with the cached seeds, parsing only the user's file."""
    loading._bundled_registry()  # writes the cache
    user = tmp_path / "mine.toml"
    user.write_text('[[source]]\nid = "my-own-source"\ntitle = "Mine"\ntype = "report"\n')
    parsed = _parsed_seeds(monkeypatch)
    reg = loading.load(user)
    assert parsed == []
    assert "my-own-source" in reg.sources
    assert len(reg) == len(loading._bundled_registry()) + 1


def test_load_parses_the_seeds_when_the_cache_does_not_build(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forged cache that verifies but does not build is parsed afresh by ``load`` too."""
    files = loading._bundled_files()
    path, _, body = _cached(files)
    documents = json.loads(body)
    documents["seeds/targets.toml"]["target"][0]["no_such_field"] = 1
    forged = json.dumps(documents).encode()
    header = json.dumps(
        {"cartlandscape-seed-cache": seedcache.FORMAT, "sha256": hashlib.sha256(forged).hexdigest()}
    ).encode()
    path.write_bytes(header + b"\n" + forged)
    parsed = _parsed_seeds(monkeypatch)
    reg = loading.load(bundled=True)
    assert parsed  # the seeds were parsed again
    assert [r.id for r in reg.targets] == [r.id for r in loading.load(bundled=True).targets]
    assert b"no_such_field" not in path.read_bytes()


def test_a_seed_file_over_the_size_limit_is_reported_even_with_a_cache(
    cache_dir: Path, tmp_path: Path
) -> None:
    """A limit below a seed file's size refuses that file, cache or not."""
    loading._bundled_registry()  # writes the cache
    smallest = min(len(data) for _, data in loading._bundled_files())
    with pytest.raises(DataError, match="expected a data file of at most"):
        loading.load(max_bytes=smallest + 1)
