"""Finding the SOP AP table (PermenPAN-RB 35/2012) among a document's grids, and its steps.

**The header** starts at the first row with a "No" cell and an "Aktivitas" cell; the rows under
it belong to it while they hold no step (nothing numbered in No, no activity text of their
own): typically "Pelaksana" over the actors' names and "Mutu Baku" over Kelengkapan, Waktu and
Output. Each column's role comes from its labels in those rows (a merged label counts under
every column it spans). A column is an actor's when it stands under "Pelaksana", or, in a
header without that word, when it lies between Aktivitas and the mutu baku columns; its
name is its own label. Neighbouring columns with the same name are one actor.

**The rows.** A number in No starts a step; a row with an empty No continues the step above
(a row split over a page): its texts are appended to the step's; but not after a blank row,
below which such rows are notes or a legend. Repeated header rows (after a page break) and a
row of column numbers (1 2 3 …) are skipped. A value is read at the first position of its
merged cell only. A later table that repeats the header with the same actors, or has the same
width and goes on with the next number, continues this one; a table with other actors, or one
starting again at 1, is another SOP and ends the reading.

**The actor of a step** is each actor column with a symbol, picture, shape or any text but a
dash in the step's rows; when there is none, each column whose shading differs from the
Aktivitas cell's.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.sopimport.grid import Grid, Row, clean

NO, AKTIVITAS, PELAKSANA, MUTU_BAKU = "no", "aktivitas", "pelaksana", "mutu baku"
KELENGKAPAN, WAKTU, OUTPUT, KETERANGAN = "kelengkapan", "waktu", "output", "keterangan"
FIELDS = (AKTIVITAS, KELENGKAPAN, WAKTU, OUTPUT, KETERANGAN)
LABELS: Mapping[str, str] = {
    "no": NO, "nomor": NO, "no urut": NO,
    "aktivitas": AKTIVITAS, "kegiatan": AKTIVITAS, "uraian kegiatan": AKTIVITAS,
    "uraian aktivitas": AKTIVITAS, "uraian prosedur": AKTIVITAS, "prosedur": AKTIVITAS,
    "aktivitas/kegiatan": AKTIVITAS, "kegiatan/aktivitas": AKTIVITAS,
    "pelaksana": PELAKSANA, "mutu baku": MUTU_BAKU,
    "kelengkapan": KELENGKAPAN, "persyaratan": KELENGKAPAN, "syarat": KELENGKAPAN,
    "persyaratan/kelengkapan": KELENGKAPAN, "kelengkapan/persyaratan": KELENGKAPAN,
    "waktu": WAKTU, "waktu penyelesaian": WAKTU,
    "output": OUTPUT, "keluaran": OUTPUT, "output/keluaran": OUTPUT, "hasil": OUTPUT, "output/hasil": OUTPUT,
    "keterangan": KETERANGAN, "ket": KETERANGAN,
}  # fmt: skip
FIXED = frozenset({NO, AKTIVITAS, KELENGKAPAN, WAKTU, OUTPUT, KETERANGAN})
AFTER_ACTORS = frozenset({MUTU_BAKU, KELENGKAPAN, WAKTU, OUTPUT, KETERANGAN})
NUMBER = re.compile(r"^\(?(\d{1,3})\s*[.)]?$")
UNIT = re.compile(r"\(([^)]*)\)")
MAX_HEADER_ROWS = 4

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    number: str
    """As written in the No column ("1.", "8"); empty when the first row had none."""
    aktivitas: str
    kelengkapan: str
    waktu: str
    output: str
    keterangan: str
    actors: tuple[int, ...]
    """The marked actor columns (indexes into `SopTable.actors`), in column order."""
    by_shading: bool = False


@dataclass(frozen=True)
class SopTable:
    actors: tuple[str, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Layout:
    """What each column of a table holds."""

    roles: tuple[str, ...]
    """Per column: a role of `FIXED`, `PELAKSANA` for an actor's column, or ""."""
    actor_of: Mapping[int, int]
    actors: tuple[str, ...]
    body: int
    """The first row after the header."""
    waktu_unit: str = ""
    """A unit written in the Waktu header ("Waktu (Jam)"), for values that are bare numbers."""

    @property
    def no(self) -> int:
        return self.roles.index(NO)

    @property
    def aktivitas(self) -> int:
        return self.roles.index(AKTIVITAS)


