"""Query expansion: a question about a contract term gains the words its clauses are written in.

"Who are the parties to this contract?" and "by and between X and Y" share almost no words, and
MiniLM puts a question nearer other questions than the clause that answers it. Each rule below
matches what a question asks about (not how it is worded) and adds the plain clause phrasing of
that term, so both the embedding and BM25 look for the clause. The phrasing is general contract
language, never one contract's wording; rules were chosen on the cuad_dev tune split only (see
bench/bench_retrieval.py).
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, str], ...] = (
    # Parties and dates first: these rules' terms sit in a contract's opening (see OPENING).
    (
        r"\bpart(y|ies)\b.{0,30}\b(to|of|in|sign|signed)\b|\bwho (signed|is bound)\b",
        "This Agreement is made and entered into by and between Company, a corporation, and "
        "the other party (each a Party, together the Parties).",
    ),
    (
        r"\b(signed|executed|dated|agreement date|date of (this|the) (contract|agreement))\b",
        "This Agreement is dated and made as of the day of the month and year, entered into "
        "this day; in witness whereof the parties have executed this Agreement as of the date.",
    ),
    (
        r"\b(take effect|effective|commence|start)\b",
        "This Agreement is effective as of the Effective Date and commences on the date first "
        "written above.",
    ),
    (
        r"\b(expire|expiration|initial term|end date|how long .{0,20}last)\b",
        "The initial term of this Agreement begins on the Effective Date and continues for a "
        "period of years, expiring on the date unless terminated earlier.",
    ),
    (
        r"\b(renew|renewal|extend|extension|evergreen)\w*\b",
        "This Agreement automatically renews for successive renewal terms unless either party "
        "gives written notice of non-renewal before the end of the then-current term.",
    ),
    (
        r"\b(govern\w*|jurisdiction|choice of law|which law|laws? of)\b",
        "This Agreement shall be governed by and construed in accordance with the laws of the "
        "State, without regard to conflict of laws principles.",
    ),
    (
        r"\b(most[- ]favou?red|mfn|best price|no less favou?rable)\b",
        "Prices and terms no less favorable than those offered to any other customer; most "
        "favored customer pricing.",
    ),
    (
        r"\bexclusiv\w*\b",
        "grants an exclusive right; sole and exclusive; shall not appoint any other "
        "distributor, reseller or agent in the territory; exclusively from.",
    ),
    (
        r"\b(compet\w*|non-?compete)\b",
        "shall not, directly or indirectly, engage in, own or operate any business that "
        "competes with, or develop or sell competing products during the term.",
    ),
    (
        r"\b(without cause|for convenience|at will|terminat\w* .{0,30}(any time|notice))\b",
        "Either party may terminate this Agreement at any time, for any reason or for "
        "convenience, upon days prior written notice to the other party.",
    ),
    (
        r"\bchange (of|in) control\b|\bmerger|\bacqui",
        "In the event of a change of control, merger, acquisition or sale of all or "
        "substantially all of its assets or voting stock, the other party may terminate.",
    ),
    (
        r"\bassign\w*\b|\btransfer\w*\b",
        "Neither party may assign or transfer this Agreement or any rights hereunder without the "
        "prior written consent of the other party.",
    ),
    (
        r"\baudit\w*\b|\binspect\w*\b|\bbooks and records\b",
        "shall keep complete and accurate books and records and the other party may audit and "
        "inspect them upon reasonable prior notice during business hours.",
    ),
    (
        r"\b(limits?|cap|capped|maximum)\b.{0,30}\bliabilit|\bliabilit\w*\b.{0,20}\b(limit|cap)",
        "Limitation of liability: in no event shall either party's aggregate liability exceed "
        "the amounts paid; neither party is liable for indirect, incidental or consequential "
        "damages.",
    ),
    (
        r"\bexclu\w*\b.{0,30}\b(cap|limit)|\buncapped\b|\bunlimited liabilit",
        "The limitation of liability shall not apply to indemnification obligations, breach of "
        "confidentiality, gross negligence or willful misconduct.",
    ),
    (
        r"\binsur\w*\b",
        "shall maintain at its own expense insurance coverage, including commercial general "
        "liability insurance with limits of not less than per occurrence, naming as additional "
        "insured.",
    ),
    (
        r"\b(after|upon|following|survive)\b.{0,30}\b(ends?|termination|expiration|expires?)\b"
        r"|\bpost-?termination\b|\bsurviv\w*\b|\bcontinue after\b",
        "Upon termination or expiration of this Agreement, the obligations shall survive and "
        "continue: transition services, return of materials, wind-down, sell-off period.",
    ),
)
_COMPILED = tuple((re.compile(p, re.IGNORECASE), text) for p, text in _RULES)
# The first three rules (parties, signing date, effective date) ask about what a contract states
# in its opening lines.
OPENING = frozenset(range(3))


def expand(question: str) -> str:
    """`question` followed by the clause phrasing of each term it asks about (itself when none)."""
    added = [text for pattern, text in _COMPILED if pattern.search(question)]
    return " ".join([question, *added])


def asks_opening(question: str) -> bool:
    """Whether the question asks about something a contract states in its opening (parties,
    dates), so the opening passages are candidates whatever their words."""
    return any(_COMPILED[i][0].search(question) for i in OPENING)
