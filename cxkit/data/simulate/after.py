"""The months after the workshops: survey answers month by month, with one commitment kept.

The shipped period ends when the departments' workshops do. What follows is
made on demand and never changes the period itself: each chunk of customers
is replayed up to its surveys (the same draws, so the same customers and the
same answers), and the months after are drawn from a random stream of their
own (:data:`AFTER_STREAM`, see :func:`~cxkit.data.simulate.core.side_stream`).

The after period's invitations are the survey invitations of the period's last
``story.AFTER_DRAWN_FROM_DAYS`` days, drawn again (same customer, same
situation, a new day after the period) and answered afresh by
:func:`~cxkit.data.simulate.answers.answer`. Nothing changes, then, except
what ``story.py`` plants: accounting's kept commitment (from
``story.COMMITMENT_KEPT_FROM`` no final demand letter, and a plain invoice
worth ``story.PLAIN_INVOICE_EFFECT`` of experience at the post-invoice survey).

:func:`planted` gives the size of that change in each measure as the model
expects it, the number a pulse's interval should hold.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data.simulate.answers import answer
from cxkit.data.simulate.contracts import legalese, simulate_contracts
from cxkit.data.simulate.core import LAST_DAY, Chunk, day, side_stream
from cxkit.data.simulate.customers import churn, simulate_customers
from cxkit.data.simulate.invoices import simulate_invoices
from cxkit.data.simulate.orders import simulate_orders
from cxkit.data.simulate.surveys import simulate_surveys
from cxkit.data.simulate.tickets import simulate_it_tickets, simulate_tickets

AFTER_STREAM = 1_000_003  # the random stream of the months after the workshops
AFTER_LAST = day(S.AFTER_END)
KEPT_FROM = day(S.COMMITMENT_KEPT_FROM)
# what an invitation carries into the after period
SITUATION = ["customer", "type", "day", "effect", "theme", "damage", "final_demand"]
# the answer model of answers.answer: noise of the experience, and of CSAT and effort around it
EXPERIENCE_SD = 1.3
CSAT_SD = math.hypot(0.4 * EXPERIENCE_SD, 0.55)
EFFORT_SD = math.hypot(0.3 * EXPERIENCE_SD, 0.9)


def replay(chunk: Chunk) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chunk's customers and answered survey invitations, drawn exactly as the period's.

    The same steps as :func:`cxkit.data.simulate.company.chunk_tables` up to the
    surveys, in the same order, so that every draw is the same.
    """
    customers = simulate_customers(chunk)
    orders = simulate_orders(chunk, customers)
    invoices = simulate_invoices(chunk, orders)
    contracts = simulate_contracts(chunk, customers)
    customers["legalese"] = legalese(customers, contracts)
    tickets, _ = simulate_tickets(chunk, customers, orders, invoices, contracts)
    simulate_it_tickets(chunk, tickets)
    customers["churn"] = churn(chunk, customers, orders, invoices, tickets)
    surveys = simulate_surveys(chunk, customers, orders, invoices, tickets, contracts)
    return customers, surveys


def invitations(rng: np.random.Generator, surveys: pd.DataFrame) -> pd.DataFrame:
    """The after period's invitations: the last days' situations, drawn again on later days.

    As many as the last ``AFTER_DRAWN_FROM_DAYS`` days had per day, on average.
    """
    recent = surveys[surveys["day"] > LAST_DAY - S.AFTER_DRAWN_FROM_DAYS]
    if recent.empty:
        return pd.DataFrame(columns=SITUATION)
    span = AFTER_LAST - LAST_DAY
    n = int(rng.poisson(len(recent) * span / S.AFTER_DRAWN_FROM_DAYS))
    drawn = recent.iloc[rng.integers(0, len(recent), n)].reindex(columns=SITUATION)
    drawn = drawn.reset_index(drop=True)
    drawn["day"] = rng.integers(LAST_DAY + 1, AFTER_LAST + 1, n)
    drawn["damage"] = drawn["damage"].fillna(0.0).astype(float)
    drawn["final_demand"] = drawn["final_demand"].fillna(False).astype(bool)
    return drawn


def keep_commitment(asked: pd.DataFrame) -> pd.DataFrame:
    """Accounting's commitment, kept: a copy of ``asked`` with the planted change.

    From ``COMMITMENT_KEPT_FROM`` a post-invoice answer gains
    ``PLAIN_INVOICE_EFFECT`` of experience, and one that followed a final demand
    no longer carries ``FINAL_DEMAND_EFFECT`` (the letter is the friendly one now).
    """
    out = asked.copy()
    kept = ((out["type"] == "post_invoice") & (out["day"] >= KEPT_FROM)).to_numpy()
    demand = kept & out["final_demand"].to_numpy(dtype=bool)
    out["effect"] = out["effect"] + S.PLAIN_INVOICE_EFFECT * kept - S.FINAL_DEMAND_EFFECT * demand
    out.loc[demand & (out["theme"] == "reminder").to_numpy(), "theme"] = "general"
    return out


