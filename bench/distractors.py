"""Realistic distractor topics for retrieval benchmarks: other business domains (HR, logistics, IoT,
marketing, finance, support, ...) and near-misses of the demo topics (`order_events_archive`,
`web_pageviews_legacy`, ...), each a TopicSchema with plausible fields, descriptions and values."""

from __future__ import annotations

import random

from copilot.catalog.model import Field, Relationship, TopicSchema

TS = "TIMESTAMP_LTZ(3)"

# domain -> list of (base name, description, [(field, type, description, values)])
DOMAINS: dict[str, list[tuple[str, str, list[tuple[str, str, str, list[str]]]]]] = {
    "hr": [
        (
            "employees",
            "Employee master data from the HR system: department, job title, manager and contract type.",
            [
                ("employee_id", "STRING", "Personnel number.", []),
                ("department", "STRING", "Department.", ["finance", "engineering", "sales", "support"]),
                ("job_title", "STRING", "Job title.", []),
                ("contract_type", "STRING", "Contract.", ["permanent", "temporary", "intern"]),
                ("hired_at", TS, "Hiring date.", []),
            ],
        ),
        (
            "payroll_runs",
            "Monthly payroll results per employee: gross salary, taxes and net pay.",
            [
                ("employee_id", "STRING", "Employee.", []),
                ("gross_salary", "DECIMAL(10, 2)", "Gross salary.", []),
                ("tax", "DECIMAL(10, 2)", "Withheld tax.", []),
                ("net_pay", "DECIMAL(10, 2)", "Net pay.", []),
                ("run_time", TS, "When payroll ran.", []),
            ],
        ),
        (
            "absences",
            "Sick days, vacation and parental leave requests with approval status.",
            [
                ("employee_id", "STRING", "Employee.", []),
                ("absence_type", "STRING", "Kind of absence.", ["sick", "vacation", "parental"]),
                ("status", "STRING", "Approval.", ["requested", "approved", "rejected"]),
                ("days", "INT", "Working days.", []),
                ("requested_at", TS, "Request time.", []),
            ],
        ),
        (
            "job_applications",
            "Candidates applying to open positions, with recruiting pipeline stage.",
            [
                ("application_id", "STRING", "Application.", []),
                ("position", "STRING", "Open position.", []),
                ("stage", "STRING", "Pipeline stage.", ["screening", "interview", "offer", "hired"]),
                ("source", "STRING", "Where the candidate came from.", ["linkedin", "referral", "career_site"]),
                ("applied_at", TS, "Application time.", []),
            ],
        ),
    ],
    "logistics": [
        (
            "truck_positions",
            "GPS positions of the delivery truck fleet every few seconds.",
            [
                ("truck_id", "STRING", "Truck.", []),
                ("lat", "DOUBLE", "Latitude.", []),
                ("lon", "DOUBLE", "Longitude.", []),
                ("speed_kmh", "DOUBLE", "Speed.", []),
                ("reported_at", TS, "Fix time.", []),
            ],
        ),
        (
            "inventory_levels",
            "Stock on hand per SKU and warehouse bin, updated on every pick and put-away.",
            [
                ("sku", "STRING", "Stock keeping unit.", []),
                ("warehouse", "STRING", "Warehouse.", []),
                ("bin", "STRING", "Storage bin.", []),
                ("on_hand", "INT", "Units in stock.", []),
                ("updated_at", TS, "Last change.", []),
            ],
        ),
        (
            "purchase_orders",
            "Purchase orders sent to suppliers for restocking raw materials.",
            [
                ("po_number", "STRING", "Purchase order.", []),
                ("supplier_id", "STRING", "Supplier.", []),
                ("total_cost", "DECIMAL(12, 2)", "Cost.", []),
                ("status", "STRING", "PO status.", ["sent", "confirmed", "received"]),
                ("created_at", TS, "Created.", []),
            ],
        ),
        (
            "dock_appointments",
            "Inbound truck appointments at the warehouse docks.",
            [
                ("appointment_id", "STRING", "Appointment.", []),
                ("dock", "STRING", "Dock door.", []),
                ("carrier_name", "STRING", "Haulier.", []),
                ("slot_start", TS, "Slot.", []),
            ],
        ),
        (
            "returns_processing",
            "Items returned to the distribution center and their inspection result.",
            [
                ("return_id", "STRING", "Return.", []),
                ("sku", "STRING", "Item.", []),
                ("condition", "STRING", "Inspection result.", ["resellable", "damaged", "scrap"]),
                ("received_at", TS, "Received.", []),
            ],
        ),
    ],
    "iot": [
        (
            "sensor_readings",
            "Temperature and humidity readings from building sensors.",
            [
                ("sensor_id", "STRING", "Sensor.", []),
                ("temperature_c", "DOUBLE", "Temperature.", []),
                ("humidity_pct", "DOUBLE", "Humidity.", []),
                ("battery", "INT", "Battery level.", []),
                ("ts", TS, "Reading time.", []),
            ],
        ),
        (
            "machine_telemetry",
            "Vibration, rpm and power draw of production machines on the factory floor.",
            [
                ("machine_id", "STRING", "Machine.", []),
                ("rpm", "INT", "Spindle speed.", []),
                ("vibration_mm_s", "DOUBLE", "Vibration.", []),
                ("power_kw", "DOUBLE", "Power draw.", []),
                ("ts", TS, "Sample time.", []),
            ],
        ),
        (
            "smart_meter_usage",
            "Electricity consumption from smart meters in 15 minute intervals.",
            [
                ("meter_id", "STRING", "Meter.", []),
                ("kwh", "DOUBLE", "Energy used.", []),
                ("tariff", "STRING", "Tariff.", ["peak", "offpeak"]),
                ("interval_end", TS, "Interval end.", []),
            ],
        ),
        (
            "device_heartbeats",
            "Heartbeats of connected devices with firmware version and signal strength.",
            [
                ("device_id", "STRING", "Device.", []),
                ("firmware", "STRING", "Firmware.", []),
                ("rssi", "INT", "Signal strength.", []),
                ("seen_at", TS, "Heartbeat time.", []),
            ],
        ),
        (
            "vehicle_diagnostics",
            "On-board diagnostics of company cars: fuel level, mileage, error codes.",
            [
                ("vin", "STRING", "Vehicle.", []),
                ("fuel_pct", "DOUBLE", "Fuel.", []),
                ("odometer_km", "BIGINT", "Mileage.", []),
                ("dtc", "STRING", "Error code.", []),
                ("ts", TS, "Time.", []),
            ],
        ),
    ],
    "marketing": [
        (
            "email_campaign_events",
            "Opens, clicks and unsubscribes of newsletter and email campaigns.",
            [
                ("campaign_id", "STRING", "Campaign.", []),
                ("recipient", "STRING", "Recipient.", []),
                ("event", "STRING", "What happened.", ["sent", "open", "click", "unsubscribe"]),
                ("event_time", TS, "When.", []),
            ],
        ),
        (
            "ad_impressions",
            "Display and search ad impressions with cost per mille and ad network.",
            [
                ("ad_id", "STRING", "Ad.", []),
                ("network", "STRING", "Ad network.", ["google", "meta", "tiktok"]),
                ("cost", "DECIMAL(10, 4)", "Cost.", []),
                ("placement", "STRING", "Placement.", []),
                ("ts", TS, "Impression time.", []),
            ],
        ),
        (
            "ad_clicks",
            "Clicks on paid ads with campaign, keyword and landing page.",
            [
                ("click_id", "STRING", "Click.", []),
                ("campaign", "STRING", "Campaign.", []),
                ("keyword", "STRING", "Keyword.", []),
                ("landing_page", "STRING", "Landing URL.", []),
                ("ts", TS, "Click time.", []),
            ],
        ),
        (
            "social_mentions",
            "Brand mentions on social networks with sentiment score.",
            [
                ("mention_id", "STRING", "Mention.", []),
                ("platform", "STRING", "Network.", ["x", "instagram", "reddit"]),
                ("sentiment", "DOUBLE", "Sentiment.", []),
                ("ts", TS, "Posted.", []),
            ],
        ),
        (
            "loyalty_points",
            "Loyalty programme points earned and redeemed by members.",
            [
                ("member_id", "STRING", "Member.", []),
                ("points", "INT", "Points.", []),
                ("action", "STRING", "Earn or redeem.", ["earn", "redeem"]),
                ("ts", TS, "When.", []),
            ],
        ),
    ],
    "finance": [
        (
            "gl_postings",
            "General ledger postings from the ERP: account, cost center, debit and credit.",
            [
                ("posting_id", "STRING", "Posting.", []),
                ("account", "STRING", "GL account.", []),
                ("cost_center", "STRING", "Cost center.", []),
                ("debit", "DECIMAL(14, 2)", "Debit.", []),
                ("credit", "DECIMAL(14, 2)", "Credit.", []),
                ("posted_at", TS, "Posting date.", []),
            ],
        ),
        (
            "invoices_issued",
            "Invoices issued to B2B customers with due date and dunning level.",
            [
                ("invoice_id", "STRING", "Invoice.", []),
                ("debtor_id", "STRING", "Debtor.", []),
                ("net_amount", "DECIMAL(12, 2)", "Net.", []),
                ("due_date", "DATE", "Due.", []),
                ("dunning_level", "INT", "Dunning.", []),
                ("issued_at", TS, "Issued.", []),
            ],
        ),
        (
            "fx_rates",
            "Foreign exchange rates from the treasury feed.",
            [
                ("base", "STRING", "Base currency.", ["EUR", "USD"]),
                ("quote", "STRING", "Quote currency.", []),
                ("rate", "DOUBLE", "Rate.", []),
                ("ts", TS, "Quote time.", []),
            ],
        ),
        (
            "expense_claims",
            "Employee expense claims for travel and meals with approval status.",
            [
                ("claim_id", "STRING", "Claim.", []),
                ("employee_id", "STRING", "Employee.", []),
                ("category", "STRING", "Expense type.", ["travel", "meals", "hotel"]),
                ("amount", "DECIMAL(10, 2)", "Claimed.", []),
                ("submitted_at", TS, "Submitted.", []),
            ],
        ),
        (
            "budget_forecasts",
            "Quarterly budget forecasts per cost center.",
            [
                ("cost_center", "STRING", "Cost center.", []),
                ("quarter", "STRING", "Quarter.", []),
                ("forecast", "DECIMAL(14, 2)", "Forecast.", []),
                ("updated_at", TS, "Updated.", []),
            ],
        ),
    ],
    "support": [
        (
            "support_tickets",
            "Customer service tickets with priority, queue and resolution time.",
            [
                ("ticket_id", "STRING", "Ticket.", []),
                ("queue", "STRING", "Queue.", ["billing", "technical", "general"]),
                ("priority", "STRING", "Priority.", ["low", "high", "urgent"]),
                ("opened_at", TS, "Opened.", []),
            ],
        ),
        (
            "chat_messages",
            "Messages exchanged in the live chat between visitors and agents.",
            [
                ("conversation_id", "STRING", "Conversation.", []),
                ("sender", "STRING", "Who wrote.", ["agent", "visitor", "bot"]),
                ("text", "STRING", "Message.", []),
                ("sent_at", TS, "Sent.", []),
            ],
        ),
        (
            "nps_responses",
            "Net promoter score survey answers.",
            [
                ("response_id", "STRING", "Response.", []),
                ("score", "INT", "0-10 score.", []),
                ("comment", "STRING", "Free text.", []),
                ("answered_at", TS, "Answered.", []),
            ],
        ),
    ],
    "platform": [
        (
            "app_logs",
            "Application logs of backend services with level and trace id.",
            [
                ("service", "STRING", "Service.", []),
                ("level", "STRING", "Level.", ["INFO", "WARN", "ERROR"]),
                ("message", "STRING", "Log line.", []),
                ("trace_id", "STRING", "Trace.", []),
                ("ts", TS, "Time.", []),
            ],
        ),
        (
            "api_requests",
            "HTTP requests to the public API gateway with latency and status code.",
            [
                ("request_id", "STRING", "Request.", []),
                ("route", "STRING", "Route.", []),
                ("status_code", "INT", "HTTP status.", []),
                ("latency_ms", "INT", "Latency.", []),
                ("ts", TS, "Time.", []),
            ],
        ),
        (
            "deployments",
            "Deployments of services by the CI/CD pipeline.",
            [
                ("deployment_id", "STRING", "Deployment.", []),
                ("service", "STRING", "Service.", []),
                ("version", "STRING", "Version.", []),
                ("outcome", "STRING", "Result.", ["success", "rollback"]),
                ("ts", TS, "Time.", []),
            ],
        ),
        (
            "feature_flag_changes",
            "Changes to feature flags and experiment allocations.",
            [
                ("flag", "STRING", "Flag.", []),
                ("enabled", "BOOLEAN", "On or off.", []),
                ("changed_by", "STRING", "Who.", []),
                ("ts", TS, "Time.", []),
            ],
        ),
    ],
}

