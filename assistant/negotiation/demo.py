"""The SYNTHETIC demo practice's negotiation history: three renegotiations under way.

Dates are relative to the day the demo is built, so "what's due this week?" always has answers.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from assistant.negotiation import service
from assistant.negotiation.store import NegotiationStore
from assistant.rates.demo import demo_practice_dir
from assistant.workspace import transaction


def load_demo_negotiation(conn: sqlite3.Connection, today: date) -> bool:
    """Record the demo history once (False when the tracker already has one)."""
    if NegotiationStore(conn).tracked_payers():
        return False
    root = demo_practice_dir()

    def day(offset: int) -> date:
        return today + timedelta(days=offset)

    with transaction(conn):
        service.import_costs(conn, root / "costs.csv")

        service.add_contact(
            conn,
            "Aetna",
            "Jane Ruiz",
            "Provider relations",
            "jane.ruiz@example.com",
            "614-555-0142",
        )
        service.record_ask(conn, "Aetna", day(-35), increase_pct="8")
        service.record_walk_away(conn, "Aetna", day(-35), min_pct_change="3")
        service.set_stage(conn, "Aetna", "sent", day(-30))
        service.log_contact(
            conn, "Aetna", day(-30), "Sent the renegotiation packet and our ask", "email"
        )
        service.log_contact(
            conn,
            "Aetna",
            day(-21),
            "Jane confirmed receipt; contracting is reviewing",
            "call",
            heard_from_payer=True,
        )
        aetna = service.import_proposal(
            conn, "Aetna", root / "proposals" / "aetna-2027-exhibit.csv", day(-14)
        )
        service.add_offer(conn, "Aetna", day(-14), proposal_id=aetna.id, note="proposed Exhibit A")
        service.log_contact(
            conn,
            "Aetna",
            day(-14),
            "Aetna sent a proposed Exhibit A (104% of the MPFS in effect)",
            "email",
            heard_from_payer=True,
        )
        service.log_contact(
            conn, "Aetna", day(-3), "Left Jane a voicemail about 69210 and the lesser-of", "call"
        )
        service.add_follow_up(
            conn, "Aetna", day(2), "Call Jane: how is 69210 paid, and drop the lesser-of"
        )

        service.add_contact(
            conn, "Cigna", "Marcus Lee", "Network manager", "marcus.lee@example.com"
        )
        service.record_ask(conn, "Cigna", day(-40), increase_pct="6")
        service.set_stage(conn, "Cigna", "sent", day(-40))
        service.log_contact(
            conn, "Cigna", day(-40), "Sent the packet: 6% increase, 2026 MPFS", "letter"
        )
        cigna = service.import_proposal(
            conn, "Cigna", root / "proposals" / "cigna-2027-exhibit.pdf", day(-6)
        )
        service.add_offer(
            conn, "Cigna", day(-20), across_the_board="1.5", note="verbal, first call"
        )
        service.add_offer(conn, "Cigna", day(-6), proposal_id=cigna.id, note="written exhibit")
        service.log_contact(
            conn,
            "Cigna",
            day(-6),
            "Marcus emailed a proposed exhibit: 100% of the 2026 MPFS with a lesser-of",
            "email",
            heard_from_payer=True,
        )
        service.add_follow_up(
            conn, "Cigna", day(5), "Counter: 105% of the MPFS in effect, no lesser-of clause"
        )

        service.add_contact(
            conn,
            "UnitedHealthcare",
            "Provider services",
            "Contracting inbox",
            "contracting@example.com",
        )
        service.set_stage(conn, "UnitedHealthcare", "sent", day(-45))
        service.log_contact(
            conn,
            "UnitedHealthcare",
            day(-45),
            "Sent the packet and a request to renegotiate",
            "letter",
        )
        service.log_contact(
            conn, "UnitedHealthcare", day(-15), "No reply; second email to contracting", "email"
        )
        service.set_stage(conn, "UnitedHealthcare", "stalled", day(-15))
        service.add_follow_up(
            conn, "UnitedHealthcare", day(-1), "Third contact: escalate to the network director"
        )

        service.add_follow_up(
            conn, "Blue Cross", day(20), "Pull this year's volumes for the Blue Cross packet"
        )
    return True
