"""Who may drop where, enforced by the file server; the state kept out of the share.

The plan is tested as pure data (roles → folders). The rest drives the real thing: `pipeline
access apply/check/smb-conf` in-process, real Unix accounts logging in to a real smbd that runs
with the printed share section, every operation tried through SMB as each account, and
`pipeline watch` refusing a state folder that an smb.conf exports.
"""

from __future__ import annotations

import ast
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from pipeline.access import StateExposed, UnknownAccounts
from pipeline.access.acl import load_plan, parse_getfacl, quote, service_account, unquote
from pipeline.access.plan import Acl, Perm, drift, granted, plan_access
from pipeline.access.samba import (
    exports_from,
    forced_owner,
    guard_state,
    parse_testparm,
    read_exports,
)
from pipeline.cli import main
from pipeline.core.office import AccessPolicy, Bidang, Pegawai
from pipeline.demo import disposition_docx
from pipeline.engine.routing import every_place
from pipeline.settings import Settings, default_state_dir, load_settings
from pipeline.store.journal import Journal
from tests.support.accounts import Account, unix_accounts, write_staff
from tests.support.samba import SambaServer, SmbSession, require_samba
from tests.support.tools import require_program

KD = "kepala-dinas"
ANALIS = "analis"
SEKRETARIS = "sekretaris"
SEKRETARIAT = "bidang/sekretariat"
LAYANAN = "bidang/layanan-perpustakaan"
SHARED = ("archive", "berkas", "config", "riwayat", "templates")


# --- the plan, as pure data ------------------------------------------------------------------


def staffed(settings: Settings, **people: tuple[str, ...]) -> Settings:
    pegawai = tuple(Pegawai(nama=a.upper(), nip="", akun=a, peran=r) for a, r in people.items())
    return replace(settings, office=replace(settings.office, pegawai=pegawai))


def where(settings: Settings, account: str, perm: Perm) -> set[str]:
    plan = plan_access(settings, "svc")
    return {r.path for r in plan.rules if r.perm(account) == perm}


EVERYONE_READS = {"", "inbox", "outbox", *SHARED, "status.html", "PETUNJUK.txt"}


def test_a_role_writes_only_in_its_own_inbox_folders_and_reads_its_outbox(share: Settings) -> None:
    settings = staffed(share, ani=(KD,), budi=(SEKRETARIAT,))
    assert where(settings, "ani", Perm.WRITE) == {
        "inbox/kepala-dinas/disposisi-data-kinerja",
        "inbox/kepala-dinas/tanda-tangan",
    }
    assert where(settings, "ani", Perm.READ) == {
        *EVERYONE_READS,
        "inbox/kepala-dinas",
        "outbox/kepala-dinas",
    }
    assert where(settings, "budi", Perm.WRITE) == {
        "inbox/bidang/sekretariat",
        "inbox/bidang/sekretariat/konsep-surat-keluar",  # outgoing letters (the second SOP)
    }
    assert where(settings, "budi", Perm.READ) == {
        *EVERYONE_READS,
        "inbox/bidang",
        "outbox/bidang",
        "outbox/bidang/sekretariat",
    }


def test_several_roles_of_one_person_add_up(share: Settings) -> None:
    settings = staffed(share, citra=(ANALIS, LAYANAN))
    assert where(settings, "citra", Perm.WRITE) == {
        "inbox/analis/draf",
        "inbox/bidang/layanan-perpustakaan",
        "inbox/bidang/layanan-perpustakaan/konsep-surat-keluar",
    }
    assert {"outbox/analis", "outbox/bidang/layanan-perpustakaan"} <= where(
        settings, "citra", Perm.READ
    )


def test_a_person_without_a_role_gets_nothing(share: Settings) -> None:
    settings = staffed(share, ani=(KD,), tamu=())
    plan = plan_access(settings, "svc")
    assert plan.accounts == ("ani",)
    assert all(r.perm("tamu") == Perm.NONE for r in plan.rules)
    assert plan_access(staffed(share, tamu=()), "svc").accounts == ()


