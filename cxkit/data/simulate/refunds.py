"""Refunds: who asks for their money back, how long the finance team takes, what they say after.

One row per refund, tied to what already happened to the order: most damaged
or short parcels come back as a refund request, a few other orders too ("changed
my mind"). The request is checked, then paid in the next payment run; a large
refund waits for a second signature first. The refund-confirmation email asks
the NPS question, and the answer is drawn like every other answer
(:mod:`cxkit.data.simulate.answers`): the customer's usual experience, with the
planted cost of a slow refund and of a fee kept, and the gain of a fast one.
Everything is drawn from the refunds' own random stream (:data:`REFUNDS_STREAM`),
so no other table changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data.simulate.after import EXPERIENCE_SD
from cxkit.data.simulate.core import (
    LAST_DAY,
    START,
    Chunk,
    clip_round,
    customer_ids,
    dates,
    side_stream,
)

REFUNDS_STREAM = 1_000_004  # the random stream of the refunds (see side_stream)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def refunds_table(chunk: Chunk, customers: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """The ``refunds`` table of the chunk: the refund desk's export, one row per refund.

    ``orders`` are the chunk's orders with their shipments
    (:func:`cxkit.data.simulate.orders.simulate_orders`); ``customers`` are its customers
    with the day each left (:func:`cxkit.data.simulate.customers.churn`).
    """
    rng = side_stream(chunk.rng, REFUNDS_STREAM)
    r = _requests(rng, orders)
    r["refunded"] = _paid(rng, r["requested"].to_numpy(), r["amount"].to_numpy())
    r = r[r["requested"] <= LAST_DAY].sort_values(["requested", "customer"], kind="stable")
    r = r.reset_index(drop=True)
    paid = r["refunded"] <= LAST_DAY
    score = _answer(rng, customers, r)
    left = r["customer"].map(customers.set_index("customer")["churn"]).fillna(np.inf)
    answered = paid & (rng.random(len(r)) < S.REFUND_ANSWER_RATE) & (r["refunded"] < left)
    return pd.DataFrame(
        {
            "refund_id": chunk.next_ids("refunds", "RF", len(r), 6),
            "order_id": r["order"],
            "customer_id": customer_ids(customers, r["customer"]),
            "requested_date": dates(r["requested"].to_numpy()),
            "reason": r["reason"],
            "amount_eur": r["amount"],
            "fee_eur": r["fee"],
            "refunded_date": dates(np.where(paid, r["refunded"], np.nan).astype(float)),
            "recommend_after": pd.Series(score, dtype="Int64").where(answered.to_numpy()),
        }
    )


def _requests(rng: np.random.Generator, orders: pd.DataFrame) -> pd.DataFrame:
    """Which orders come back as a refund request, why, when, for how much, with what fee."""
    o, m = orders, len(orders)
    reason = np.where(
        o["damaged"], "damaged", np.where(~o["in_full"], "items missing", "changed my mind")
    )
    asks = rng.random(m) < pd.Series(reason).map(S.REFUND_SHARE).to_numpy()
    mind = reason == "changed my mind"
    wait = np.where(mind, rng.integers(1, 15, m), rng.integers(0, 6, m))
    whole = rng.random(m) < 0.5
    part = np.where(mind, rng.uniform(0.3, 0.9, m), rng.uniform(0.2, 0.8, m))
    missing = (o["items"] - o["delivered_items"]) / o["items"]
    share = np.where(reason == "items missing", missing, np.where(whole, 1.0, part))
    amount = np.round(o["amount"].to_numpy() * share, 2)
    fee = np.maximum(np.round(S.RESTOCKING_FEE_SHARE * amount, 2), S.RESTOCKING_FEE_MIN_EUR)
    return pd.DataFrame(
        {
            "order": o["id"].to_numpy(),
            "customer": o["customer"].to_numpy(),
            "reason": reason,
            "requested": o["delivered"].to_numpy() + wait,
            "amount": amount,
            "fee": np.where(mind, np.minimum(fee, amount), 0.0),
        }
    )[asks]


def _paid(rng: np.random.Generator, requested: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """The day each refund is paid: checked, signed twice if large, then the next payment run."""
    low, high = S.REFUND_CHECK_DAYS
    ready = requested + rng.integers(low, high + 1, len(requested))
    first, last = S.SECOND_SIGNATURE_DAYS
    second = rng.integers(first, last + 1, len(requested))
    ready = ready + np.where(amount > S.REFUND_SECOND_SIGNATURE_EUR, second, 0)
    return ready + _to_next_run(ready)


def _to_next_run(days: np.ndarray) -> np.ndarray:
    """Days from each day to the next payment run after it (1 to 7).

    Examples
    --------
    >>> _to_next_run(np.array([0, 1, 2])).tolist()  # Wednesday to Friday, 1-3 January 2025
    [2, 1, 4]
    """
    runs = {_WEEKDAYS.index(name) for name in S.PAYMENT_RUN_DAYS}
    first_weekday = int(((START - np.datetime64("1970-01-05", "D")).astype(int)) % 7)
    ahead = np.array([next(k for k in range(1, 8) if (w + k) % 7 in runs) for w in range(7)])
    return ahead[(np.asarray(days, dtype="int64") + first_weekday) % 7]


def _answer(rng: np.random.Generator, customers: pd.DataFrame, r: pd.DataFrame) -> np.ndarray:
    """The 0-10 answer after each refund: the customer's usual experience, and how it went."""
    cust = customers.set_index("customer")
    took = (r["refunded"] - r["requested"]).to_numpy()
    x = (
        S.BASE_EXPERIENCE
        + r["customer"].map(cust["loyalty"]).to_numpy()
        + S.TEAM_CLIMATE_EFFECT * r["customer"].map(cust["climate"]).to_numpy()
        + S.REFUND_FAST_EFFECT * (took <= S.REFUND_FAST_DAYS)
        + S.REFUND_SLOW_EFFECT * (took > S.REFUND_SLOW_DAYS)
        + S.REFUND_FEE_EFFECT * (r["fee"].to_numpy() > 0)
        + rng.normal(0, EXPERIENCE_SD, len(r))
    )
    return clip_round(x, 0, 10)
