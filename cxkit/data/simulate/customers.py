"""Customers and the campaigns that brought them: who signed up, when, through what, and who left.

A customer is a row numbered 0 to ``n - 1`` within its chunk, with the hidden
traits the story needs: ``loyalty`` (how well they think of the company whatever
happens), ``climate`` (the support team of their region, see
``story.TEAM_CLIMATE``) and whether the over-promising campaign brought them.
Who leaves is decided once their orders, invoices and tickets are known
(:func:`churn`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data import texts as T
from cxkit.data.schema import REGIONS, SCHEMAS
from cxkit.data.simulate.core import FIRST_SIGNUP, LAST_DAY, Chunk, dates, day, ids

_CAMPAIGN_IDS = list(T.CAMPAIGNS)


def campaigns_table() -> pd.DataFrame:
    """The ``campaigns`` table: every campaign and what it promised (from ``texts.CAMPAIGNS``).

    Examples
    --------
    >>> campaigns_table()["campaign_id"].iloc[0]
    'CMP01'
    """
    rows = [(cid, *values) for cid, values in T.CAMPAIGNS.items()]
    return pd.DataFrame(rows, columns=SCHEMAS["campaigns"].names)


def simulate_customers(chunk: Chunk) -> pd.DataFrame:
    """The chunk's customers: segment, region, sign-up day, campaign and hidden traits."""
    rng, n = chunk.rng, chunk.n
    c = pd.DataFrame({"customer": np.arange(n)})
    c["id"] = ids("C", chunk.start, n, 6)
    c["business"] = rng.random(n) < 0.3
    c["region"] = rng.choice(REGIONS, n, p=[0.25, 0.2, 0.2, 0.15, 0.2])
    c["signup"] = rng.integers(FIRST_SIGNUP, LAST_DAY - 30, n)
    starts = np.array([day(v[4]) for v in T.CAMPAIGNS.values()])
    ends = np.array([day(v[5]) for v in T.CAMPAIGNS.values()])
    signup = c["signup"].to_numpy()[:, None]
    active = (starts <= signup) & (signup <= ends)
    pick = np.argmax(active * rng.random(active.shape), axis=1)
    via = active.any(axis=1) & (rng.random(n) < 0.7)
    c["campaign"] = np.where(via, np.array(_CAMPAIGN_IDS, dtype=object)[pick], None)
    c["overpromised"] = c["campaign"] == S.OVERPROMISE_CAMPAIGN
    c["loyalty"] = rng.normal(0, 1, n)
    c["climate"] = c["region"].map(S.TEAM_CLIMATE)
    return c


def churn(
    chunk: Chunk,
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    invoices: pd.DataFrame,
    tickets: pd.DataFrame,
) -> np.ndarray:
    """The day each customer left, NaN for those who stayed.

    Disputes, final demands and late deliveries make leaving likelier; loyal
    customers and those served by a good team stay. A leaver goes 15 to 120 days
    after their last order or ticket.
    """
    rng, c = chunk.rng, customers
    per = pd.DataFrame({"customer": c["customer"]})
    disputes = invoices.groupby("customer")["disputed"].any()
    demands = (
        invoices.assign(f=invoices["template"] == "final_demand").groupby("customer")["f"].any()
    )
    late = orders.assign(f=~orders["on_time"]).groupby("customer")["f"].any()
    last = pd.concat([orders[["customer", "day"]], tickets[["customer", "day"]]])
    last = last.groupby("customer")["day"].max()
    for name, s in (("dispute", disputes), ("demand", demands), ("late", late)):
        per[name] = per["customer"].map(s).fillna(False).astype(bool)
    z = (
        -2.2
        - 0.5 * c["loyalty"]
        + 1.0 * per["dispute"]
        + 0.8 * per["demand"]
        + 0.6 * per["late"]
        - 0.3 * c["climate"]
    )
    leaves = rng.random(chunk.n) < 1 / (1 + np.exp(-z))
    since = per["customer"].map(last).fillna(c["signup"]).to_numpy()
    leave_day = since + rng.integers(15, 120, chunk.n)
    return np.where(leaves & (leave_day <= LAST_DAY), leave_day, np.nan)


def customers_table(customers: pd.DataFrame) -> pd.DataFrame:
    """The ``customers`` table, once :func:`churn` has filled in ``churn``."""
    c = customers
    return pd.DataFrame(
        {
            "customer_id": c["id"],
            "segment": np.where(c["business"], "small_business", "household"),
            "region": c["region"],
            "signup_date": dates(c["signup"].to_numpy()),
            "campaign_id": c["campaign"],
            "churn_date": dates(c["churn"].to_numpy()),
        }
    )
