"""The institutions' loop: a receipt (acuse de recibo) for every delivery, reminders before and
after the reporting deadline, each message recorded in the warehouse and sent through a real mail
server, or written to the outbox folder when none is set.

Plain Python and DuckDB, no Dagster import. Addresses are personal data: they are read from
`raw.institution_contacts` at the moment of sending and kept, with what was sent, in
`raw.outbound_messages`; nothing outside the raw zone holds one."""
