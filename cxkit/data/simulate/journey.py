"""Journey events: every moment each customer met the company, in time order.

The touchpoints (``texts.JOURNEY``) give each event its stage and owning
department. Events are laid out from what the other families already decided:
the campaign ad before signing up, the welcome email the day after, checkout,
delivery, invoice and reminder, tickets and their transfers, the contract, its
renewal and the day the customer left. Events after the period's end are dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data import texts as T
from cxkit.data.schema import SCHEMAS, STAGES
from cxkit.data.simulate.core import LAST_DAY, MINUTES, Chunk, customer_ids, stamps


def touchpoints_table() -> pd.DataFrame:
    """The ``touchpoints`` table: every touchpoint in journey order, with its stage and owner.

    Examples
    --------
    >>> touchpoints_table()[["touchpoint", "stage", "stage_order"]].head(2)
        touchpoint     stage  stage_order
    0  campaign ad  discover            1
    1      website  discover            1
    """
    rows = [
        (tp, stage, STAGES.index(stage) + 1, dept, back, text)
        for tp, (stage, dept, back, text) in T.JOURNEY.items()
    ]
    return pd.DataFrame(rows, columns=SCHEMAS["touchpoints"].names)


def journey_table(
    chunk: Chunk,
    customers: pd.DataFrame,
    contracts: pd.DataFrame,
    orders: pd.DataFrame,
    invoices: pd.DataFrame,
    tickets: pd.DataFrame,
    handoffs: pd.DataFrame,
) -> pd.DataFrame:
    """The ``journey_events`` table of the chunk, by customer and time, with its ids."""
    rng, c, o, i, t, k, h = chunk.rng, customers, orders, invoices, tickets, contracts, handoffs
    parts = []

    def add(touchpoint: str, who: pd.Series, when: np.ndarray) -> None:
        parts.append(
            pd.DataFrame(
                {
                    "customer": who.to_numpy(),
                    "touchpoint": touchpoint,
                    "ts": np.asarray(when, dtype=float),
                }
            )
        )

    def clock(n: int) -> np.ndarray:
        """A minute of the day between 07:00 and 22:00, when customers are about."""
        return rng.integers(7 * 60, 22 * 60, n)

    camp = c[c["campaign"].notna()]
    add(
        "campaign ad",
        camp["customer"],
        (camp["signup"] - rng.integers(1, 20, len(camp))) * MINUTES + clock(len(camp)),
    )
    signup_at = c["signup"] * MINUTES + clock(chunk.n)
    add("website", c["customer"], signup_at - rng.integers(10, 3 * MINUTES, chunk.n))
    add("account sign-up", c["customer"], signup_at)
    add("welcome email", c["customer"], (c["signup"] + 1) * MINUTES + 9 * 60)
    add("contract", k["customer"], k["signed"] * MINUTES + clock(len(k)))
    checkout = o["day"] * MINUTES + clock(len(o))
    add("checkout", o["customer"], checkout)
    add("order confirmation", o["customer"], checkout + 1)
    add("delivery slot", o["customer"], checkout + 2)
    add("delivery", o["customer"], o["delivered"] * MINUTES + clock(len(o)))
    add("invoice", i["customer"], i["issue"] * MINUTES + 18 * 60)
    rem = i[i["template"] != "none"]
    add("payment reminder", rem["customer"], rem["reminder_day"] * MINUTES + 9 * 60)
    add("support ticket", t["customer"], t["opened"])
    add("ticket transfer", h["customer"], h["handed"])
    waiting = t[t["waiting"]]
    add("internal IT ticket", waiting["customer"], waiting["opened"] + 10)
    renew = k[k["renewal"] <= LAST_DAY]
    add("contract renewal", renew["customer"], renew["renewal"] * MINUTES + 9 * 60)
    gone = c[c["churn"].notna()]
    add("account closed", gone["customer"], gone["churn"] * MINUTES + clock(len(gone)))
    j = pd.concat(parts, ignore_index=True)
    j = j[j["ts"] < (LAST_DAY + 1) * MINUTES]
    j = j.sort_values(["customer", "ts"], kind="stable").reset_index(drop=True)
    stage = j["touchpoint"].map({k2: v[0] for k2, v in T.JOURNEY.items()})
    dept = j["touchpoint"].map({k2: v[1] for k2, v in T.JOURNEY.items()})
    return pd.DataFrame(
        {
            "event_id": chunk.next_ids("journey_events", "J", len(j), 9),
            "customer_id": customer_ids(customers, j["customer"]),
            "timestamp": stamps(j["ts"].to_numpy()),
            "stage": stage,
            "touchpoint": j["touchpoint"],
            "department": dept,
        }
    )
