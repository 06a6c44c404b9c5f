"""The tables of the sample company: every column, its type, unit, range and meaning.

One declaration serves three purposes: the loader converts and validates with it
(through pandera), the data dictionary in ``datasets/README.md`` is written from it,
and the generator's output is tested against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("id", "text", "int", "float", "bool", "date", "datetime", "category")

DEPARTMENTS = (
    "marketing",
    "product",
    "logistics",
    "accounting",
    "customer_service",
    "it",
    "legal",
    "people",
)
SEGMENTS = ("household", "small_business")
REGIONS = ("North", "South", "East", "West", "Central")
STAGES = ("discover", "sign up", "buy", "receive", "pay", "get help", "renew", "leave")
SURVEY_TYPES = (
    "relationship",
    "onboarding",
    "post_purchase",
    "post_delivery",
    "post_invoice",
    "post_ticket",
    "post_renewal",
)
TICKET_CATEGORIES = ("billing", "delivery", "product", "account", "contract")
REMINDER_TEMPLATES = ("none", "friendly", "standard", "final_demand")
REFUND_REASONS = ("damaged", "items missing", "changed my mind")
TOUCHPOINTS = (
    "campaign ad",
    "website",
    "account sign-up",
    "welcome email",
    "contract",
    "checkout",
    "order confirmation",
    "delivery slot",
    "delivery",
    "invoice",
    "payment reminder",
    "support ticket",
    "ticket transfer",
    "internal IT ticket",
    "agent training",
    "contract renewal",
    "account closed",
)


@dataclass(frozen=True)
class Column:
    """One column: how to read it, what values it may hold, and what it means."""

    name: str
    kind: str
    meaning: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    values: tuple[str, ...] | None = None
    nullable: bool = False
    unique: bool = False
    references: str | None = None  # "table.column"

    def range_text(self) -> str:
        """Describe the allowed values in words, for messages and the dictionary."""
        if self.values is not None:
            return ", ".join(self.values)
        if self.low is not None and self.high is not None:
            return f"{self.low:g} to {self.high:g}"
        if self.low is not None:
            return f"{self.low:g} or more"
        if self.kind == "bool":
            return "True or False"
        if self.kind == "date":
            return "YYYY-MM-DD"
        if self.kind == "datetime":
            return "YYYY-MM-DD HH:MM"
        return ""


@dataclass(frozen=True)
class Table:
    """A table of the sample company, stored as ``<name>.csv``."""

    name: str
    meaning: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def key(self) -> str:
        """The primary key: the first column."""
        return self.columns[0].name

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        """The column names, in file order."""
        return [c.name for c in self.columns]


def _id(name: str, meaning: str) -> Column:
    return Column(name, "id", meaning, unique=True)


def _ref(name: str, target: str, meaning: str, nullable: bool = False) -> Column:
    return Column(name, "id", meaning, references=target, nullable=nullable)


def _cat(name: str, values: tuple[str, ...], meaning: str, nullable: bool = False) -> Column:
    return Column(name, "category", meaning, values=values, nullable=nullable)


def _score(name: str, low: int, high: int, meaning: str, nullable: bool = False) -> Column:
    return Column(name, "int", meaning, unit="points", low=low, high=high, nullable=nullable)


_DRIVER = "relationship surveys only: rating of {} (1 = very poor, 5 = excellent)"

SCHEMAS: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "touchpoints",
            "Every moment the customer meets the company, in journey order, with the department "
            "that owns it. Back-office touchpoints are ones the customer only sees the result of.",
            (
                Column("touchpoint", "text", "name of the touchpoint", unique=True),
                _cat("stage", STAGES, "journey stage the touchpoint belongs to"),
                Column("stage_order", "int", "position of the stage in the journey", low=1, high=8),
                _cat("department", DEPARTMENTS, "department that owns the touchpoint"),
                Column("back_office", "bool", "True when the customer sees only its result"),
                Column("description", "text", "what happens at this touchpoint"),
            ),
        ),
        Table(
            "campaigns",
            "Marketing campaigns that brought customers in, with the promise each one made.",
            (
                _id("campaign_id", "campaign identifier, e.g. CMP01"),
                Column("name", "text", "campaign name as customers saw it"),
                _cat("channel", ("email", "social", "search", "tv", "partner"), "where it ran"),
                Column("promise", "text", "the headline promise of the campaign"),
                Column("promised_delivery_days", "int", "delivery time promised", "days", 1, 10),
                Column("start_date", "date", "first day the campaign ran"),
                Column("end_date", "date", "last day the campaign ran"),
            ),
        ),
        Table(
            "customers",
            "Every customer account, household or small business.",
            (
                _id("customer_id", "customer identifier, e.g. C000001"),
                _cat("segment", SEGMENTS, "household or small business"),
                _cat(
                    "region",
                    REGIONS,
                    "where the customer lives; each region has its own support team",
                ),
                Column("signup_date", "date", "day the account was created"),
                _ref(
                    "campaign_id",
                    "campaigns.campaign_id",
                    "campaign that brought the customer in; empty when they came on their own",
                    nullable=True,
                ),
                Column(
                    "churn_date",
                    "date",
                    "day the customer closed the account; empty while still a customer",
                    nullable=True,
                ),
            ),
        ),
        Table(
            "orders",
            "Every order placed.",
            (
                _id("order_id", "order identifier, e.g. O0000001"),
                _ref("customer_id", "customers.customer_id", "who ordered"),
                Column("order_date", "date", "day the order was placed"),
                Column("items", "int", "number of items ordered", "items", 1, 50),
                Column("amount_eur", "float", "order value including VAT", "EUR", 0, 100000),
            ),
        ),
        Table(
            "shipments",
            "One shipment per order: the delivery promise and what actually happened.",
            (
                _id("shipment_id", "shipment identifier, e.g. S0000001"),
                _ref("order_id", "orders.order_id", "the order shipped"),
                _ref("customer_id", "customers.customer_id", "who receives it"),
                _cat("warehouse", ("North DC", "South DC"), "distribution centre that shipped it"),
                _cat("carrier", ("ParcelPro", "QuickShip", "GreenRoute"), "delivery company"),
                _cat(
                    "delivery_slot", ("morning", "afternoon", "evening"), "slot the customer booked"
                ),
                Column("promised_date", "date", "delivery date promised at checkout"),
                Column("delivered_date", "date", "day it arrived"),
                Column("items_delivered", "int", "items that arrived", "items", 0, 50),
                Column("on_time", "bool", "delivered on or before the promised date"),
                Column("in_full", "bool", "every item ordered arrived"),
                _cat(
                    "dock_shift",
                    ("early", "day", "night"),
                    "warehouse shift that loaded it: early 05-13, day 13-21, night 21-05",
                ),
                Column("damaged", "bool", "it arrived damaged (box or items)"),
            ),
        ),
        Table(
            "invoices",
            "One invoice per order, how it was paid, disputed, and which reminder letter it got.",
            (
                _id("invoice_id", "invoice identifier, e.g. I0000001"),
                _ref("order_id", "orders.order_id", "the order invoiced"),
                _ref("customer_id", "customers.customer_id", "who was invoiced"),
                Column("issue_date", "date", "day the invoice was sent"),
                Column("due_date", "date", "day payment was due"),
                Column("amount_eur", "float", "amount invoiced", "EUR", 0, 100000),
                Column("paid_date", "date", "day it was paid; empty while unpaid", nullable=True),
                Column("disputed", "bool", "the customer disputed the invoice"),
                _cat(
                    "dispute_reason",
                    ("wrong amount", "unclear charges", "items not received", "duplicate"),
                    "why it was disputed; empty when not disputed",
                    nullable=True,
                ),
                _cat(
                    "reminder_template",
                    REMINDER_TEMPLATES,
                    "reminder letter sent when payment was late (none = no reminder); "
                    "the letters are in the letters table",
                ),
            ),
        ),
        Table(
            "letters",
            "The text of the letters the company sends, word for word.",
            (
                Column(
                    "template",
                    "text",
                    "letter name, as used in invoices.reminder_template",
                    unique=True,
                ),
                _cat("department", DEPARTMENTS, "department that writes and sends it"),
                Column("purpose", "text", "when the letter is sent"),
                Column("text", "text", "the letter itself"),
            ),
        ),
        Table(
            "contracts",
            "Contracts signed by small-business customers.",
            (
                _id("contract_id", "contract identifier, e.g. K000001"),
                _ref("customer_id", "customers.customer_id", "the business that signed"),
                _cat(
                    "version",
                    ("v1", "v2"),
                    "contract wording: v1 legal style, v2 plain language (from July 2025)",
                ),
                Column("signed_date", "date", "day it was signed"),
                Column("renewal_date", "date", "day it comes up for renewal"),
                Column("auto_renew", "bool", "renews automatically unless cancelled"),
            ),
        ),
        Table(
            "contract_clauses",
            "The clauses of each contract version, word for word.",
            (
                _id("clause_id", "clause identifier, e.g. v1-3"),
                _cat("version", ("v1", "v2"), "contract version the clause belongs to"),
                Column("title", "text", "clause heading"),
                Column("text", "text", "clause text"),
            ),
        ),
        Table(
            "employees",
            "Everyone who worked at the company in the period, and when they joined, trained "
            "and left.",
            (
                _id("employee_id", "employee identifier, e.g. E0001"),
                _cat("department", DEPARTMENTS, "department"),
                Column("team", "text", "team within the department"),
                Column("customer_facing", "bool", "talks to customers as part of the job"),
                Column("hire_date", "date", "first day"),
                Column("leave_date", "date", "last day; empty while employed", nullable=True),
                Column(
                    "cx_training_date",
                    "date",
                    "day they completed customer-experience training; empty if not (yet)",
                    nullable=True,
                ),
            ),
        ),
        Table(
            "employee_surveys",
            "Quarterly employee pulse survey (eNPS).",
            (
                _id("response_id", "response identifier, e.g. ES00001"),
                _ref("employee_id", "employees.employee_id", "who answered"),
                Column("survey_date", "date", "day of the pulse survey"),
                Column("team", "text", "team at the time"),
                _score(
                    "recommend",
                    0,
                    10,
                    "how likely they are to recommend the company as a "
                    "place to work (0 = not at all, 10 = extremely)",
                ),
            ),
        ),
        Table(
            "tickets",
            "Customer support tickets.",
            (
                _id("ticket_id", "ticket identifier, e.g. T000001"),
                _ref("customer_id", "customers.customer_id", "who asked for help"),
                Column("opened_at", "datetime", "when the customer got in touch"),
                Column(
                    "resolved_at",
                    "datetime",
                    "when it was resolved; empty while open",
                    nullable=True,
                ),
                _cat("channel", ("phone", "email", "chat"), "how the customer got in touch"),
                _cat("category", TICKET_CATEGORIES, "what it was about"),
                _ref("agent_id", "employees.employee_id", "support agent who took it"),
                Column(
                    "handoff_count", "int", "transfers to another department", "transfers", 0, 10
                ),
                Column("waiting_on_it", "bool", "the agent had to wait for an internal IT fix"),
            ),
        ),
        Table(
            "handoffs",
            "Every transfer of a ticket from one department to another.",
            (
                _id("handoff_id", "transfer identifier, e.g. H000001"),
                _ref("ticket_id", "tickets.ticket_id", "the ticket transferred"),
                Column(
                    "sequence",
                    "int",
                    "1 for the first transfer of the ticket, 2 for the second, ...",
                    low=1,
                    high=10,
                ),
                _cat("from_department", DEPARTMENTS, "department that handed it over"),
                _cat("to_department", DEPARTMENTS, "department that received it"),
                Column("handed_at", "datetime", "when it was handed over"),
                Column("picked_up_at", "datetime", "when the receiving department started on it"),
            ),
        ),
        Table(
            "it_tickets",
            "Internal IT requests from employees; some were raised while a customer waited.",
            (
                _id("it_ticket_id", "internal ticket identifier, e.g. IT000001"),
                Column("opened_at", "datetime", "when the employee raised it"),
                Column("resolved_at", "datetime", "when IT fixed it"),
                _cat("requester_department", DEPARTMENTS, "department that asked"),
                _cat(
                    "category",
                    ("CRM", "laptop", "access rights", "phone line", "printer"),
                    "what broke",
                ),
                _cat("priority", ("low", "normal", "high"), "priority IT gave it"),
                Column("customer_waiting", "bool", "a customer was waiting on this fix"),
                _ref(
                    "ticket_id",
                    "tickets.ticket_id",
                    "the customer ticket that waited; empty when no customer waited",
                    nullable=True,
                ),
            ),
        ),
        Table(
            "journey_events",
            "Every touchpoint each customer passed through, in time order.",
            (
                _id("event_id", "event identifier, e.g. J00000001"),
                _ref("customer_id", "customers.customer_id", "whose journey"),
                Column("timestamp", "datetime", "when it happened"),
                _cat("stage", STAGES, "journey stage"),
                _cat("touchpoint", TOUCHPOINTS, "touchpoint (see the touchpoints table)"),
                _cat("department", DEPARTMENTS, "department that owns the touchpoint"),
            ),
        ),
        Table(
            "surveys",
            "Customer survey responses: the relationship survey and the surveys sent after a "
            "touchpoint.",
            (
                _id("response_id", "response identifier, e.g. R0000001"),
                _ref("customer_id", "customers.customer_id", "who answered"),
                _cat("survey_type", SURVEY_TYPES, "which survey"),
                Column("response_date", "date", "day they answered"),
                _cat(
                    "touchpoint",
                    TOUCHPOINTS,
                    "touchpoint the survey asked about; empty for "
                    "the relationship survey, which is about the company as a whole",
                    nullable=True,
                ),
                _cat(
                    "department",
                    DEPARTMENTS,
                    "department that owns that touchpoint; empty for the relationship survey",
                    nullable=True,
                ),
                _score(
                    "recommend",
                    0,
                    10,
                    "how likely to recommend us to a friend or colleague "
                    "(0 = not at all, 10 = extremely); the NPS question",
                ),
                _score("csat", 1, 5, "how satisfied (1 = very dissatisfied, 5 = very satisfied)"),
                _score(
                    "effort", 1, 7, "how much effort it took (1 = very easy, 7 = very difficult)"
                ),
                _score("rating_delivery", 1, 5, _DRIVER.format("delivery"), nullable=True),
                _score("rating_product", 1, 5, _DRIVER.format("the products"), nullable=True),
                _score("rating_support", 1, 5, _DRIVER.format("support"), nullable=True),
                _score(
                    "rating_billing", 1, 5, _DRIVER.format("billing and invoices"), nullable=True
                ),
                _score("rating_price", 1, 5, _DRIVER.format("price"), nullable=True),
                _score("rating_website", 1, 5, _DRIVER.format("the website"), nullable=True),
                Column("comment", "text", "what the customer wrote, if anything", nullable=True),
            ),
        ),
        Table(
            "feedback_actions",
            "Closing the loop: what the company did after a detractor's response.",
            (
                _id("action_id", "action identifier, e.g. A000001"),
                _ref("response_id", "surveys.response_id", "the response acted on"),
                _cat("owner_department", DEPARTMENTS, "department that took the action"),
                _cat(
                    "action",
                    ("called back", "apology sent", "refund issued", "process fixed"),
                    "what was done",
                ),
                Column("opened_date", "date", "day the action was opened"),
                Column("closed_date", "date", "day it was closed; empty while open", nullable=True),
            ),
        ),
        Table(
            "refunds",
            "The refund desk's export: every refund a customer asked for, when it was paid back, "
            "and their answer to the refund-confirmation email.",
            (
                _id("refund_id", "refund identifier, e.g. RF000001"),
                _ref("order_id", "orders.order_id", "the order refunded"),
                _ref("customer_id", "customers.customer_id", "who asked for the refund"),
                Column("requested_date", "date", "day the customer asked for their money back"),
                _cat("reason", REFUND_REASONS, "why the customer asked"),
                Column("amount_eur", "float", "amount the customer asked back", "EUR", 0, 100000),
                Column(
                    "fee_eur",
                    "float",
                    "fee the company kept (a restocking fee); 0 for most refunds",
                    "EUR",
                    0,
                    100000,
                ),
                Column(
                    "refunded_date",
                    "date",
                    "day the money was paid back; empty while not paid back",
                    nullable=True,
                ),
                _score(
                    "recommend_after",
                    0,
                    10,
                    "answer to the refund-confirmation email: how likely to recommend us to a "
                    "friend or colleague (0 = not at all, 10 = extremely); empty when they did "
                    "not answer (only refunds paid back are asked)",
                    nullable=True,
                ),
            ),
        ),
        Table(
            "follow_up_surveys",
            "The second survey of detractors: 30 days after every answer of 0 to 6 in surveys, "
            "the company asks the same question again, whether or not it followed them up.",
            (
                _id("follow_up_id", "second-survey identifier, e.g. FS000001"),
                _ref("response_id", "surveys.response_id", "the first answer, a detractor's"),
                _ref("customer_id", "customers.customer_id", "who was asked"),
                Column(
                    "sent_date",
                    "date",
                    "day the second survey was sent: 30 days after the first answer",
                ),
                Column(
                    "answered_date",
                    "date",
                    "day they answered; empty if they did not",
                    nullable=True,
                ),
                _score(
                    "recommend",
                    0,
                    10,
                    "how likely to recommend us to a friend or colleague (0 = not at all, "
                    "10 = extremely); empty if they did not answer",
                    nullable=True,
                ),
            ),
        ),
    )
}
