"""The answer story: every effect planted in the sample company, in one place.

Facilitators can read this file as the answer key of the workshops. Each number
is an effect on a customer's *experience score*, the hidden quantity from which
the survey answers are drawn: one point of experience moves the 0-10 recommend
score by about one point, CSAT by about a third of a point and effort the other
way by about a quarter. Workshops find these effects in the data; tests check
that the data still shows them after any change to the generator.
"""

from __future__ import annotations

# --- The company and its period -------------------------------------------------
PERIOD_START = "2025-01-01"  # first day of survey, order and ticket data
PERIOD_END = "2026-06-30"  # last day
SIGNUPS_FROM = "2024-07-01"  # some customers were already with us when the period began
SAMPLE_CUSTOMERS = 1_500  # --size sample: the shipped datasets/
LARGE_CUSTOMERS = 600_000  # --size large: > 1M survey responses, > 10M journey events
DEFAULT_SEED = 2026

BASE_EXPERIENCE = 8.3  # the average customer's recommend score with nothing going wrong

# --- Accounting & finance: "the invoice is a touchpoint" ------------------------
DISPUTE_RATE = 0.04  # share of invoices disputed when the order arrived complete
DISPUTE_RATE_INCOMPLETE = 0.30  # ... and when items were missing ("wrong amount")
DISPUTE_EFFECT = -2.2  # experience of a customer with a disputed invoice in the last 90 days
# Late payers get a reminder letter; the template is drawn at random (an A/B/C test).
# Extra days to pay after the reminder, on average, by template:
REMINDER_EXTRA_DAYS = {"friendly": 6.0, "standard": 9.0, "final_demand": 16.0}
FINAL_DEMAND_EFFECT = -1.5  # the punitive letter hurts the relationship as well as payment

# --- Logistics & operations: "promises kept" ------------------------------------
LATE_RATE = {"North DC": 0.06, "South DC": 0.17}  # share of shipments delivered late
SHORT_RATE = {"North DC": 0.03, "South DC": 0.08}  # share delivered with items missing
LATE_EFFECT = -2.6  # post-delivery experience of a late delivery
SHORT_EFFECT = -1.8  # ... of an incomplete one
LATE_RELATIONSHIP_EFFECT = -1.0  # a late delivery in the last 90 days, at the relationship survey
# Every shipment is loaded at the dock by one of three shifts: early (05-13), day (13-21)
# and night (21-05). The night shift is short-handed and loads in a hurry, so more of its
# parcels arrive damaged. The shift has nothing to do with lateness or missing items: those
# are the warehouse's (above). Shift and damage are drawn from a random stream of their own:
# adding them changed only the post-delivery answers about damaged parcels, and added the
# follow-up actions of the detractors the damage made.
DOCK_SHIFT_SHARE = {"early": 0.40, "day": 0.35, "night": 0.25}  # share of shipments per shift
DAMAGE_RATE = {"early": 0.02, "day": 0.03, "night": 0.08}  # share of its shipments damaged
DAMAGE_EFFECT = -2.0  # post-delivery experience of a damaged delivery

# --- Internal IT: "the ticket while a customer waits" ---------------------------
WAITING_ON_IT_RATE = 0.14  # share of support tickets where the agent waits for an IT fix
IT_WAIT_EFFECT_PER_HOUR = -0.09  # post-ticket experience per hour of IT fix time ...
IT_WAIT_EFFECT_CAP = -3.5  # ... capped at this

# --- Marketing: "promises made" -------------------------------------------------
OVERPROMISE_CAMPAIGN = "CMP04"  # promises next-day delivery; the warehouses deliver in 2-3
OVERPROMISE_EFFECT = -1.3  # relationship experience of the customers it brought in
OVERPROMISE_COMMENT_SHARE = 0.6  # unhappy relationship comments of theirs about the promise
OVERPROMISE_REPEAT_FACTOR = 0.6  # they order again less often

# --- Legal: plain-language contracts --------------------------------------------
PLAIN_CONTRACT_FROM = "2025-07-01"  # contracts signed from this day use v2 (plain language)
LEGALESE_EFFORT = 1.3  # extra effort (1-7 scale) for business customers on a v1 contract
CONTRACT_TICKET_RATE = {"v1": 0.35, "v2": 0.12}  # contract questions per business customer

# --- People (HR & L&D): "employees first" ---------------------------------------
# Each region has its own support team. A team's climate drives its eNPS, its
# attrition and, through the service it gives, its customers' experience.
TEAM_CLIMATE = {"North": 1.0, "Central": 0.5, "South": 0.0, "West": -0.8, "East": -1.6}
TEAM_CLIMATE_EFFECT = 0.6  # customer experience per point of team climate
ANNUAL_ATTRITION = {"North": 0.10, "Central": 0.15, "South": 0.22, "West": 0.40, "East": 0.60}
NEW_AGENT_MONTHS = 6
NEW_AGENT_EFFECT = -0.8  # post-ticket experience when the agent has under 6 months' tenure
TRAINING_FROM = "2025-10-01"  # customer-experience training rolls out to agents from here
TRAINING_EFFECT = 0.7  # post-ticket experience when the agent has been trained

# --- Customer service: handoffs between departments -----------------------------
HANDOFF_EFFECT = -0.9  # post-ticket experience per transfer to another department
HANDOFF_MEDIAN_WAIT_HOURS = 5.0  # median wait before the next department picks it up

