"""The one table of stage kinds. A new kind is a module in `kinds/` and a line here."""

from __future__ import annotations

from pipeline.engine.kinds import arsip, disposisi, draf, paraf, pengumpulan, tanda_tangan
from pipeline.engine.kinds.base import Kind

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        disposisi.KIND,
        pengumpulan.KIND,
        draf.KIND,
        paraf.KIND,
        tanda_tangan.KIND,
        arsip.KIND,
    )
}
ORDER = tuple(KINDS)
"""The order stages take in a definition (pengumpulan and paraf may be left out)."""


def kind_of(jenis: str) -> Kind:
    return KINDS[jenis]
