"""Numbers of outgoing documents (penomoran naskah dinas): the next of a register's year, in
the office's pattern. Pure: the shell says which numbers are taken, the journal keeps them."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pipeline.core.values import Number

DEFAULT_PATTERN = "{klasifikasi}/{urut}/{unit}/{tahun}"
FIELDS = frozenset({"klasifikasi", "urut", "unit", "tahun", "register"})


def format_number(
    pattern: str, *, klasifikasi: str, urut: int, unit: str, tahun: int, register: str
) -> str:
    """`000.1.2/007/DPK/2026` for the default pattern; `urut` is zero-padded to three digits."""
    values = {
        "klasifikasi": klasifikasi,
        "urut": f"{urut:03d}",
        "unit": unit,
        "tahun": str(tahun),
        "register": register,
    }
    return pattern.format_map(values)


def pattern_problems(pattern: str) -> list[str]:
    """What is wrong with a numbering pattern (empty when it can be used)."""
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None}
    except ValueError as exc:
        return [f"pattern {pattern!r} is not valid: {exc}"]
    unknown = sorted(names - FIELDS)
    missing = [] if "urut" in names else ["the pattern must contain {urut}"]
    return [f"unknown field(s) in the pattern: {', '.join(unknown)}"] * bool(unknown) + missing


def register_clashes(pattern: str, codes: Mapping[str, set[str]]) -> list[str]:
    """Registers whose numbers could read the same (same kode klasifikasi, and a pattern that
    does not name the register): each number must be unique as text, not only in its register.
    `codes` maps each register to the kode klasifikasi it is used with."""
    if "{register}" in pattern:
        return []
    if "{klasifikasi}" not in pattern:
        return [_shared(sorted(codes), "the pattern")] if len(codes) > 1 else []
    owners: dict[str, list[str]] = {}
    for register, kodes in sorted(codes.items()):
        for kode in kodes:
            owners.setdefault(kode, []).append(register)
    return [
        _shared(regs, f"kode klasifikasi {kode}") for kode, regs in owners.items() if len(regs) > 1
    ]


def _shared(registers: list[str], what: str) -> str:
    return (
        f"registers {', '.join(registers)} share {what}, so their numbers would repeat: give "
        "each register its own kode in [penomoran] klasifikasi, or put {register} in the pattern"
    )


@dataclass
class Allocator:
    """Hands out the numbers of one decision: the first of each register from the journal
    (`first_free`), the following ones counted on, so two documents never share a number."""

    first_free: Callable[[str, int], int]
    taken: dict[tuple[str, int], int] = field(default_factory=dict)

    def take(self, register: str, year: int) -> int:
        key = (register, year)
        seq = self.taken.get(key) or self.first_free(register, year)
        self.taken[key] = seq + 1
        return seq


def number(
    allocator: Allocator,
    register: str,
    year: int,
    *,
    pattern: str,
    klasifikasi: str,
    unit: str,
    case_id: str,
    document: str,
) -> Number:
    seq = allocator.take(register, year)
    text = format_number(
        pattern, klasifikasi=klasifikasi, urut=seq, unit=unit, tahun=year, register=register
    )
    return Number(register, year, seq, text, case_id, document)
