"""Surveys, part one: who is asked, when, and what they had just lived through.

Each survey type asks a share of the customers who reached its moment: the
relationship survey (about six in ten customers, once, at a random day), and
onboarding, post-purchase, post-delivery, post-invoice, post-ticket and
post-renewal surveys. For every invitation this module records the planted
``effect`` on the customer's experience (from ``story.py``) and the ``theme``
of the comment they would write; :mod:`cxkit.data.simulate.answers` turns them
into scores and comments. Nobody answers after leaving.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data import texts as T
from cxkit.data.simulate.answers import answer
from cxkit.data.simulate.core import LAST_DAY, MINUTES, Chunk, customer_ids, dates

# the touchpoint each survey type follows (its department is the touchpoint's)
_TOUCHPOINT = {
    "onboarding": "welcome email",
    "post_purchase": "checkout",
    "post_delivery": "delivery",
    "post_invoice": "invoice",
    "post_ticket": "support ticket",
    "post_renewal": "contract renewal",
}


def simulate_surveys(
    chunk: Chunk,
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    invoices: pd.DataFrame,
    tickets: pd.DataFrame,
    contracts: pd.DataFrame,
) -> pd.DataFrame:
    """Every survey answer of the chunk, in order of day and customer, with its id."""
    rng = chunk.rng
    # One survey type after another: each draws from the chunk's stream in turn.
    frames = [_relationship(chunk, customers, orders, invoices)]
    frames.append(_onboarding(chunk, customers))
    frames.append(_after_purchase(rng, orders))
    frames.append(_after_delivery(rng, orders))
    frames.append(_after_invoice(rng, invoices))
    frames.append(_after_ticket(rng, tickets))
    frames.append(_after_renewal(rng, contracts))
    s = pd.concat(frames, ignore_index=True)
    churn = s["customer"].map(customers.set_index("customer")["churn"]).fillna(np.inf)
    s = s[(s["day"] >= 0) & (s["day"] <= LAST_DAY) & (s["day"] < churn)].reset_index(drop=True)
    return answer(chunk, customers, s)


def _asked(
    kind: str, who: pd.Series, day: np.ndarray, effect: np.ndarray, theme: np.ndarray
) -> pd.DataFrame:
    """One survey type's invitations: customer, day, planted effect and comment theme."""
    return pd.DataFrame(
        {
            "customer": who.to_numpy(),
            "type": kind,
            "day": np.asarray(day, dtype=int),
            "effect": effect,
            "theme": theme,
        }
    )


def _window(events: pd.DataFrame, at: pd.DataFrame, before: int, flag: str) -> np.ndarray:
    """For each row of ``at`` (customer, day), is there an event with ``flag`` in the window?"""
    hits = events.loc[events[flag], ["customer", "day"]]
    joined = at[["customer", "day"]].reset_index().merge(hits, on="customer", suffixes=("", "_e"))
    inside = (joined["day_e"] <= joined["day"]) & (joined["day_e"] > joined["day"] - before)
    found = np.zeros(len(at), dtype=bool)
    found[joined.loc[inside, "index"].to_numpy()] = True
    return found


def _relationship(
    chunk: Chunk, customers: pd.DataFrame, orders: pd.DataFrame, invoices: pd.DataFrame
) -> pd.DataFrame:
    """About six in ten customers answer once, remembering recent disputes, demands and delays."""
    rng, c, o, i = chunk.rng, customers, orders, invoices
    r = c[rng.random(chunk.n) < 0.6]
    lo = np.maximum(r["signup"] + 30, 0)
    hi = np.minimum(r["churn"].fillna(LAST_DAY + 1) - 1, LAST_DAY)
    r = r[lo <= hi]
    lo, hi = lo[r.index], hi[r.index]
    at = pd.DataFrame(
        {
            "customer": r["customer"].to_numpy(),
            "day": (lo + rng.random(len(r)) * (hi - lo + 1)).astype(int).to_numpy(),
        }
    )
    events = pd.DataFrame({"customer": i["customer"], "day": i["issue"], "dispute": i["disputed"]})
    dispute = _window(events, at, 90, "dispute")
    demand_events = pd.DataFrame(
        {
            "customer": i["customer"],
            "day": i["reminder_day"].fillna(10**6).astype(int),
            "demand": i["template"] == "final_demand",
        }
    )
    demand = _window(demand_events, at, 180, "demand")
    late_events = pd.DataFrame(
        {"customer": o["customer"], "day": o["delivered"], "late": ~o["on_time"]}
    )
    late = _window(late_events, at, 90, "late")
    over = r["overpromised"].to_numpy()
    effect = (
        S.DISPUTE_EFFECT * dispute
        + S.FINAL_DEMAND_EFFECT * demand
        + S.LATE_RELATIONSHIP_EFFECT * late
        + S.OVERPROMISE_EFFECT * over
    )
    theme = np.select(
        [
            over & (rng.random(len(r)) < S.OVERPROMISE_COMMENT_SHARE),
            dispute,
            demand,
            late,
            r["legalese"].to_numpy(),
        ],
        ["promise", "billing", "reminder", "delivery", "contract"],
        "general",
    )
    return _asked("relationship", r["customer"], at["day"].to_numpy(), effect, theme)


