"""The logic-integrity check (seed 000): finds what should be impossible in the school's records
— attribution that points nowhere, money that doesn't add up, the same person twice — and keeps
the findings, so each shows up once, stays until it is gone, and a new serious one opens an
incident with a Markdown post-mortem to fill in.

Each rule is one SQL query returning (target_type, target_id, detail as JSON). Rules read only;
`run_check` writes the findings and incidents in the caller's transaction.
"""

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, select

from logs.jsonl import logs_dir
from models.base import utcnow
from models.enums import IncidentStatus, Severity
from models.ops import Incident, IntegrityFinding

EXAMPLES = 5


@dataclass(frozen=True)
class Rule:
    name: str
    severity: Severity
    description: str
    sql: str


RULES = [
    Rule("referral_to_unknown_ad", Severity.MEDIUM, "A customer came from an ad id the ad sync has never seen (checked once ads are synced).", """
        SELECT 'ad_referral', r.id::text, jsonb_build_object('ad_id', r.ad_id, 'customer_id', r.customer_id)
        FROM ad_referral r WHERE r.ad_id IS NOT NULL AND EXISTS (SELECT 1 FROM ad)
          AND NOT EXISTS (SELECT 1 FROM ad WHERE ad.id = r.ad_id)"""),
    Rule("spend_without_ad", Severity.HIGH, "Insight rows (spend) for an ad that is not in the ad table.", """
        SELECT 'ad', d.ad_id, jsonb_build_object('days', count(*), 'spend', sum(d.spend))
        FROM ad_insight_daily d WHERE NOT EXISTS (SELECT 1 FROM ad WHERE ad.id = d.ad_id) GROUP BY d.ad_id"""),
    Rule("duplicate_customer", Severity.MEDIUM, "Two customers share a phone number or e-mail: probably one person twice.", """
        SELECT 'customer', min(c.standard_id), jsonb_build_object('contact', k.contact, 'customers', array_agg(c.standard_id ORDER BY c.id))
        FROM customer c CROSS JOIN LATERAL (VALUES (c.phone), (lower(c.email))) k(contact)
        WHERE k.contact IS NOT NULL AND k.contact <> '' AND c.erased_at IS NULL
        GROUP BY k.contact HAVING count(*) > 1"""),
    Rule("received_more_than_total", Severity.HIGH, "Deposits and payments on an order add up to more than its total.", """
        SELECT 'order', o.order_number, jsonb_build_object('total', o.total, 'received', sum(p.amount))
        FROM orders o JOIN payment p ON p.order_id = o.id AND p.kind IN ('deposit', 'payment')
        GROUP BY o.id HAVING sum(p.amount) > o.total"""),
    Rule("refunded_more_than_received", Severity.HIGH, "Refunds on an order exceed what was received on it.", """
        SELECT 'order', o.order_number, jsonb_build_object('received', coalesce(sum(p.amount) FILTER (WHERE p.kind <> 'refund'), 0),
                                                           'refunded', coalesce(sum(p.amount) FILTER (WHERE p.kind = 'refund'), 0))
        FROM orders o JOIN payment p ON p.order_id = o.id GROUP BY o.id
        HAVING coalesce(sum(p.amount) FILTER (WHERE p.kind = 'refund'), 0) > coalesce(sum(p.amount) FILTER (WHERE p.kind <> 'refund'), 0)"""),
    Rule("order_total_not_its_items", Severity.MEDIUM, "An order's total differs from the sum of its items (or an item from price × quantity).", """
        SELECT 'order', o.order_number, jsonb_build_object('total', o.total, 'items', sum(i.line_total))
        FROM orders o JOIN order_item i ON i.order_id = o.id GROUP BY o.id
        HAVING sum(i.line_total) <> o.total OR bool_or(i.line_total <> i.unit_price * i.quantity)"""),
    Rule("payment_counted_twice", Severity.HIGH, "The same slip (reference and amount) recorded twice on one order: revenue counted double.", """
        SELECT 'order', o.order_number, jsonb_build_object('reference', p.reference, 'amount', p.amount, 'times', count(*))
        FROM payment p JOIN orders o ON o.id = p.order_id
        WHERE p.reference IS NOT NULL AND p.reference <> ''
        GROUP BY o.id, p.reference, p.amount, p.kind HAVING count(*) > 1"""),
    Rule("order_status_disagrees_with_money", Severity.MEDIUM, "An order marked paid or deposit-paid whose payments say otherwise.", """
        SELECT 'order', o.order_number, jsonb_build_object('status', o.status, 'received', coalesce(r.received, 0), 'total', o.total)
        FROM orders o LEFT JOIN LATERAL (SELECT sum(amount) FILTER (WHERE kind <> 'refund') AS received FROM payment WHERE order_id = o.id) r ON true
        WHERE (o.status = 'paid' AND coalesce(r.received, 0) < o.total) OR (o.status = 'deposit_paid' AND coalesce(r.received, 0) = 0)"""),
    Rule("order_attributed_elsewhere", Severity.LOW, "An order attributed to a different ad than the one that first brought its customer.", """
        SELECT 'order', o.order_number, jsonb_build_object('order_ad', o.attributed_ad_id, 'customer_first_ad', c.first_ad_id)
        FROM orders o JOIN customer c ON c.id = o.customer_id
        WHERE o.attributed_ad_id IS DISTINCT FROM c.first_ad_id AND o.attributed_ad_id IS NOT NULL"""),
    Rule("enrolled_without_payment", Severity.LOW, "A customer marked enrolled who has paid nothing on any order.", """
        SELECT 'customer', c.standard_id, '{}'::jsonb FROM customer c
        WHERE c.lead_stage = 'enrolled' AND c.erased_at IS NULL AND NOT EXISTS (
          SELECT 1 FROM orders o JOIN payment p ON p.order_id = o.id WHERE o.customer_id = c.id AND p.kind <> 'refund')"""),
]


