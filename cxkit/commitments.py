"""A workshop's last answer: one change you commit to, as data the programme can follow up.

Each department workshop ends with ``commitment = cxkit.commitment(...)``: what
you (or your team) will change, the touchpoint and the measure it should move,
where you want that measure and by when. The facilitator collects these from
the hand-ins (``cxkit commitments``), and the pulses 30, 60 and 90 days later
show each one beside the measure it named.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass

from cxkit.errors import CxkitError

FIELDS = ("change", "touchpoint", "metric", "target", "by")
# the measures the pulse follows; another wording is kept, and the pulse says it cannot follow it
METRICS = (
    "NPS",
    "CSAT",
    "effort",
    "dispute rate",
    "days to pay",
    "on-time delivery",
    "complete delivery",
    "damage rate",
    "first-contact resolution",
    "time to resolution",
    "repeat orders",
    "churn",
)


@dataclass(frozen=True)
class Commitment:
    """One commitment: five plain texts, as written in the workshop."""

    change: str = ""
    touchpoint: str = ""
    metric: str = ""
    target: str = ""
    by: str = ""

    def missing(self) -> list[str]:
        """The fields still empty."""
        return [name for name, value in asdict(self).items() if not str(value).strip()]

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{name}</th>"
            f"<td>{html.escape(str(value)) or '…'}</td></tr>"
            for name, value in asdict(self).items()
        )
        return f"<table>{rows}</table>"


def commitment(
    change: str = "", touchpoint: str = "", metric: str = "", target: str = "", by: str = ""
) -> Commitment:
    """Your commitment: what will change, where the customer feels it, how you will know, by when.

    Parameters
    ----------
    change : str
        What you, or your team, will do differently, in one sentence.
    touchpoint : str
        The touchpoint it should improve, as the touchpoints table names it, such as "invoice".
    metric : str
        The measure that should move, such as "NPS", "CSAT", "effort" or "dispute rate".
    target : str
        Where you want that measure, such as "below 3 %".
    by : str
        By when, as a date: "2027-03-31".

    Returns
    -------
    Commitment
        The five answers; ``checks.commitment`` checks that none is missing.

    Examples
    --------
    >>> c = commitment("Send the friendly letter first", "payment reminder", "days to pay",
    ...                "5 days sooner", "2027-03-31")
    >>> c.missing()
    []
    >>> commitment(change="Call back every detractor").missing()
    ['touchpoint', 'metric', 'target', 'by']
    """
    values = {"change": change, "touchpoint": touchpoint, "metric": metric}
    values |= {"target": target, "by": by}
    for name, value in values.items():
        if not isinstance(value, str):
            raise CxkitError(
                f'commitment: {name} is {value!r}, not text; write it in quotes, like "{value}".'
            )
    return Commitment(**{name: value.strip() for name, value in values.items()})
