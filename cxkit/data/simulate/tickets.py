"""Support tickets, their handoffs between departments, and the internal IT tickets behind them.

Customers open tickets when something went wrong (a disputed invoice, a late or
incomplete delivery, a v1 contract question) and now and then for no planted
reason (product and account questions). Some tickets are handed to another
department and back, each handoff adding a wait (``story.HANDOFF_MEDIAN_WAIT_HOURS``);
some wait on an internal IT fix, which then appears in ``it_tickets`` flagged
"customer waiting". Each ticket is answered by an agent of the customer's
regional support team who was employed that day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data.schema import DEPARTMENTS, REGIONS
from cxkit.data.simulate.core import LAST_DAY, MINUTES, Chunk, customer_ids, stamps

# the department a ticket of each category is handed to, and how likely that is
_DEST = {
    "billing": "accounting",
    "delivery": "logistics",
    "contract": "legal",
    "product": "product",
    "account": "it",
}
_HANDOFF_P = {"billing": 0.55, "delivery": 0.45, "contract": 0.7, "product": 0.3, "account": 0.35}


def simulate_tickets(
    chunk: Chunk,
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    invoices: pd.DataFrame,
    contracts: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chunk's support tickets, and their handoffs (one row per transfer)."""
    rng = chunk.rng
    t = _opened(chunk, customers, orders, invoices, contracts)
    m = len(t)
    t["channel"] = rng.choice(["phone", "email", "chat"], m, p=[0.45, 0.35, 0.2])
    p_hand = t["category"].map(_HANDOFF_P).to_numpy()
    t["handoffs"] = np.where(rng.random(m) < p_hand, 1 + rng.poisson(0.35, m), 0)
    p_it = np.where(t["category"] == "account", 0.35, S.WAITING_ON_IT_RATE)
    t["waiting"] = rng.random(m) < p_it
    t["it_hours"] = np.where(t["waiting"], rng.lognormal(np.log(4), 1.0, m), 0.0)
    work = rng.lognormal(np.log(3), 0.9, m)
    waits = rng.lognormal(np.log(S.HANDOFF_MEDIAN_WAIT_HOURS), 0.8, (m, 12))
    cumulative = np.concatenate([np.zeros((m, 1)), np.cumsum(waits, axis=1)], axis=1)
    t["handoff_hours"] = cumulative[np.arange(m), t["handoffs"].to_numpy()]
    _assign_agents(chunk, t)
    resolved = t["opened"] + 60 * (work + t["handoff_hours"] + t["it_hours"])
    t["resolved"] = np.where(resolved <= (LAST_DAY + 1) * MINUTES - 1, resolved.round(), np.nan)
    t["id"] = chunk.next_ids("tickets", "T", m, 7)
    return t, _handoffs(chunk, t, waits, cumulative)


def _opened(
    chunk: Chunk,
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    invoices: pd.DataFrame,
    contracts: pd.DataFrame,
) -> pd.DataFrame:
    """Who opens a ticket about what, on which day and minute, in the order they came in."""
    rng, c, o, i, k = chunk.rng, customers, orders, invoices, contracts
    parts = []
    d = i[i["disputed"] & (rng.random(len(i)) < 0.75)]
    parts.append(
        pd.DataFrame(
            {
                "customer": d["customer"],
                "category": "billing",
                "day": d["issue"] + rng.integers(1, 10, len(d)),
            }
        )
    )
    bad = o[(~o["on_time"] | ~o["in_full"]) & (rng.random(len(o)) < 0.4)]
    parts.append(
        pd.DataFrame(
            {"customer": bad["customer"], "category": "delivery", "day": bad["promised"] + 1}
        )
    )
    rate = k["version"].map(S.CONTRACT_TICKET_RATE).to_numpy()
    q = k[rng.random(len(k)) < rate]
    parts.append(
        pd.DataFrame(
            {
                "customer": q["customer"],
                "category": "contract",
                "day": q["signed"] + rng.integers(5, 200, len(q)),
            }
        )
    )
    n_bg = rng.poisson(0.3, chunk.n)
    bg = c.loc[np.repeat(c.index, n_bg)]
    span = LAST_DAY - np.maximum(bg["signup"].to_numpy(), 0) + 1
    parts.append(
        pd.DataFrame(
            {
                "customer": bg["customer"].to_numpy(),
                "category": rng.choice(["product", "account"], len(bg)),
                "day": np.maximum(bg["signup"].to_numpy(), 0)
                + rng.integers(0, 10**9, len(bg)) % span,
            }
        )
    )
    t = pd.concat(parts, ignore_index=True)
    t = t[(t["day"] >= 0) & (t["day"] <= LAST_DAY)]
    repeat = t[rng.random(len(t)) < 0.15].copy()
    repeat["day"] = repeat["day"] + rng.integers(1, 7, len(repeat))
    t = pd.concat([t, repeat[repeat["day"] <= LAST_DAY]], ignore_index=True)
    t = t.merge(c[["customer", "region", "climate"]], on="customer")
    t["opened"] = t["day"] * MINUTES + rng.integers(8 * 60, 18 * 60, len(t))
    return t.sort_values(["opened", "customer"], kind="stable").reset_index(drop=True)


