"""Contracts and their clauses: what business customers signed, and in which words.

Every small business signs a contract two days after signing up. Those signed
before ``story.PLAIN_CONTRACT_FROM`` get v1, in legalese; later ones get v2, in
plain language. A v1 customer asks more contract questions
(``story.CONTRACT_TICKET_RATE``) and reports more effort.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxkit.data import story as S
from cxkit.data import texts as T
from cxkit.data.schema import SCHEMAS
from cxkit.data.simulate.core import LAST_DAY, Chunk, customer_ids, dates, day


def clauses_table() -> pd.DataFrame:
    """The ``contract_clauses`` table: every clause of v1 and v2, numbered per version.

    Examples
    --------
    >>> clauses_table()["clause_id"].iloc[0]
    'v1-1'
    """
    rows = []
    for version in ("v1", "v2"):
        mine = [c for c in T.CLAUSES if c[0] == version]
        rows += [
            (f"{version}-{i}", version, title, text)
            for i, (_, title, text) in enumerate(mine, start=1)
        ]
    return pd.DataFrame(rows, columns=SCHEMAS["contract_clauses"].names)


def simulate_contracts(chunk: Chunk, customers: pd.DataFrame) -> pd.DataFrame:
    """The contracts of the chunk's business customers: version, renewal day, auto-renewal."""
    c = customers
    k = c[c["business"] & (c["signup"] + 2 <= LAST_DAY)][["customer", "signup"]].copy()
    k["signed"] = k["signup"] + 2
    k["version"] = np.where(k["signed"] < day(S.PLAIN_CONTRACT_FROM), "v1", "v2")
    k["renewal"] = k["signed"] + 365
    k["auto_renew"] = chunk.rng.random(len(k)) < np.where(k["version"] == "v1", 0.9, 0.7)
    k["id"] = chunk.next_ids("contracts", "K", len(k), 6)
    return k.reset_index(drop=True)


def legalese(customers: pd.DataFrame, contracts: pd.DataFrame) -> pd.Series:
    """Which customers signed the v1 contract, in legalese."""
    v1 = contracts.loc[contracts["version"] == "v1", "customer"]
    return customers["customer"].isin(v1)


def contracts_table(contracts: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """The ``contracts`` table."""
    k = contracts
    return pd.DataFrame(
        {
            "contract_id": k["id"],
            "customer_id": customer_ids(customers, k["customer"]),
            "version": k["version"],
            "signed_date": dates(k["signed"].to_numpy()),
            "renewal_date": dates(k["renewal"].to_numpy()),
            "auto_renew": k["auto_renew"],
        }
    )
