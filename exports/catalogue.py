"""The catalogue of every published month and version, beside the snapshots: `catalogo.json`
(machine-readable), `catalogo.atom` (a feed readers and the portal can follow), `index.html` (the
list people read) and, per month, `<month>/index.html`, which leads to its current version. Each
version is listed with when it was first catalogued and which files changed from the version
before (by their SHA256SUMS lines). Rewritten after every publication; versions themselves are
never touched."""

from __future__ import annotations

import html
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from exports.formatting import es_month
from exports.versions import latest_version, published_months

CATALOGUE = "catalogo.json"
FEED = "catalogo.atom"
FEED_ID = "urn:ogp-avance-mensual:catalogo"


def _sums(folder: Path) -> dict[str, str]:
    path = folder / "SHA256SUMS"
    if not path.exists():
        return {}
    return {
        line.split("  ", 1)[1]: line.split("  ", 1)[0]
        for line in path.read_text(encoding="utf-8").splitlines()
        if "  " in line
    }


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def update_catalogue(snapshots_dir: Path, now: datetime | None = None) -> dict:
    """Add the versions not yet catalogued (dated `now`), recompute what is current, rewrite the
    catalogue's files. Returns the catalogue."""
    now = now or datetime.now(UTC)
    path = snapshots_dir / CATALOGUE
    previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"months": []}
    known = {(m["month"], v["version"]): v for m in previous["months"] for v in m["versions"]}
    months = []
    for month_dir in reversed(published_months(snapshots_dir)):
        current = latest_version(month_dir)
        versions, before = [], {}
        for version_dir in sorted(
            (p for p in month_dir.iterdir() if p.is_dir() and p.name.startswith("v") and p.name[1:].isdigit()),
            key=lambda p: int(p.name[1:]),
        ):
            sums = _sums(version_dir)
            entry = known.get((month_dir.name, version_dir.name)) or {
                "version": version_dir.name,
                "published_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "changed_files": sorted(n for n in sums if before.get(n) != sums[n]) if before else [],
            }
            entry["path"] = f"{month_dir.name}/{version_dir.name}/"
            versions.append(entry)
            before = sums
        package = (
            json.loads((month_dir / current / "datapackage.json").read_text(encoding="utf-8"))
            if (month_dir / current / "datapackage.json").exists()
            else {}
        )
        months.append(
            {
                "month": month_dir.name,
                "current_version": current,
                "title": package.get("title", month_dir.name),
                "demonstration_data": package.get("demonstration_data", False),
                "versions": versions,
            }
        )
        _atomic_write(month_dir / "index.html", _month_page(month_dir.name, current))
    catalogue = {
        "title": "Avance de los planes de acción de gobierno abierto: publicaciones mensuales",
        "updated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "months": months,
    }
    _atomic_write(path, json.dumps(catalogue, indent=1, ensure_ascii=False) + "\n")
    _atomic_write(snapshots_dir / FEED, _feed(catalogue))
    _atomic_write(snapshots_dir / "index.html", _index_page(catalogue))
    return catalogue


def _month_label(month: str) -> str:
    from datetime import date

    return es_month(date.fromisoformat(f"{month}-01"))


def _month_page(month: str, current: str) -> str:
    target = f"{current}/index.html"
    return (
        f'<!DOCTYPE html>\n<html lang="es"><head><meta charset="utf-8"><title>Publicación de {html.escape(_month_label(month))}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="refresh" content="0; url={target}"></head>'
        f'<body><p>La versión vigente de {html.escape(_month_label(month))} es <a href="{target}">{current}</a> '
        f'(<a href="{current}/informe.html">informe</a>). <a href="../index.html">Todas las publicaciones</a>.</p></body></html>\n'
    )


def _index_page(catalogue: dict) -> str:
    rows = []
    for m in catalogue["months"]:
        versions = []
        for v in reversed(m["versions"]):
            changed = ", ".join(v["changed_files"][:8]) + (" …" if len(v["changed_files"]) > 8 else "")
            note = (
                f" — cambian: {html.escape(changed)}"
                if changed
                else (" — primera versión" if v["version"] == "v1" else "")
            )
            current = " <b>(vigente)</b>" if v["version"] == m["current_version"] else ""
            versions.append(
                f'<li><a href="{v["path"]}index.html">{v["version"]}</a>{current}, publicada el '
                f'{v["published_at"][:10]}{note} · <a href="{v["path"]}informe.html">informe</a> · '
                f'<a href="{v["path"]}datapackage.json">datos</a></li>'
            )
        demo = ' <span class="demo">datos de demostración</span>' if m["demonstration_data"] else ""
        month_title = html.escape(_month_label(m["month"]).capitalize())
        rows.append(
            f'<section><h2><a href="{m["month"]}/{m["current_version"]}/index.html">{month_title}</a>{demo}</h2>'
            f"<ul>{''.join(versions)}</ul></section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(catalogue['title'])}</title>"
        '<link rel="alternate" type="application/atom+xml" href="catalogo.atom" title="Publicaciones mensuales">'
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;line-height:1.5;color:#1f2a30}"
        "a{color:#15538f}h2{font-size:1.15rem;margin:1.5rem 0 .25rem}.demo{font-size:.8rem;background:#fff3cd;padding:0 .4rem}"
        "li{overflow-wrap:anywhere}</style></head><body><header><h1>" + html.escape(catalogue["title"]) + "</h1>"
        "<p>Cada mes, la publicación de avance: sitio, informe y paquete de datos abiertos. Una corrección crea una versión nueva "
        'y conserva la anterior. También en <a href="catalogo.json">catalogo.json</a> y el canal <a href="catalogo.atom">Atom</a>.</p>'
        "</header><main>" + "".join(rows) + "</main></body></html>\n"
    )


def _feed(catalogue: dict) -> str:
    entries = []
    for m in catalogue["months"]:
        for v in m["versions"]:
            changed = ", ".join(v["changed_files"]) or "primera versión"
            entries.append(
                (
                    v["published_at"],
                    (
                        f"<entry><id>urn:ogp-avance-mensual:{m['month']}:{v['version']}</id>"
                        f"<title>{html.escape(_month_label(m['month']))}, {v['version']}</title>"
                        f'<updated>{v["published_at"]}</updated><link href="{v["path"]}index.html"/>'
                        f"<summary>{html.escape(m['title'])}. Cambios: {html.escape(changed)}.</summary></entry>"
                    ),
                )
            )
    entries.sort(key=lambda e: e[0], reverse=True)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{FEED_ID}</id><title>{html.escape(catalogue['title'])}</title><updated>{catalogue['updated_at']}</updated>"
        "<author><name>Plataforma de monitoreo de los planes de acción OGP</name></author>"
        + "".join(e for _, e in entries[:200])
        + "</feed>\n"
    )