@dataclass
class Report:
    checked_at: datetime
    rules: list[dict[str, Any]] = field(default_factory=list)
    new_findings: int = 0
    resolved_findings: int = 0
    incident_id: int | None = None

    @property
    def total(self) -> int:
        return sum(r["count"] for r in self.rules)

    def as_dict(self) -> dict[str, Any]:
        return {"checked_at": self.checked_at.isoformat(), "ok": self.total == 0, "findings": self.total, "new_findings": self.new_findings,
                "resolved_findings": self.resolved_findings, "incident_id": self.incident_id, "rules": self.rules}


def run_check(session: Session, now: datetime | None = None) -> Report:
    """Run every rule; keep new findings, resolve the ones that are gone, open an incident when a
    high-severity finding is new."""
    now = now or utcnow()
    report = Report(checked_at=now)
    open_findings = {(f.rule, f.target_type, f.target_id): f for f in session.exec(select(IntegrityFinding).where(IntegrityFinding.resolved_at.is_(None)))}
    seen: set[tuple[str, str, str]] = set()
    serious: list[tuple[Rule, str, dict]] = []
    for rule in RULES:
        rows = session.execute(sa.text(rule.sql)).all()
        report.rules.append({"rule": rule.name, "severity": rule.severity.value, "description": rule.description, "count": len(rows),
                             "examples": [{"target_type": t, "target_id": i, **(d or {})} for t, i, d in rows[:EXAMPLES]]})
        for target_type, target_id, detail in rows:
            key = (rule.name, target_type, target_id)
            seen.add(key)
            if key not in open_findings:
                session.add(IntegrityFinding(rule=rule.name, target_type=target_type, target_id=target_id, detail=detail or {}, found_at=now))
                report.new_findings += 1
                if rule.severity == Severity.HIGH:
                    serious.append((rule, target_id, detail or {}))
    for key, finding in open_findings.items():
        if key not in seen:
            finding.resolved_at = now
            session.add(finding)
            report.resolved_findings += 1
    session.flush()
    if serious:
        report.incident_id = _open_incident(session, serious, now)
    return report


