"""Who acts, decided without a disk: identifying droppers, refusing the wrong role, answering
the dropper, and the notices about missing names."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.core.errors import ConfigError
from pipeline.core.office import AccessPolicy, Office, Pegawai
from pipeline.core.people import (
    NOBODY,
    OWNERS_KNOWN,
    Actor,
    Attribution,
    answer_roles,
    identify,
    missing_names,
    notices,
    refusal,
)
from pipeline.settings import load_office
from pipeline.views.board import role_label

SHIPPED = Path(__file__).parent.parent / "config" / "kantor.toml"
HEAD = Pegawai("ERLINAWATY, SH", "19750404 200604 2 006", "erlina", ("kepala-dinas",))
CLERK = Pegawai("Budi", "1980", "budi", ("bidang/sekretariat",))
ANALYST = Pegawai("Sari", "1990", "sari", ("analis", "bidang/layanan-perpustakaan"))


@pytest.fixture
def office() -> Office:
    shipped = load_office(SHIPPED, SHIPPED.parent.parent)
    return replace(shipped, pegawai=(HEAD, CLERK, ANALYST), akses=AccessPolicy(check_owner=True))


def test_identify_maps_accounts_to_people_case_insensitively(office: Office) -> None:
    actor = identify(office, "ERLINA", OWNERS_KNOWN)
    assert actor == Actor("ERLINA", "ERLINAWATY, SH", ("kepala-dinas",))
    assert actor.label == "ERLINAWATY, SH (ERLINA)"


def test_identify_keeps_unlisted_accounts_and_never_guesses(office: Office) -> None:
    assert identify(office, "tamu", OWNERS_KNOWN) == Actor("tamu")
    assert identify(office, "tamu", OWNERS_KNOWN).label == "akun tamu"
    unknown = Attribution(False, "semua file dimiliki satu akun")
    assert identify(office, "erlina", unknown) is NOBODY
    assert NOBODY.label == "tidak diketahui"


def test_a_holder_of_the_role_may_drop(office: Office) -> None:
    head = identify(office, "erlina", OWNERS_KNOWN)
    assert refusal(office, head, "kepala-dinas", role_label) is None
    analyst = identify(office, "sari", OWNERS_KNOWN)
    assert refusal(office, analyst, "bidang/layanan-perpustakaan", role_label) is None


def test_a_clerk_cannot_sign_for_the_head(office: Office) -> None:
    clerk = identify(office, "budi", OWNERS_KNOWN)
    refused = refusal(office, clerk, "kepala-dinas", role_label)
    assert refused is not None
    assert "file diletakkan oleh Budi (budi), yang bukan Kepala Dinas" in refused.message
    assert not refused.resend


def test_an_unlisted_account_is_refused_naming_the_account(office: Office) -> None:
    refused = refusal(office, Actor("tamu"), "analis", role_label)
    assert refused is not None
    assert "akun tamu, yang tidak terdaftar sebagai pegawai" in refused.message


def test_nothing_is_refused_when_the_check_is_off_or_owners_unknown(office: Office) -> None:
    off = replace(office, akses=AccessPolicy(check_owner=False))
    assert refusal(off, Actor("tamu"), "analis", role_label) is None
    assert refusal(office, NOBODY, "kepala-dinas", role_label) is None


def test_the_dropper_hears_it_and_the_folder_owner_gets_a_copy(office: Office) -> None:
    clerk = identify(office, "budi", OWNERS_KNOWN)
    assert answer_roles(clerk, "bidang/layanan-perpustakaan") == (
        "bidang/sekretariat",
        "bidang/layanan-perpustakaan",
    )
    assert answer_roles(clerk, "bidang/sekretariat") == ("bidang/sekretariat", None)
    assert answer_roles(NOBODY, "analis") == ("analis", None)
    assert answer_roles(Actor("tamu"), "analis") == ("analis", None)


def test_missing_signatory_names_are_announced(office: Office) -> None:
    assert missing_names(office) == ["sekretaris", "kasubag-ppmep"]
    texts = [n.text for n in notices(office, OWNERS_KNOWN, role_label)]
    assert texts[0].startswith("Nama/NIP Sekretaris Dinas belum diisi di config/kantor.toml")
    assert [n.role for n in notices(office, OWNERS_KNOWN, role_label)] == [
        "sekretaris",
        "kasubag-ppmep",
    ]


def test_unknown_owners_are_announced_and_an_explicit_check_says_it_cannot_run(
    office: Office,
) -> None:
    explicit = replace(office, akses=AccessPolicy(check_owner=True, explicit=True))
    texts = [n.text for n in notices(explicit, Attribution(False, "alasan uji"), role_label)]
    assert "Pelaku tidak dapat diketahui: alasan uji; dicatat 'tidak diketahui'" in texts
    assert any("periksa_pemilik" in t for t in texts)


def _config(tmp_path: Path, extra: str, kantor: str = "") -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    text = text.replace('timezone = "Asia/Jakarta"', f'timezone = "Asia/Jakarta"\n{kantor}')
    path = tmp_path / "kantor.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def test_the_shipped_config_names_the_head_and_checks_no_owner_yet() -> None:
    shipped = load_office(SHIPPED, SHIPPED.parent.parent)
    assert shipped.named_holder("kepala-dinas") == replace(
        shipped.pegawai[0], nama="ERLINAWATY, SH"
    )
    assert not shipped.akses.check_owner


def test_the_owner_check_is_on_once_an_account_is_listed(tmp_path: Path) -> None:
    extra = (
        '\n[[pegawai]]\nnama = "Budi"\nakun = "budi"\nperan = ["analis", "bidang/sekretariat"]\n'
    )
    office = load_office(_config(tmp_path, extra), tmp_path)
    assert office.akses.check_owner and not office.akses.explicit
    assert office.person("budi") is not None
    assert office.holders("bidang/sekretariat")[0].nama == "Budi"


def test_unknown_roles_and_doubled_accounts_are_configuration_errors(tmp_path: Path) -> None:
    bad_role = '\n[[pegawai]]\nnama = "X"\nakun = "x"\nperan = "bendahara"\n'
    with pytest.raises(ConfigError, match="unknown peran bendahara"):
        load_office(_config(tmp_path, bad_role), tmp_path)
    twice = (
        '\n[[pegawai]]\nakun = "x"\nperan = "analis"\n[[pegawai]]\nakun = "X"\nperan = "analis"\n'
    )
    with pytest.raises(ConfigError, match="listed twice: x"):
        load_office(_config(tmp_path, twice), tmp_path)


def test_names_set_the_old_way_still_count_but_placeholders_do_not(tmp_path: Path) -> None:
    old = 'sekretaris_nama = "Drs. Ahmad"\nsekretaris_nip = "1970"\n'
    office = load_office(_config(tmp_path, "", old), tmp_path)
    assert "sekretaris" not in missing_names(office)
    placeholder = 'sekretaris_nama = "(nama Sekretaris Dinas)"\n'
    office = load_office(_config(tmp_path, "", placeholder), tmp_path)
    assert "sekretaris" in missing_names(office)
