"""`pipeline verify`: fixity in one read per file over every declared algorithm, signed records
re-checked from the facts recorded at filing (or re-validated with --deep), over --jobs processes.

The bags are filed by the real runner with a real PAdES signature; damage is done the way a
person or a broken disk would do it, including a consistent rewrite of the bag's own manifests
(which fixity alone cannot see)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from pipeline.archive.fixity import Reader
from pipeline.archive.signature_facts import (
    FACTS_KEY,
    NO_SIGNED_DOCUMENT,
    SIGNED_KIND,
    Recheck,
    SignaturePolicy,
    recheck,
)
from pipeline.cli import main
from pipeline.settings import Settings
from tests.support.cases import FIRST, TteDesk, trust_folder
from tests.support.pki import Issued, make_ca, write_trust_roots
from tests.support.staff import one

ALGORITHMS = ("sha256", "sha512")


def rebag(bag: Path) -> None:
    """Rewrite the bag's manifests and tag manifests to match its files as they are now: what
    someone covering up a change would do (plain hashlib, independent of the code under test)."""
    payload = sorted(p for p in (bag / "data").rglob("*") if p.is_file())
    for algorithm in ALGORITHMS:
        lines = [f"{_digest(p, algorithm)} {p.relative_to(bag).as_posix()}\n" for p in payload]
        (bag / f"manifest-{algorithm}.txt").write_text("".join(lines), encoding="utf-8")
    tags = ["bagit.txt", "bag-info.txt", *(f"manifest-{a}.txt" for a in ALGORITHMS)]
    tags = [name for name in tags if (bag / name).is_file()]
    for algorithm in ALGORITHMS:
        lines = [f"{_digest(bag / name, algorithm)} {name}\n" for name in tags]
        (bag / f"tagmanifest-{algorithm}.txt").write_text("".join(lines), encoding="utf-8")


def _digest(path: Path, algorithm: str) -> str:
    return hashlib.new(algorithm, path.read_bytes()).hexdigest()


def signed_pdf(bag: Path) -> Path:
    return one(bag / "data" / "masuk", "09 tanda tangan - *.pdf")


def break_signature(bag: Path) -> None:
    """Flip one byte inside the signed range of the signed PDF (its header's binary comment)."""
    target = signed_pdf(bag)
    data = bytearray(target.read_bytes())
    data[data.index(b"\n%", 0, 64) + 2] ^= 0x01
    target.write_bytes(bytes(data))


def edit_manifest(bag: Path, change: dict[str, object]) -> None:
    path = bag / "data" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for key, value in change.items():
        if value is None:
            manifest.pop(key, None)
        else:
            manifest[key] = value
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")


class Filed:
    """A share with one case filed under a trusted TTE, and `verify` run on it."""

    def __init__(self, settings: Settings, ca: Issued, capsys: pytest.CaptureFixture[str]) -> None:
        self.settings, self.ca, self._capsys = settings, ca, capsys
        self.bag = settings.root / "archive" / "2026" / FIRST

    def verify(self, *options: str) -> tuple[int, str]:
        root, state = str(self.settings.root), str(self.settings.state_dir)
        self._capsys.readouterr()
        code = main(["verify", root, "--state", state, *options])
        return code, self._capsys.readouterr().out

    def copy(self, case_id: str) -> Path:
        """Another bag beside the first, with the same (valid) content."""
        dest = self.bag.with_name(case_id)
        shutil.copytree(self.bag, dest)
        return dest


@pytest.fixture
def filed(share: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Filed:
    desk = TteDesk.open(share, tmp_path)
    try:
        desk.sign_and_file(tmp_path)
    finally:
        desk.app.close()
    return Filed(desk.settings, desk.ca, capsys)


# ---------------------------------------------------------------- recorded facts


def test_filing_records_the_facts_and_verify_reuses_them(filed: Filed) -> None:
    manifest = json.loads((filed.bag / "data/manifest.json").read_text(encoding="utf-8"))
    facts = manifest[FACTS_KEY]
    pdf = signed_pdf(filed.bag)
    assert facts["file"] == pdf.relative_to(filed.bag / "data").as_posix()
    assert facts["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert facts["trust_roots"] == [
        hashlib.sha256(filed.ca.cert.public_bytes(Encoding.DER)).hexdigest()
    ]
    code, out = filed.verify("--jobs", "1")
    assert code == 0, out
    assert f"{FIRST}: OK\n" in out
    assert "signatures: 1 from the facts recorded at filing" in out
    assert out.splitlines()[-1].endswith("MB/s, 1 job(s)): all OK")


def test_deep_re_validates_the_pdf(filed: Filed) -> None:
    code, out = filed.verify("--deep")
    assert code == 0, out
    assert "signatures: 1 re-validated from the PDF" in out


# ---------------------------------------------------------------- tampering, both modes


def _flip_last_byte(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))


@pytest.mark.parametrize("mode", [(), ("--deep",)], ids=["fast", "deep"])
def test_altered_missing_and_added_files_are_found(filed: Filed, mode: tuple[str, ...]) -> None:
    data = filed.bag / "data"
    victim = one(data / "masuk", "01 disposisi - *")
    _flip_last_byte(victim)
    gone = one(data / "keluar", f"{FIRST} Nota Dinas.docx")
    gone.unlink()
    (data / "tambahan.txt").write_text("disisipkan", encoding="utf-8")
    code, out = filed.verify(*mode)
    assert code == 1
    assert f"altered: data/masuk/{victim.name}" in out
    assert f"missing: data/keluar/{gone.name}" in out
    assert "added: data/tambahan.txt" in out
    assert out.splitlines()[-1].endswith("PROBLEMS FOUND")


@pytest.mark.parametrize("mode", [(), ("--deep",)], ids=["fast", "deep"])
def test_a_changed_signed_pdf_is_found_even_when_the_bag_is_rehashed(
    filed: Filed, mode: tuple[str, ...]
) -> None:
    break_signature(filed.bag)
    rebag(filed.bag)
    code, out = filed.verify(*mode)
    assert code == 1, out
    problem = next(line for line in out.splitlines() if "signature:" in line)
    if mode:  # pyHanko: the signed bytes no longer match the signature
        assert "bagian yang ditandatangani tidak cocok lagi" in problem
    else:  # the facts: not the file whose signature was checked at filing
        assert f"data/masuk/{signed_pdf(filed.bag).name} is not the file whose" in problem


def test_a_sha512_manifest_that_disagrees_is_found(filed: Filed) -> None:
    """Every declared algorithm is checked, not only the first one."""
    manifest = filed.bag / "manifest-sha512.txt"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    digest, name = lines[0].split(" ", 1)
    lines[0] = f"{'0' * len(digest)} {name}"
    manifest.write_text("".join(lines), encoding="utf-8")
    code, out = filed.verify()
    assert code == 1
    assert f"altered: {name.strip()}" in out
    assert "altered: manifest-sha512.txt" in out


# ---------------------------------------------------------------- old bags, trust changes


def test_a_bag_filed_before_the_facts_were_recorded_still_verifies(filed: Filed) -> None:
    edit_manifest(filed.bag, {FACTS_KEY: None})
    rebag(filed.bag)
    code, out = filed.verify()
    assert code == 0, out
    assert (
        f"{FIRST}: OK (signature re-validated from the PDF: "
        "filed before signature facts were recorded)" in out
    )
    assert "signatures: 1 re-validated from the PDF" in out


def test_an_old_bag_with_a_changed_signed_pdf_is_found(filed: Filed) -> None:
    edit_manifest(filed.bag, {FACTS_KEY: None})
    break_signature(filed.bag)
    rebag(filed.bag)
    code, out = filed.verify()
    assert code == 1
    assert "bagian yang ditandatangani tidak cocok lagi" in out


def test_a_trust_root_removed_since_filing_means_re_validation(filed: Filed) -> None:
    folder = trust_folder(filed.settings)
    for old in folder.iterdir():
        old.unlink()
    write_trust_roots(folder, make_ca("CA Lain"))
    code, out = filed.verify()
    assert code == 1
    assert "a trust root it was checked against is no longer configured" in out
    assert "sertifikat penanda tangan tidak berasal dari CA yang dipercaya" in out


def test_facts_naming_another_file_are_a_problem(filed: Filed) -> None:
    manifest = json.loads((filed.bag / "data/manifest.json").read_text(encoding="utf-8"))
    edit_manifest(filed.bag, {FACTS_KEY: manifest[FACTS_KEY] | {"file": "masuk/lain.pdf"}})
    rebag(filed.bag)
    code, out = filed.verify()
    assert code == 1
    assert "the signature was checked at filing on 'masuk/lain.pdf'" in out


# ---------------------------------------------------------------- jobs


@pytest.mark.parametrize("mode", [(), ("--deep",)], ids=["fast", "deep"])
def test_two_jobs_find_exactly_what_one_job_finds(filed: Filed, mode: tuple[str, ...]) -> None:
    for number in range(2, 8):
        filed.copy(f"DK-2026-{number:03d}")
    _flip_last_byte(one(filed.bag.with_name("DK-2026-003") / "data/masuk", "01 disposisi - *"))
    (filed.bag.with_name("DK-2026-004") / "bag-info.txt").unlink()
    old = filed.bag.with_name("DK-2026-005")
    edit_manifest(old, {FACTS_KEY: None})
    rebag(old)
    tampered = filed.bag.with_name("DK-2026-006")
    break_signature(tampered)
    rebag(tampered)
    one_job, one_out = filed.verify("--jobs", "1", *mode)
    two_jobs, two_out = filed.verify("--jobs", "2", *mode)
    assert (one_job, two_jobs) == (1, 1)
    assert one_out.splitlines()[:-1] == two_out.splitlines()[:-1]
    assert "7 bag(s)" in two_out.splitlines()[-1] and "2 job(s)" in two_out.splitlines()[-1]
    assert one_out.count(": PROBLEM\n") == 3, one_out


# ---------------------------------------------------------------- the fixity reader


def test_one_read_checks_every_algorithm_a_bag_declares(tmp_path: Path) -> None:
    bag = tmp_path / "bag"
    (bag / "data").mkdir(parents=True)
    (bag / "bagit.txt").write_text("BagIt-Version: 1.0\n", encoding="utf-8")
    body = bytes(range(256)) * 4000  # larger than the read buffer
    (bag / "data" / "a.bin").write_bytes(body)
    (bag / "data" / "b.bin").write_bytes(b"b")
    rebag(bag)
    assert Reader(size=4096).check_bag(bag).ok
    other = f"{hashlib.sha224(body).hexdigest()} data/a.bin\n"
    (bag / "manifest-sha224.txt").write_text(other, encoding="utf-8")
    report = Reader(size=4096).check_bag(bag)
    assert report.algorithms == ("sha224", *ALGORITHMS)
    assert report.errors == (
        "tagmanifest-sha224.txt is missing",
        "data/b.bin: not listed in manifest-sha224.txt",
    )
    assert report.extra == ("manifest-sha224.txt",)


def test_an_unknown_algorithm_is_an_error(tmp_path: Path) -> None:
    bag = tmp_path / "bag"
    (bag / "data").mkdir(parents=True)
    (bag / "bagit.txt").write_text("BagIt-Version: 1.0\n", encoding="utf-8")
    (bag / "data" / "a.bin").write_bytes(b"a")
    rebag(bag)
    (bag / "manifest-whirlpool.txt").write_text("00 data/a.bin\n", encoding="utf-8")
    report = Reader().check_bag(bag)
    assert not report.ok
    assert "whirlpool" in report.errors[0]


# ---------------------------------------------------------------- the re-check, pure


def _scan_manifest() -> dict[str, object]:
    """A case manifest as filed for a wet-signed scan (no digital signature)."""
    return {
        "case_id": FIRST,
        "files": [{"name": "masuk/ttd.pdf", "kind": SIGNED_KIND, "sha256": "ab" * 32}],
        "signature": {"method": "pindaian-qr", "signatures": [], "pages": 5},
        FACTS_KEY: {"file": "masuk/ttd.pdf", "sha256": "ab" * 32, "trust_roots": []},
    }


def test_a_scan_filed_under_the_old_policy_fails_once_tte_is_required() -> None:
    digests = {"data/masuk/ttd.pdf": {"sha256": "ab" * 32}}
    lenient = SignaturePolicy(None, frozenset(), require_trusted_signature=False)
    strict = SignaturePolicy(None, frozenset(), require_trusted_signature=True)
    assert recheck(_scan_manifest(), digests, lenient) == Recheck()
    found = recheck(_scan_manifest(), digests, strict)
    assert found.needs_deep is None
    assert found.problem is not None and "TTE diwajibkan" in found.problem


def test_a_bag_without_a_signed_document_is_reported_as_before() -> None:
    manifest = _scan_manifest() | {"files": []}
    policy = SignaturePolicy(None, frozenset(), require_trusted_signature=False)
    assert recheck(manifest, {}, policy) == Recheck(problem=NO_SIGNED_DOCUMENT)
