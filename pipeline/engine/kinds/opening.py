"""Opening a case: what every opening stage (`disposisi`, an opening `draf`) decides alike."""

from __future__ import annotations

import re

from pipeline.core.assign import find_case_ids, format_case_id, period_from_name
from pipeline.core.errors import Rejected
from pipeline.core.values import NewCase
from pipeline.engine.context import Decide

NEW_CASE_WORD = "baru"
_NEW_CASE = re.compile(rf"(?<![^\W_]){NEW_CASE_WORD}(?![^\W_])", re.IGNORECASE)


def says_new_case(name: str) -> bool:
    """True when the file name has the word 'baru' (not 'terbaru', 'pembaruan')."""
    return _NEW_CASE.search(name) is not None


def open_case(ctx: Decide, text: str) -> NewCase:
    """The new case a drop opens: the next number of the year, the period its name gives.
    A file naming an existing case, or dropped again under the same name, opens none."""
    period = period_from_name(ctx.drop.name, ctx.local.year)
    _check_new_case(ctx, text, period)
    year = ctx.local.year
    seq = ctx.cases.next_seq(ctx.prefix, year)
    return NewCase(format_case_id(ctx.prefix, year, seq), year, seq, period)


def _check_new_case(ctx: Decide, text: str, period: str) -> None:
    known = ctx.cases.known()
    named = [c for c in find_case_ids(ctx.prefix, ctx.drop.name, text) if c in known]
    if named:
        raise Rejected(
            f"file ini menyebut kasus {named[0]} yang sudah ada, padahal folder ini membuka kasus baru",
            "letakkan file di folder langkah yang sedang ditunggu (lihat status.html atau PETUNJUK.txt)",
            resend=False,
        )
    same = ctx.cases.opened_by(ctx.drop.folder, ctx.drop.name)
    if same and not says_new_case(ctx.drop.name):
        raise Rejected(
            f"file dengan nama yang sama sudah membuka kasus {same[0]} ({period}), "
            "yang masih berjalan",
            f"bila memang perlu kasus baru, tambahkan kata '{NEW_CASE_WORD}' pada nama file lalu "
            "kirim ulang; bila tidak, file ini tidak perlu dikirim",
            resend=False,
            informational=True,
            case_id=same[0],
        )
