"""The words of the sample company: its journey, campaigns, letters, contract and comments."""

from __future__ import annotations

# touchpoint: (stage, department, back_office, description)
JOURNEY = {
    "campaign ad": ("discover", "marketing", False, "an advert or email from a campaign"),
    "website": ("discover", "product", False, "browsing the shop"),
    "account sign-up": ("sign up", "product", False, "creating an account"),
    "welcome email": ("sign up", "marketing", False, "the first email after signing up"),
    "contract": ("sign up", "legal", True, "small businesses sign terms of supply"),
    "checkout": ("buy", "product", False, "paying for an order on the website"),
    "order confirmation": ("buy", "it", True, "the automatic email the order system sends"),
    "delivery slot": ("receive", "logistics", True, "the delivery date and slot we promise"),
    "delivery": ("receive", "logistics", False, "the parcel arriving, complete or not"),
    "invoice": ("pay", "accounting", True, "the invoice: amount, wording, due date"),
    "payment reminder": ("pay", "accounting", True, "the letter sent when payment is late"),
    "support ticket": ("get help", "customer_service", False, "a call, email or chat to support"),
    "ticket transfer": ("get help", "customer_service", True, "a ticket passed to another team"),
    "internal IT ticket": ("get help", "it", True, "an IT fix an agent waits for mid-call"),
    "agent training": ("get help", "people", True, "how well the agent was hired and trained"),
    "contract renewal": ("renew", "legal", True, "the contract coming up for renewal"),
    "account closed": ("leave", "customer_service", False, "the customer leaving"),
}

# campaign_id: (name, channel, promise, promised_delivery_days, start, end)
CAMPAIGNS = {
    "CMP01": (
        "Spring stock-up",
        "email",
        "Everything for your home office",
        3,
        "2024-07-01",
        "2024-12-31",
    ),
    "CMP02": (
        "Free delivery weekends",
        "social",
        "Free delivery on every order",
        3,
        "2024-10-01",
        "2025-06-30",
    ),
    "CMP03": (
        "Small business club",
        "partner",
        "A dedicated account manager",
        3,
        "2025-01-01",
        "2025-12-31",
    ),
    "CMP04": (
        "Tomorrow, guaranteed",
        "tv",
        "Order today, at your door tomorrow, guaranteed",
        1,
        "2025-04-01",
        "2025-12-31",
    ),
    "CMP05": (
        "Green supplies",
        "search",
        "Recycled supplies, same great price",
        3,
        "2025-07-01",
        "2026-03-31",
    ),
}

LETTERS = {
    "friendly": (
        "accounting",
        "first reminder, 3 days after the due date",
        "Hello {name}, we hope all is well. Our records show invoice {invoice} is still "
        "open. If you have already paid, thank you and please ignore this note. If "
        "something on the invoice looks wrong, just reply and we will sort it out "
        "together. You can pay in two clicks from your account page.",
    ),
    "standard": (
        "accounting",
        "reminder, 3 days after the due date",
        "Dear customer, invoice {invoice} was due on {due_date} and remains unpaid. "
        "Please pay the outstanding amount within 14 days. Contact us if you have "
        "any questions about this invoice.",
    ),
    "final_demand": (
        "accounting",
        "reminder, 3 days after the due date",
        "FINAL DEMAND. Invoice {invoice} is OVERDUE. You are in breach of our terms "
        "of payment. Failure to remit the full outstanding balance within 7 days "
        "will result in the immediate suspension of your account, the referral of "
        "this debt to a collection agency and the recovery of all costs and "
        "statutory interest incurred, without further notice.",
    ),
}

