"""What the demo catalog holds: use cases per department, the countries they run in, their owners.

Each use case is one business problem with its features (names, meaning, realistic location and scale)
and a data source: one of scikit-learn's bundled datasets, or data generated with make_classification /
make_regression and rescaled to the features' units. Models are use case x country; everything here is
deterministic so a second `modelhub seed-demo` plans exactly the same catalog.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# (name, country code) — models are named `<use case>-<code>`
GEOGRAPHIES = (
    ("Germany", "de"),
    ("France", "fr"),
    ("United States", "us"),
    ("United Kingdom", "uk"),
    ("Japan", "jp"),
    ("Brazil", "br"),
    ("India", "in"),
    ("Spain", "es"),
    ("Canada", "ca"),
    ("Australia", "au"),
    ("Netherlands", "nl"),
    ("Mexico", "mx"),
)
COUNTRIES_PER_USE_CASE = 9

DEPARTMENTS = {
    "R&D": ("l.nakamura", "p.okafor", "datascientist"),
    "Marketing": ("m.garcia", "s.dubois", "datascientist"),
    "Supply Chain": ("k.schneider", "r.silva"),
    "Sales": ("j.miller", "a.rossi", "datascientist"),
    "HR": ("e.johansson", "n.patel"),
    "Finance": ("t.fischer", "c.moreau", "datascientist"),
}


@dataclass(frozen=True)
class Feature:
    name: str
    description: str
    loc: float = 0.0  # generated data: value = loc + scale * standard generated value
    scale: float = 1.0
    decimals: int = 2


@dataclass(frozen=True)
class UseCase:
    slug: str
    title: str
    department: str
    task: str  # classification | regression
    description: str
    target: str
    target_description: str
    source: str  # iris | wine | breast_cancer | diabetes | digits | generated
    features: tuple[Feature, ...] = ()
    tags: tuple[str, ...] = ()
    positive_rate: float | None = None  # generated classification: share of the positive class
    target_loc: float = 0.0  # generated regression: target = target_loc + target_scale * generated
    target_scale: float = 1.0
    classes: tuple[str, ...] = ()  # what the class numbers mean
    extra: dict[str, str] = field(default_factory=dict)

    def seed(self) -> int:
        return int(hashlib.sha256(self.slug.encode()).hexdigest()[:8], 16)


def F(name: str, description: str, loc: float = 0.0, scale: float = 1.0, decimals: int = 2) -> Feature:
    return Feature(name, description, loc, scale, decimals)


USE_CASES: tuple[UseCase, ...] = (
    # -- R&D: the bundled scientific datasets, plus one process-yield regression ----------------
    UseCase(
        "material-grade-classifier",
        "Raw material grade classifier",
        "R&D",
        "classification",
        "Assigns an incoming raw material lot to one of three supplier grades from its chemical analysis, "
        "so the lab only re-tests lots whose predicted grade disagrees with the certificate.",
        "grade",
        "supplier grade: 0 = grade A, 1 = grade B, 2 = grade C",
        "wine",
        tags=("chemistry", "quality", "lab"),
        classes=("grade A", "grade B", "grade C"),
    ),
    UseCase(
        "tissue-malignancy-screening",
        "Tissue sample malignancy screening",
        "R&D",
        "classification",
        "Flags digitised fine-needle aspirate images whose cell-nucleus measurements look malignant, "
        "to prioritise pathologist review in the clinical research programme.",
        "malignant",
        "0 = malignant, 1 = benign (the bundled dataset's coding)",
        "breast_cancer",
        tags=("clinical", "screening", "imaging"),
        classes=("malignant", "benign"),
    ),
    UseCase(
        "disease-progression-forecast",
        "Disease progression forecast",
        "R&D",
        "regression",
        "Forecasts a quantitative measure of disease progression one year after baseline from ten "
        "baseline variables, used to size cohorts of clinical studies.",
        "progression",
        "disease progression score one year after baseline",
        "diabetes",
        tags=("clinical", "forecast", "cohorts"),
    ),
    UseCase(
        "lab-form-digit-reader",
        "Lab form handwritten digit reader",
        "R&D",
        "classification",
        "Reads handwritten digits from scanned 8x8 cells of paper lab forms so measurements are "
        "digitised without manual keying.",
        "digit",
        "the digit written in the cell, 0 to 9",
        "digits",
        tags=("ocr", "vision", "digitisation"),
        classes=tuple(str(d) for d in range(10)),
    ),
    UseCase(
        "botanical-species-identifier",
        "Botanical species identifier",
        "R&D",
        "classification",
        "Identifies the iris species of a field sample from four flower measurements, for the "
        "botanical extracts sourcing team.",
        "species",
        "0 = setosa, 1 = versicolor, 2 = virginica",
        "iris",
        tags=("botany", "sourcing", "field-samples"),
        classes=("setosa", "versicolor", "virginica"),
    ),
    UseCase(
        "formulation-yield-predictor",
        "Formulation batch yield predictor",
        "R&D",
        "regression",
        "Predicts the yield of a pilot formulation batch from process settings, so chemists try the most "
        "promising settings first.",
        "yield_pct",
        "batch yield in percent",
        "generated",
        (
            F("temperature_c", "reactor temperature (°C)", 80, 6),
            F("pressure_bar", "reactor pressure (bar)", 4, 0.6),
            F("catalyst_ppm", "catalyst concentration (ppm)", 250, 40),
            F("mixing_rpm", "mixer speed (rpm)", 600, 80, 0),
            F("reaction_time_min", "reaction time (minutes)", 95, 15),
            F("humidity_pct", "ambient humidity (%)", 45, 8),
        ),
        tags=("process", "pilot-plant", "yield"),
        target_loc=82,
        target_scale=0.06,
    ),
    # -- Marketing -------------------------------------------------------------------------------
    UseCase(
        "churn-propensity",
        "Customer churn propensity",
        "Marketing",
        "classification",
        "Scores active consumer customers on their probability to cancel within 90 days; the retention "
        "team calls the top decile weekly.",
        "churned",
        "1 = cancels within 90 days",
        "generated",
        (
            F("tenure_months", "months since the first contract", 26, 9, 0),
            F("monthly_spend", "average monthly spend (local currency)", 48, 14),
            F("support_tickets_90d", "support tickets in the last 90 days", 2, 1.2, 0),
            F("discount_rate", "current discount share of the list price", 0.12, 0.05, 3),
            F("app_sessions_30d", "mobile app sessions in the last 30 days", 14, 6, 0),
            F("days_since_last_purchase", "days since the last purchase", 30, 14, 0),
            F("email_open_rate", "share of marketing e-mails opened", 0.31, 0.1, 3),
        ),
        tags=("churn", "retention", "b2c", "weekly-scoring"),
        positive_rate=0.18,
    ),
    UseCase(
        "campaign-response",
        "Direct campaign response",
        "Marketing",
        "classification",
        "Predicts who answers a direct-mail or e-mail campaign, to cut the contact list to the customers "
        "worth the postage.",
        "responded",
        "1 = responded to the campaign",
        "generated",
        (
            F("age", "customer age (years)", 44, 11, 0),
            F("income_k", "estimated household income (thousands)", 52, 15),
            F("past_responses", "responses to the last ten campaigns", 1.5, 1.1, 0),
            F("email_share", "share of contacts by e-mail", 0.6, 0.18, 3),
            F("visits_30d", "store or web visits in the last 30 days", 5, 2.5, 0),
            F("basket_value", "average basket value", 63, 18),
        ),
        tags=("campaigns", "targeting", "b2c"),
        positive_rate=0.14,
    ),
    UseCase(
        "customer-lifetime-value",
        "Customer lifetime value",
        "Marketing",
        "regression",
        "Estimates the 24-month gross margin of a customer, used to set acquisition bids and loyalty tiers.",
        "clv_24m",
        "gross margin over the next 24 months",
        "generated",
        (
            F("tenure_months", "months since the first order", 20, 8, 0),
            F("orders_12m", "orders in the last 12 months", 7, 3, 0),
            F("avg_order_value", "average order value", 58, 16),
            F("return_rate", "share of items returned", 0.08, 0.04, 3),
            F("loyalty_points", "loyalty points balance", 1200, 450, 0),
            F("nps_score", "last NPS answer (0-10)", 7, 1.6, 0),
        ),
        tags=("clv", "loyalty", "bidding"),
        target_loc=640,
        target_scale=2.2,
    ),
    UseCase(
        "lead-scoring",
        "B2B lead scoring",
        "Marketing",
        "classification",
        "Ranks inbound B2B leads by their chance to become a sales-qualified opportunity within 60 days.",
        "qualified",
        "1 = became a sales-qualified opportunity",
        "generated",
        (
            F("company_size_log", "log10 of the company's head count", 2.4, 0.6),
            F("web_visits_14d", "website visits in the last 14 days", 6, 3, 0),
            F("whitepaper_downloads", "whitepapers downloaded", 1.2, 0.9, 0),
            F("webinar_attended", "webinars attended", 0.6, 0.5, 0),
            F("days_since_first_touch", "days since the first contact", 21, 10, 0),
        ),
        tags=("b2b", "leads", "funnel"),
        positive_rate=0.22,
    ),
    UseCase(
        "next-best-offer-uptake",
        "Next best offer uptake",
        "Marketing",
        "classification",
        "Predicts whether a customer accepts the personalised offer shown in the app's home screen.",
        "accepted",
        "1 = accepted the offer",
        "generated",
        (
            F("offer_discount_pct", "discount of the offer (%)", 15, 5, 0),
            F("category_affinity", "affinity score for the offer's category", 0.5, 0.18, 3),
            F("sessions_7d", "app sessions in the last 7 days", 4, 2, 0),
            F("last_offer_accepted_days", "days since the last accepted offer", 40, 18, 0),
            F("basket_size", "items per basket", 3.2, 1.1),
        ),
        tags=("personalisation", "offers", "app"),
        positive_rate=0.3,
    ),
    UseCase(
        "marketing-mix-roi",
        "Marketing mix weekly sales",
        "Marketing",
        "regression",
        "Explains weekly sales from media spend per channel to split next quarter's budget.",
        "weekly_sales_k",
        "weekly sales (thousands)",
        "generated",
        (
            F("tv_spend_k", "TV spend (thousands)", 120, 35),
            F("search_spend_k", "paid search spend (thousands)", 60, 18),
            F("social_spend_k", "social media spend (thousands)", 45, 15),
            F("promo_depth", "average promotion depth", 0.1, 0.04, 3),
            F("seasonality_index", "seasonality index of the week", 1.0, 0.15, 3),
            F("competitor_price_index", "competitor price index", 1.0, 0.06, 3),
        ),
        tags=("mmm", "budget", "media"),
        target_loc=2400,
        target_scale=4,
    ),
    # -- Supply chain ----------------------------------------------------------------------------
    UseCase(
        "demand-forecast",
        "SKU weekly demand forecast",
        "Supply Chain",
        "regression",
        "Forecasts next week's unit demand per SKU and distribution centre, feeding replenishment orders.",
        "units_next_week",
        "units sold next week",
        "generated",
        (
            F("units_last_week", "units sold last week", 420, 120, 0),
            F("units_4w_avg", "average weekly units over 4 weeks", 400, 100),
            F("price", "shelf price", 12.5, 2.5),
            F("promo_flag_share", "share of stores with a promotion", 0.2, 0.15, 3),
            F("holiday_week", "holiday intensity of the week (0-1)", 0.1, 0.2, 3),
            F("temperature_c", "forecast average temperature (°C)", 15, 8),
        ),
        tags=("forecast", "replenishment", "weekly"),
        target_loc=410,
        target_scale=1.3,
    ),
    UseCase(
        "late-delivery-risk",
        "Late delivery risk",
        "Supply Chain",
        "classification",
        "Flags outbound shipments likely to arrive after the promised date, so customer service warns first.",
        "late",
        "1 = delivered after the promised date",
        "generated",
        (
            F("distance_km", "distance to the customer (km)", 650, 300),
            F("carrier_on_time_rate", "carrier on-time rate over 90 days", 0.91, 0.04, 3),
            F("parcels", "parcels in the shipment", 3, 1.5, 0),
            F("weekend_pickup", "picked up on a weekend (0-1)", 0.2, 0.3, 0),
            F("weather_severity", "weather severity index on the route", 1.5, 1.0),
            F("hub_backlog", "backlog at the sorting hub (parcels)", 1200, 500, 0),
        ),
        tags=("logistics", "delivery", "customer-service"),
        positive_rate=0.12,
    ),
    UseCase(
        "inventory-stockout-risk",
        "Inventory stock-out risk",
        "Supply Chain",
        "classification",
        "Predicts which store-SKU pairs run out of stock within 7 days, to trigger emergency transfers.",
        "stockout_7d",
        "1 = out of stock within 7 days",
        "generated",
        (
            F("days_of_cover", "stock on hand divided by daily sales", 12, 5),
            F("open_orders", "units on open purchase orders", 150, 70, 0),
            F("supplier_fill_rate", "supplier fill rate over 90 days", 0.94, 0.03, 3),
            F("sales_trend", "sales trend over 4 weeks (ratio)", 1.0, 0.12, 3),
            F("shelf_capacity", "shelf capacity (units)", 80, 25, 0),
        ),
        tags=("inventory", "stores", "alerts"),
        positive_rate=0.1,
    ),
    UseCase(
        "supplier-lead-time",
        "Supplier lead time",
        "Supply Chain",
        "regression",
        "Predicts the lead time of a purchase order from supplier history and order features.",
        "lead_time_days",
        "days from order to goods receipt",
        "generated",
        (
            F("order_qty", "ordered quantity", 900, 350, 0),
            F("supplier_avg_lead_days", "supplier's average lead time (days)", 18, 5),
            F("supplier_distance_km", "distance to the supplier (km)", 2500, 1400),
            F("open_orders_supplier", "open orders at the supplier", 12, 5, 0),
            F("customs_required", "customs clearance needed (0-1)", 0.4, 0.45, 0),
        ),
        tags=("procurement", "suppliers", "planning"),
        target_loc=19,
        target_scale=0.05,
    ),
    UseCase(
        "warehouse-pick-time",
        "Warehouse pick time",
        "Supply Chain",
        "regression",
        "Estimates the minutes a picking wave takes, for shift planning in the distribution centres.",
        "pick_minutes",
        "minutes to complete the wave",
        "generated",
        (
            F("order_lines", "order lines in the wave", 240, 80, 0),
            F("distinct_aisles", "distinct aisles visited", 22, 7, 0),
            F("pickers", "pickers on shift", 9, 3, 0),
            F("heavy_items_share", "share of items over 15 kg", 0.15, 0.07, 3),
            F("new_staff_share", "share of pickers in their first month", 0.1, 0.08, 3),
        ),
        tags=("warehouse", "labour", "shift-planning"),
        target_loc=75,
        target_scale=0.25,
    ),
    UseCase(
        "freight-cost-estimator",
        "Freight cost estimator",
        "Supply Chain",
        "regression",
        "Estimates the freight cost of a full or partial truck load before the carrier's quote arrives.",
        "freight_cost",
        "freight cost of the load",
        "generated",
        (
            F("weight_t", "load weight (tonnes)", 12, 5),
            F("pallets", "pallets", 18, 7, 0),
            F("distance_km", "distance (km)", 720, 320),
            F("fuel_index", "diesel price index", 1.0, 0.08, 3),
            F("reefer", "refrigerated trailer (0-1)", 0.2, 0.35, 0),
        ),
        tags=("freight", "transport", "costs"),
        target_loc=1450,
        target_scale=3.5,
    ),
    # -- Sales ------------------------------------------------------------------------------------
    UseCase(
        "deal-win-probability",
        "Deal win probability",
        "Sales",
        "classification",
        "Scores open B2B opportunities on their chance to close as won this quarter, for the forecast call.",
        "won",
        "1 = the deal closed as won",
        "generated",
        (
            F("deal_size_k", "deal size (thousands)", 85, 40),
            F("stage_age_days", "days in the current stage", 24, 12, 0),
            F("meetings_30d", "meetings in the last 30 days", 4, 2, 0),
            F("champion_identified", "champion identified (0-1)", 0.5, 0.45, 0),
            F("competitors", "competitors in the deal", 1.6, 0.9, 0),
            F("discount_requested", "requested discount share", 0.1, 0.06, 3),
        ),
        tags=("crm", "forecast", "b2b"),
        positive_rate=0.35,
    ),
    UseCase(
        "sales-pipeline-forecast",
        "Quarterly bookings forecast",
        "Sales",
        "regression",
        "Forecasts a region's quarterly bookings from its pipeline coverage and activity.",
        "bookings_k",
        "bookings this quarter (thousands)",
        "generated",
        (
            F("pipeline_k", "open pipeline (thousands)", 4200, 1100),
            F("coverage_ratio", "pipeline over quota", 3.1, 0.7),
            F("reps", "account executives", 14, 4, 0),
            F("avg_cycle_days", "average sales cycle (days)", 62, 15),
            F("win_rate_4q", "win rate over four quarters", 0.27, 0.05, 3),
        ),
        tags=("forecast", "quota", "quarterly"),
        target_loc=1300,
        target_scale=3,
    ),
    UseCase(
        "price-elasticity",
        "Price elasticity volume model",
        "Sales",
        "regression",
        "Predicts weekly volume at a candidate price, to price promotions and list price changes.",
        "volume",
        "units sold in the week",
        "generated",
        (
            F("price_ratio", "price over the reference price", 1.0, 0.1, 3),
            F("competitor_gap", "price gap to the main competitor", 0.0, 0.08, 3),
            F("distribution_pct", "weighted distribution (%)", 82, 9),
            F("display_support", "stores with display support (share)", 0.25, 0.15, 3),
            F("season_index", "seasonality index", 1.0, 0.12, 3),
        ),
        tags=("pricing", "promotions", "elasticity"),
        target_loc=5400,
        target_scale=9,
    ),
    UseCase(
        "upsell-propensity",
        "Upsell propensity",
        "Sales",
        "classification",
        "Finds existing accounts likely to buy the premium tier in the next 60 days.",
        "upgraded",
        "1 = bought the premium tier",
        "generated",
        (
            F("seats", "licensed seats", 45, 25, 0),
            F("seat_utilisation", "share of seats active", 0.78, 0.12, 3),
            F("feature_limit_hits", "times a plan limit was hit in 30 days", 3, 2.5, 0),
            F("support_tier", "support tier (1-3)", 1.8, 0.7, 0),
            F("account_age_months", "months as a customer", 30, 14, 0),
        ),
        tags=("upsell", "accounts", "saas"),
        positive_rate=0.16,
    ),
    UseCase(
        "discount-approval-risk",
        "Discount approval risk",
        "Sales",
        "classification",
        "Predicts which discount requests finance will reject, so reps fix them before submitting.",
        "rejected",
        "1 = the discount request was rejected",
        "generated",
        (
            F("discount_pct", "requested discount (%)", 18, 7),
            F("deal_margin_pct", "deal margin after discount (%)", 34, 9),
            F("customer_tier", "customer tier (1-4)", 2.3, 0.9, 0),
            F("quarter_end_days", "days to quarter end", 35, 22, 0),
            F("rep_approval_rate", "rep's past approval rate", 0.82, 0.08, 3),
        ),
        tags=("deal-desk", "discounts", "approvals"),
        positive_rate=0.2,
    ),
    UseCase(
        "territory-revenue",
        "Territory revenue potential",
        "Sales",
        "regression",
        "Estimates the revenue potential of a sales territory, used when territories are redrawn.",
        "revenue_potential_k",
        "yearly revenue potential (thousands)",
        "generated",
        (
            F("businesses_k", "registered businesses (thousands)", 12, 5),
            F("avg_employees", "average employees per business", 18, 6),
            F("industry_mix_index", "share of target industries", 0.35, 0.1, 3),
            F("penetration", "current market penetration", 0.08, 0.04, 3),
            F("travel_hours", "average travel hours per visit", 1.4, 0.6),
        ),
        tags=("territories", "planning", "coverage"),
        target_loc=3600,
        target_scale=8,
    ),
    # -- HR ---------------------------------------------------------------------------------------
    UseCase(
        "attrition-risk",
        "Employee attrition risk",
        "HR",
        "classification",
        "Estimates the chance an employee leaves within 12 months, aggregated per team for HR business "
        "partners (never shown per person).",
        "left_12m",
        "1 = left within 12 months",
        "generated",
        (
            F("tenure_years", "years in the company", 4.5, 2.5),
            F("months_since_promotion", "months since the last promotion", 22, 12, 0),
            F("salary_ratio", "salary over the band midpoint", 0.98, 0.09, 3),
            F("overtime_hours_m", "monthly overtime hours", 9, 6),
            F("engagement_score", "last engagement survey score (1-5)", 3.7, 0.6),
            F("manager_changes_2y", "manager changes in two years", 1, 0.8, 0),
        ),
        tags=("people-analytics", "retention", "aggregated-only"),
        positive_rate=0.13,
    ),
    UseCase(
        "time-to-hire",
        "Time to hire",
        "HR",
        "regression",
        "Predicts the days from opening a requisition to an accepted offer, for workforce planning.",
        "days_to_hire",
        "days from requisition to accepted offer",
        "generated",
        (
            F("seniority_level", "seniority level (1-6)", 3, 1.2, 0),
            F("applicants_week1", "applicants in the first week", 35, 18, 0),
            F("salary_competitiveness", "offer over market median", 1.0, 0.08, 3),
            F("interview_rounds", "interview rounds", 3.5, 1, 0),
            F("remote_allowed", "remote work allowed (0-1)", 0.5, 0.45, 0),
        ),
        tags=("recruiting", "workforce-planning"),
        target_loc=42,
        target_scale=0.12,
    ),
    UseCase(
        "candidate-screening-fit",
        "Candidate screening fit",
        "HR",
        "classification",
        "Predicts whether a screened candidate passes the technical interview, to plan interviewer time "
        "(advisory only; recruiters decide).",
        "passed",
        "1 = passed the technical interview",
        "generated",
        (
            F("years_experience", "years of relevant experience", 5, 3),
            F("assessment_score", "online assessment score (0-100)", 68, 14),
            F("skills_match", "share of required skills listed", 0.6, 0.18, 3),
            F("referral", "referred by an employee (0-1)", 0.2, 0.35, 0),
        ),
        tags=("recruiting", "screening", "advisory"),
        positive_rate=0.4,
    ),
    UseCase(
        "absenteeism-forecast",
        "Absenteeism forecast",
        "HR",
        "regression",
        "Forecasts next month's absence days per site, to book temporary staff in time.",
        "absence_days",
        "absence days next month per 100 employees",
        "generated",
        (
            F("absence_last_month", "absence days last month per 100 employees", 55, 15),
            F("flu_index", "regional flu activity index", 1.0, 0.5, 3),
            F("overtime_share", "share of hours in overtime", 0.07, 0.03, 3),
            F("headcount", "employees on site", 320, 120, 0),
            F("school_holidays", "school holiday days in the month", 4, 4, 0),
        ),
        tags=("workforce", "sites", "monthly"),
        target_loc=56,
        target_scale=0.15,
    ),
    UseCase(
        "training-completion",
        "Mandatory training completion",
        "HR",
        "classification",
        "Predicts who will miss the deadline of a mandatory training, so reminders go out early.",
        "missed_deadline",
        "1 = missed the deadline",
        "generated",
        (
            F("days_to_deadline", "days left to the deadline", 21, 10, 0),
            F("modules_done_share", "share of modules done", 0.4, 0.25, 3),
            F("past_late_trainings", "trainings finished late before", 0.8, 0.9, 0),
            F("travel_days_month", "travel days this month", 3, 3, 0),
        ),
        tags=("learning", "compliance", "reminders"),
        positive_rate=0.17,
    ),
    UseCase(
        "salary-band-benchmark",
        "Salary band benchmark",
        "HR",
        "regression",
        "Estimates the market salary of a role from its level and skills, for yearly band reviews.",
        "market_salary_k",
        "market base salary (thousands)",
        "generated",
        (
            F("job_level", "job level (1-8)", 4, 1.6, 0),
            F("years_experience", "years of experience", 8, 4),
            F("skill_premium", "premium of the role's skills (index)", 1.0, 0.15, 3),
            F("cost_of_living", "cost-of-living index of the site", 1.0, 0.2, 3),
            F("team_size", "direct reports", 2, 3, 0),
        ),
        tags=("compensation", "benchmark", "yearly"),
        target_loc=68,
        target_scale=0.25,
    ),
    # -- Finance ----------------------------------------------------------------------------------
    UseCase(
        "credit-default-risk",
        "Trade credit default risk",
        "Finance",
        "classification",
        "Estimates the 12-month default probability of a B2B customer, to set credit limits.",
        "defaulted",
        "1 = defaulted within 12 months",
        "generated",
        (
            F("credit_limit_k", "current credit limit (thousands)", 120, 60),
            F("utilisation", "share of the limit in use", 0.55, 0.2, 3),
            F("days_past_due_avg", "average days past due over 12 months", 9, 7),
            F("years_in_business", "years in business", 14, 8),
            F("current_ratio", "current ratio from the last balance sheet", 1.5, 0.4),
            F("bureau_score", "credit bureau score", 640, 70, 0),
        ),
        tags=("credit", "risk", "limits"),
        positive_rate=0.08,
    ),
    UseCase(
        "invoice-fraud-detection",
        "Supplier invoice fraud detection",
        "Finance",
        "classification",
        "Flags supplier invoices that look fraudulent or duplicated before payment runs.",
        "fraud",
        "1 = confirmed fraudulent or duplicate",
        "generated",
        (
            F("amount_k", "invoice amount (thousands)", 14, 9),
            F("amount_vs_po", "amount over the purchase order", 1.0, 0.07, 3),
            F("bank_change_days", "days since the supplier's bank details changed", 400, 250, 0),
            F("round_amount", "amount is a round number (0-1)", 0.1, 0.3, 0),
            F("invoices_same_day", "invoices from the supplier on the same day", 1.3, 0.8, 0),
            F("new_supplier", "supplier created this quarter (0-1)", 0.1, 0.3, 0),
        ),
        tags=("fraud", "accounts-payable", "controls"),
        positive_rate=0.06,
    ),
    UseCase(
        "cash-flow-forecast",
        "Weekly cash flow forecast",
        "Finance",
        "regression",
        "Forecasts next week's net operating cash flow per entity, for treasury funding decisions.",
        "net_cash_flow_k",
        "net operating cash flow next week (thousands)",
        "generated",
        (
            F("receivables_due_k", "receivables due next week (thousands)", 5200, 1400),
            F("payables_due_k", "payables due next week (thousands)", 4600, 1200),
            F("payroll_week", "payroll is paid next week (0-1)", 0.25, 0.4, 0),
            F("collection_rate_4w", "collection rate over 4 weeks", 0.92, 0.04, 3),
            F("fx_index", "FX index versus the group currency", 1.0, 0.05, 3),
        ),
        tags=("treasury", "forecast", "weekly"),
        target_loc=600,
        target_scale=6,
    ),
    UseCase(
        "payment-delay-prediction",
        "Customer payment delay",
        "Finance",
        "classification",
        "Predicts which open invoices will be paid more than 15 days late, to start dunning early.",
        "late_15d",
        "1 = paid more than 15 days late",
        "generated",
        (
            F("invoice_amount_k", "invoice amount (thousands)", 22, 14),
            F("customer_avg_delay_days", "customer's average delay (days)", 8, 7),
            F("payment_terms_days", "payment terms (days)", 45, 15, 0),
            F("disputes_12m", "disputes in 12 months", 0.7, 0.8, 0),
            F("month_end", "invoice issued in the last 3 days of a month (0-1)", 0.15, 0.3, 0),
        ),
        tags=("receivables", "dunning", "working-capital"),
        positive_rate=0.24,
    ),
    UseCase(
        "expense-anomaly-flag",
        "Travel expense anomaly flag",
        "Finance",
        "classification",
        "Flags travel expense reports that break policy, for audit sampling.",
        "policy_breach",
        "1 = breached the travel policy",
        "generated",
        (
            F("total_amount", "report total", 860, 420),
            F("nights", "hotel nights", 2.5, 1.5, 0),
            F("per_diem_ratio", "spend over the city per diem", 1.05, 0.2, 3),
            F("receipts_missing", "receipts missing", 0.4, 0.7, 0),
            F("weekend_items", "items dated on a weekend", 0.6, 0.9, 0),
        ),
        tags=("audit", "expenses", "policy"),
        positive_rate=0.09,
    ),
    UseCase(
        "revenue-accrual-estimate",
        "Revenue accrual estimate",
        "Finance",
        "regression",
        "Estimates month-end revenue to accrue for services delivered but not yet invoiced.",
        "accrual_k",
        "revenue to accrue (thousands)",
        "generated",
        (
            F("hours_logged_k", "billable hours logged (thousands)", 42, 12),
            F("avg_rate", "average hourly rate", 118, 20),
            F("fixed_fee_share", "share of fixed-fee projects", 0.3, 0.12, 3),
            F("open_milestones", "milestones reached but not invoiced", 16, 6, 0),
            F("prior_month_accrual_k", "last month's accrual (thousands)", 3900, 900),
        ),
        tags=("close", "accruals", "monthly"),
        target_loc=4100,
        target_scale=7,
    ),
)


@dataclass(frozen=True)
class PlannedModel:
    name: str
    use_case: UseCase
    geography: str
    country_code: str
    owner: str
    versions: int  # 1 to 3
    index: int  # position in the plan, for deterministic variety


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def plan() -> list[PlannedModel]:
    """The whole demo catalog, in a fixed order: each use case in COUNTRIES_PER_USE_CASE countries."""
    planned = []
    for u, use_case in enumerate(USE_CASES):
        owners = DEPARTMENTS[use_case.department]
        for k in range(COUNTRIES_PER_USE_CASE):
            geography, code = GEOGRAPHIES[(u * 5 + k) % len(GEOGRAPHIES)]
            name = f"{use_case.slug}-{code}"
            roll = _hash(name) % 100
            versions = 1 if roll < 45 else 2 if roll < 80 else 3
            owner = owners[_hash(name + "owner") % len(owners)]
            planned.append(PlannedModel(name, use_case, geography, code, owner, versions, len(planned)))
    return planned
