"""The pandas baseline: the same monthly commitment figures as an analyst would compute them in
a notebook (read every CSV, keep the last report per milestone and month, carry it forward over
a month spine, weighted mean per commitment)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def commitment_progress(
    catalogue: Path, report_files: list[Path], first_month: str, last_month: str, grace: int = 12
) -> pd.DataFrame:
    milestones = pd.read_csv(catalogue, dtype=str)
    milestones = pd.DataFrame(
        {
            "action_plan_id": milestones["id_plan_de_accion"],
            "commitment_id": milestones["id_compromiso"],
            "milestone_code": milestones["codigo_hito"],
            "weight": milestones["peso"].astype(float),
            "planned_start": pd.to_datetime(milestones["fecha_inicio"], format="%Y-%m-%d"),
            "planned_end": pd.to_datetime(milestones["fecha_fin"], format="%d/%m/%Y"),
        }
    )
    periods = milestones.groupby("action_plan_id").agg(first=("planned_start", "min"), last=("planned_end", "max"))
    periods["first"] = periods["first"].dt.to_period("M").dt.to_timestamp()
    periods["last"] = periods["last"].dt.to_period("M").dt.to_timestamp() + pd.DateOffset(months=grace)

    reports = pd.concat((pd.read_csv(f, dtype=str) for f in report_files), ignore_index=True)
    reports = pd.DataFrame(
        {
            "milestone_code": reports["Código del hito"],
            "reporting_month": pd.to_datetime(reports["Mes que se reporta"], format="%Y-%m"),
            "percent": reports["Porcentaje de avance (%)"].str.replace(",", ".").astype(float),
            "submitted_at": pd.to_datetime(reports["Marca temporal"], format="%d/%m/%Y %H:%M:%S"),
        }
    )
    reports = reports.merge(milestones[["milestone_code", "action_plan_id"]], on="milestone_code").join(
        periods, on="action_plan_id"
    )
    reports = reports[
        reports["percent"].between(0, 100)
        & (reports["reporting_month"] >= reports["first"])
        & (reports["reporting_month"] <= reports["last"])
        & (reports["reporting_month"] <= pd.Timestamp(last_month))
    ]
    reports = reports.sort_values("submitted_at").drop_duplicates(["milestone_code", "reporting_month"], keep="last")

    months = pd.DataFrame({"reporting_month": pd.date_range(first_month, last_month, freq="MS")})
    spine = milestones.join(periods, on="action_plan_id").merge(months, how="cross")
    spine = spine[(spine["reporting_month"] >= spine["first"]) & (spine["reporting_month"] <= spine["last"])]
    spine = spine.merge(
        reports[["milestone_code", "reporting_month", "percent"]], on=["milestone_code", "reporting_month"], how="left"
    )
    spine = spine.sort_values(["milestone_code", "reporting_month"])
    spine["percent"] = spine.groupby("milestone_code")["percent"].ffill().fillna(0)
    spine["weighted"] = spine["weight"] * spine["percent"]
    out = spine.groupby(["commitment_id", "action_plan_id", "reporting_month"], as_index=False)[
        ["weighted", "weight"]
    ].sum()
    out["progress_percent"] = out["weighted"] / out["weight"]
    return out[["commitment_id", "action_plan_id", "reporting_month", "progress_percent"]]
