"""The second survey of detractors: does following them up change what they answer next?

``story.FOLLOW_UP_SURVEY_DAYS`` after every detractor's answer (recommend 0-6),
the company asks the same question again, whether or not it followed them up
(:mod:`cxkit.data.simulate.actions`; who is followed up is drawn at random). The
second answer is drawn afresh, like every other answer: the customer's usual
experience, a part of what made the first answer bad
(``story.LOOP_LINGERING_SHARE``), new noise, and ``story.LOOP_FOLLOW_UP_EFFECT``
when the company followed up. Both groups therefore improve; the follow-up is
the gap between them. Drawn from the loop's own random stream
(:data:`LOOP_STREAM`), so no other table changes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data.simulate.after import EXPERIENCE_SD
from cxkit.data.simulate.core import LAST_DAY, Chunk, clip_round, customer_ids, dates, side_stream

LOOP_STREAM = 1_000_005  # the random stream of the second survey (see side_stream)
ANSWER_WITHIN_DAYS = 7  # those who answer do so within a week of the invitation


def follow_up_surveys_table(
    chunk: Chunk, customers: pd.DataFrame, surveys: pd.DataFrame, actions: pd.DataFrame
) -> pd.DataFrame:
    """The ``follow_up_surveys`` table: the second survey sent to each detractor of ``surveys``.

    ``surveys`` are the chunk's answers (:func:`cxkit.data.simulate.answers.answer`),
    ``actions`` its ``feedback_actions`` table; ``customers`` carry the day each left.
    """
    rng = side_stream(chunk.rng, LOOP_STREAM)
    d = surveys[surveys["recommend"] <= 6]
    d = d[d["day"] + S.FOLLOW_UP_SURVEY_DAYS <= LAST_DAY].reset_index(drop=True)
    sent = d["day"].to_numpy() + S.FOLLOW_UP_SURVEY_DAYS
    answered_day = sent + rng.integers(0, ANSWER_WITHIN_DAYS + 1, len(d))
    left = d["customer"].map(customers.set_index("customer")["churn"]).fillna(np.inf)
    answers = (
        (rng.random(len(d)) < S.FOLLOW_UP_ANSWER_RATE)
        & (answered_day <= LAST_DAY)
        & (answered_day < left.to_numpy())
    )
    followed = d["id"].isin(actions["response_id"]).to_numpy()
    score = _second_answer(rng, customers, d, followed)
    return pd.DataFrame(
        {
            "follow_up_id": chunk.next_ids("follow_up_surveys", "FS", len(d), 6),
            "response_id": d["id"],
            "customer_id": customer_ids(customers, d["customer"]),
            "sent_date": dates(sent),
            "answered_date": dates(np.where(answers, answered_day, np.nan).astype(float)),
            "recommend": pd.Series(score, dtype="Int64").where(answers),
        }
    )


def _second_answer(
    rng: np.random.Generator, customers: pd.DataFrame, d: pd.DataFrame, followed: np.ndarray
) -> np.ndarray:
    """The 0-10 second answer of each detractor in ``d``: the bad moment has partly passed."""
    cust = customers.set_index("customer")
    x = (
        S.BASE_EXPERIENCE
        + d["customer"].map(cust["loyalty"]).to_numpy()
        + S.TEAM_CLIMATE_EFFECT * d["customer"].map(cust["climate"]).to_numpy()
        + S.LOOP_LINGERING_SHARE * d["effect"].to_numpy(dtype=float)
        + S.LOOP_FOLLOW_UP_EFFECT * followed
        + rng.normal(0, EXPERIENCE_SD, len(d))
    )
    return clip_round(x, 0, 10)