def test_the_secretary_reads_the_copies_for_the_recipients(share: Settings) -> None:
    settings = staffed(share, sri=(SEKRETARIS,), ani=(KD,))
    copies = {"outbox/distribusi"} | {f"outbox/distribusi/{p.slug}" for p in share.office.penerima}
    assert copies <= where(settings, "sri", Perm.READ)
    assert not copies & where(settings, "ani", Perm.READ)


def test_a_bidang_added_in_the_config_gets_its_folders(share: Settings) -> None:
    keuangan = Bidang("keuangan", "Bidang Keuangan", share.office.bidang[0].iku)
    office = replace(share.office, bidang=(*share.office.bidang, keuangan))
    settings = staffed(replace(share, office=office), dewi=("bidang/keuangan",))
    assert where(settings, "dewi", Perm.WRITE) == {
        "inbox/bidang/keuangan",
        "inbox/bidang/keuangan/konsep-surat-keluar",
    }
    assert "outbox/bidang/keuangan" in where(settings, "dewi", Perm.READ)


def test_inbox_folders_come_from_the_sop_definition(share: Settings) -> None:
    dk = next(s for s in share.sops if s.kode == "DK")
    stages = tuple(replace(s, folder="koreksi") if s.jenis == "draf" else s for s in dk.stages)
    sop = replace(dk, stages=stages)
    settings = staffed(replace(share, sops=(sop,)), citra=(ANALIS,))
    assert where(settings, "citra", Perm.WRITE) == {"inbox/analis/koreksi"}
    assert plan_access(settings, "svc").rule("inbox/analis/draf") is None


def test_new_entries_inherit_only_what_their_folder_plans(share: Settings) -> None:
    plan = plan_access(staffed(share, ani=(KD,), citra=(ANALIS, LAYANAN)), "svc")
    for rule in plan.rules:
        if rule.drops:
            assert rule.inherit == rule.grants and {p for _, p in rule.grants} <= {Perm.WRITE}
        elif rule.is_dir and not rule.tree and rule.path:  # on the way: the service alone
            assert rule.inherit == ()
    assert plan.rule("")
    assert plan.rule("").inherit == plan.rule("").grants  # status.html, rewritten, stays readable


def test_the_state_folder_is_planned_only_when_it_lies_in_the_share(share: Settings) -> None:
    inside = replace(share, state_dir=share.root / ".pipeline")
    assert plan_access(inside, "svc").state == ".pipeline"
    assert plan_access(share, "svc").state is None


def test_drift_compares_what_entries_grant() -> None:
    wide = (("user:", "rwx"), ("user:ani", "rwx"), ("group:", "---"), ("mask:", "r-x"))
    assert granted(wide, True) == {"user::rwx", "user:ani:r-x", "group::---"}
    assert granted(wide, False) == {"user::rw-", "user:ani:r--", "group::---"}
    want = Acl("svc", (("user:", "rwx"), ("user:ani", "r-x"), ("group:", "---")))
    have = Acl("ani", (*want.access, ("user:budi", "r--")))
    assert drift(have, want, "svc", is_dir=False, inside=False) == [
        "owned by ani, not svc",
        "has user:budi:r--",
    ]


def test_getfacl_output_and_restore_names_round_trip() -> None:
    name = Path("/srv/sop/berkas/a b\\c\nü.pdf")
    assert unquote(quote(name)) == os.fsencode(name)
    text = (
        b"# file: " + quote(name) + b"\n# owner: ani\n# group: staf\nuser::rw-\n"
        b"user:budi:rwx\t#effective:r--\ngroup::---\nmask::r--\nother::---\n\n"
        b"# file: /srv/sop\n# owner: svc\nuser::rwx\ndefault:user:ani:r-x\n\n"
    )
    found = parse_getfacl(text)
    assert found[str(name)].owner == "ani"
    assert found[str(name)].access[1] == ("user:budi", "rwx")
    assert found["/srv/sop"].default == (("user:ani", "r-x"),)