# Near-misses: names and contents close to the demo topics, but stale copies, other systems or other meanings.
NEAR_MISSES = [
    (
        "order_events_archive",
        "Archived copy of order events older than 90 days, kept for audits; not updated live.",
        [
            ("order_id", "STRING", "Order.", []),
            ("amount", "DECIMAL(10, 2)", "Order amount.", []),
            ("archived_at", TS, "Archived.", []),
        ],
    ),
    (
        "web_pageviews_legacy",
        "Page views from the old website tracking pixel, discontinued in 2023.",
        [("pv_id", "STRING", "Page view.", []), ("page", "STRING", "Page.", []), ("ts", TS, "Time.", [])],
    ),
    (
        "customers_crm_export",
        "Nightly export of contacts from the CRM for the marketing team.",
        [
            ("contact_id", "STRING", "Contact.", []),
            ("email", "STRING", "Email.", []),
            ("lifecycle_stage", "STRING", "Stage.", ["lead", "customer"]),
            ("exported_at", TS, "Export time.", []),
        ],
    ),
    (
        "payment_gateway_logs",
        "Raw technical logs of the payment service provider integration.",
        [
            ("psp", "STRING", "Provider.", []),
            ("http_status", "INT", "Status.", []),
            ("payload", "STRING", "Raw message.", []),
            ("ts", TS, "Time.", []),
        ],
    ),
    (
        "shipment_tracking_dev",
        "Test data of the carrier tracking integration in the development environment.",
        [("tracking_no", "STRING", "Tracking number.", []), ("event", "STRING", "Carrier event.", []), ("ts", TS, "Time.", [])],
    ),
    (
        "product_reviews",
        "Star ratings and review texts customers write about products.",
        [
            ("review_id", "STRING", "Review.", []),
            ("product_id", "STRING", "Product.", []),
            ("stars", "INT", "Rating.", []),
            ("text", "STRING", "Review.", []),
            ("ts", TS, "Time.", []),
        ],
    ),
    (
        "supplier_orders",
        "Orders we place with our suppliers (procurement), not customer orders.",
        [
            ("supplier_order_id", "STRING", "Order to a supplier.", []),
            ("supplier", "STRING", "Supplier.", []),
            ("amount", "DECIMAL(12, 2)", "Value.", []),
            ("ts", TS, "Time.", []),
        ],
    ),
    (
        "refund_requests_tmp",
        "Temporary topic used during the 2024 refund process migration.",
        [("request_id", "STRING", "Request.", []), ("reason", "STRING", "Reason.", []), ("ts", TS, "Time.", [])],
    ),
    (
        "cart_abandonment_emails",
        "Reminder emails sent to visitors who left items in their cart.",
        [("email_id", "STRING", "Email.", []), ("session_id", "STRING", "Session.", []), ("sent_at", TS, "Sent.", [])],
    ),
    (
        "price_list_b2b",
        "Negotiated B2B price lists per enterprise account.",
        [
            ("account_id", "STRING", "Account.", []),
            ("sku", "STRING", "SKU.", []),
            ("net_price", "DECIMAL(10, 2)", "Price.", []),
            ("valid_from", TS, "Valid from.", []),
        ],
    ),
]

