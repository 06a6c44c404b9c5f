"""The order in which the company is simulated, table family by table family.

This order *is* the random stream: every family draws from the chunk's stream
in turn, so moving one step changes every value after it, and the shipped
``datasets/`` would no longer be what ``cxkit data generate`` writes. Add a new
column from a side stream of its own (:func:`cxkit.data.simulate.core.side_stream`),
as the dock shifts do, never by drawing more from the main stream.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from cxkit.data.simulate.actions import feedback_actions_table
from cxkit.data.simulate.contracts import (
    clauses_table,
    contracts_table,
    legalese,
    simulate_contracts,
)
from cxkit.data.simulate.core import Chunk
from cxkit.data.simulate.customers import (
    campaigns_table,
    churn,
    customers_table,
    simulate_customers,
)
from cxkit.data.simulate.invoices import invoices_table, letters_table, simulate_invoices
from cxkit.data.simulate.journey import journey_table, touchpoints_table
from cxkit.data.simulate.loop import follow_up_surveys_table
from cxkit.data.simulate.orders import orders_table, shipments_table, simulate_orders
from cxkit.data.simulate.refunds import refunds_table
from cxkit.data.simulate.staff import employee_surveys_table, employees_table
from cxkit.data.simulate.surveys import simulate_surveys, surveys_table
from cxkit.data.simulate.tickets import (
    handoffs_table,
    it_tickets_table,
    simulate_it_tickets,
    simulate_tickets,
    tickets_table,
)


def fixed_tables(
    rng: np.random.Generator, employees: pd.DataFrame
) -> Iterator[tuple[str, pd.DataFrame]]:
    """The tables that do not grow with the number of customers, as (name, frame) pairs.

    ``rng`` is the company's stream that made ``employees``
    (:func:`cxkit.data.simulate.staff.simulate_employees`); their surveys are drawn from it next.
    """
    yield "touchpoints", touchpoints_table()
    yield "campaigns", campaigns_table()
    yield "letters", letters_table()
    yield "contract_clauses", clauses_table()
    yield "employees", employees_table(employees)
    yield "employee_surveys", employee_surveys_table(rng, employees)


def chunk_tables(chunk: Chunk) -> Iterator[tuple[str, pd.DataFrame]]:
    """Every table of one chunk of customers, as (name, frame) pairs, in the order of the draws.

    The journey events and the feedback actions are drawn as they are taken,
    so take the pairs in order. The refunds and the second survey of detractors
    come last, each from a side stream of its own.
    """
    customers = simulate_customers(chunk)
    orders = simulate_orders(chunk, customers)
    invoices = simulate_invoices(chunk, orders)
    contracts = simulate_contracts(chunk, customers)
    customers["legalese"] = legalese(customers, contracts)
    tickets, handoffs = simulate_tickets(chunk, customers, orders, invoices, contracts)
    it_tickets = simulate_it_tickets(chunk, tickets)
    customers["churn"] = churn(chunk, customers, orders, invoices, tickets)
    surveys = simulate_surveys(chunk, customers, orders, invoices, tickets, contracts)
    yield "customers", customers_table(customers)
    yield "orders", orders_table(orders, customers)
    yield "shipments", shipments_table(orders, customers)
    yield "invoices", invoices_table(invoices, customers)
    yield "contracts", contracts_table(contracts, customers)
    yield "tickets", tickets_table(tickets, customers)
    yield "handoffs", handoffs_table(handoffs)
    yield "it_tickets", it_tickets_table(it_tickets)
    yield (
        "journey_events",
        journey_table(chunk, customers, contracts, orders, invoices, tickets, handoffs),
    )
    yield "surveys", surveys_table(surveys, customers)
    actions = feedback_actions_table(chunk, surveys)
    yield "feedback_actions", actions
    # Added later, each from a random stream of its own: nothing above changes.
    yield "refunds", refunds_table(chunk, customers, orders)
    yield "follow_up_surveys", follow_up_surveys_table(chunk, customers, surveys, actions)
