"""OGP exports written for the tests, in the real layouts (the Data Dashboard's 171 columns, both
Explorer layouts, OGP's commitment-sheet layout), holding what the samples lack: labels no
vocabulary holds, sentinel phrases, spreadsheet serial dates, a day-first plan, quarters in Roman
numerals, seasons, duplicate Explorer keys, vintages that spell members differently, and contact
data typed into free text. Nothing here is copied from the real samples: every row is invented."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ingestion.ogp_dashboard import known_columns

ROOT = Path(__file__).resolve().parent.parent
DEMO_DASHBOARD = ROOT / "demo_data" / "ogp" / "ogp_dashboard_export.csv"

CONTACT_EMAIL = "maria.lopez@ministerio-ejemplo.gob.xx"
CONTACT_PHONE = "+593 99 876 5432"
LOCAL_PHONE = "(02) 256-7890"


def _dashboard_row(**values: str) -> dict[str, str]:
    row = {column: "0" for column in known_columns()}
    row.update(
        {
            "Commitment Dummy": "1",
            "Region": "Europe",
            "National Or Local": "National",
            "Theme": "Open Data",
            "Full Text": "An invented commitment for the tests.",
            "Lead Institution": "Invented Ministry",
            "Supporting Institution(s)": "Civil society",
            "Start Date": "NA",
            "End Date": "NA",
            "Specificity": "ND",
            "_Specificity": "ND",
            "Potential Impact": "ND",
            "_Potential Impact": "ND",
            "Completion (Progress Report)": "ND",
            "_CompletionProgress": "ND",
            "Completion (End Of Term)": "ND",
            "_CompletionEndTerm": "ND",
            "Did It Open Government (Overall)": "ND",
            "_OpenGovernment": "ND",
            "Verifiable": "ND",
            "Potential for Results": "ND",
            "_Potential for Results": "ND",
            "Early Results": "ND",
            "_Early Results": "ND",
            "URL": "https://www.opengovpartnership.org/members/x/commitments/x/",
        }
    )
    row.update(values)
    return row


# Each row: what it tests, in its own values.
DASHBOARD_ROWS = [
    # Old methodology, labels OGP uses; Verifiable filled on an old-method row; end-of-term
    # completion without "did it open government" (both were dropped before).
    _dashboard_row(
        **{
            "Commitment Unique Identifier": "ZZ0001",
            "Country/Locality": "United Kingdom",
            "Code": "GBR",
            "Action Plan Number": "2",
            "Commitment Number": "2.10",
            "Action Plan ID": "AP_GBR02",
            "Year Of Submission": "2013",
            "Action Plan End Year": "2015",
            "Commitment Title": "Open contracting data standard",
            "Short Title": "Open Contracting",
            "Specificity": "High",
            "_Specificity": "3",
            "Verifiable": "Yes",
            "Completion (End Of Term)": "Substantial",
            "_CompletionEndTerm": "4",
            "Start Date": "I quarter of 2013",
            "End Date": "Spring 2015",
        }
    ),
    _dashboard_row(
        **{
            "Commitment Unique Identifier": "ZZ0002",
            "Country/Locality": "United Kingdom",
            "Code": "GBR",
            "Action Plan Number": "2",
            "Commitment Number": "2.1",
            "Action Plan ID": "AP_GBR02",
            "Year Of Submission": "2013",
            "Commitment Title": "Beneficial ownership register",
            "Short Title": "Beneficial Ownership",
            # A sentinel phrase with its neighbour's code: NULL, never "Did Not Change".
            "Did It Open Government (Overall)": "No early results to report yet",
            "_OpenGovernment": "1",
            # A label no vocabulary holds: kept raw, counted, never mapped to "Complete".
            "Completion (Progress Report)": "Mostly Complete",
            "_CompletionProgress": "5",
            # Years typed into date cells: a serial day and a day of 1905.
            "Start Date": "42005",
            "End Date": "7/6/1905",
        }
    ),
    # A local member of OGP's 2016 pilot, and a member type nobody has mapped yet.
    _dashboard_row(
        **{
            "Commitment Unique Identifier": "LOC0001",
            "Country/Locality": "Ciudad Inventada, Xlandia",
            "Code": "XLCI",
            "National Or Local": "Legacy Local",
            "Region": "Americas",
            "Action Plan Number": "1",
            "Commitment Number": "1",
            "Action Plan ID": "AP_XLCI01",
            "Year Of Submission": "2017",
            "Commitment Title": "Presupuesto participativo abierto",
            "Potential Impact": "Transformative",
            "_Potential Impact": "3",
            "Potential for Results": "Unclear",
            # Contact data typed into free text.
            "Supporting Institution(s)": f"Fundación Ejemplo (contacto: {CONTACT_EMAIL}, cel. {CONTACT_PHONE})",
            "Full Text": f"Para más información llamar al {LOCAL_PHONE} o escribir a {CONTACT_EMAIL}.",
        }
    ),
    _dashboard_row(
        **{
            "Commitment Unique Identifier": "REG0001",
            "Country/Locality": "Región Inventada",
            "Code": "XREG",
            "National Or Local": "Regional Pilot",
            "Action Plan Number": "1",
            "Commitment Number": "1",
            "Action Plan ID": "AP_XREG01",
            "Year Of Submission": "2022",
            "Commitment Title": "Regional open data",
            "Early Results": "Outstanding Results",
            "_Early Results": "4",
            "Open Data": "Yes",  # a policy-area flag that is neither 0/1 nor a sentinel
            "Completion (End Of Term)": "Complete",
            "_CompletionEndTerm": "5",
        }
    ),
    # A plan that writes its dates day first: 31/12/2016 proves it, so 01/07/2015 is 1 July.
    _dashboard_row(
        **{
            "Commitment Unique Identifier": "DF0001",
            "Country/Locality": "Dayfirstia",
            "Code": "DFA",
            "Action Plan Number": "3",
            "Commitment Number": "1",
            "Action Plan ID": "AP_DFA03",
            "Year Of Submission": "2015",
            "Commitment Title": "Transparencia legislativa",
            "Start Date": "01/07/2015",
            "End Date": "31/12/2016",
            "Specificity": "b. Medium",
            "_Specificity": "2",
            "Potential Impact": "Minor",
            "_Potential Impact": "1",
        }
    ),
    # Rows as OGP's commitment sheet gives them: no plan id (built from code and number), or not
    # even the member's code (kept, without a plan: a warning, never a stopped month).
    _dashboard_row(
        **{
            "Commitment Unique Identifier": "XLC0002",
            "Country/Locality": "Ciudad Inventada, Xlandia",
            "Code": "XLCI",
            "National Or Local": "Local",
            "Action Plan Number": "2",
            "Commitment Number": "1",
            "Action Plan ID": "",
            "Year Of Submission": "2021",
            "Commitment Title": "Compras abiertas municipales",
        }
    ),
    _dashboard_row(
        **{
            "Commitment Unique Identifier": "NOC0001",
            "Country/Locality": "Sin Código",
            "Code": "",
            "Action Plan Number": "1",
            "Commitment Number": "1",
            "Action Plan ID": "",
            "Year Of Submission": "2020",
            "Commitment Title": "Sin plan conocido",
        }
    ),
    _dashboard_row(
        **{
            "Commitment Unique Identifier": "DF0002",
            "Country/Locality": "Dayfirstia",
            "Code": "DFA",
            "Action Plan Number": "3",
            "Commitment Number": "2",
            "Action Plan ID": "AP_DFA03",
            "Year Of Submission": "2015",
            "Commitment Title": "Datos abiertos municipales",
            "Start Date": "01/07/2015",
            "End Date": "Ongoing",
        }
    ),
]


def dashboard_export(path: Path, *, extra_rows: list[dict[str, str]] | None = None) -> Path:
    """The demo's Dashboard export (Ecuador's plans) with the rows above appended."""
    with DEMO_DASHBOARD.open(encoding="utf-8", newline="") as handle:
        demo = list(csv.DictReader(handle))
    rows = demo + DASHBOARD_ROWS + (extra_rows or [])
    return _write_csv(path, list(known_columns()), rows)


EXPLORER_COLUMNS = [
    "Country",
    "Action Plan Number",
    "Theme",
    "Comm No",
    "Comm Dummy",
    "Commitment Title",
    "Short Title",
    "Full Text",
    "Start Date",
    "End Date",
    "Lead Institution",
    "Supporting Institution(s)",
    "Contact Name",
    "Contact Position",
    "Contact Email",
    "Contact Telephone",
    "Open Data",
    "Specificity",
    "_Specificity",
    "Potential impact",
    "_Pot Impact Coded",
    "Completion (progress report)",
    "_CompletionProgress",
    "Starred (current formula) progress report",
    "Year of submission",
    "Report publication year (progress report)",
    "Report publication year (end of term)",
    "Completion (end of term)",
    "_CompletionEndTerm",
    "Did it open government (end of term only)",
    "_OpenGovt",
    "",
    "",
]


def _explorer_row(**values: str) -> dict[str, str]:
    row = {column: "ND" for column in EXPLORER_COLUMNS}
    row.update(
        {
            "Comm Dummy": "1",
            "Open Data": "0",
            "Theme": "Open data",
            "Full Text": "Invented.",
            "Lead Institution": "Ministry",
            "Supporting Institution(s)": "NR",
            "Contact Name": "NR",
            "Contact Position": "NR",
            "Contact Email": "NR",
            "Contact Telephone": "NR",
            "Start Date": "2012",
            "End Date": "2013",
            "Year of submission": "2012",
            "": "",
        }
    )
    row.update(values)
    return row


EXPLORER_ROWS = [
    # The same commitment as ZZ0001 under the older spelling and a number that lost its zero
    # (2.10 -> 2.1): linked, because the titles agree.
    _explorer_row(
        **{
            "Country": "UK",
            "Action Plan Number": "2",
            "Comm No": "2.1",
            "Commitment Title": "2.1. Open Contracting Data Standard",
            "Specificity": "c. high",
            "_Specificity": "3",
            "Completion (progress report)": "b. Limited",
            "_CompletionProgress": "3",
        }
    ),
    # Same key (UK, 2, 2.1), another title: never linked on the key alone.
    _explorer_row(
        **{
            "Country": "UK",
            "Action Plan Number": "2",
            "Comm No": "2.1",
            "Commitment Title": "Health data transparency",
            "Potential impact": "b. None",
            "_Pot Impact Coded": "0",
        }
    ),
    # Listed twice in the file: one commitment, two source rows.
    _explorer_row(
        **{
            "Country": "Albaland",
            "Action Plan Number": "1",
            "Comm No": "4",
            "Commitment Title": "e-Procurement",
            "Completion (progress report)": "d. Complete",
            "_CompletionProgress": "5",
            "Did it open government (end of term only)": "Major",
            "_OpenGovt": "3",
            "Completion (end of term)": "Complete",
            "_CompletionEndTerm": "5",
            "Full Text": f"Focal point: {CONTACT_EMAIL}, tel. +1 202 555 0143",
            "Contact Name": "Official Name",
            "Contact Email": CONTACT_EMAIL,
            "Contact Telephone": CONTACT_PHONE,
        }
    ),
    _explorer_row(
        **{
            "Country": "Albaland",
            "Action Plan Number": "1",
            "Comm No": "4",
            "Commitment Title": "e-Procurement",
            "Completion (progress report)": "d. Complete",
            "_CompletionProgress": "5",
            "Did it open government (end of term only)": "Major",
            "_OpenGovt": "3",
            "Completion (end of term)": "Complete",
            "_CompletionEndTerm": "5",
        }
    ),
    # An ordinal label nobody mapped yet.
    _explorer_row(
        **{
            "Country": "Albaland",
            "Action Plan Number": "1",
            "Comm No": "5",
            "Commitment Title": "Open budgets",
            "Completion (progress report)": "e. Partially withdrawn",
            "_CompletionProgress": "9",
            "Start Date": "Quarter IV 2012",
            "End Date": "Winter 2014",
        }
    ),
]


def explorer_export(path: Path, *, variant: bool = False) -> Path:
    """The Explorer file: `latest_data` layout (row 1 of column indices, `Action Plan Number`) or
    the `data_to_export` variant (no index row, `Action Plan No`)."""
    columns = list(EXPLORER_COLUMNS)
    if variant:
        columns[columns.index("Action Plan Number")] = "Action Plan No"
        rows = [
            {("Action Plan No" if k == "Action Plan Number" else k): v for k, v in r.items()} for r in EXPLORER_ROWS
        ]
        return _write_csv(path, columns, rows)
    return _write_csv(path, columns, EXPLORER_ROWS, index_row=True)


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, str]], *, index_row: bool = False) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if index_row:
        writer.writerow([str(i) for i in range(len(columns))])
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path
