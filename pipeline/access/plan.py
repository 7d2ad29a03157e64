"""The access plan: for every folder of the share, who may do what there. Pure.

Everything comes from the settings. The SOP's stages give every inbox folder and the role that
drops there (`{bidang}` expanded over the office's bidang); the office's roles give the outboxes;
the actor of the SOP's last step (filing and distribution) reads `outbox/distribusi/`; the
pegawai give the accounts holding each role. Only the share's fixed layout (inbox/, outbox/,
archive/, berkas/, config/, riwayat/, templates/, status.html, the guide) is named here.

The model, as POSIX ACLs:
- the holders of a role: rwx in each inbox folder of that role (create, rename and delete: Office
  saves through temporary files), r-x in the role's outbox, r-x on the folders on the way;
- everyone holding a role: r-x on the share root, read on status.html and the guide, r-x on
  archive/, berkas/, config/, riwayat/ and templates/ and read on everything in them;
- the service account: rwx everywhere; it owns every folder and every file except the drops in
  the inboxes (a drop's owner says who dropped it);
- nobody else anything (`group::---`, `other::---`); the state folder, when it lies in the share,
  belongs to the service alone (0700, no ACL).
Every folder also carries a default ACL, so that what is created in it later inherits the same;
folders on the way to a role's folders pass on nothing but the service's access.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain
from pathlib import PurePosixPath

from pipeline.engine.model import RECIPIENTS
from pipeline.engine.routing import every_place
from pipeline.settings import Settings, office_roles
from pipeline.share import GUIDE

INBOX = "inbox"
OUTBOX = "outbox"
DISTRIBUTION = "distribusi"
READ_ONLY = ("archive", "berkas", "config", "riwayat")  # with the templates folder of the settings
BOARD = "status.html"


class Perm(StrEnum):
    """What an account may do in a folder (its file entries drop the x)."""

    WRITE = "rwx"  # list, open, create, rename, delete
    READ = "r-x"  # list and open
    NONE = "---"


RANK = {Perm.NONE: 0, Perm.READ: 1, Perm.WRITE: 2}
Grants = tuple[tuple[str, Perm], ...]
"""(account, perm) pairs, sorted by account."""


@dataclass(frozen=True)
class Rule:
    """One planned path (relative to ROOT, "/"-separated; "" is ROOT) and who may do what there.

    `inherit` is what new entries inside get (the default ACL); None marks a file. `tree`: what
    already lies inside is set too. `drops`: an inbox, whose files keep their owner.
    """

    path: str
    grants: Grants
    inherit: Grants | None = None
    tree: bool = False
    drops: bool = False

    @property
    def is_dir(self) -> bool:
        return self.inherit is not None

    def perm(self, account: str) -> Perm:
        return dict(self.grants).get(account, Perm.NONE)


@dataclass(frozen=True)
class AccessPlan:
    """The rules of one share (parents before children) and the account the service runs as."""

    service: str
    rules: tuple[Rule, ...]
    state: str | None = None  # the state folder, relative to ROOT, when it lies in the share

    def rule(self, path: str) -> Rule | None:
        return next((r for r in self.rules if r.path == path), None)

    @property
    def accounts(self) -> tuple[str, ...]:
        """Every staff account the plan grants anything to."""
        return tuple(sorted({a for r in self.rules for a, p in r.grants if p != Perm.NONE}))


def plan_access(settings: Settings, service: str) -> AccessPlan:
    """The access plan of the share described by `settings`, served by `service`."""
    holders = role_holders(settings)
    everyone = _grants(_staff(holders), Perm.READ)
    leaves = [
        *_inboxes(settings, holders),
        *_outboxes(settings, holders),
        *_read_only(settings, everyone),
    ]
    root = Rule("", everyone, everyone)
    rules = _merge([root, *leaves, *_ways(leaves)])
    return AccessPlan(service, tuple(sorted(rules, key=_order)), state_in_share(settings))


def role_holders(settings: Settings) -> dict[str, tuple[str, ...]]:
    """Each role of the office and the SOP, with the accounts of the pegawai holding it."""
    office = settings.office
    roles = dict.fromkeys([*office_roles(office.bidang, settings.sops), *settings.roles()])
    return {r: tuple(p.akun for p in office.holders(r) if p.akun) for r in roles}


def distribution_roles(settings: Settings) -> tuple[str, ...]:
    """Who reads the recipients' copies: the actor of the filing stage of every SOP that gives
    its records out to the recipients."""
    stages = (s.stage("arsip") for s in settings.sops)
    return tuple(dict.fromkeys(a.role for a in stages if a and RECIPIENTS in a.kirim_ke))


def state_in_share(settings: Settings) -> str | None:
    """The state folder relative to ROOT when it lies inside the share, else None."""
    state, root = settings.state_dir, settings.root
    if state == root or not state.is_relative_to(root):
        return None
    return state.relative_to(root).as_posix()


def _staff(holders: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(sorted({a for accounts in holders.values() for a in accounts}))


def _grants(accounts: Iterable[str], perm: Perm) -> Grants:
    return tuple((a, perm) for a in sorted(set(accounts)))


def _inboxes(settings: Settings, holders: Mapping[str, tuple[str, ...]]) -> Iterator[Rule]:
    folders: dict[str, set[str]] = defaultdict(set)
    for place in every_place(settings.sops, settings.units):
        folders[place.folder] |= set(holders.get(place.role, ()))
    for folder, accounts in sorted(folders.items()):
        grants = _grants(accounts, Perm.WRITE)
        yield Rule(f"{INBOX}/{folder}", grants, grants, tree=True, drops=True)


def _outboxes(settings: Settings, holders: Mapping[str, tuple[str, ...]]) -> Iterator[Rule]:
    for role, accounts in holders.items():
        yield _readable(f"{OUTBOX}/{role}", _grants(accounts, Perm.READ))
    readers = _grants(
        (a for r in distribution_roles(settings) for a in holders.get(r, ())), Perm.READ
    )
    yield _readable(f"{OUTBOX}/{DISTRIBUTION}", readers)
    for penerima in settings.office.penerima:
        yield _readable(f"{OUTBOX}/{DISTRIBUTION}/{penerima.slug}", readers)


def _read_only(settings: Settings, everyone: Grants) -> Iterator[Rule]:
    templates = settings.templates_dir.relative_to(settings.root).as_posix()
    for folder in (*READ_ONLY, templates):
        yield _readable(folder, everyone)
    for name in (BOARD, GUIDE):
        yield Rule(name, everyone)


def _readable(path: str, grants: Grants) -> Rule:
    return Rule(path, grants, grants, tree=True)


def _ways(leaves: Iterable[Rule]) -> Iterator[Rule]:
    """The folders above the planned ones: r-x for whoever has access somewhere below."""
    below: dict[str, set[str]] = defaultdict(set)
    for rule in leaves:
        for parent in PurePosixPath(rule.path).parents:
            if str(parent) != ".":
                below[str(parent)].update(a for a, p in rule.grants if p != Perm.NONE)
    for path, accounts in below.items():
        yield Rule(path, _grants(accounts, Perm.READ), ())


def _merge(rules: Iterable[Rule]) -> list[Rule]:
    """One rule per path: a planned folder that is also on the way keeps the wider access."""
    merged: dict[str, Rule] = {}
    for rule in rules:
        known = merged.get(rule.path)
        merged[rule.path] = _wider(known, rule) if known else rule
    return list(merged.values())


def _wider(a: Rule, b: Rule) -> Rule:
    inherit = None if a.inherit is None or b.inherit is None else _union(a.inherit, b.inherit)
    return Rule(a.path, _union(a.grants, b.grants), inherit, a.tree or b.tree, a.drops or b.drops)


def _union(*grants: Grants) -> Grants:
    best: dict[str, Perm] = {}
    for account, perm in chain(*grants):
        best[account] = max(perm, best.get(account, Perm.NONE), key=RANK.__getitem__)
    return tuple(sorted(best.items()))


def _order(rule: Rule) -> tuple[str, ...]:
    """Each folder before what lies in it."""
    return PurePosixPath(rule.path).parts


# --- the ACL each path must carry, and how an actual one differs ---------------------------------

Entries = tuple[tuple[str, str], ...]
"""ACL entries keyed as getfacl names them without the perms: "user:" (the owner), "user:ani",
"group:", "group:staf", "mask:", "other:"; each with its perms, e.g. ("user:ani", "r-x")."""


@dataclass(frozen=True)
class Acl:
    """A path's owner and its ACL; `default` is what new entries inside a folder inherit.

    An empty `owner` in an expected ACL means any owner will do (a drop in an inbox).
    """

    owner: str
    access: Entries
    default: Entries = ()


def expected_acl(rule: Rule, service: str, *, is_dir: bool, inside: bool) -> Acl:
    """What a path must carry: the rule's own path (`inside` False) or an entry within its tree."""
    grants = (rule.inherit or ()) if inside else rule.grants
    owner = "" if inside and rule.drops else service
    default = _entries(rule.inherit or (), service, True) if is_dir else ()
    return Acl(owner, _entries(grants, service, is_dir), default)


