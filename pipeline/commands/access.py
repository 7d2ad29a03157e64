"""`pipeline access`: folder permissions from the config, and the Samba share section."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from pipeline.access.acl import apply_plan, check_plan, load_plan
from pipeline.access.plan import Perm, Rule
from pipeline.access.samba import share_section
from pipeline.settings import Settings, load_settings


def cmd_access(args: argparse.Namespace) -> int:
    settings = load_settings(args.root, args.state)
    return ACCESS[args.action](settings, args)


def _access_apply(settings: Settings, args: argparse.Namespace) -> int:
    plan = load_plan(settings)
    applied = apply_plan(settings.root, plan)
    print(f"Access set under {settings.root} (service account: {plan.service}):")
    for rule in plan.rules:
        print(f"  {rule.path or '.'}{'/' if rule.is_dir else ''}  {_who(rule)}")
    if applied.state:
        print(f"  {plan.state}/  the state: {plan.service} alone (0700)")
    print(f"{applied.folders} folder(s) and {applied.files} file(s) set.")
    return 0


def _who(rule: Rule) -> str:
    said = []
    for word, perm in (("write", Perm.WRITE), ("read", Perm.READ)):
        accounts = [a for a, p in rule.grants if p == perm]
        if accounts:
            said.append(f"{word}: {', '.join(accounts)}")
    return "; ".join(said) or "service account only"


def _access_check(settings: Settings, args: argparse.Namespace) -> int:
    drifts = check_plan(settings.root, load_plan(settings, need_staff=False))
    for item in drifts:
        print(f"{item.path or '.'}: {'; '.join(item.problems)}")
    if drifts:
        print(f"{len(drifts)} path(s) differ from the config; `pipeline access apply` sets them.")
        return 1
    print(f"Every folder under {settings.root} has the access the config gives it.")
    return 0


def _access_smb_conf(settings: Settings, args: argparse.Namespace) -> int:
    print(share_section(settings, load_plan(settings), args.name), end="")
    return 0


ACCESS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "apply": _access_apply,
    "check": _access_check,
    "smb-conf": _access_smb_conf,
}
