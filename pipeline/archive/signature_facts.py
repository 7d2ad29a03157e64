"""Signature facts recorded at filing, and the re-check of a filed record that reuses them.

Interface:

    manifest |= filing_facts(archived_files, trust_roots_folder)   # at filing
    outcome = recheck(manifest, verified_digests, policy)          # at verify

When a signed record is filed, its signature was checked (pyHanko over the embedded signatures,
the scan's QR codes) and the result is kept in the case manifest under "signature". Filing also
records which file that check covered, its sha256, and the trust roots it was checked against
(the SHA-256 of each certificate), under "signature_check". The manifest is a payload file, so
the bag's manifests protect those facts like any other byte.

`recheck` repeats the verdict without opening the PDF: the signed file must be byte for byte the
one checked at filing (its sha256, verified by the fixity pass, equals the recorded one), every
recorded signature must hold under today's policy (a TTE required now and absent is reported, as
the deep check would), and every root the record was trusted through must still be configured.
When that cannot be shown from the facts (a bag filed before they were recorded, a trust root
removed since, no sha256 manifest), it answers NEEDS_DEEP and the caller re-validates the PDF.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.archive.filing import ArchivedFile
from pipeline.core.errors import Rejected
from pipeline.signing.tte import SignatureFacts, SignedPdfCheck, decide, load_trust_roots

FACTS_KEY = "signature_check"
SIGNED_KIND = "naskah-ditandatangani"
NO_SIGNED_DOCUMENT = "no signed document in the bag"


@dataclass(frozen=True)
class SignaturePolicy:
    """What a signature is checked against today (picklable: it travels to worker processes)."""

    trust_roots: Path | None  # a folder that holds at least one certificate, else None
    trust_prints: frozenset[str]
    require_trusted_signature: bool


@dataclass(frozen=True)
class Recheck:
    """The outcome of re-checking from the facts: a problem, none, or `needs_deep` and why."""

    problem: str | None = None
    needs_deep: str | None = None


def trust_prints(folder: Path | None) -> list[str]:
    """The SHA-256 of every trust-root certificate in `folder` (DER), sorted."""
    if folder is None or not folder.is_dir():
        return []
    return sorted({hashlib.sha256(cert.dump()).hexdigest() for cert in load_trust_roots(folder)})


def policy_of(trust_roots: Path | None, require_trusted_signature: bool) -> SignaturePolicy:
    prints = trust_prints(trust_roots)
    return SignaturePolicy(
        trust_roots if prints else None, frozenset(prints), require_trusted_signature
    )


def filing_facts(files: Iterable[ArchivedFile], trust_roots: Path | None) -> dict[str, Any]:
    """{FACTS_KEY: ...} for the manifest of a case filed with `files`: which signed file was
    checked, its sha256 and the trust roots it was checked against; {} if none is signed."""
    signed = [f for f in files if f.kind == SIGNED_KIND]
    if not signed:
        return {}
    facts = {"file": signed[0].name, "sha256": signed[0].sha256}
    return {FACTS_KEY: facts | {"trust_roots": trust_prints(trust_roots)}}


def signed_entry(manifest: Mapping[str, Any]) -> Mapping[str, Any] | None:
    signed = [f for f in manifest.get("files", []) if f.get("kind") == SIGNED_KIND]
    return signed[0] if signed else None


def recheck(
    manifest: Mapping[str, Any],
    digests: Mapping[str, Mapping[str, str]],
    policy: SignaturePolicy,
) -> Recheck:
    """Re-check the filed signature from the recorded facts (pure: no file is read)."""
    entry = signed_entry(manifest)
    if entry is None:
        return Recheck(problem=NO_SIGNED_DOCUMENT)
    facts = manifest.get(FACTS_KEY)
    if not isinstance(facts, dict):
        return Recheck(needs_deep="filed before signature facts were recorded")
    if facts.get("file") != entry.get("name"):
        return Recheck(
            problem=f"the signature was checked at filing on {facts.get('file')!r}, but the "
            f"signed document is {entry.get('name')!r}"
        )
    found = digests.get(f"data/{entry['name']}", {}).get("sha256")
    if found is None:
        return Recheck(needs_deep="the signed document has no verified sha256")
    if found != facts.get("sha256"):
        return Recheck(
            problem=f"data/{entry['name']} is not the file whose signature was checked at "
            f"filing (sha256 {found}, checked {facts.get('sha256')})"
        )
    record = manifest.get("signature") or {}
    if record.get("signatures") and not set(facts.get("trust_roots") or ()) <= policy.trust_prints:
        return Recheck(needs_deep="a trust root it was checked against is no longer configured")
    return Recheck(problem=_policy_problem(record, policy))


def _policy_problem(record: Mapping[str, Any], policy: SignaturePolicy) -> str | None:
    """Today's signing policy applied to the recorded check (the same rule the deep check uses)."""
    try:
        decide(_check_from(record, policy), has_text=False, expected_texts=())
    except Rejected as exc:
        return exc.message
    return None


def _check_from(record: Mapping[str, Any], policy: SignaturePolicy) -> SignedPdfCheck:
    return SignedPdfCheck(
        pages=int(record.get("pages") or 0),
        text_match=record.get("text_match"),
        text_note=str(record.get("text_note") or ""),
        signatures=tuple(_facts_from(s) for s in record.get("signatures") or ()),
        require_trusted_signature=policy.require_trusted_signature,
    )


def _facts_from(s: Mapping[str, Any]) -> SignatureFacts:
    return SignatureFacts(
        field_name=str(s.get("field") or ""),
        signer=str(s.get("signer") or ""),
        serial=str(s.get("serial") or ""),
        issuer=str(s.get("issuer") or ""),
        signed_at=None,
        intact=bool(s.get("intact")),
        valid=bool(s.get("valid")),
        whole_file=bool(s.get("whole_file")),
        coverage=str(s.get("coverage") or ""),
        modification=s.get("modification"),
        trusted=bool(s.get("trusted")),
        error=s.get("error"),
        revocation=str(s.get("revocation") or ""),
    )
