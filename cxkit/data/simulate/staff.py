"""Employees and their surveys: who worked in each team, when they joined, trained and left.

Every seat of every team is simulated from before the period to its end: a hire,
a tenure drawn from the team's annual attrition, a few weeks' vacancy, the next
hire. Support teams with high attrition (``story.ANNUAL_ATTRITION``) have a poor
climate (``story.TEAM_CLIMATE``), which shows in their quarterly eNPS answers
and, through the tickets they answer, in their customers' scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data.schema import REGIONS
from cxkit.data.simulate.core import FIRST_SIGNUP, LAST_DAY, clip_round, dates, day, ids

# (team, department, customer facing, seats, annual attrition)
TEAMS = [(f"Support {r}", "customer_service", True, 8, S.ANNUAL_ATTRITION[r]) for r in REGIONS] + [
    ("Warehouse North DC", "logistics", False, 10, 0.18),
    ("Warehouse South DC", "logistics", False, 10, 0.25),
    ("Accounts receivable", "accounting", False, 6, 0.10),
    ("IT service desk", "it", False, 6, 0.12),
    ("Legal", "legal", False, 3, 0.08),
    ("Marketing", "marketing", False, 5, 0.15),
    ("Product", "product", False, 6, 0.12),
    ("HR & L&D", "people", False, 4, 0.10),
]

# the days of the quarterly employee survey
_SURVEY_DAYS = ("2025-01-15", "2025-04-15", "2025-07-15", "2025-10-15", "2026-01-15", "2026-04-15")


def simulate_employees(rng: np.random.Generator) -> pd.DataFrame:
    """Simulate every seat of every team: hires, leavers and their replacements.

    Returns one row per employee, by hire day: ``team``, ``department``,
    ``customer_facing``, ``hire`` and ``leave`` (day numbers, NaN while
    employed), ``employee_id``, ``trained`` (the day of their customer-experience
    training, NaN if none) and ``region`` (of a support team).
    """
    rows = []
    for team, dept, facing, seats, attrition in TEAMS:
        for _ in range(seats):
            hire = int(rng.integers(FIRST_SIGNUP - 1500, FIRST_SIGNUP))
            while hire <= LAST_DAY:
                tenure = rng.exponential(365.0 / attrition)
                leave = hire + int(tenure)
                rows.append((team, dept, facing, hire, leave if leave <= LAST_DAY else np.nan))
                hire = leave + int(rng.integers(5, 30))
    frame = pd.DataFrame(rows, columns=["team", "department", "customer_facing", "hire", "leave"])
    frame = frame.sort_values(["hire", "team"], kind="stable").reset_index(drop=True)
    frame["employee_id"] = ids("E", 0, len(frame), 4)
    # Customer-experience training for agents, from TRAINING_FROM, in waves.
    start = np.maximum(day(S.TRAINING_FROM), frame["hire"].to_numpy() + 30)
    trained = start + rng.integers(0, 150, len(frame))
    leave = frame["leave"].fillna(np.inf).to_numpy()
    ok = frame["customer_facing"].to_numpy() & (trained < leave) & (trained <= LAST_DAY)
    ok &= rng.random(len(frame)) < 0.85
    frame["trained"] = np.where(ok, trained, np.nan)
    frame["region"] = frame["team"].str.removeprefix("Support ")
    return frame


def employees_table(employees: pd.DataFrame) -> pd.DataFrame:
    """The ``employees`` table, from :func:`simulate_employees`."""
    emp = employees
    return pd.DataFrame(
        {
            "employee_id": emp["employee_id"],
            "department": emp["department"],
            "team": emp["team"],
            "customer_facing": emp["customer_facing"],
            "hire_date": dates(emp["hire"].to_numpy()),
            "leave_date": dates(emp["leave"].to_numpy()),
            "cx_training_date": dates(emp["trained"].to_numpy()),
        }
    )


def employee_surveys_table(rng: np.random.Generator, employees: pd.DataFrame) -> pd.DataFrame:
    """The ``employee_surveys`` table: each quarter, three in four employees on staff answer.

    Their 0-10 recommend score rises with their team's climate (0.3 for teams
    outside support).
    """
    emp = employees
    frames = []
    climate = emp["region"].map(S.TEAM_CLIMATE).fillna(0.3).to_numpy()
    for quarter in _SURVEY_DAYS:
        when = day(quarter)
        active = (emp["hire"].to_numpy() <= when) & (emp["leave"].fillna(np.inf).to_numpy() > when)
        answers = active & (rng.random(len(emp)) < 0.75)
        score = clip_round(7.0 + 1.3 * climate + rng.normal(0, 1.8, len(emp)), 0, 10)
        frames.append(
            pd.DataFrame(
                {
                    "employee_id": emp["employee_id"][answers],
                    "survey_date": quarter,
                    "team": emp["team"][answers],
                    "recommend": score[answers],
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "response_id", ids("ES", 0, len(out), 5))
    return out
