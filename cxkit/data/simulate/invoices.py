"""Invoices and the reminder letters: what accounting sent, what was disputed, when it was paid.

Every delivered order is invoiced on its delivery day. Incomplete deliveries are
disputed far more often (``story.DISPUTE_RATE_INCOMPLETE``). A customer who has
not paid three days after the due date gets a reminder letter whose template is
drawn at random (an A/B/C test); the final demand slows payment the most
(``story.REMINDER_EXTRA_DAYS``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data import texts as T
from cxkit.data.schema import SCHEMAS
from cxkit.data.simulate.core import LAST_DAY, Chunk, customer_ids, dates


def letters_table() -> pd.DataFrame:
    """The ``letters`` table: the text of each reminder template (from ``texts.LETTERS``).

    Examples
    --------
    >>> sorted(letters_table()["template"])
    ['final_demand', 'friendly', 'standard']
    """
    rows = [(name, *values) for name, values in T.LETTERS.items()]
    return pd.DataFrame(rows, columns=SCHEMAS["letters"].names)


def simulate_invoices(chunk: Chunk, orders: pd.DataFrame) -> pd.DataFrame:
    """One invoice per order: due day, dispute and its reason, reminder letter, payment day."""
    rng, o = chunk.rng, orders
    m = len(o)
    i = o[["customer", "business", "id", "amount", "in_full", "delivered"]].copy()
    i["issue"] = i["delivered"]
    i["due"] = i["issue"] + np.where(i["business"], 30, 14)
    p_dispute = np.where(i["in_full"], S.DISPUTE_RATE, S.DISPUTE_RATE_INCOMPLETE)
    i["disputed"] = rng.random(m) < p_dispute
    reason = np.where(rng.random(m) < 0.6, "items not received", "wrong amount")
    other = rng.choice(["wrong amount", "unclear charges", "duplicate"], m, p=[0.4, 0.45, 0.15])
    chosen = np.where(i["in_full"], other, reason).astype(object)
    i["reason"] = np.where(i["disputed"], chosen, np.array(None, dtype=object))
    base = np.where(i["business"], rng.gamma(3, 9, m), rng.gamma(2, 5, m))
    base = base + np.where(i["disputed"], rng.uniform(10, 40, m), 0)
    reminded = (i["issue"] + base > i["due"] + 3) & (i["due"] + 3 <= LAST_DAY)
    template = rng.choice(["friendly", "standard", "final_demand"], m)
    i["template"] = np.where(reminded, template, "none")
    extra = rng.exponential(pd.Series(template).map(S.REMINDER_EXTRA_DAYS).to_numpy())
    paid = np.where(reminded, i["due"] + 3 + extra, i["issue"] + base).astype(int)
    never = rng.random(m) < 0.02
    i["paid"] = np.where((paid > LAST_DAY) | never, np.nan, paid)
    i["reminder_day"] = np.where(reminded, i["due"] + 3, np.nan)
    i["id"] = chunk.next_ids("invoices", "I", m, 7)
    i["order_id"] = o["id"]
    return i


def invoices_table(invoices: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """The ``invoices`` table."""
    i = invoices
    return pd.DataFrame(
        {
            "invoice_id": i["id"],
            "order_id": i["order_id"],
            "customer_id": customer_ids(customers, i["customer"]),
            "issue_date": dates(i["issue"].to_numpy()),
            "due_date": dates(i["due"].to_numpy()),
            "amount_eur": i["amount"],
            "paid_date": dates(i["paid"].to_numpy()),
            "disputed": i["disputed"],
            "dispute_reason": i["reason"],
            "reminder_template": i["template"],
        }
    )