def sealed_acl(service: str) -> Acl:
    """The state folder: the service's alone (0700, no ACL)."""
    return Acl(service, (("user:", "rwx"), ("group:", "---"), ("other:", "---")))


def _entries(grants: Grants, service: str, is_dir: bool) -> Entries:
    staff = [(f"user:{a}", p) for a, p in grants if a != service]
    raw = [
        ("user:", Perm.WRITE),
        *staff,
        (f"user:{service}", Perm.WRITE),
        ("group:", Perm.NONE),
        ("mask:", Perm.WRITE),
        ("other:", Perm.NONE),
    ]
    return tuple((key, perm.value if is_dir else _no_x(perm)) for key, perm in raw)


def drift(actual: Acl, expected: Acl, service: str, *, is_dir: bool, inside: bool) -> list[str]:
    """How `actual` differs from `expected`, in words; empty when they grant the same.

    Compared is what each entry grants (named entries cut by the mask; a file's x ignored).
    Inside a tree the service's own entries are left out: the pipeline's files may carry
    any mode for their owner, what matters is that staff get exactly what the plan says.
    """
    problems = []
    if expected.owner and actual.owner != expected.owner:
        problems.append(f"owned by {actual.owner}, not {expected.owner}")
    skip = _service_keys(actual.owner, service) if inside else frozenset()
    problems += _differ(actual.access, expected.access, is_dir, skip, "")
    if is_dir:
        problems += _differ(actual.default, expected.default, is_dir, skip, "default:")
    return problems