def _assign_agents(chunk: Chunk, t: pd.DataFrame) -> None:
    """An agent of the customer's regional team, on staff that day; new and trained or not."""
    emp = chunk.employees
    agent = np.empty(len(t), dtype=object)
    hire = np.zeros(len(t))
    trained = np.full(len(t), np.nan)
    for region in REGIONS:
        team = emp[emp["team"] == f"Support {region}"]
        rows = np.flatnonzero(t["region"].to_numpy() == region)
        day = t["day"].to_numpy()[rows][:, None]
        on = (team["hire"].to_numpy() <= day) & (team["leave"].fillna(np.inf).to_numpy() > day)
        on[~on.any(axis=1)] = True  # nobody on the team that day: anyone from it
        pick = np.argmax(on * chunk.rng.random(on.shape), axis=1)
        agent[rows] = team["employee_id"].to_numpy()[pick]
        hire[rows] = team["hire"].to_numpy()[pick]
        trained[rows] = team["trained"].to_numpy()[pick]
    t["agent"] = agent
    t["new_agent"] = t["day"] - hire < S.NEW_AGENT_MONTHS * 30.4
    t["trained"] = trained <= t["day"].to_numpy()


def _handoffs(
    chunk: Chunk, t: pd.DataFrame, waits: np.ndarray, cumulative: np.ndarray
) -> pd.DataFrame:
    """Each transfer: to the category's department and back, after the drawn waits."""
    h = t.loc[np.repeat(t.index, t["handoffs"])].copy()
    h["row"] = np.repeat(t.index.to_numpy(), t["handoffs"])
    h["sequence"] = h.groupby("row").cumcount() + 1
    dest = h["category"].map(_DEST)
    odd = h["sequence"] % 2 == 1
    h["from"] = np.where(odd, "customer_service", dest)
    h["to"] = np.where(odd, dest, "customer_service")
    wait = waits[h["row"].to_numpy(), h["sequence"].to_numpy() - 1] * 60
    before = cumulative[h["row"].to_numpy(), h["sequence"].to_numpy() - 1] * 60
    h["handed"] = (h["opened"] + 30 + before).round()
    h["picked"] = (h["handed"] + wait).round()
    h["ticket_id"] = t.loc[h["row"], "id"].to_numpy()
    h["id"] = chunk.next_ids("handoffs", "H", len(h), 7)
    return h.reset_index(drop=True)


def simulate_it_tickets(chunk: Chunk, tickets: pd.DataFrame) -> pd.DataFrame:
    """Internal IT tickets: one for each support ticket waiting on IT, and the everyday ones."""
    rng, t = chunk.rng, tickets
    w = t[t["waiting"]]
    linked = pd.DataFrame(
        {
            "opened": w["opened"] + rng.integers(5, 30, len(w)),
            "hours": w["it_hours"],
            "dept": "customer_service",
            "category": rng.choice(
                ["CRM", "phone line", "access rights"], len(w), p=[0.5, 0.2, 0.3]
            ),
            "waiting": True,
            "ticket_id": w["id"],
        }
    )
    nb = int(rng.poisson(0.3 * chunk.n))
    background = pd.DataFrame(
        {
            "opened": rng.integers(0, (LAST_DAY + 1) * MINUTES - 60 * 24 * 10, nb),
            "hours": rng.lognormal(np.log(10), 1.0, nb),
            "dept": rng.choice(DEPARTMENTS, nb),
            "category": rng.choice(["CRM", "laptop", "access rights", "phone line", "printer"], nb),
            "waiting": False,
            "ticket_id": None,
        }
    )
    it = pd.concat([linked, background], ignore_index=True)
    it["priority"] = rng.choice(["low", "normal", "high"], len(it), p=[0.15, 0.6, 0.25])
    it["resolved"] = (it["opened"] + 60 * it["hours"]).round()
    it = it.sort_values("opened", kind="stable").reset_index(drop=True)
    it["id"] = chunk.next_ids("it_tickets", "IT", len(it), 7)
    return it


def tickets_table(tickets: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """The ``tickets`` table."""
    t = tickets
    return pd.DataFrame(
        {
            "ticket_id": t["id"],
            "customer_id": customer_ids(customers, t["customer"]),
            "opened_at": stamps(t["opened"].to_numpy()),
            "resolved_at": stamps(t["resolved"].to_numpy()),
            "channel": t["channel"],
            "category": t["category"],
            "agent_id": t["agent"],
            "handoff_count": t["handoffs"],
            "waiting_on_it": t["waiting"],
        }
    )


def handoffs_table(handoffs: pd.DataFrame) -> pd.DataFrame:
    """The ``handoffs`` table."""
    h = handoffs
    return pd.DataFrame(
        {
            "handoff_id": h["id"],
            "ticket_id": h["ticket_id"],
            "sequence": h["sequence"],
            "from_department": h["from"],
            "to_department": h["to"],
            "handed_at": stamps(h["handed"].to_numpy()),
            "picked_up_at": stamps(h["picked"].to_numpy()),
        }
    )


def it_tickets_table(it_tickets: pd.DataFrame) -> pd.DataFrame:
    """The ``it_tickets`` table."""
    it = it_tickets
    return pd.DataFrame(
        {
            "it_ticket_id": it["id"],
            "opened_at": stamps(it["opened"].to_numpy()),
            "resolved_at": stamps(it["resolved"].to_numpy()),
            "requester_department": it["dept"],
            "category": it["category"],
            "priority": it["priority"],
            "customer_waiting": it["waiting"],
            "ticket_id": it["ticket_id"],
        }
    )
