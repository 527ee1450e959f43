"""Fetch the Data Docs' browser assets named in assets.json from the npm registry into vendor/
(run by hand when great-expectations changes the addresses its pages load; the result is
committed, so building the docs needs no network): `python quality/data_docs_assets/fetch.py`."""

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    declared = json.loads((HERE / "assets.json").read_text())
    vendor = HERE / "vendor"
    shutil.rmtree(vendor, ignore_errors=True)
    notice = ["# Vendored browser assets of the great-expectations Data Docs", "",
              "Fetched from the npm registry by `fetch.py`; each folder keeps its package's licence.", "",
              "| package | version | licence | npm integrity |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for entry in declared["packages"]:
            name, version = entry["package"], entry["version"]
            packed = json.loads(subprocess.run(
                ["npm", "pack", "--json", f"{name}@{version}"], cwd=tmp, check=True, capture_output=True, text=True,
            ).stdout)[0]
            folder = vendor / f"{name.replace('/', '__')}@{version}"
            with tarfile.open(Path(tmp) / packed["filename"]) as archive:
                members = {m.name.removeprefix("package/"): m for m in archive.getmembers() if m.isfile()}
                wanted = [*entry["serves"].values(), *entry.get("also", []),
                          *[n for n in members if "/" not in n and n.upper().startswith(("LICENSE", "LICENCE"))]]
                for relative in wanted:
                    target = folder / relative
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(archive.extractfile(members[relative]).read())
                package_json = json.loads(archive.extractfile(members["package.json"]).read())
            notice.append(f"| {name} | {version} | {package_json.get('license', '?')} | `{packed['integrity']}` |")
    (vendor / "NOTICE.md").write_text("\n".join(notice) + "\n")


if __name__ == "__main__":
    main()
