"""Surveys, part two: what each customer answers, from the experience they had.

Every answer starts from one hidden number, the customer's *experience*:
``story.BASE_EXPERIENCE`` plus the customer's loyalty, the planted effects of
what they lived through (:mod:`cxkit.data.simulate.surveys`), their support
team's climate and some noise. The 0-10 recommend score, the 1-5 CSAT, the 1-7
effort, the relationship survey's driver ratings and the comment are all drawn
from it, so the workshops find the story in any of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data import texts as T
from cxkit.data.simulate.core import Chunk, clip_round


def answer(chunk: Chunk, customers: pd.DataFrame, asked: pd.DataFrame) -> pd.DataFrame:
    """Scores, ratings and comments for the invitations in ``asked``, sorted, with ids.

    ``recommend_undamaged`` is the score the customer would have given had the
    parcel not arrived damaged; the feedback actions need it.
    """
    rng, s = chunk.rng, asked.copy()
    cust = customers.set_index("customer")
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
    s["recommend"] = clip_round(x, 0, 10)
    s["recommend_undamaged"] = clip_round(x - s["damage"], 0, 10)  # for the feedback actions
    s["csat"] = clip_round(4.0 + 0.4 * (x - S.BASE_EXPERIENCE) + rng.normal(0, 0.55, m), 1, 5)
    legalese = (
        s["customer"].map(cust["legalese"]).to_numpy()
        & s["type"].isin(["relationship", "onboarding", "post_renewal"]).to_numpy()
    )
    s["effort"] = clip_round(
        3.0 - 0.3 * (x - S.BASE_EXPERIENCE) + S.LEGALESE_EFFORT * legalese + rng.normal(0, 0.9, m),
        1,
        7,
    )
    _ratings(rng, s, x)
    s["comment"] = _comments(rng, s)
    s = s.sort_values(["day", "customer"], kind="stable").reset_index(drop=True)
    s["id"] = chunk.next_ids("surveys", "R", len(s), 7)
    return s


def _ratings(rng: np.random.Generator, s: pd.DataFrame, x: pd.Series) -> None:
    """The relationship survey's driver ratings (1-5); empty for the other survey types.

    A customer whose comment is about billing or a reminder rates billing lower;
    one whose comment is about a delivery or a broken promise rates delivery lower.
    """
    rel = (s["type"] == "relationship").to_numpy()
    for driver, (mean, weight) in S.DRIVERS.items():
        value = mean + 1.2 * weight * (x - S.BASE_EXPERIENCE) + rng.normal(0, 0.6, len(s))
        if driver == "billing":
            value = value - 1.2 * s["theme"].isin(["billing", "reminder"]).to_numpy()
        if driver == "delivery":
            value = value - 1.2 * s["theme"].isin(["delivery", "promise"]).to_numpy()
        s[f"rating_{driver}"] = pd.array(np.where(rel, clip_round(value, 1, 5), 0), dtype="Int64")
        s.loc[~rel, f"rating_{driver}"] = pd.NA


def _comments(rng: np.random.Generator, s: pd.DataFrame) -> np.ndarray:
    """Who writes a comment, and which one: detractors write more, and about their theme."""
    m = len(s)
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
