"""The reporting month as Dagster's partition, shared by the monthly facts and the snapshot."""

import os

import dagster as dg

# The deployment's time zone (an IANA name, OGP_TIMEZONE): when a month has ended and when the
# schedules fire. Read when the code location loads: partitions and schedules are definitions.
PLATFORM_TIMEZONE = os.environ.get("OGP_TIMEZONE") or "UTC"

# A reporting month is a partition. OGP's first action plans date from 2011; a month becomes
# available once it has ended (end_offset=0), in the platform's time zone.
reporting_months = dg.MonthlyPartitionsDefinition(start_date="2011-01-01", timezone=PLATFORM_TIMEZONE, end_offset=0)


def latest_reporting_month() -> str:
    """The partition of the last month that has ended: what a refresh between publications updates."""
    key = reporting_months.get_last_partition_key()
    if key is None:  # only before 2011-02
        raise RuntimeError("no reporting month has ended yet")
    return key
