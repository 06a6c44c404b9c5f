"""The headline CX numbers of a company, as a short text a facilitator can read aloud."""

from __future__ import annotations

import os

import cxkit


def headline(data_dir: str | os.PathLike[str] | None = None) -> str:
    """Return NPS (with its 95% interval), CSAT, effort, OTIF and dispute rate as text."""
    # Only the tables it reads: a folder generated before later tables were added still works.
    tables = ("customers", "surveys", "shipments", "invoices")
    company = {table: cxkit.load(table, data_dir) for table in tables}
    surveys, shipments, invoices = company["surveys"], company["shipments"], company["invoices"]
    low, high = cxkit.nps_ci(surveys["recommend"])
    csat_low, csat_high = cxkit.csat_ci(surveys["csat"])
    lines = [
        f"The sample company: {len(company['customers']):,} customers, "
        f"{len(surveys):,} survey responses, {len(shipments):,} shipments, "
        f"{len(invoices):,} invoices.",
        "",
        f"  NPS            {cxkit.nps(surveys['recommend']):6.1f}   "
        f"(95% interval {low:.1f} to {high:.1f}; -100 to 100)",
        f"  CSAT           {cxkit.csat(surveys['csat']):6.1f} % "
        f"(95% interval {csat_low:.1f} to {csat_high:.1f}; share answering 4 or 5 of 5)",
        f"  Effort         {cxkit.effort(surveys['effort']):6.2f}   "
        f"(mean on 1 = very easy to 7 = very difficult; "
        f"{cxkit.effort(surveys['effort'], method='high'):.1f} % answered 5 to 7)",
        f"  OTIF           {cxkit.otif(shipments):6.1f} % (shipments on time and in full)",
        f"  Dispute rate   {cxkit.dispute_rate(invoices):6.1f} % (invoices the customer disputed)",
    ]
    return "\n".join(lines)