def _onboarding(chunk: Chunk, customers: pd.DataFrame) -> pd.DataFrame:
    """New customers, shortly after signing up."""
    rng, c = chunk.rng, customers
    ob = c[(c["signup"] >= 0) & (rng.random(chunk.n) < 0.3)]
    return _asked(
        "onboarding",
        ob["customer"],
        ob["signup"] + rng.integers(3, 14, len(ob)),
        np.zeros(len(ob)),
        np.where(ob["legalese"], "contract", "general"),
    )


def _after_purchase(rng: np.random.Generator, orders: pd.DataFrame) -> pd.DataFrame:
    """After checkout."""
    pp = orders[rng.random(len(orders)) < 0.15]
    return _asked(
        "post_purchase",
        pp["customer"],
        pp["day"],
        np.full(len(pp), 0.3),
        np.where(rng.random(len(pp)) < 0.5, "product", "general"),
    )


def _after_delivery(rng: np.random.Generator, orders: pd.DataFrame) -> pd.DataFrame:
    """After delivery: late, incomplete and damaged parcels each cost experience."""
    pd_ = orders[rng.random(len(orders)) < 0.25]
    late_d, short_d = ~pd_["on_time"].to_numpy(), ~pd_["in_full"].to_numpy()
    damaged_d = pd_["damaged"].to_numpy()
    over_first = (pd_["overpromised"] & (pd_["rank"] == 0)).to_numpy()
    asked = _asked(
        "post_delivery",
        pd_["customer"],
        pd_["delivered"] + 1,
        S.LATE_EFFECT * late_d + S.SHORT_EFFECT * short_d + S.DAMAGE_EFFECT * damaged_d,
        np.select([over_first & late_d, late_d | short_d], ["promise", "delivery"], "general"),
    )
    asked["damage"] = S.DAMAGE_EFFECT * damaged_d
    return asked


def _after_invoice(rng: np.random.Generator, invoices: pd.DataFrame) -> pd.DataFrame:
    """After the invoice is paid (or three weeks after it was sent)."""
    pi = invoices[rng.random(len(invoices)) < 0.15]
    demand_i = (pi["template"] == "final_demand").to_numpy()
    asked = _asked(
        "post_invoice",
        pi["customer"],
        pi["paid"].fillna(pi["issue"] + 20) + 1,
        S.DISPUTE_EFFECT * pi["disputed"].to_numpy() + S.FINAL_DEMAND_EFFECT * demand_i,
        np.select([pi["disputed"].to_numpy(), demand_i], ["billing", "reminder"], "general"),
    )
    asked["final_demand"] = demand_i  # for the months after the workshops (simulate.after)
    return asked


def _after_ticket(rng: np.random.Generator, tickets: pd.DataFrame) -> pd.DataFrame:
    """After a ticket is resolved: handoffs, IT waits, the agent and the team all count."""
    t = tickets
    pt = t[t["resolved"].notna() & (rng.random(len(t)) < 0.4)]
    it_effect = np.maximum(S.IT_WAIT_EFFECT_PER_HOUR * pt["it_hours"], S.IT_WAIT_EFFECT_CAP)
    effect = (
        S.HANDOFF_EFFECT * pt["handoffs"]
        + it_effect
        + S.NEW_AGENT_EFFECT * pt["new_agent"]
        + S.TRAINING_EFFECT * pt["trained"]
        + S.TEAM_CLIMATE_EFFECT * pt["climate"]
    )
    support = (pt["handoffs"] > 0) | (pt["it_hours"] > 2)
    return _asked(
        "post_ticket",
        pt["customer"],
        (pt["resolved"] // MINUTES).astype(int),
        effect.to_numpy(),
        np.where(support, "support", "general"),
    )


def _after_renewal(rng: np.random.Generator, contracts: pd.DataFrame) -> pd.DataFrame:
    """After a contract comes up for renewal: v1's legalese costs experience."""
    k = contracts
    pr = k[(k["renewal"] <= LAST_DAY) & (rng.random(len(k)) < 0.4)]
    v1 = (pr["version"] == "v1").to_numpy()
    return _asked(
        "post_renewal",
        pr["customer"],
        pr["renewal"] + rng.integers(1, 10, len(pr)),
        -0.8 * v1,
        np.where(v1, "contract", "general"),
    )


def surveys_table(surveys: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """The ``surveys`` table: each answer with the touchpoint and department it follows."""
    s = surveys
    tp = s["type"].map(_TOUCHPOINT)
    dept = tp.map({k: v[1] for k, v in T.JOURNEY.items()})
    out = pd.DataFrame(
        {
            "response_id": s["id"],
            "customer_id": customer_ids(customers, s["customer"]),
            "survey_type": s["type"],
            "response_date": dates(s["day"].to_numpy()),
            "touchpoint": tp,
            "department": dept,
            "recommend": s["recommend"],
            "csat": s["csat"],
            "effort": s["effort"],
        }
    )
    for driver in S.DRIVERS:
        out[f"rating_{driver}"] = s[f"rating_{driver}"]
    out["comment"] = s["comment"]
    return out
