"""Publishing a monthly snapshot to a CKAN open-data portal through its action API.

One dataset per reporting month (`ogp-avance-mensual-YYYY-MM`), one resource per file. A re-run
updates, never duplicates: the dataset is created once and patched after; a resource whose name
exists is re-uploaded only when its SHA-256 changed (CKAN's `hash` field holds it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import requests

from ingestion.http import explain_status, make_session
from ingestion.landing import sha256_file

FORMATS = {".csv": "CSV", ".parquet": "Parquet", ".json": "JSON", ".html": "HTML"}


class PublicationError(RuntimeError):
    """The portal refused or failed a publication call; the message says which and why. (A
    publication fault, not a source's: the two are told apart by type, never by their words.)"""


@dataclass
class CkanPublication:
    dataset: str
    created_dataset: bool
    uploaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class CkanClient:
    def __init__(self, base_url: str, api_key: str, *, session: requests.Session | None = None, timeout: float = 60.0):
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.session = session or make_session()
        self.timeout = timeout

    def _action(
        self,
        action: str,
        *,
        params: dict | None = None,
        payload: dict | None = None,
        data: dict | None = None,
        files: dict | None = None,
    ) -> dict | None:
        url = f"{self.base_url}/api/3/action/{action}"
        headers = {"Authorization": self._api_key} if self._api_key else {}
        try:
            if payload is None and data is None:
                response = self.session.get(url, params=params, headers=headers, timeout=self.timeout)
            else:
                response = self.session.post(
                    url, json=payload, data=data, files=files, headers=headers, timeout=self.timeout
                )
        except requests.exceptions.RequestException as exc:
            raise PublicationError(f"CKAN {action} at {self.base_url} failed: {exc.__class__.__name__}: {exc}") from exc
        if response.status_code == 404 and action == "package_show":
            return None
        try:
            body = response.json()
        except ValueError:
            raise PublicationError(f"CKAN {action}: {explain_status(response)} (the answer was not JSON)") from None
        if response.status_code >= 400 or not body.get("success"):
            error = body.get("error", {})
            if response.status_code in (401, 403):
                raise PublicationError(f"CKAN {action}: {explain_status(response)} {error.get('message', '')}".strip())
            raise PublicationError(f"CKAN {action} refused: {json.dumps(error, ensure_ascii=False)[:500]}")
        return body["result"]

    def package_show(self, name: str) -> dict | None:
        return self._action("package_show", params={"id": name})

    def publish_folder(
        self,
        folder: Path,
        *,
        dataset: str,
        title: str,
        notes: str,
        organization: str | None,
        license_id: str,
        sha256_by_file: dict[str, str],
        extras: dict[str, str],
    ) -> CkanPublication:
        metadata = {
            "name": dataset,
            "title": title,
            "notes": notes,
            "license_id": license_id,
            "extras": [{"key": k, "value": v} for k, v in sorted(extras.items())],
        }
        if organization:
            metadata["owner_org"] = organization
        existing = self.package_show(dataset)
        if existing is None:
            package = self._action("package_create", payload=metadata)
            created = True
        else:
            package = self._action("package_patch", payload={"id": existing["id"], **metadata})
            created = False
        by_name = {r.get("name"): r for r in package.get("resources", [])}
        result = CkanPublication(dataset, created)
        for name, sha in sorted(sha256_by_file.items()):
            path = folder / name
            current = by_name.get(name)
            if current is not None and current.get("hash") == sha:
                result.unchanged.append(name)
                continue
            fields = {"name": name, "format": FORMATS.get(path.suffix, ""), "hash": sha}
            with open(path, "rb") as handle:
                if current is None:
                    self._action(
                        "resource_create",
                        data={"package_id": package["id"], **fields},
                        files={"upload": (name, handle)},
                    )
                else:
                    self._action(
                        "resource_patch", data={"id": current["id"], **fields}, files={"upload": (name, handle)}
                    )
            result.uploaded.append(name)
        return result


def is_portal_resource(name: str) -> bool:
    """What the portal lists as the month's resources: the data files, the package, the reports and
    the methodology. The site's pages and briefs are served from the snapshot folder as a whole
    (relative links), not as ninety separate resources."""
    return "/" not in name and (
        Path(name).suffix in (".csv", ".parquet", ".json", ".md")
        or (name.startswith("informe") and name.endswith(".html"))
    )


def publish_snapshot(
    client: CkanClient, snapshot_folder: Path, *, reporting_month: str, organization: str | None
) -> CkanPublication:
    """Publish one snapshot version folder (its datapackage.json describes it)."""
    package = json.loads((snapshot_folder / "datapackage.json").read_text(encoding="utf-8"))
    sums = {}
    for line in (snapshot_folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        if is_portal_resource(name):
            sums[name] = digest
    sums["SHA256SUMS"] = sha256_file(snapshot_folder / "SHA256SUMS")
    return client.publish_folder(
        snapshot_folder,
        dataset=package["name"],
        title=package["title"],
        notes=package["description"],
        organization=organization,
        license_id="cc-by",
        sha256_by_file=sums,
        extras={
            "reporting_month": reporting_month,
            "version": snapshot_folder.name,
            "demonstration_data": str(package.get("demonstration_data", False)).lower(),
        },
    )