def _open_incident(session: Session, serious: list[tuple[Rule, str, dict]], now: datetime) -> int:
    rules = sorted({rule.name for rule, _, _ in serious})
    incident = Incident(kind="integrity", title=f"Integrity: {len(serious)} new serious finding(s) — {', '.join(rules)}",
                        summary="\n".join(f"- {rule.name}: {target} {detail}" for rule, target, detail in serious[:20]),
                        severity=Severity.HIGH, status=IncidentStatus.OPEN, opened_at=now)
    session.add(incident)
    session.flush()
    folder = incidents_dir()
    path = folder / f"INC-{incident.id:04d}.md"
    incident.postmortem_path = str(path)
    session.execute(sa.update(IntegrityFinding).where(IntegrityFinding.resolved_at.is_(None), IntegrityFinding.incident_id.is_(None),
                                                       IntegrityFinding.rule.in_(rules)).values(incident_id=incident.id))
    text = _postmortem(incident, serious)
    entry = f"- [INC-{incident.id:04d}]({path.name}) {now.isoformat(timespec='minutes')} · {incident.severity} · {incident.title}\n"

    def write_files(_session: Session) -> None:  # only once the incident is really there
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        with (folder / "index.md").open("a", encoding="utf-8") as index:
            index.write(entry)

    event.listen(session, "after_commit", write_files, once=True)
    return incident.id


def _postmortem(incident: Incident, serious: list[tuple[Rule, str, dict]]) -> str:
    lines = [f"# INC-{incident.id:04d}: {incident.title}", "", f"Opened {incident.opened_at.isoformat(timespec='minutes')} by the integrity check.",
             "", "## What was found", ""]
    lines += [f"- **{rule.name}** ({rule.description}) — `{target}` {detail}" for rule, target, detail in serious[:50]]
    lines += ["", "## Impact", "", "_Which figures or customers were affected, and since when._", "",
              "## Cause", "", "_Why it happened._", "", "## Fix", "", "_What was corrected, and what stops it happening again._", ""]
    return "\n".join(lines)


def incidents_dir() -> Path:
    return logs_dir() / "incidents"


def open_findings(session: Session) -> list[dict[str, str]]:
    """The unresolved findings grouped by rule, most serious first (display strings)."""
    by_rule = {rule.name: rule for rule in RULES}
    rows = session.execute(
        sa.select(IntegrityFinding.rule, sa.func.count(), sa.func.min(IntegrityFinding.found_at),
                  sa.func.array_agg(IntegrityFinding.target_id).label("targets"))
        .where(IntegrityFinding.resolved_at.is_(None)).group_by(IntegrityFinding.rule)
    ).all()
    rank = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}
    found = []
    for name, count, since, targets in rows:
        rule = by_rule.get(name)
        found.append({"rule": name, "severity": rule.severity.value if rule else "low", "description": rule.description if rule else "",
                      "count": str(count), "since": since.isoformat(), "targets": ", ".join(sorted(targets)[:EXAMPLES]) + (" …" if count > EXAMPLES else "")})
    return sorted(found, key=lambda f: (rank.get(Severity(f["severity"]), 3), f["rule"]))


def recent_incidents(session: Session, limit: int = 30) -> list[dict[str, str]]:
    return [
        {"id": str(i.id), "title": i.title, "severity": i.severity, "status": i.status, "opened_at": i.opened_at.isoformat(),
         "postmortem": Path(i.postmortem_path).name if i.postmortem_path else "", "summary": i.summary or ""}
        for i in session.exec(select(Incident).order_by(Incident.id.desc()).limit(limit))
    ]


def resolve_incident(session: Session, incident_id: int, now: datetime | None = None) -> Incident | None:
    incident = session.get(Incident, incident_id)
    if incident is None or incident.status == IncidentStatus.RESOLVED:
        return None
    incident.status, incident.closed_at = IncidentStatus.RESOLVED, now or utcnow()
    session.add(incident)
    return incident