# (version, title, text)
CLAUSES = [
    (
        "v1",
        "Payment",
        "The Customer shall remit payment of all sums invoiced hereunder within the "
        "period specified in the relevant invoice, failing which the Supplier shall be entitled, "
        "without prejudice to any other right or remedy, to charge interest on the overdue amount "
        "at the statutory rate from the due date until the date of actual payment.",
    ),
    (
        "v1",
        "Delivery",
        "Any dates quoted for delivery of the Goods are approximate only and time "
        "of delivery is not of the essence; the Supplier shall not be liable for any delay in "
        "delivery of the Goods howsoever caused.",
    ),
    (
        "v1",
        "Returns",
        "Notwithstanding the foregoing, the Customer may, subject to the provisions "
        "of clause 9.3 and save as otherwise agreed in writing, return non-defective Goods within "
        "fourteen (14) days of delivery, whereupon a restocking fee shall be levied.",
    ),
    (
        "v1",
        "Renewal",
        "This Agreement shall automatically renew for successive periods of twelve "
        "(12) months unless terminated by either party by written notice served not less than "
        "ninety (90) days prior to the expiry of the then-current term.",
    ),
    (
        "v1",
        "Liability",
        "In no event shall the Supplier's aggregate liability arising out of or in "
        "connection with this Agreement exceed the total charges paid by the Customer in the "
        "twelve months preceding the event giving rise to the claim.",
    ),
    (
        "v2",
        "Payment",
        "Please pay each invoice by the due date on it. If you pay late, we may "
        "charge interest at the rate the law sets.",
    ),
    (
        "v2",
        "Delivery",
        "We give you a delivery date when you order. If we are late, we will tell "
        "you and you can cancel the order for a full refund.",
    ),
    (
        "v2",
        "Returns",
        "You can send back anything you have not used within 14 days. We charge a "
        "small restocking fee, shown before you confirm.",
    ),
    (
        "v2",
        "Renewal",
        "Your contract renews every 12 months. To stop it, tell us at least 90 days "
        "before it ends. We remind you 120 days before.",
    ),
    (
        "v2",
        "Liability",
        "If something goes wrong, the most we pay is what you paid us in the last 12 months.",
    ),
]

# theme -> (negative phrases, positive phrases)
COMMENTS = {
    "billing": (
        [
            "The invoice was wrong and it took weeks to fix.",
            "I was charged for items I never received.",
            "Your invoices are impossible to understand.",
            "I disputed a charge and nobody called me back.",
        ],
        ["The invoice was clear and correct.", "Billing was simple, no surprises."],
    ),
    "reminder": (
        [
            "The reminder letter was rude and threatening.",
            "I got a final demand over a few days late, very aggressive.",
            "Threatening me with debt collectors is no way to treat a customer.",
        ],
        ["The payment reminder was polite and helpful."],
    ),
    "delivery": (
        [
            "The parcel arrived days late.",
            "Half my order was missing.",
            "Delivery was late again and nobody told me.",
            "Items missing from the box.",
        ],
        ["Delivery was fast and everything arrived.", "Arrived on time, well packed."],
    ),
    "promise": (
        [
            "I expected next-day delivery as advertised, it took three days.",
            "The ad promised tomorrow, I waited all week.",
            "Not what was advertised. I expected it the next day.",
        ],
        ["Delivered as promised in the ad."],
    ),
    "support": (
        [
            "I was transferred from one department to another.",
            "Passed around between teams, had to explain everything again.",
            "Support kept me on hold while their system was down.",
            "The agent had to wait for IT and I waited with them.",
        ],
        ["Support solved it on the first call.", "The agent was friendly and knew the answer."],
    ),
    "contract": (
        [
            "I could not understand the contract terms.",
            "The renewal clause is full of legal jargon.",
            "Had to call to ask what the contract actually means.",
        ],
        ["The contract was short and easy to read."],
    ),
    "product": (
        ["The paper quality has gone down.", "The toner cartridge leaked."],
        ["Great products, good value.", "Quality is excellent."],
    ),
    "general": (
        ["Not impressed overall.", "Too much hassle."],
        [
            "Great service, thank you!",
            "Always reliable, I recommend you to everyone.",
            "Easy to order, good prices.",
        ],
    ),
}

# Some customers leave contact details in comments: the text workshops redact them.
CONTACT_NOTES = [
    " Call me on 06 1234 5678.",
    " Email me at jan.devries@example.com.",
    " My number is +31 20 555 0199.",
    " Reach me at k.owusu@example.org please.",
]
