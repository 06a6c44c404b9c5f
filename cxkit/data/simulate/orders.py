"""Orders and their shipments: what customers bought, and whether it came when promised, whole.

One row per order, carried through to its shipment: the warehouse and carrier,
the promised and actual delivery day, the items that went missing, and (drawn
later, from the dock's own stream) the shift that loaded it and whether it
arrived damaged. South DC is late and short more often (``story.LATE_RATE``,
``story.SHORT_RATE``); the over-promising campaign promises next-day delivery on
a first order that usually takes longer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data.simulate.core import LAST_DAY, Chunk, customer_ids, dates


def simulate_orders(chunk: Chunk, customers: pd.DataFrame) -> pd.DataFrame:
    """Every order of the chunk's customers delivered within the period, with its shipment."""
    rng, c = chunk.rng, customers
    rate = np.where(c["business"], 2.5, 1.4) * np.where(
        c["overpromised"], S.OVERPROMISE_REPEAT_FACTOR, 1.0
    )
    count = np.where(rng.random(chunk.n) < 0.12, 0, 1 + rng.poisson(rate))
    o = c.loc[
        np.repeat(c.index, count), ["customer", "business", "signup", "overpromised", "region"]
    ].reset_index(drop=True)
    first_day = np.maximum(o["signup"], 0) + rng.exponential(10, len(o)).astype(int)
    later = rng.integers(0, 10**9, len(o)) % (LAST_DAY - np.maximum(o["signup"], 0) + 1)
    o["rank"] = o.groupby("customer").cumcount()
    o["day"] = np.minimum(
        np.where(o["rank"] == 0, first_day, np.maximum(o["signup"], 0) + later), LAST_DAY
    )
    o = o.sort_values(["customer", "day"], kind="stable").reset_index(drop=True)
    o["rank"] = o.groupby("customer").cumcount()
    m = len(o)
    o["items"] = 1 + rng.poisson(np.where(o["business"], 8, 3))
    o["amount"] = np.round(o["items"] * rng.uniform(8, 40, m), 2)
    _deliver(rng, o)
    o = o[o["delivered"] <= LAST_DAY].reset_index(drop=True)
    o["id"] = chunk.next_ids("orders", "O", len(o), 7)
    _dock(chunk.dock, o)
    return o


def _deliver(rng: np.random.Generator, o: pd.DataFrame) -> None:
    """Ship each order: warehouse, carrier, slot, promised and actual day, missing items."""
    m = len(o)
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


def _dock(dock: np.random.Generator, o: pd.DataFrame) -> None:
    """Which shift loaded each shipment at the dock, and whether it arrived damaged."""
    shifts = list(S.DOCK_SHIFT_SHARE)
    o["shift"] = dock.choice(shifts, len(o), p=list(S.DOCK_SHIFT_SHARE.values()))
    o["damaged"] = dock.random(len(o)) < o["shift"].map(S.DAMAGE_RATE).to_numpy()


def orders_table(orders: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """The ``orders`` table."""
    o = orders
    return pd.DataFrame(
        {
            "order_id": o["id"],
            "customer_id": customer_ids(customers, o["customer"]),
            "order_date": dates(o["day"].to_numpy()),
            "items": o["items"],
            "amount_eur": o["amount"],
        }
    )


def shipments_table(orders: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """The ``shipments`` table: one shipment per order, ``S`` ids matching the ``O`` ids."""
    o = orders
    return pd.DataFrame(
        {
            "shipment_id": np.char.replace(o["id"].to_numpy().astype(str), "O", "S"),
            "order_id": o["id"],
            "customer_id": customer_ids(customers, o["customer"]),
            "warehouse": o["warehouse"],
            "carrier": o["carrier"],
            "delivery_slot": o["slot"],
            "promised_date": dates(o["promised"].to_numpy()),
            "delivered_date": dates(o["delivered"].to_numpy()),
            "items_delivered": o["delivered_items"],
            "on_time": o["on_time"],
            "in_full": o["in_full"],
            "dock_shift": o["shift"],
            "damaged": o["damaged"],
        }
    )