def _service_keys(owner: str, service: str) -> frozenset[str]:
    return frozenset({f"user:{service}", *(["user:"] if owner == service else [])})


def _differ(
    have: Entries, want: Entries, is_dir: bool, skip: frozenset[str], prefix: str
) -> list[str]:
    got, wanted = granted(have, is_dir, skip), granted(want, is_dir, skip)
    return [f"lacks {prefix}{line}" for line in sorted(wanted - got)] + [
        f"has {prefix}{line}" for line in sorted(got - wanted)
    ]


def granted(entries: Entries, is_dir: bool, skip: frozenset[str] = frozenset()) -> frozenset[str]:
    """What the entries grant, one "key:perms" line each, comparable across equivalent ACLs."""
    table = dict(entries)
    mask = table.pop("mask:", "rwx")
    lines = set()
    for key, perm in table.items():
        if key in skip:
            continue
        cut = perm if key in ("user:", "other:") else _and(perm, mask)
        cut = cut if is_dir else _no_x(cut)
        if cut != "---" or key.endswith(":"):  # a named entry granting nothing is no entry
            lines.add(f"{key}:{cut}")
    return frozenset(lines)


def _and(perm: str, mask: str) -> str:
    return "".join(p if m != "-" else "-" for p, m in zip(perm, mask, strict=True))


def _no_x(perm: str) -> str:
    return perm[:2] + "-"