QUALIFIERS = [
    "eu",
    "us",
    "apac",
    "dev",
    "staging",
    "v2",
    "v3",
    "raw",
    "enriched",
    "backup",
    "daily",
    "hourly",
    "emea",
    "latam",
    "test",
    "cdc",
    "agg",
    "snapshot",
]
OWNERS = [
    "team alpha",
    "data platform",
    "the analytics guild",
    "regional ops",
    "the integration team",
    "finance IT",
    "growth engineering",
]


def _schema(name: str, description: str, fields, rng: random.Random, related: list[str]) -> TopicSchema:
    schema = TopicSchema(topic=name, description=description)
    for fname, ftype, fdesc, values in fields:
        schema.fields.append(Field(fname, ftype, fdesc, values={v: v for v in values}))
    timestamps = [f.name for f in schema.fields if f.type == TS]
    schema.event_time = timestamps[0] if timestamps else None
    if related and rng.random() < 0.3:
        other = rng.choice(related)
        schema.relationships.append(Relationship(schema.fields[0].name, f"{other}.{schema.fields[0].name}"))
    return schema


def generate(count: int, seed: int = 7) -> list[TopicSchema]:
    """`count` distinct distractor topics: every near-miss, then domain topics with qualifiers."""
    rng = random.Random(seed)
    topics: list[TopicSchema] = []
    names: set[str] = set()
    for name, description, fields in NEAR_MISSES:
        if len(topics) < count:
            topics.append(_schema(name, description, fields, rng, []))
            names.add(name)
    templates = [(domain, t) for domain, items in DOMAINS.items() for t in items]
    while len(topics) < count:
        domain, (base, description, fields) = rng.choice(templates)
        parts = [base] + rng.sample(QUALIFIERS, rng.randint(1, 2))
        name = "_".join(parts) if rng.random() < 0.7 else f"{domain}.{'_'.join(parts)}"
        if name in names:
            name = f"{name}_{len(topics)}"
        names.add(name)
        qual = ", ".join(parts[1:])
        text = f"{description} Variant: {qual}; owned by {rng.choice(OWNERS)}."
        # Drop a random field now and then so variants are not identical documents.
        kept = [f for f in fields if rng.random() > 0.15] or fields[:1]
        same_domain = [t.topic for t in topics[-50:] if t.topic.split("_")[0] == base.split("_")[0]]
        topics.append(_schema(name, text, kept, rng, same_domain))
    return topics[:count]