# --- Product: what drives loyalty (relationship survey driver ratings) ----------
# driver: (average rating on 1-5, weight on the experience score)
# Billing is the high-importance, low-performance driver.
DRIVERS = {
    "delivery": (3.9, 0.55),
    "product": (4.1, 0.45),
    "billing": (3.0, 0.50),
    "support": (3.6, 0.30),
    "price": (3.4, 0.15),
    "website": (4.0, 0.05),
}

# --- Finance: refunds and fees -------------------------------------------------
# A customer whose parcel arrived damaged or short asks for their money back, most of
# them; a few others change their mind. The refund desk checks a request within
# REFUND_CHECK_DAYS and the finance team pays refunds in its payment runs, on
# PAYMENT_RUN_DAYS. A refund over REFUND_SECOND_SIGNATURE_EUR needs a second signature
# first, which takes SECOND_SIGNATURE_DAYS more: those customers wait 8 to 20 days where
# the others wait 1 to 6. The refund-confirmation email asks the one NPS question.
# Refunds are drawn from a random stream of their own (cxkit.data.simulate.refunds):
# adding them changed no other table.
REFUND_SHARE = {"damaged": 0.70, "items missing": 0.70, "changed my mind": 0.03}
REFUND_CHECK_DAYS = (0, 2)  # fewest and most days the desk takes to check a request
PAYMENT_RUN_DAYS = ("Tuesday", "Friday")  # the weekdays refunds are paid on
REFUND_SECOND_SIGNATURE_EUR = 100.0  # a refund over this waits for a second signature ...
SECOND_SIGNATURE_DAYS = (7, 14)  # ... for this many days (fewest, most) before its payment run
# "Changed my mind" refunds keep a restocking fee; damaged or short parcels never do.
RESTOCKING_FEE_SHARE = 0.10  # of the amount asked back ...
RESTOCKING_FEE_MIN_EUR = 5.0  # ... at least this (never more than the amount itself)
REFUND_ANSWER_RATE = 0.5  # share of refunded customers who answer the confirmation email
REFUND_SLOW_DAYS = 7  # a refund paid more than this many days after the request is slow ...
REFUND_SLOW_EFFECT = -2.5  # ... and costs this much experience in the answer after it
REFUND_FEE_EFFECT = -2.0  # experience after a refund that kept a fee
# The success to recognise: a refund paid within REFUND_FAST_DAYS of the request surprises
# the customer, who thinks a little better of us than usual (a clearly positive NPS after it).
REFUND_FAST_DAYS = 3
REFUND_FAST_EFFECT = 1.0

# --- Closing the loop: the second survey of detractors -----------------------------
# FOLLOW_UP_SURVEY_DAYS after every detractor's answer (recommend 0-6), the company asks
# them again, whether or not it followed them up (feedback_actions). A customer who has
# left by then does not answer. Drawn from a random stream of its own
# (cxkit.data.simulate.loop).
FOLLOW_UP_SURVEY_DAYS = 30
FOLLOW_UP_ANSWER_RATE = 0.42  # share of those asked who answer (those who left: none)
LOOP_FOLLOW_UP_EFFECT = 2.0  # experience at the second answer when the company followed up
# Regression to the mean: the bad moment passes. The second answer is drawn afresh, with
# only LOOP_LINGERING_SHARE of what made the first one bad (the late parcel, the dispute)
# and new noise: a detractor is often someone on a bad day. So those NOT followed up
# improve too, on average by one and a half to two points of the 0-10 score. What
# following up adds is the gap between the followed-up and the rest at the second
# answer, never the rise since the first. Who is followed up is drawn at random
# (feedback_actions), so here that gap is the follow-up's doing.
LOOP_LINGERING_SHARE = 0.5

# --- After the workshops: the months that follow ---------------------------------
# Every department had its workshop in the last days of the period above. The six
# months after it are generated on demand, one survey export a month
# (cxkit.data.generate.generate_after), from random streams of their own, so the
# period above never changes. Their survey invitations are drawn from those of the
# last AFTER_DRAWN_FROM_DAYS days of the period, answered afresh: without a planted
# change, a touchpoint's numbers after the workshop are those before it, give or take chance.
WORKSHOP_DATES = {  # each department's workshop: a pulse's baseline ends here
    "marketing": "2026-06-22",
    "product": "2026-06-23",
    "logistics": "2026-06-24",
    "customer_service": "2026-06-25",
    "legal": "2026-06-26",
    "it": "2026-06-29",
    "people": "2026-06-29",
    "accounting": "2026-06-30",
}
AFTER_END = "2026-12-31"  # the last day of the after period (it starts the day after PERIOD_END)
AFTER_DRAWN_FROM_DAYS = 180
# Accounting kept its commitment: from this day every late invoice gets the friendly
# reminder letter (no final demand any more), and the invoice says in plain words
# what it is for, when it is due and whom to call.
COMMITMENT_KEPT_FROM = "2026-07-01"
PLAIN_INVOICE_EFFECT = 1.2  # post-invoice experience from then (FINAL_DEMAND_EFFECT is gone)
# Logistics committed to calling customers before a late delivery, but the warehouses
# changed nothing: delivery answers after the workshop are drawn as before (the
# negative control: a pulse must say "can't tell yet" there).
