"""What only a commitment's own page shows, read a batch of plans at a time (its monthly history,
every accepted report with its evidence links, its indicators with their values, its peers), and
the key of that page's body (exports/page_reuse.py), known from digests of those rows in DuckDB
before any of them is read into Python: a body taken from the publication before needs none.
`plans` are the site's (exports/site.py `SitePlan`), each with its commitments. And the key of an
institution page's body, from the entry the site already holds."""

from __future__ import annotations

import re
from collections import namedtuple
from datetime import date

import duckdb

from exports import site_queries as q
from exports.formatting import localized
from exports.page_reuse import page_key
from exports.queries import rows as rows_of
from exports.queries import used_params

EVIDENCE_LINK = re.compile(r"https?://[^\s,;<>\"']+")


def evidence_links(text: str | None) -> list[str]:
    """The http(s) addresses in an evidence cell (several may be typed, separated by spaces, commas
    or semicolons); anything else is shown as text, never as a link."""
    return EVIDENCE_LINK.findall(text) if text and "http" in text else []


def commitment_details(con: duckdb.DuckDBPyConnection, month: date, plans: list) -> dict[str, dict]:
    """For these plans' commitments, what only their own pages show: the monthly history, the
    reports (with their evidence links), the indicators (with their values) and the peers."""
    from similarity.search import stored_peers  # numpy: imported when a snapshot is built, not at load

    params = {"month": month, "plans": [p.action_plan_id for p in plans]}
    by_commitment: dict[str, dict] = {
        c["commitment_id"]: {"history": [], "reports": [], "indicators": []} for p in plans for c in p.commitments
    }
    for h in rows_of(con, q.COMMITMENT_HISTORY, params):
        if h["commitment_id"] in by_commitment:
            by_commitment[h["commitment_id"]]["history"].append(
                (h["reporting_month"], h["progress_percent"], h["expected_percent"])
            )
    for r in _reports(con, params):
        if r.commitment_id in by_commitment:
            by_commitment[r.commitment_id]["reports"].append(r)
    values: dict[str, list] = {}
    for v in rows_of(con, q.MEASUREMENTS, params):
        values.setdefault(v["indicator_code"], []).append(v)
    for i in rows_of(con, q.INDICATORS, params):
        if i["commitment_id"] in by_commitment:
            i["values"] = values.get(i["indicator_code"], [])
            by_commitment[i["commitment_id"]]["indicators"].append(i)
    peers = stored_peers(con, list(by_commitment))
    for commitment_id, details in by_commitment.items():
        details["peers"] = peers.get(commitment_id)
    return by_commitment


def _reports(con: duckdb.DuckDBPyConnection, params: dict) -> list[tuple]:
    """The accepted reports, each with its evidence links, as named tuples: a commitment page lists
    every one (millions in a month's site), and Jinja reads a tuple's field at once where a dict's
    key costs it a failed attribute lookup first."""
    cursor = con.execute(q.REPORTS, used_params(q.REPORTS, params))
    names = [d[0] for d in cursor.description]
    report = namedtuple("Report", [*names, "links"])
    evidence = names.index("evidence_urls")
    return [report(*row, evidence_links(row[evidence])) for row in cursor.fetchall()]


# Plans whose details one query digests: ~1 million reports at every member's scale, in ~1 s (25
# plans a query cost 0.56 s each; the whole corpus at once holds every report's hash to sort).
DIGEST_PLANS = 100


def detail_digests(con: duckdb.DuckDBPyConnection, month: date, plans: list) -> dict[str, tuple]:
    """For each commitment of `plans`, the digests of what only its page lists: its history,
    reports and indicators (site_queries.DETAILS_DIGESTS) and its peers, computed in DuckDB."""
    from similarity.search import STORED_PEERS_SQL

    details: dict[str, str] = {}
    for first in range(0, len(plans), DIGEST_PLANS):
        params = {"month": month, "plans": [p.action_plan_id for p in plans[first : first + DIGEST_PLANS]]}
        details.update(con.execute(q.DETAILS_DIGESTS, used_params(q.DETAILS_DIGESTS, params)).fetchall())
    ids = [c["commitment_id"] for p in plans for c in p.commitments]
    peers = dict(con.execute(q.peers_digests(STORED_PEERS_SQL), {"ids": ids}).fetchall())
    return {commitment_id: (details.get(commitment_id), peers.get(commitment_id)) for commitment_id in ids}


def body_keys(plans: list, languages: list[str], digests: dict[str, tuple]) -> dict[str, dict]:
    """Each commitment page's key (exports/page_reuse.py), by plan, as {(language, commitment):
    (page, key)}: what its `main` block reads, which is the commitment, the digests of its details
    (`detail_digests`, without reading them), its plan's page and titles, and the language."""
    keys: dict[str, dict] = {}
    for plan in plans:
        for c in plan.commitments:
            shown = (plan.page, plan.titles, {k: v for k, v in c.items() if k != "plan"})
            for lang in languages:
                page = localized(c["page"], lang)
                keys.setdefault(plan.action_plan_id, {})[(lang, c["commitment_id"])] = (
                    page,
                    page_key(lang, *shown, *digests[c["commitment_id"]]),
                )
    return keys


def institution_keys(institutions: list[dict], languages: list[str], month: date) -> dict[tuple[str, str], str]:
    """Each institution page's key, as {(language, page): key}: what its `main` block reads, which
    is the institution's entry (its commitments and milestones whole, with their plans' figures,
    and its reporting record) and the language. An institution whose plans ended keeps its key;
    one with milestones due this month has a new line in its reporting record, so its page is new
    and gets no key (the key of an institution answering for every member's milestones would cost
    more than its page: 3.4 s for medium's 1,575 institutions)."""
    keys = {}
    for inst in institutions:
        if any(r["reporting_month"] == month for r in inst["reporting"]):
            continue
        shown = (
            inst["name"],
            inst["delayed"],
            [{k: v for k, v in c.items() if k != "plan"} for c in inst["commitments"]],
            [({k: v for k, v in c.items() if k != "plan"}, m) for c, m in inst["milestones"]],
            inst["reporting"],
        )
        for lang in languages:
            page = localized(inst["page"], lang)
            keys[(lang, page)] = page_key(lang, page, *shown)
    return keys
