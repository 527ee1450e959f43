"""The reporting month as Dagster's partition, shared by the monthly facts and the snapshot."""

import os

import dagster as dg

# The deployment's time zone (an IANA name, OGP_TIMEZONE): when a month has ended and when the
# schedules fire. Read when the code location loads: partitions and schedules are definitions.
PLATFORM_TIMEZONE = os.environ.get("OGP_TIMEZONE") or "America/Guayaquil"

# The first reporting month (YYYY-MM, OGP_FIRST_REPORTING_MONTH): where the earliest plan the
# deployment tracks starts, so the UI's partitions start there, not at OGP's founding. Ecuador's
# first action plan (the demo's too) starts in September 2019.
FIRST_REPORTING_MONTH = os.environ.get("OGP_FIRST_REPORTING_MONTH") or "2019-09"

# A reporting month is a partition; it becomes available once it has ended (end_offset=0), in the
# platform's time zone.
reporting_months = dg.MonthlyPartitionsDefinition(
    start_date=f"{FIRST_REPORTING_MONTH}-01", timezone=PLATFORM_TIMEZONE, end_offset=0
)


def latest_reporting_month() -> str:
    """The partition of the last month that has ended: what a refresh between publications updates."""
    key = reporting_months.get_last_partition_key()
    if key is None:  # only in the first month
        raise RuntimeError("no reporting month has ended yet")
    return key
