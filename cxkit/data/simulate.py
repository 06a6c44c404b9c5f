"""Simulate one chunk of customers: what they ordered, what went wrong, what they said.

Vectorised with numpy over a chunk; ``generate.py`` runs the chunks and writes
the files. Every effect below is a named constant from ``story.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data import texts as T
from cxkit.data.schema import REGIONS

_D0 = np.datetime64(S.PERIOD_START, "D")
_END = int((np.datetime64(S.PERIOD_END, "D") - _D0).astype(int))
_SIGN0 = int((np.datetime64(S.SIGNUPS_FROM, "D") - _D0).astype(int))


def _day(text: str) -> int:
    return int((np.datetime64(text, "D") - _D0).astype(int))


def _dates(days: np.ndarray) -> np.ndarray:
    """Day offsets -> 'YYYY-MM-DD' strings; NaN -> empty."""
    days = np.asarray(days, dtype=float)
    out = np.full(days.shape, "", dtype=object)
    ok = ~np.isnan(days)
    out[ok] = np.datetime_as_string(_D0 + days[ok].astype("int64"), unit="D")
    return out


def _stamps(minutes: np.ndarray) -> np.ndarray:
    """Minute offsets -> 'YYYY-MM-DD HH:MM' strings; NaN -> empty."""
    minutes = np.asarray(minutes, dtype=float)
    out = np.full(minutes.shape, "", dtype=object)
    ok = ~np.isnan(minutes)
    base = _D0.astype("datetime64[m]")
    text = np.datetime_as_string(base + minutes[ok].astype("int64"), unit="m")
    out[ok] = np.char.replace(text.astype(str), "T", " ")
    return out


def _ids(prefix: str, start: int, n: int, width: int) -> np.ndarray:
    return np.array(
        [f"{prefix}{i:0{width}d}" for i in range(start + 1, start + n + 1)], dtype=object
    )


def _clip_round(x: np.ndarray, low: int, high: int) -> np.ndarray:
    return np.clip(np.rint(x), low, high).astype("int64")


_CAMPAIGN_IDS = list(T.CAMPAIGNS)
_DEST = {
    "billing": "accounting",
    "delivery": "logistics",
    "contract": "legal",
    "product": "product",
    "account": "it",
}
_HANDOFF_P = {"billing": 0.55, "delivery": 0.45, "contract": 0.7, "product": 0.3, "account": 0.35}


_DOCK_STREAM = 1_000_002  # the random stream of dock shifts and damage (see _side_stream)


def _side_stream(rng: np.random.Generator, stream: int) -> np.random.Generator:
    """A random stream of its own for one chunk, derived from the chunk's seed.

    Columns added to the company after it first shipped draw from here, never
    from the chunk's main stream, so every value that existed before stays
    exactly the same. Each chunk of a large company gets its own side stream.
    """
    seq = rng.bit_generator.seed_seq
    if not isinstance(seq, np.random.SeedSequence):  # pragma: no cover - numpy always has one
        raise TypeError("the chunk's random generator has no SeedSequence")
    child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, stream))
    return np.random.default_rng(child)


def _window(events: pd.DataFrame, at: pd.DataFrame, before: int, flag: str) -> np.ndarray:
    """For each row of ``at`` (customer, day), is there an event with ``flag`` in the window?"""
    hits = events.loc[events[flag], ["customer", "day"]]
    joined = at[["customer", "day"]].reset_index().merge(hits, on="customer", suffixes=("", "_e"))
    inside = (joined["day_e"] <= joined["day"]) & (joined["day_e"] > joined["day"] - before)
    found = np.zeros(len(at), dtype=bool)
    found[joined.loc[inside, "index"].to_numpy()] = True
    return found


class _Chunk:
    def __init__(
        self,
        rng: np.random.Generator,
        start: int,
        n: int,
        employees: pd.DataFrame,
        offsets: dict[str, int],
    ) -> None:
        self.rng, self.start, self.n, self.emp, self.offsets = rng, start, n, employees, offsets

    def _next_ids(self, table: str, prefix: str, n: int, width: int) -> np.ndarray:
        first = self.offsets.get(table, 0)
        self.offsets[table] = first + n
        return _ids(prefix, first, n, width)

    def tables(self) -> Iterator[tuple[str, pd.DataFrame]]:
        self._customers()
        self._orders()
        self._invoices()
        self._contracts()
        self._tickets()
        self._churn()
        self._surveys()
        yield "customers", self.customers_out()
        yield "orders", self.orders_out()
        yield "shipments", self.shipments_out()
        yield "invoices", self.invoices_out()
        yield "contracts", self.contracts_out()
        yield "tickets", self.tickets_out()
        yield "handoffs", self.handoffs_out()
        yield "it_tickets", self.it_out()
        yield "journey_events", self.journey_out()
        yield "surveys", self.surveys_out()
        yield "feedback_actions", self.actions_out()

    # --- customers -------------------------------------------------------------
    def _customers(self) -> None:
        rng, n = self.rng, self.n
        c = pd.DataFrame({"customer": np.arange(n)})
        c["id"] = _ids("C", self.start, n, 6)
        c["business"] = rng.random(n) < 0.3
        c["region"] = rng.choice(REGIONS, n, p=[0.25, 0.2, 0.2, 0.15, 0.2])
        c["signup"] = rng.integers(_SIGN0, _END - 30, n)
        starts = np.array([_day(v[4]) for v in T.CAMPAIGNS.values()])
        ends = np.array([_day(v[5]) for v in T.CAMPAIGNS.values()])
        signup = c["signup"].to_numpy()[:, None]
        active = (starts <= signup) & (signup <= ends)
        pick = np.argmax(active * rng.random(active.shape), axis=1)
        via = active.any(axis=1) & (rng.random(n) < 0.7)
        c["campaign"] = np.where(via, np.array(_CAMPAIGN_IDS, dtype=object)[pick], None)
        c["overpromised"] = c["campaign"] == S.OVERPROMISE_CAMPAIGN
        c["loyalty"] = rng.normal(0, 1, n)
        c["climate"] = c["region"].map(S.TEAM_CLIMATE)
        self.c = c

    # --- orders and shipments --------------------------------------------------
    def _orders(self) -> None:
        rng, c = self.rng, self.c
        rate = np.where(c["business"], 2.5, 1.4) * np.where(
            c["overpromised"], S.OVERPROMISE_REPEAT_FACTOR, 1.0
        )
        count = np.where(rng.random(self.n) < 0.12, 0, 1 + rng.poisson(rate))
        o = c.loc[
            np.repeat(c.index, count), ["customer", "business", "signup", "overpromised", "region"]
        ].reset_index(drop=True)
        first_day = np.maximum(o["signup"], 0) + rng.exponential(10, len(o)).astype(int)
        later = rng.integers(0, 10**9, len(o)) % (_END - np.maximum(o["signup"], 0) + 1)
        o["rank"] = o.groupby("customer").cumcount()
        o["day"] = np.minimum(
            np.where(o["rank"] == 0, first_day, np.maximum(o["signup"], 0) + later), _END
        )
        o = o.sort_values(["customer", "day"], kind="stable").reset_index(drop=True)
        o["rank"] = o.groupby("customer").cumcount()
        m = len(o)
        o["items"] = 1 + rng.poisson(np.where(o["business"], 8, 3))
        o["amount"] = np.round(o["items"] * rng.uniform(8, 40, m), 2)
        o["warehouse"] = np.where(rng.random(m) < 0.55, "North DC", "South DC")
        o["carrier"] = rng.choice(["ParcelPro", "QuickShip", "GreenRoute"], m)
        o["slot"] = rng.choice(["morning", "afternoon", "evening"], m)
        first_overpromise = o["overpromised"] & (o["rank"] == 0)
        promised = np.where(first_overpromise, 1, np.where(o["business"], 3, 2))
        natural = np.where(o["business"], 3, 2) - (rng.random(m) < 0.3)
        late_rate = o["warehouse"].map(S.LATE_RATE).to_numpy()
        late = rng.random(m) < late_rate
        lead = np.where(late, promised + 1 + rng.poisson(1.5, m), np.minimum(natural, promised))
        lead = np.where(first_overpromise & ~late, 2 + (rng.random(m) < 0.5), lead)
        o["promised"] = o["day"] + promised
        o["delivered"] = o["day"] + np.maximum(lead, 1)
        short = rng.random(m) < o["warehouse"].map(S.SHORT_RATE).to_numpy()
        missing = np.where(short, 1 + rng.binomial(o["items"] - 1, 0.2), 0)
        o["delivered_items"] = o["items"] - missing
        o["on_time"] = o["delivered"] <= o["promised"]
        o["in_full"] = missing == 0
        o = o[o["delivered"] <= _END].reset_index(drop=True)
        o["id"] = self._next_ids("orders", "O", len(o), 7)
        self.o = o
        self._dock()

    def _dock(self) -> None:
        """Which shift loaded each shipment at the dock, and whether it arrived damaged."""
        dock, o = _side_stream(self.rng, _DOCK_STREAM), self.o
        shifts = list(S.DOCK_SHIFT_SHARE)
        o["shift"] = dock.choice(shifts, len(o), p=list(S.DOCK_SHIFT_SHARE.values()))
        o["damaged"] = dock.random(len(o)) < o["shift"].map(S.DAMAGE_RATE).to_numpy()
        self.dock = dock  # the damaged deliveries' new detractors draw their follow-up here

    def _invoices(self) -> None:
        rng, o = self.rng, self.o
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
        reminded = (i["issue"] + base > i["due"] + 3) & (i["due"] + 3 <= _END)
        template = rng.choice(["friendly", "standard", "final_demand"], m)
        i["template"] = np.where(reminded, template, "none")
        extra = rng.exponential(pd.Series(template).map(S.REMINDER_EXTRA_DAYS).to_numpy())
        paid = np.where(reminded, i["due"] + 3 + extra, i["issue"] + base).astype(int)
        never = rng.random(m) < 0.02
        i["paid"] = np.where((paid > _END) | never, np.nan, paid)
        i["reminder_day"] = np.where(reminded, i["due"] + 3, np.nan)
        i["id"] = self._next_ids("invoices", "I", m, 7)
        i["order_id"] = o["id"]
        self.i = i

    def _contracts(self) -> None:
        rng, c = self.rng, self.c
        k = c[c["business"] & (c["signup"] + 2 <= _END)][["customer", "signup"]].copy()
        k["signed"] = k["signup"] + 2
        k["version"] = np.where(k["signed"] < _day(S.PLAIN_CONTRACT_FROM), "v1", "v2")
        k["renewal"] = k["signed"] + 365
        k["auto_renew"] = rng.random(len(k)) < np.where(k["version"] == "v1", 0.9, 0.7)
        k["id"] = self._next_ids("contracts", "K", len(k), 6)
        self.k = k.reset_index(drop=True)
        self.c["legalese"] = self.c["customer"].isin(k.loc[k["version"] == "v1", "customer"])

    # --- tickets, handoffs and internal IT ---------------------------------------
    def _tickets(self) -> None:
        rng, c, o, i, k = self.rng, self.c, self.o, self.i, self.k
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
        n_bg = rng.poisson(0.3, self.n)
        bg = c.loc[np.repeat(c.index, n_bg)]
        span = _END - np.maximum(bg["signup"].to_numpy(), 0) + 1
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
        t = t[(t["day"] >= 0) & (t["day"] <= _END)]
        repeat = t[rng.random(len(t)) < 0.15].copy()
        repeat["day"] = repeat["day"] + rng.integers(1, 7, len(repeat))
        t = pd.concat([t, repeat[repeat["day"] <= _END]], ignore_index=True)
        t = t.merge(c[["customer", "region", "climate"]], on="customer")
        t["opened"] = t["day"] * 1440 + rng.integers(8 * 60, 18 * 60, len(t))
        t = t.sort_values(["opened", "customer"], kind="stable").reset_index(drop=True)
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
        self._assign_agents(t)
        resolved = t["opened"] + 60 * (work + t["handoff_hours"] + t["it_hours"])
        t["resolved"] = np.where(resolved <= (_END + 1) * 1440 - 1, resolved.round(), np.nan)
        t["id"] = self._next_ids("tickets", "T", m, 7)
        self.t = t
        self._handoffs(waits, cumulative)
        self._it_tickets()

    def _assign_agents(self, t: pd.DataFrame) -> None:
        emp = self.emp
        agent = np.empty(len(t), dtype=object)
        hire = np.zeros(len(t))
        trained = np.full(len(t), np.nan)
        for region in REGIONS:
            team = emp[emp["team"] == f"Support {region}"]
            rows = np.flatnonzero(t["region"].to_numpy() == region)
            day = t["day"].to_numpy()[rows][:, None]
            on = (team["hire"].to_numpy() <= day) & (team["leave"].fillna(np.inf).to_numpy() > day)
            on[~on.any(axis=1)] = True  # nobody on the team that day: anyone from it
            pick = np.argmax(on * self.rng.random(on.shape), axis=1)
            agent[rows] = team["employee_id"].to_numpy()[pick]
            hire[rows] = team["hire"].to_numpy()[pick]
            trained[rows] = team["trained"].to_numpy()[pick]
        t["agent"] = agent
        t["new_agent"] = t["day"] - hire < S.NEW_AGENT_MONTHS * 30.4
        t["trained"] = trained <= t["day"].to_numpy()

    def _handoffs(self, waits: np.ndarray, cumulative: np.ndarray) -> None:
        t = self.t
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
        h["id"] = self._next_ids("handoffs", "H", len(h), 7)
        self.h = h.reset_index(drop=True)

    def _it_tickets(self) -> None:
        rng, t = self.rng, self.t
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
        nb = int(rng.poisson(0.3 * self.n))
        from cxkit.data.schema import DEPARTMENTS

        background = pd.DataFrame(
            {
                "opened": rng.integers(0, (_END + 1) * 1440 - 60 * 24 * 10, nb),
                "hours": rng.lognormal(np.log(10), 1.0, nb),
                "dept": rng.choice(DEPARTMENTS, nb),
                "category": rng.choice(
                    ["CRM", "laptop", "access rights", "phone line", "printer"], nb
                ),
                "waiting": False,
                "ticket_id": None,
            }
        )
        it = pd.concat([linked, background], ignore_index=True)
        it["priority"] = rng.choice(["low", "normal", "high"], len(it), p=[0.15, 0.6, 0.25])
        it["resolved"] = (it["opened"] + 60 * it["hours"]).round()
        it = it.sort_values("opened", kind="stable").reset_index(drop=True)
        it["id"] = self._next_ids("it_tickets", "IT", len(it), 7)
        self.it = it

    # --- who left ----------------------------------------------------------------
    def _churn(self) -> None:
        rng, c = self.rng, self.c
        per = pd.DataFrame({"customer": c["customer"]})
        disputes = self.i.groupby("customer")["disputed"].any()
        demands = (
            self.i.assign(f=self.i["template"] == "final_demand").groupby("customer")["f"].any()
        )
        late = self.o.assign(f=~self.o["on_time"]).groupby("customer")["f"].any()
        last = pd.concat([self.o[["customer", "day"]], self.t[["customer", "day"]]])
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
        leaves = rng.random(self.n) < 1 / (1 + np.exp(-z))
        since = per["customer"].map(last).fillna(c["signup"]).to_numpy()
        day = since + rng.integers(15, 120, self.n)
        c["churn"] = np.where(leaves & (day <= _END), day, np.nan)

    # --- surveys -----------------------------------------------------------------
    def _surveys(self) -> None:
        rng, c, o, i, t, k = self.rng, self.c, self.o, self.i, self.t, self.k
        cust = c.set_index("customer")
        frames = []

        def add(
            kind: str, who: pd.Series, day: np.ndarray, effect: np.ndarray, theme: np.ndarray
        ) -> None:
            frames.append(
                pd.DataFrame(
                    {
                        "customer": who.to_numpy(),
                        "type": kind,
                        "day": np.asarray(day, dtype=int),
                        "effect": effect,
                        "theme": theme,
                    }
                )
            )

        # relationship: about six in ten customers answer once
        r = c[rng.random(self.n) < 0.6]
        lo = np.maximum(r["signup"] + 30, 0)
        hi = np.minimum(r["churn"].fillna(_END + 1) - 1, _END)
        r = r[lo <= hi]
        lo, hi = lo[r.index], hi[r.index]
        at = pd.DataFrame(
            {
                "customer": r["customer"].to_numpy(),
                "day": (lo + rng.random(len(r)) * (hi - lo + 1)).astype(int).to_numpy(),
            }
        )
        events = pd.DataFrame(
            {"customer": i["customer"], "day": i["issue"], "dispute": i["disputed"]}
        )
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
        add("relationship", r["customer"], at["day"].to_numpy(), effect, theme)
        self.rel_flags = {"dispute": dispute, "late": late}

        # onboarding: new customers, shortly after signing up
        ob = c[(c["signup"] >= 0) & (rng.random(self.n) < 0.3)]
        add(
            "onboarding",
            ob["customer"],
            ob["signup"] + rng.integers(3, 14, len(ob)),
            np.zeros(len(ob)),
            np.where(ob["legalese"], "contract", "general"),
        )
        # after checkout
        pp = o[rng.random(len(o)) < 0.15]
        add(
            "post_purchase",
            pp["customer"],
            pp["day"],
            np.full(len(pp), 0.3),
            np.where(rng.random(len(pp)) < 0.5, "product", "general"),
        )
        # after delivery
        pd_ = o[rng.random(len(o)) < 0.25]
        late_d, short_d = ~pd_["on_time"].to_numpy(), ~pd_["in_full"].to_numpy()
        damaged_d = pd_["damaged"].to_numpy()
        over_first = (pd_["overpromised"] & (pd_["rank"] == 0)).to_numpy()
        add(
            "post_delivery",
            pd_["customer"],
            pd_["delivered"] + 1,
            S.LATE_EFFECT * late_d + S.SHORT_EFFECT * short_d + S.DAMAGE_EFFECT * damaged_d,
            np.select([over_first & late_d, late_d | short_d], ["promise", "delivery"], "general"),
        )
        frames[-1]["damage"] = S.DAMAGE_EFFECT * damaged_d
        # after the invoice is paid (or three weeks after it was sent)
        pi = i[rng.random(len(i)) < 0.15]
        demand_i = (pi["template"] == "final_demand").to_numpy()
        add(
            "post_invoice",
            pi["customer"],
            pi["paid"].fillna(pi["issue"] + 20) + 1,
            S.DISPUTE_EFFECT * pi["disputed"].to_numpy() + S.FINAL_DEMAND_EFFECT * demand_i,
            np.select([pi["disputed"].to_numpy(), demand_i], ["billing", "reminder"], "general"),
        )
        # after a ticket is resolved
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
        add(
            "post_ticket",
            pt["customer"],
            (pt["resolved"] // 1440).astype(int),
            effect.to_numpy(),
            np.where(support, "support", "general"),
        )
        self.pt = pt
        # after a contract comes up for renewal
        pr = k[(k["renewal"] <= _END) & (rng.random(len(k)) < 0.4)]
        v1 = (pr["version"] == "v1").to_numpy()
        add(
            "post_renewal",
            pr["customer"],
            pr["renewal"] + rng.integers(1, 10, len(pr)),
            -0.8 * v1,
            np.where(v1, "contract", "general"),
        )

        s = pd.concat(frames, ignore_index=True)
        churn = s["customer"].map(cust["churn"]).fillna(np.inf)
        s = s[(s["day"] >= 0) & (s["day"] <= _END) & (s["day"] < churn)].reset_index(drop=True)
        m = len(s)
        s["damage"] = s["damage"].fillna(0.0)  # only post-delivery answers know of damage
        region = s["customer"].map(cust["region"])
        climate_effect = np.where(
            s["type"] == "post_ticket",
            0.0,
            S.TEAM_CLIMATE_EFFECT * region.map(S.TEAM_CLIMATE).to_numpy(),
        )
        x = (
            S.BASE_EXPERIENCE
            + s["customer"].map(cust["loyalty"]).to_numpy()
            + s["effect"]
            + climate_effect
            + rng.normal(0, 1.3, m)
        )
        s["recommend"] = _clip_round(x, 0, 10)
        s["recommend_undamaged"] = _clip_round(x - s["damage"], 0, 10)  # for actions_out
        s["csat"] = _clip_round(4.0 + 0.4 * (x - S.BASE_EXPERIENCE) + rng.normal(0, 0.55, m), 1, 5)
        legalese = (
            s["customer"].map(cust["legalese"]).to_numpy()
            & s["type"].isin(["relationship", "onboarding", "post_renewal"]).to_numpy()
        )
        s["effort"] = _clip_round(
            3.0
            - 0.3 * (x - S.BASE_EXPERIENCE)
            + S.LEGALESE_EFFORT * legalese
            + rng.normal(0, 0.9, m),
            1,
            7,
        )
        rel = (s["type"] == "relationship").to_numpy()
        for driver, (mean, weight) in S.DRIVERS.items():
            value = mean + 1.2 * weight * (x - S.BASE_EXPERIENCE) + rng.normal(0, 0.6, m)
            if driver == "billing":
                value = value - 1.2 * s["theme"].isin(["billing", "reminder"]).to_numpy()
            if driver == "delivery":
                value = value - 1.2 * s["theme"].isin(["delivery", "promise"]).to_numpy()
            s[f"rating_{driver}"] = pd.array(
                np.where(rel, _clip_round(value, 1, 5), 0), dtype="Int64"
            )
            s.loc[~rel, f"rating_{driver}"] = pd.NA
        s["comment"] = self._comments(s)
        s = s.sort_values(["day", "customer"], kind="stable").reset_index(drop=True)
        s["id"] = self._next_ids("surveys", "R", len(s), 7)
        self.s = s

    def _comments(self, s: pd.DataFrame) -> np.ndarray:
        rng, m = self.rng, len(s)
        detractor = s["recommend"].to_numpy() <= 6
        writes = rng.random(m) < np.where(detractor, 0.55, 0.35)
        negative = detractor | ((s["recommend"].to_numpy() <= 8) & (rng.random(m) < 0.5))
        theme = np.where(negative, s["theme"].to_numpy(), "general")
        theme = np.where((~negative) & (rng.random(m) < 0.3), "product", theme)
        out = np.full(m, None, dtype=object)
        pick = rng.integers(0, 1000, m)
        contact = rng.random(m) < 0.04
        note = rng.integers(0, len(T.CONTACT_NOTES), m)
        for r in np.flatnonzero(writes):
            bank = T.COMMENTS[theme[r]][0 if negative[r] else 1]
            text = bank[pick[r] % len(bank)]
            out[r] = text + (T.CONTACT_NOTES[note[r]] if contact[r] else "")
        return out

    # --- output tables -------------------------------------------------------------
    def _cid(self, customer: pd.Series) -> np.ndarray:
        return self.c["id"].to_numpy()[customer.to_numpy()]

    def customers_out(self) -> pd.DataFrame:
        c = self.c
        return pd.DataFrame(
            {
                "customer_id": c["id"],
                "segment": np.where(c["business"], "small_business", "household"),
                "region": c["region"],
                "signup_date": _dates(c["signup"].to_numpy()),
                "campaign_id": c["campaign"],
                "churn_date": _dates(c["churn"].to_numpy()),
            }
        )

    def orders_out(self) -> pd.DataFrame:
        o = self.o
        return pd.DataFrame(
            {
                "order_id": o["id"],
                "customer_id": self._cid(o["customer"]),
                "order_date": _dates(o["day"].to_numpy()),
                "items": o["items"],
                "amount_eur": o["amount"],
            }
        )

    def shipments_out(self) -> pd.DataFrame:
        o = self.o
        return pd.DataFrame(
            {
                "shipment_id": np.char.replace(o["id"].to_numpy().astype(str), "O", "S"),
                "order_id": o["id"],
                "customer_id": self._cid(o["customer"]),
                "warehouse": o["warehouse"],
                "carrier": o["carrier"],
                "delivery_slot": o["slot"],
                "promised_date": _dates(o["promised"].to_numpy()),
                "delivered_date": _dates(o["delivered"].to_numpy()),
                "items_delivered": o["delivered_items"],
                "on_time": o["on_time"],
                "in_full": o["in_full"],
                "dock_shift": o["shift"],
                "damaged": o["damaged"],
            }
        )

    def invoices_out(self) -> pd.DataFrame:
        i = self.i
        return pd.DataFrame(
            {
                "invoice_id": i["id"],
                "order_id": i["order_id"],
                "customer_id": self._cid(i["customer"]),
                "issue_date": _dates(i["issue"].to_numpy()),
                "due_date": _dates(i["due"].to_numpy()),
                "amount_eur": i["amount"],
                "paid_date": _dates(i["paid"].to_numpy()),
                "disputed": i["disputed"],
                "dispute_reason": i["reason"],
                "reminder_template": i["template"],
            }
        )

    def contracts_out(self) -> pd.DataFrame:
        k = self.k
        return pd.DataFrame(
            {
                "contract_id": k["id"],
                "customer_id": self._cid(k["customer"]),
                "version": k["version"],
                "signed_date": _dates(k["signed"].to_numpy()),
                "renewal_date": _dates(k["renewal"].to_numpy()),
                "auto_renew": k["auto_renew"],
            }
        )

    def tickets_out(self) -> pd.DataFrame:
        t = self.t
        return pd.DataFrame(
            {
                "ticket_id": t["id"],
                "customer_id": self._cid(t["customer"]),
                "opened_at": _stamps(t["opened"].to_numpy()),
                "resolved_at": _stamps(t["resolved"].to_numpy()),
                "channel": t["channel"],
                "category": t["category"],
                "agent_id": t["agent"],
                "handoff_count": t["handoffs"],
                "waiting_on_it": t["waiting"],
            }
        )

    def handoffs_out(self) -> pd.DataFrame:
        h = self.h
        return pd.DataFrame(
            {
                "handoff_id": h["id"],
                "ticket_id": h["ticket_id"],
                "sequence": h["sequence"],
                "from_department": h["from"],
                "to_department": h["to"],
                "handed_at": _stamps(h["handed"].to_numpy()),
                "picked_up_at": _stamps(h["picked"].to_numpy()),
            }
        )

    def it_out(self) -> pd.DataFrame:
        it = self.it
        return pd.DataFrame(
            {
                "it_ticket_id": it["id"],
                "opened_at": _stamps(it["opened"].to_numpy()),
                "resolved_at": _stamps(it["resolved"].to_numpy()),
                "requester_department": it["dept"],
                "category": it["category"],
                "priority": it["priority"],
                "customer_waiting": it["waiting"],
                "ticket_id": it["ticket_id"],
            }
        )

    def surveys_out(self) -> pd.DataFrame:
        s = self.s
        tp = s["type"].map(
            {
                "onboarding": "welcome email",
                "post_purchase": "checkout",
                "post_delivery": "delivery",
                "post_invoice": "invoice",
                "post_ticket": "support ticket",
                "post_renewal": "contract renewal",
            }
        )
        dept = tp.map({k: v[1] for k, v in T.JOURNEY.items()})
        out = pd.DataFrame(
            {
                "response_id": s["id"],
                "customer_id": self._cid(s["customer"]),
                "survey_type": s["type"],
                "response_date": _dates(s["day"].to_numpy()),
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

    def actions_out(self) -> pd.DataFrame:
        rng, s = self.rng, self.s
        followed = rng.random(len(s)) < 0.55  # the share of detractors the company calls back
        was_detractor = s["recommend_undamaged"] <= 6
        out = self._actions(rng, s[was_detractor & followed])
        # Customers who are detractors only because their parcel arrived damaged: their
        # follow-up is drawn from the dock stream and listed after the others, so the
        # actions that existed before damage was recorded keep their values and ids.
        new = self._actions(self.dock, s[(s["recommend"] <= 6) & ~was_detractor & followed])
        out = pd.concat([out, new], ignore_index=True)
        out.insert(0, "action_id", self._next_ids("feedback_actions", "A", len(out), 6))
        return out

    @staticmethod
    def _actions(rng: np.random.Generator, d: pd.DataFrame) -> pd.DataFrame:
        """What the company did after each detractor's answer in ``d``."""
        opened = d["day"] + rng.integers(0, 5, len(d))
        closed = opened + rng.integers(1, 21, len(d))
        still_open = (rng.random(len(d)) < 0.15) | (closed > _END)
        owner = (
            d["type"]
            .map(
                {
                    "post_delivery": "logistics",
                    "post_invoice": "accounting",
                    "post_purchase": "product",
                    "onboarding": "marketing",
                    "post_renewal": "legal",
                }
            )
            .fillna("customer_service")
        )
        keep = opened <= _END
        return pd.DataFrame(
            {
                "response_id": d["id"],
                "owner_department": owner,
                "action": rng.choice(
                    ["called back", "apology sent", "refund issued", "process fixed"],
                    len(d),
                    p=[0.5, 0.25, 0.15, 0.1],
                ),
                "opened_date": _dates(opened.to_numpy()),
                "closed_date": _dates(np.where(still_open, np.nan, closed).astype(float)),
            }
        )[keep.to_numpy()]

    def journey_out(self) -> pd.DataFrame:
        rng, c, o, i, t, k, h = self.rng, self.c, self.o, self.i, self.t, self.k, self.h
        minute = 1440
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
            return rng.integers(7 * 60, 22 * 60, n)

        camp = c[c["campaign"].notna()]
        add(
            "campaign ad",
            camp["customer"],
            (camp["signup"] - rng.integers(1, 20, len(camp))) * minute + clock(len(camp)),
        )
        signup_at = c["signup"] * minute + clock(self.n)
        add("website", c["customer"], signup_at - rng.integers(10, 3 * minute, self.n))
        add("account sign-up", c["customer"], signup_at)
        add("welcome email", c["customer"], (c["signup"] + 1) * minute + 9 * 60)
        add("contract", self.k["customer"], k["signed"] * minute + clock(len(k)))
        checkout = o["day"] * minute + clock(len(o))
        add("checkout", o["customer"], checkout)
        add("order confirmation", o["customer"], checkout + 1)
        add("delivery slot", o["customer"], checkout + 2)
        add("delivery", o["customer"], o["delivered"] * minute + clock(len(o)))
        add("invoice", i["customer"], i["issue"] * minute + 18 * 60)
        rem = i[i["template"] != "none"]
        add("payment reminder", rem["customer"], rem["reminder_day"] * minute + 9 * 60)
        add("support ticket", t["customer"], t["opened"])
        add("ticket transfer", h["customer"], h["handed"])
        waiting = t[t["waiting"]]
        add("internal IT ticket", waiting["customer"], waiting["opened"] + 10)
        renew = k[k["renewal"] <= _END]
        add("contract renewal", renew["customer"], renew["renewal"] * minute + 9 * 60)
        gone = c[c["churn"].notna()]
        add("account closed", gone["customer"], gone["churn"] * minute + clock(len(gone)))
        j = pd.concat(parts, ignore_index=True)
        j = j[j["ts"] < (_END + 1) * minute]
        j = j.sort_values(["customer", "ts"], kind="stable").reset_index(drop=True)
        stage = j["touchpoint"].map({k2: v[0] for k2, v in T.JOURNEY.items()})
        dept = j["touchpoint"].map({k2: v[1] for k2, v in T.JOURNEY.items()})
        return pd.DataFrame(
            {
                "event_id": self._next_ids("journey_events", "J", len(j), 9),
                "customer_id": self._cid(j["customer"]),
                "timestamp": _stamps(j["ts"].to_numpy()),
                "stage": stage,
                "touchpoint": j["touchpoint"],
                "department": dept,
            }
        )