def after_chunk(
    chunk: Chunk, offsets: dict[str, int]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One chunk's months after the workshops.

    Returns the customers, the period's answered surveys (as :func:`replay`
    gives them), the after period's answered invitations (ids ``A...``, counted
    on across chunks in ``offsets``) and the expected measures without and with
    the planted change (see :func:`expected`).
    """
    customers, surveys = replay(chunk)
    stream = side_stream(chunk.rng, AFTER_STREAM)
    asked = invitations(stream, surveys)
    changed = keep_commitment(asked)
    after = Chunk(stream, chunk.start, chunk.n, chunk.employees, offsets)
    answered = answer(after, customers, changed)
    answered["id"] = "A" + answered["id"].str.slice(1)
    sums = pd.concat([expected(customers, asked).assign(kept=False), expected(customers, changed)])
    return customers, surveys, answered, sums.assign(kept=sums["kept"].fillna(True).astype(bool))


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(z, dtype=float) / math.sqrt(2.0)))


def _mean_score(centre: np.ndarray, sd: float, low: int, high: int) -> np.ndarray:
    """Expected value of ``clip(round(N(centre, sd)), low, high)``."""
    total = np.full(len(centre), float(low))
    for k in range(low + 1, high + 1):  # E = low + sum over k of P(score >= k)
        total += 1.0 - _normal_cdf((k - 0.5 - centre) / sd)
    return total


def expected(customers: pd.DataFrame, asked: pd.DataFrame) -> pd.DataFrame:
    """Sums, per survey type, of what the answer model expects of each invitation.

    Columns: ``n``, ``promoters`` and ``detractors`` (expected counts), ``csat_top``
    (expected answers of 4 or 5) and ``effort`` (sum of expected efforts). The
    experience's mean is the one :func:`~cxkit.data.simulate.answers.answer` draws around.
    """
    cust = customers.set_index("customer")
    climate = np.where(
        asked["type"] == "post_ticket",
        0.0,
        S.TEAM_CLIMATE_EFFECT * asked["customer"].map(cust["region"]).map(S.TEAM_CLIMATE),
    )
    mean = (
        S.BASE_EXPERIENCE
        + asked["customer"].map(cust["loyalty"]).to_numpy()
        + asked["effect"].to_numpy(dtype=float)
        + climate
    )
    legal = asked["customer"].map(cust["legalese"]).to_numpy(dtype=bool) & asked["type"].isin(
        ["relationship", "onboarding", "post_renewal"]
    ).to_numpy(dtype=bool)
    frame = pd.DataFrame(
        {
            "type": asked["type"].to_numpy(),
            "n": 1,
            "promoters": 1.0 - _normal_cdf((8.5 - mean) / EXPERIENCE_SD),
            "detractors": _normal_cdf((6.5 - mean) / EXPERIENCE_SD),
            "csat_top": 1.0 - _normal_cdf((3.5 - 4.0 - 0.4 * (mean - S.BASE_EXPERIENCE)) / CSAT_SD),
            "effort": _mean_score(
                3.0 - 0.3 * (mean - S.BASE_EXPERIENCE) + S.LEGALESE_EFFORT * legal, EFFORT_SD, 1, 7
            ),
            "from_kept": asked["day"].to_numpy() >= KEPT_FROM,
        }
    )
    return frame.groupby(["type", "from_kept"], as_index=False).sum()


def planted(sums: pd.DataFrame) -> pd.DataFrame:
    """The planted change per survey type and measure, from the commitment's first day on.

    ``sums`` are the :func:`expected` sums of every chunk, with ``kept`` False for
    the after period as it would have been and True as it was. Returns one row
    per survey type and measure (``nps``, ``csat``, ``effort``): ``without``,
    ``with`` and ``planted`` (with minus without), in the measure's unit.
    """
    rows = []
    inside = sums[sums["from_kept"]]
    for kind, part in inside.groupby("type"):
        by = part.groupby("kept")[["n", "promoters", "detractors", "csat_top", "effort"]].sum()
        values = {
            "nps": 100 * (by["promoters"] - by["detractors"]) / by["n"],
            "csat": 100 * by["csat_top"] / by["n"],
            "effort": by["effort"] / by["n"],
        }
        for metric, value in values.items():
            rows.append(
                {
                    "survey_type": kind,
                    "metric": metric,
                    "without": float(value[False]),
                    "with": float(value[True]),
                    "planted": float(value[True] - value[False]),
                }
            )
    return pd.DataFrame(rows)
