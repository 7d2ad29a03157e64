"""A template broken by an edit in Word stops `pipeline watch` at start-up with a clear error,
naming the template and the problem, before any document is made from it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from pipeline.cli import main
from pipeline.demo import disposition_docx
from pipeline.settings import Settings
from pipeline.share import prepare_share

NOTA, DRAF = "nota-dinas.docx", "draf-data-kinerja.docx"


def add_paragraph(text: str) -> Callable[[Path], None]:
    def edit(template: Path) -> None:
        document = docx.Document(str(template))
        document.add_paragraph(text)
        document.save(str(template))

    return edit


def add_table_cell(text: str) -> Callable[[Path], None]:
    def edit(template: Path) -> None:
        document = docx.Document(str(template))
        document.add_table(rows=1, cols=1).cell(0, 0).text = text
        document.save(str(template))

    return edit


@pytest.fixture
def waiting(tmp_path: Path) -> Settings:
    """A share with a disposition already waiting in the inbox."""
    settings = prepare_share(tmp_path / "share", tmp_path / "state", settle_seconds=0.0)
    disposition = (
        settings.root / "inbox/kepala-dinas/disposisi-data-kinerja/Disposisi Triwulan I 2026.docx"
    )
    disposition_docx(disposition, "Triwulan I 2026")
    return settings


def watch_once(settings: Settings) -> int:
    root, state = str(settings.root), str(settings.state_dir)
    return main(["watch", root, "--state", state, "--once", "--settle", "0"])


def produced(settings: Settings) -> list[str]:
    """Every document in the outboxes, the case files and the archive."""
    return sorted(
        p.relative_to(settings.root).as_posix()
        for top in ("outbox", "berkas", "archive")
        for p in (settings.root / top).rglob("*")
        if p.is_file() and p.name != "STATUS.txt"
    )


BROKEN = [
    pytest.param(
        DRAF,
        add_paragraph("Kepala bidang: {{ nama_kepala_bidang }}"),
        ["draf-data-kinerja.docx", "nama_kepala_bidang", "not provided by the pipeline"],
        id="unknown-variable",
    ),
    pytest.param(
        NOTA,
        add_paragraph("{{ ringkasan.rata_rata }}"),
        ["nota-dinas.docx", "ringkasan"],
        id="variable-of-another-template",
    ),
    pytest.param(
        DRAF,
        add_paragraph("{%tr for b in bidang %}"),
        ["draf-data-kinerja.docx", "{%tr", "not inside a table row"],
        id="tr-outside-a-table-row",
    ),
    pytest.param(
        NOTA,
        add_paragraph("{% if kasus %}lupa ditutup"),
        ["nota-dinas.docx", "template syntax error", "endif"],
        id="unclosed-block",
    ),
    pytest.param(
        NOTA,
        add_paragraph("Nomor: {{ kasus }"),
        ["nota-dinas.docx", "template syntax error"],
        id="broken-tag",
    ),
    pytest.param(
        DRAF,
        add_table_cell("{{ kasus | tidak_ada }}"),
        ["draf-data-kinerja.docx", "tidak_ada"],
        id="unknown-filter",
    ),
    pytest.param(
        DRAF,
        add_paragraph("{{ ringkasan.tidak_ada }}"),
        ["draf-data-kinerja.docx", "tidak_ada"],
        id="unknown-attribute",
    ),
]


@pytest.mark.parametrize(("name", "edit", "fragments"), BROKEN)
def test_a_broken_template_stops_watch_at_start_up(
    waiting: Settings,
    name: str,
    edit: Callable[[Path], None],
    fragments: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    edit(waiting.templates_dir / name)
    before = produced(waiting)

    assert watch_once(waiting) == 2

    error = capsys.readouterr().err
    assert error.startswith("configuration error: "), error
    for fragment in fragments:
        assert fragment in error, f"{fragment!r} not in {error!r}"
    assert produced(waiting) == before, "no document is made from a broken template"
    assert [
        p.name for p in (waiting.root / "inbox/kepala-dinas/disposisi-data-kinerja").iterdir()
    ] == ["Disposisi Triwulan I 2026.docx"], "the waiting drop is neither taken nor rejected"


def test_once_the_template_is_repaired_the_waiting_drop_is_taken(
    waiting: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = waiting.templates_dir / DRAF
    good = tmp_path / "baik.docx"
    shutil.copyfile(template, good)
    add_paragraph("{{ tidak_dikenal }}")(template)
    assert watch_once(waiting) == 2
    assert "tidak_dikenal" in capsys.readouterr().err

    shutil.copyfile(good, template)

    assert watch_once(waiting) == 0
    assert "accepted: 1" in capsys.readouterr().out
    assert any(p.name.endswith("Nota Dinas.docx") for p in (waiting.root / "outbox").rglob("*"))


def test_a_template_edited_with_known_variables_is_accepted(
    waiting: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    add_paragraph("Ditetapkan di {{ tempat }} untuk {{ kasus }} ({{ periode }})")(
        waiting.templates_dir / NOTA
    )
    assert watch_once(waiting) == 0
    assert "accepted: 1" in capsys.readouterr().out