def label(text: str) -> str:
    """The role a header text names ("Ket." → keterangan), or ""."""
    key = re.sub(r"\s*/\s*", "/", UNIT.sub("", clean(text).lower())).strip(" .:")
    return LABELS.get(key, "")


def number(text: str) -> int | None:
    match = NUMBER.match(text.strip())
    return int(match.group(1)) if match else None


def find_table(grids: Sequence[Grid]) -> SopTable | None:
    """The first SOP AP table of `grids` with the tables that continue it, or None."""
    for index, grid in enumerate(grids):
        layout = layout_of(grid)
        if layout is not None:
            return _read(grids[index:], layout)
    return None


# --- the header ------------------------------------------------------------------------------


def layout_of(grid: Grid) -> Layout | None:
    for start, row in enumerate(grid):
        roles = [label(cell.text) for cell in row]
        if NO in roles and AKTIVITAS in roles:
            return _layout_at(grid, start, roles.index(NO), roles.index(AKTIVITAS))
    return None


def _layout_at(grid: Grid, start: int, no: int, aktivitas: int) -> Layout | None:
    end = start + 1
    while end < min(len(grid), start + MAX_HEADER_ROWS) and _in_header(grid[end], no, aktivitas):
        end += 1
    labels = [_labels(grid[start:end], column) for column in range(len(grid[start]))]
    roles = _roles(labels, aktivitas)
    actors, actor_of = _actors(labels, roles)
    if not actors:
        return None
    return Layout(tuple(roles), actor_of, actors, end, _unit(labels, roles))


def _in_header(row: Row, no: int, aktivitas: int) -> bool:
    activity = row[aktivitas]
    own_text = activity.text and not activity.continued and not label(activity.text)
    return number(row[no].text) is None and not own_text


def _labels(rows: Sequence[Row], column: int) -> list[str]:
    return list(dict.fromkeys(row[column].text for row in rows if row[column].text))


def _roles(labels: Sequence[Sequence[str]], aktivitas: int) -> list[str]:
    fixed = [next((k for k in map(label, texts) if k in FIXED), "") for texts in labels]
    after = [c for c, texts in enumerate(labels) if c > aktivitas and _any(texts, AFTER_ACTORS)]
    actors_end = min(after, default=len(labels))
    return [
        fixed[c] or (PELAKSANA if _is_actor(texts, aktivitas < c < actors_end) else "")
        for c, texts in enumerate(labels)
    ]


def _any(texts: Sequence[str], roles: frozenset[str]) -> bool:
    return any(label(text) in roles for text in texts)


def _is_actor(texts: Sequence[str], between: bool) -> bool:
    named = any(not label(text) for text in texts)
    return _any(texts, frozenset({PELAKSANA})) or (between and named)


def _actors(
    labels: Sequence[Sequence[str]], roles: Sequence[str]
) -> tuple[tuple[str, ...], dict[int, int]]:
    names: list[str] = []
    actor_of: dict[int, int] = {}
    previous = ""
    for column, role in enumerate(roles):
        name = _actor_name(labels[column]) if role == PELAKSANA else ""
        if name and name != previous:
            names.append(name)
        if name:
            actor_of[column] = len(names) - 1
        previous = name
    return tuple(names), actor_of


def _actor_name(texts: Sequence[str]) -> str:
    names = [text for text in texts if not label(text)]
    return names[-1] if names else "Pelaksana"


def _unit(labels: Sequence[Sequence[str]], roles: Sequence[str]) -> str:
    texts = [t for c, role in enumerate(roles) if role == WAKTU for t in labels[c]]
    units = [m.group(1).strip().lower() for t in texts if (m := UNIT.search(t))]
    return units[0] if units else ""


# --- the rows --------------------------------------------------------------------------------


@dataclass
class _Draft:
    """A step being read: its rows' texts by role, its marked and shaded actor columns."""

    number: str
    texts: dict[str, list[str]] = field(default_factory=dict)
    marked: list[int] = field(default_factory=list)
    shaded: list[int] = field(default_factory=list)

    def add(self, other: _Draft) -> None:
        for role, texts in other.texts.items():
            self.texts.setdefault(role, []).extend(texts)
        self.marked += [a for a in other.marked if a not in self.marked]
        self.shaded += [a for a in other.shaded if a not in self.shaded]