def test_the_plan_touches_nothing_outside_itself() -> None:
    source = Path(__file__).parent.parent / "pipeline" / "access" / "plan.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    pure = {"__future__", "collections", "collections.abc", "dataclasses", "enum", "itertools"}
    engine = {"pipeline.engine.model", "pipeline.engine.routing"}
    assert imported <= pure | {"pathlib", "pipeline.settings", "pipeline.share"} | engine


# --- the state folder and what Samba exports -------------------------------------------------


def test_the_state_folder_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOP_PIPELINE_STATE", raising=False)
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    assert default_state_dir(Path("/srv/sop")) == Path("/srv/sop/.pipeline")
    monkeypatch.setenv("STATE_DIRECTORY", "/var/lib/sop-pipeline:/var/lib/other")
    assert default_state_dir(Path("/srv/sop")) == Path("/var/lib/sop-pipeline")
    monkeypatch.setenv("SOP_PIPELINE_STATE", "/data/sop-state")
    assert default_state_dir(Path("/srv/sop")) == Path("/data/sop-state")


TESTPARM = """\
# Global parameters
[global]
\tworkgroup = X

[homes]
\tbrowseable = No

[printers]
\tpath = /var/spool/samba
\tprintable = Yes

[sop]
\tforce user = sopsvc
\tpath = /srv/sop-share/
\tveto files = /.pipeline/

[off]
\tavailable = No
\tpath = /srv/off

[pribadi]
\tpath = /srv/users/%U/dokumen
"""


def test_exports_are_read_from_testparm_output() -> None:
    exports = exports_from(parse_testparm(TESTPARM), lambda: [Path("/home/budi")])
    assert [(e.name, str(e.path)) for e in exports] == [
        ("homes", "/home/budi"),
        ("sop", "/srv/sop-share"),
        ("pribadi", "/srv/users"),
    ]
    assert exports[1].owner_settings() == ("force user = sopsvc",)
    assert exports[2].owner_settings() == ()
    said = forced_owner(Path("/srv/sop-share/sub"), exports)
    assert said and "force user = sopsvc" in said
    assert forced_owner(Path("/srv/lain"), exports) is None


@pytest.fixture
def exported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """Write an smb.conf sharing the given folders and point the pipeline at it."""
    require_program("testparm")
    monkeypatch.delenv("SOP_PIPELINE_STATE", raising=False)
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    conf = tmp_path / "smb.conf"
    monkeypatch.setenv("SOP_PIPELINE_SMB_CONF", str(conf))

    def write(*folders: Path, extra: str = "") -> Path:
        shares = "".join(f"[s{i}]\n  path = {f}\n{extra}" for i, f in enumerate(folders))
        conf.write_text(f"[global]\n  workgroup = UJI\n{shares}")
        return conf

    return write


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "kantor"
    assert main(["init", str(root), "-q"]) == 0
    return root


