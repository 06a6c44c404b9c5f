"""Feedback actions: the closed loop, what the company did after a detractor's answer.

About half of the detractors are followed up. The department that owns the
survey's touchpoint takes the action (customer service for relationship and
post-ticket answers); some actions are still open at the end of the period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data.simulate.core import LAST_DAY, Chunk, dates

# who follows up a detractor, by survey type (anything else: customer service)
_OWNER = {
    "post_delivery": "logistics",
    "post_invoice": "accounting",
    "post_purchase": "product",
    "onboarding": "marketing",
    "post_renewal": "legal",
}


def feedback_actions_table(chunk: Chunk, surveys: pd.DataFrame) -> pd.DataFrame:
    """The ``feedback_actions`` table: what was done after the detractors' answers in ``surveys``.

    ``surveys`` are the answers of :func:`cxkit.data.simulate.answers.answer`.
    """
    rng, s = chunk.rng, surveys
    followed = rng.random(len(s)) < 0.55  # the share of detractors the company calls back
    was_detractor = s["recommend_undamaged"] <= 6
    out = _actions(rng, s[was_detractor & followed])
    # Customers who are detractors only because their parcel arrived damaged: their
    # follow-up is drawn from the dock stream and listed after the others, so the
    # actions that existed before damage was recorded keep their values and ids.
    new = _actions(chunk.dock, s[(s["recommend"] <= 6) & ~was_detractor & followed])
    out = pd.concat([out, new], ignore_index=True)
    out.insert(0, "action_id", chunk.next_ids("feedback_actions", "A", len(out), 6))
    return out


def _actions(rng: np.random.Generator, d: pd.DataFrame) -> pd.DataFrame:
    """What the company did after each detractor's answer in ``d``."""
    opened = d["day"] + rng.integers(0, 5, len(d))
    closed = opened + rng.integers(1, 21, len(d))
    still_open = (rng.random(len(d)) < 0.15) | (closed > LAST_DAY)
    owner = d["type"].map(_OWNER).fillna("customer_service")
    keep = opened <= LAST_DAY
    return pd.DataFrame(
        {
            "response_id": d["id"],
            "owner_department": owner,
            "action": rng.choice(
                ["called back", "apology sent", "refund issued", "process fixed"],
                len(d),
                p=[0.5, 0.25, 0.15, 0.1],
            ),
            "opened_date": dates(opened.to_numpy()),
            "closed_date": dates(np.where(still_open, np.nan, closed).astype(float)),
        }
    )[keep.to_numpy()]