def _read(grids: Sequence[Grid], layout: Layout) -> SopTable:
    drafts = _fold([], _rows(grids[0], layout, layout.body))
    for grid in grids[1:]:
        found = _continuation(grid, layout, drafts)
        if found is None:
            break
        drafts = _fold(drafts, found)
    return SopTable(layout.actors, tuple(_step(d, layout) for d in drafts))


def _continuation(grid: Grid, layout: Layout, drafts: list[_Draft]) -> list[_Draft | None] | None:
    """The rows of `grid` when it goes on with the table; [] when it is another table, None
    when it starts another SOP."""
    own = layout_of(grid)
    if own is not None and own.actors != layout.actors:
        return None
    if own is None and (not grid or len(grid[0]) != len(layout.roles)):
        return []
    rows = list(_rows(grid, own or layout, own.body if own else 0))
    first = next((n for row in rows if row and (n := number(row.number)) is not None), None)
    if first == _last_number(drafts) + 1:
        return rows
    return None if own is not None else []


def _last_number(drafts: Sequence[_Draft]) -> int:
    return next((n for d in reversed(drafts) if (n := number(d.number)) is not None), 0)


def _fold(drafts: list[_Draft], rows: Iterable[_Draft | None]) -> list[_Draft]:
    """Numbered rows start steps; others continue the step above, unless a blank row came
    between (notes or a legend under the table)."""
    joinable = bool(drafts)
    for row in rows:
        if row is None:
            joinable = False
        elif row.number or not drafts:
            drafts.append(row)
            joinable = True
        elif joinable:
            drafts[-1].add(row)
        else:
            log.info("left out, under a blank row and without a number: %s", row.texts)
    return drafts


def _rows(grid: Grid, layout: Layout, start: int) -> Iterator[_Draft | None]:
    """Each row as a draft step; None for a blank row; header repeats left out."""
    for row in grid[start:]:
        if not _skipped(row, layout):
            draft = _draft(row, layout)
            yield draft if draft.texts or draft.marked or draft.shaded else None


def _skipped(row: Row, layout: Layout) -> bool:
    texts = [cell.text for cell in row if cell.text and not cell.continued]
    if number(row[layout.no].text) is not None and not row[layout.no].continued:
        return _column_numbers(texts)
    return bool(texts) and all(label(t) or t in layout.actors for t in texts)


def _column_numbers(texts: Sequence[str]) -> bool:
    """A row "1 2 3 4 …" numbering the columns."""
    numbers = [number(text) for text in texts]
    return len(numbers) >= 3 and numbers == list(range(1, len(numbers) + 1))


def _draft(row: Row, layout: Layout) -> _Draft:
    no = row[layout.no]
    draft = _Draft("" if no.continued else no.text)
    background = row[layout.aktivitas].fill
    for column, cell in enumerate(row):
        role = layout.roles[column]
        if cell.continued or role == NO:
            continue
        if role == PELAKSANA:
            empty = not cell.drawn and not _unless_dash(cell.text)  # "-": not this actor
            _mark(draft, layout.actor_of[column], empty, cell.fill != background)
        elif role and cell.text:
            draft.texts.setdefault(role, []).append(cell.text)
    return draft


def _mark(draft: _Draft, actor: int, empty: bool, shaded: bool) -> None:
    if not empty and actor not in draft.marked:
        draft.marked.append(actor)
    elif empty and shaded and actor not in draft.shaded:
        draft.shaded.append(actor)


def _step(draft: _Draft, layout: Layout) -> Step:
    text = {role: clean(" ".join(draft.texts.get(role, []))) for role in FIELDS}
    waktu = text[WAKTU]
    if layout.waktu_unit and number(waktu) is not None:
        waktu = f"{waktu} {layout.waktu_unit}"
    return Step(
        number=draft.number,
        aktivitas=text[AKTIVITAS],
        kelengkapan=_unless_dash(text[KELENGKAPAN]),
        waktu=waktu,
        output=_unless_dash(text[OUTPUT]),
        keterangan=_unless_dash(text[KETERANGAN]),
        actors=tuple(draft.marked or draft.shaded),
        by_shading=not draft.marked and bool(draft.shaded),
    )


def _unless_dash(text: str) -> str:
    return "" if text.strip(" -–—") == "" else text