def test_watch_refuses_a_state_folder_that_samba_exports(
    project: Path, exported: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    exported(project)
    assert main(["watch", str(project), "--once"]) == 2
    err = capsys.readouterr().err
    assert f"the state folder {project / '.pipeline'}" in err
    assert "Samba exports as share [s0]" in err
    assert "--state /var/lib/sop-pipeline" in err and "SOP_PIPELINE_STATE" in err
    assert not (project / ".pipeline" / "journal.sqlite").exists()
    assert not (project / "status.html").exists(), "refused before anything was done"


def test_watch_refuses_it_when_the_environment_points_into_the_share(
    project: Path, exported: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    exported(project.parent)
    monkeypatch.setenv("SOP_PIPELINE_STATE", str(project / "keadaan"))
    assert main(["watch", str(project), "--once"]) == 2


def test_watch_runs_with_a_state_folder_given_explicitly_and_seals_it(
    project: Path, exported: Callable[..., Path]
) -> None:
    exported(project)
    state = project / ".pipeline"
    assert main(["watch", str(project), "--once", "--state", str(state)]) == 0
    assert (state.stat().st_mode & 0o777) == 0o700
    assert "system.posix_acl_default" not in os.listxattr(state)


def test_watch_runs_as_today_on_a_folder_nobody_exports(
    project: Path, exported: Callable[..., Path], tmp_path: Path
) -> None:
    exported(tmp_path / "lain")
    assert main(["watch", str(project), "--once"]) == 0
    assert list((project / ".pipeline").glob("*.sqlite*"))


def test_watch_runs_without_any_smb_conf(
    project: Path, exported: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOP_PIPELINE_SMB_CONF", str(project / "tidak-ada.conf"))
    assert read_exports() == ()
    assert main(["watch", str(project), "--once"]) == 0


def test_a_state_folder_holding_the_share_is_refused_even_when_explicit(project: Path) -> None:
    with pytest.raises(StateExposed):
        guard_state(project, project.parent, exports=())


def test_the_service_account_is_configured_or_owns_the_share(share: Settings) -> None:
    assert service_account(share) == pwd.getpwuid(share.root.stat().st_uid).pw_name
    akses = AccessPolicy(check_owner=True, service_account="sop-pipeline")
    configured = replace(share, office=replace(share.office, akses=akses))
    assert service_account(configured) == "sop-pipeline"


def test_watch_warns_when_owners_cannot_tell_people_apart(
    project: Path, exported: Callable[..., Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    exported(project, extra="  force user = nobody\n")
    guard_state(project, tmp_path / "state")
    assert any("force user = nobody" in r.getMessage() for r in caplog.records)
    letter = tmp_path / "Disposisi Tahun 2026.docx"
    disposition_docx(letter, "Tahun 2026")
    shutil.copyfile(letter, project / "inbox/kepala-dinas/disposisi-data-kinerja" / letter.name)
    state = tmp_path / "state"
    assert main(["watch", str(project), "--state", str(state), "--once", "-q"]) == 0
    board = (project / "status.html").read_text(encoding="utf-8")
    assert "Pelaku tidak dapat diketahui: share Samba [s0] memakai force user = nobody" in board
    journal = Journal(state / "journal.sqlite3")
    try:
        (drop,) = journal.accepted_drops("kepala-dinas/disposisi-data-kinerja", letter.name)
        (event,) = [e for e in journal.case("DK-2026-001").events if e.name == "disposisi"]
    finally:
        journal.close()
    assert (drop.actor, event.by) == ("", ""), "recorded as unknown, never guessed"


# --- apply, check, smb-conf through the command line ----------------------------------------


def has_acl(path: Path) -> bool:
    return any(n.startswith("system.posix_acl") for n in os.listxattr(path))


def test_an_unknown_account_stops_everything_before_anything_changes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_staff(project, {"daemon": (KD,), "sopujitidakada": (ANALIS,)})
    for action in ("apply", "check", "smb-conf"):
        assert main(["access", action, str(project)]) == 2
        err = capsys.readouterr().err
        assert "sopujitidakada (pegawai SOPUJITIDAKADA)" in err
        assert "not Unix accounts on this host" in err
    assert not has_acl(project) and not has_acl(project / "inbox" / "analis" / "draf")
    with pytest.raises(UnknownAccounts):
        load_plan(load_settings(project))


def test_apply_refuses_when_nobody_has_an_account(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["access", "apply", str(project)]) == 2
    assert "no [[pegawai]] with a role has an akun" in capsys.readouterr().err
    assert not has_acl(project)


def test_the_share_section_is_what_samba_reads(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    testparm = require_program("testparm")
    write_staff(project, {"daemon": (KD,), "bin": (ANALIS,)})
    assert main(["access", "smb-conf", str(project), "--name", "sop"]) == 0
    section = capsys.readouterr().out
    conf = tmp_path / "smb.conf"
    conf.write_text(f"[global]\n  workgroup = UJI\n{section}")
    done = subprocess.run(
        [testparm, "-s", "--suppress-prompt", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert "Unknown parameter" not in done.stderr and "Ignoring" not in done.stderr
    sop = parse_testparm(done.stdout)["sop"]
    assert sop["path"] == str(project.resolve())
    assert sop["valid users"].split() == ["daemon", "bin", pwd.getpwuid(os.geteuid()).pw_name]
    assert sop["inherit acls"] == "Yes" and sop["map acl inherit"] == "Yes"
    assert sop["hide unreadable"] == "Yes" and sop["veto files"] == "/.pipeline/"
    assert sop["read only"] == "No"
    assert not sop.get("force user") and not sop.get("force group")
    assert sop.get("inherit owner", "No") == "No"
    assert sop.get("delete veto files", "No") == "No"
    assert sop["create mask"] == "0660" and sop["directory mask"] == "0770"
    assert all(line.startswith(("#", "[", "  ")) for line in section.splitlines())


# --- the whole matrix through a real smbd -----------------------------------------------------

ROLES: dict[str, tuple[str, ...]] = {
    "kd": (KD,),
    "sek": (SEKRETARIAT,),
    "dua": (ANALIS, LAYANAN),
    "ssk": (SEKRETARIS,),
    "tamu": (),
}
STAFF_FILE = "berkas/DK-2026-001/masuk/milik staf.txt"


@dataclass
class Served:
    root: Path
    server: SambaServer
    accounts: dict[str, Account]
    settings: Settings
    applied: str  # what `pipeline access apply` printed


@pytest.fixture
def share_root() -> Iterator[Path]:
    """A share root staff accounts can reach (pytest's tmp_path lies under a 0700 folder)."""
    root = Path(tempfile.mkdtemp(prefix="sop-akses-", dir="/tmp"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root)


@pytest.fixture
def served(
    share_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Served]:
    """Real accounts, a share set up and watched once, `access apply`, smbd with the section."""
    require_samba()
    require_program("setfacl")
    for name in ("SOP_PIPELINE_STATE", "STATE_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOP_PIPELINE_SMB_CONF", str(tmp_path / "belum-ada.conf"))
    root = share_root
    with unix_accounts(*ROLES) as accounts:
        assert main(["init", str(root), "-q"]) == 0
        write_staff(root, {accounts[label].name: roles for label, roles in ROLES.items()})
        assert main(["watch", str(root), "--once", "-q"]) == 0  # the state, the status board
        _seed(root, accounts["kd"])
        capsys.readouterr()
        assert main(["access", "apply", str(root)]) == 0
        applied = capsys.readouterr().out
        assert main(["access", "smb-conf", str(root), "--name", "drop"]) == 0
        section = capsys.readouterr().out
        _write_everywhere(root, "baru.txt")  # created after apply: inherits
        assert main(["watch", str(root), "--once", "-q"]) == 0  # rewrites status.html
        with SambaServer.running(
            root, tmp_path / "smb", share_section=section, accounts=tuple(accounts.values())
        ) as server:
            yield Served(root, server, accounts, load_settings(root), applied)


def _readable_folders(root: Path) -> list[Path]:
    settings = load_settings(root)
    roles = settings.roles()
    copies = [f"distribusi/{p.slug}" for p in settings.office.penerima]
    return [root / "outbox" / r for r in (*roles, "distribusi", *copies)] + [
        root / "archive" / "2026"
    ]


def _write_everywhere(root: Path, name: str) -> None:
    for folder in _readable_folders(root):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f"{folder.name}\n", encoding="utf-8")


def _seed(root: Path, former_owner: Account) -> None:
    """Files that exist before apply: in every outbox, and one in berkas/ owned by staff."""
    _write_everywhere(root, "lama.txt")
    kept = root / STAFF_FILE
    kept.parent.mkdir(parents=True)
    kept.write_text("diterima\n", encoding="utf-8")
    os.chown(kept, former_owner.uid, -1)
    kept.chmod(0o666)


@dataclass(frozen=True)
class Op:
    kind: str  # write, list, get
    path: str
    allowed: bool

    def run(self, session: SmbSession) -> None:
        getattr(session, {"list": "listdir", "get": "read"}.get(self.kind, self.kind))(self.path)


def _matrix(settings: Settings, label: str) -> list[Op]:
    """Every operation worth trying as `label`, and whether the design allows it."""
    held = set(ROLES[label])
    anyone = bool(held)
    writers: dict[str, set[str]] = {}
    for place in every_place(settings.sops, settings.units):
        writers.setdefault(place.folder, set()).add(place.role)
    ops = [Op("write", f"inbox/{f}/uji {label}.txt", bool(r & held)) for f, r in writers.items()]
    reads = [(f"outbox/{r}", r in held) for r in settings.roles()]
    copies = ["distribusi", *(f"distribusi/{p.slug}" for p in settings.office.penerima)]
    reads += [(f"outbox/{c}", SEKRETARIS in held) for c in copies]
    reads += [("archive/2026", anyone)]
    for folder, allowed in reads:
        ops += [Op("list", folder, allowed), Op("write", f"{folder}/uji {label}.txt", False)]
        ops += [Op("get", f"{folder}/{n}", allowed) for n in ("lama.txt", "baru.txt")]
    bidang = any(r.startswith("bidang/") for r in held)
    ways = [("", anyone), *((f, anyone) for f in SHARED), ("inbox", anyone), ("outbox", anyone)]
    for folder, allowed in [*ways, ("inbox/bidang", bidang), ("outbox/bidang", bidang)]:
        ops += [
            Op("list", folder, allowed),
            Op("write", f"{folder}/uji {label}.txt".lstrip("/"), False),
        ]
    ops += [Op("get", n, anyone) for n in ("status.html", "PETUNJUK.txt", STAFF_FILE)]
    ops += [Op("write", STAFF_FILE, False)]
    for state in (".pipeline", ".PIPELINE"):
        ops += [Op("list", state, False), Op("write", f"{state}/uji {label}.txt", False)]
        ops += [Op("get", f"{state}/journal.sqlite", False)]
    return ops


def _outcome(op: Op, session: SmbSession) -> bool:
    from smbprotocol.exceptions import SMBException

    try:
        op.run(session)
    except (OSError, SMBException):
        return False
    return True


@pytest.mark.samba
def test_each_account_may_do_exactly_what_its_roles_allow_through_smb(served: Served) -> None:
    wrong, dropped = [], []
    for label, account in served.accounts.items():
        session = served.server.session(account)
        for op in _matrix(served.settings, label):
            done = _outcome(op, session)
            if done != op.allowed:
                wrong.append(f"{label} ({', '.join(ROLES[label]) or 'no role'}): {op}")
            if done and op.kind == "write":
                dropped.append((served.root / op.path, account))
    assert not wrong, "\n".join(wrong)
    assert dropped, "nobody could drop anything"
    for path, account in dropped:
        assert path.stat().st_uid == account.uid, f"{path} is not owned by {account.name}"
    kept = served.root / STAFF_FILE
    assert kept.stat().st_uid == os.geteuid(), "a filed staff file now belongs to the service"
    kd = served.server.session(served.accounts["kd"])
    assert kd.listdir("inbox") == ["kepala-dinas"], "hide unreadable: only one's own folders"
    assert ".pipeline" not in kd.listdir("") and "inbox" in kd.listdir("")
    assert main(["access", "check", str(served.root)]) == 0, "the drops inherited other ACLs"


@pytest.mark.samba
def test_check_is_clean_after_apply_and_names_a_changed_folder(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    kd, dua = served.accounts["kd"].name, served.accounts["dua"].name
    assert f"\n  inbox/kepala-dinas/disposisi-data-kinerja/  write: {kd}\n" in served.applied
    assert f"\n  outbox/analis/  read: {dua}\n" in served.applied
    assert "\n  .pipeline/  the state: root alone (0700)\n" in served.applied
    capsys.readouterr()
    assert main(["access", "check", str(served.root)]) == 0
    assert "Every folder" in capsys.readouterr().out
    tamu = served.accounts["tamu"].name
    subprocess.run(["setfacl", "-m", f"u:{tamu}:rwx", str(served.root / "archive")], check=True)
    assert main(["access", "check", str(served.root)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"archive: has user:{tamu}:rwx", out
    assert main(["access", "apply", str(served.root)]) == 0
    assert main(["access", "check", str(served.root)]) == 0
