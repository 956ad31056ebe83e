"""Reading a question for the offline model: what is asked (intent) and about what (slots)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

# Words too common in payer names to identify one alone ("plan" must not pick "TN Health Plan").
_GENERIC = frozenset(
    re.findall(
        r"\S+",
        "plan plans health healthcare care insurance insurer company co inc corp group network "
        "the of and mutual medical services service payer",
    )
)
_FOLLOW_UP = re.compile(r"^\s*(and|what about|how about|same for|also|now|ok(ay)?,?)\b", re.I)
_CODE = re.compile(r"\b(\d{4}[0-9FTU]|[A-V]\d{4})\b")
_PERCENT = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*(?:%|percent\b|pct\b)", re.I)
_DOLLARS = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)\s*(k|m|thousand|million)?\b", re.I)
_WORD = re.compile(r"[a-z0-9]+")

TERM_WORDS: tuple[tuple[str, str], ...] = (
    (
        r"\btimely[- ]filing\b|\btf\b|\btfl\b|\bfiling (limit|deadline|window)|"
        r"\b(deadline|how long|days?) (do we have )?to (file|submit)|\bfile (a )?claims?\b",
        "timely_filing",
    ),
    (
        r"\bprompt[- ]pay|\bhow (fast|quickly|soon)\b.*\bpa(y|id)|\blate[- ]payment|\binterest\b",
        "prompt_pay",
    ),
    (r"\bclean claim", "clean_claim_definition"),
    (r"\blesser[- ]of|\bbilled charges", "lesser_of"),
    (r"\bmost[- ]favou?red|\bmfn\b", "most_favored_nation"),
    (
        r"\b(network )?rental|\brent (our|the) (network|rates)|\bsilent ppo|\bleas(e|ed|ing)\b",
        "network_rental",
    ),
    (r"\brecoup|\bclaw ?back|\boverpayments?\b|\blook[- ]?back", "recoupment"),
    (r"\bwithout cause|\bterminat\w*|\bget out of\b|\bexit\b", "termination_without_cause"),
    (r"\bfor cause\b|\bbreach\b", "termination_for_cause"),
    (
        r"\bauto(matic(ally)?)?[- ]?renew|\brenewal term|\bterm of the (agreement|contract)|"
        r"\bwhen does .* (end|expire)|\bexpir\w*",
        "auto_renewal",
    ),
    (
        r"\bamend\w*|\bchange (the|our) (contract|agreement|policies)|\bpolicy changes?",
        "unilateral_amendment",
    ),
    (r"\bappeals?\b|\bdisputes?\b|\barbitration|\breconsideration", "appeals"),
    (r"\bgoverning law|\bwhich state|\bjurisdiction|\bvenue\b", "governing_law"),
    (r"\bcredential\w*", "credentialing"),
    (r"\baudits?\b|\brecords? (retention|kept)|\bkeep records", "records_and_audit"),
    (
        r"\bmethodology|\bhow (are|do) (we|they) (get )?pa(id|y)|\bpaid at\b|\bpayment basis",
        "reimbursement_methodology",
    ),
    (r"\bfee schedule updates?|\bupdate (the|their) (fee schedule|rates)", "fee_schedule_updates"),
    (r"\bprior auth\w*|\bpre-?auth\w*|\bprecert\w*", "prior_authorization"),
    (r"\bmedical(ly)? necess\w*", "medical_necessity"),
    (r"\ball[- ]products|\bcovered (plans|products)|\bwhich (plans|products)", "covered_plans"),
    (r"\bassign\w*", "assignment"),
    (r"\binsurance requirements?|\bmalpractice|\bliability insurance", "insurance"),
    (r"\blimitation of liability|\bindemni\w*", "limitation_of_liability"),
)
"""Plain-words ways of naming a checklist term, first match wins."""

_INTENTS: tuple[tuple[str, str], ...] = (
    (
        "talking_points",
        r"\btalking points?\b|\bnegotiation (case|plan|prep)|\bcounter[- ]?proposal"
        r"|\bprepare (for|me for) (the |our )?(negotiation|renewal|meeting)|\bpacket\b",
    ),
    ("help", r"^\s*(help|what can you do|what do you do|how do i use)"),
    ("walk_away", r"\bwalk[- ]?away\b|\bfloor\b|\bshould we (accept|sign|take)\b|\bbottom line\b"),
    (
        "solve",
        r"\b(to (reach|get to|hit|make)|need(ed)? to (reach|get|make)|target)\b"
        r"|\bto (get|see|have) (a|an|to)\b.*\b(raise|increase|bump|more)\b",
    ),
    (
        "proposal",
        r"\boffers?\b|\boffering\b|\bpropos\w*|\bworth\b|\bif (they|we) (raise|increase|"
        r"get|give)|\b(raise|increase|bump)\b.*\d",
    ),
    ("top_codes", r"\btop (\d+ )?codes\b|\bmost (billed|common|used) codes|\bbiggest codes"),
    (
        "compare",
        r"\bcompar\w*|\bwho pays\b|\bwhich payers?\b|\bvs\.?\b|\bversus\b|"
        r"\bother payers\b|\ball (of our |our )?payers\b|\brank\w* (the )?payers",
    ),
    (
        "gap",
        r"\bunderpa\w*|\bgap\b|\bagainst (medicare|the market)|\bmedicare\b|\bmarket\b|"
        r"\bbelow\b|\bshort(fall)?\b|\bpay(s|ing)? (us )?(less|more)\b|\brates?\b|\bfee schedule",
    ),
)
_REMIT_WORDS = re.compile(
    r"\b(us|we)\b.*\b(last|this) (year|quarter|month)\b|\blast (year|quarter|month)\b|"
    r"\bremit\w*|\b835\b|\beras?\b|\bclaims?\b|\bsince\b|\bin (19|20)\d\d\b",
    re.I,
)
_BENCH_WORDS = re.compile(r"\bmedicare\b|\bmarket\b|\btop codes\b|\bcodes?\b", re.I)
_DOMAIN = re.compile(
    r"\bcontract\w*|\bagreements?\b|\bclauses?\b|\bsections?\b|\bpayers?\b|\bclaims?\b|"
    r"\bprovider\w*|\bnetwork\b|\bpatients?\b|\bcoverage\b|\bbenefits?\b|\breimburs\w*|"
    r"\bpa(y|id|yment)s?\b|\bbilling\b|\bcodes?\b|\bpolicy\b|\bterms?\b|\bnotice\b|"
    r"\bmember\w*|\brate\b|\brules?\b|\brequire\w*|\bobligat\w*|\bresponsib\w*",
    re.I,
)


@dataclass(frozen=True)
class PayerDirectory:
    """Every name a payer goes by in the workspace: rate payers, aliases, document payers."""

    names: Mapping[str, str]
    """Lower-case name or alias -> canonical payer."""

    @classmethod
    def build(cls, payers: Iterable[str], aliases: Mapping[str, str]) -> PayerDirectory:
        names = {p.lower(): p for p in payers}
        names.update({a.lower(): p for a, p in aliases.items()})
        return cls(names)

    def find(self, text: str) -> list[str]:
        """Payers named in `text`, in order of mention (typos and partial names tolerated)."""
        words = [(m.group(), m.start()) for m in _WORD.finditer(text.lower())]
        found: dict[str, int] = {}
        for name, payer in self.names.items():
            position = _mention(name, words)
            if position is not None and position < found.get(payer, len(text) + 1):
                found[payer] = position
        return [p for p, _ in sorted(found.items(), key=lambda kv: kv[1])]


def _word_matches(token: str, word: str) -> bool:
    if token == word:
        return True
    # Typos only on words long enough to be unambiguous ("Aetan", "Cigan", "Unitedhealth").
    if len(token) >= 5 and len(word) >= 4:
        if difflib.SequenceMatcher(None, token, word).ratio() >= 0.8:
            return True
        return len(word) >= 6 and token.startswith(word)
    return False


def _mention(name: str, words: list[tuple[str, int]]) -> int | None:
    tokens = [t for t in _WORD.findall(name) if t not in _GENERIC] or _WORD.findall(name)
    positions = []
    for token in tokens:
        hit = next((pos for word, pos in words if _word_matches(token, word)), None)
        if hit is None:
            return None
        positions.append(hit)
    return min(positions) if positions else None


@dataclass(frozen=True)
class Question:
    """A question read into an intent and slots; `inherited` when a follow-up borrowed them."""

    text: str
    intent: str
    payers: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    percents: tuple[Decimal, ...] = ()
    dollars: tuple[Decimal, ...] = ()
    term: str | None = None
    code_group: str | None = None
    benchmark: str = "medicare"
    period: tuple[date, date] | None = None
    inherited: bool = False

    @property
    def payer(self) -> str | None:
        return self.payers[0] if self.payers else None


def _pattern_words(patterns: Iterable[str]) -> frozenset[str]:
    """The words of 5 letters or more regular expressions are written in."""
    texts = (re.sub(r"\\[a-zA-Z]", " ", pattern) for pattern in patterns)
    return frozenset(w for text in texts for w in re.findall(r"[a-z]{5,}", text))


TERM_VOCABULARY = _pattern_words(p for p, _ in TERM_WORDS)
"""What a misspelt term word is near (some are stems: "terminat", "credential")."""
_KNOWN = _pattern_words(
    [p for _, p in _INTENTS]
    + [_DOMAIN.pattern, " ".join(_GENERIC), "there these those where period cover notice"]
)
"""Words the other readings know, and a few common ones: never typos of a term word
("medicare" is not "medical", "there" is not "their")."""
TYPO_SIMILARITY = 0.8
"""difflib ratio from which an unknown word reads as a term word ("tiemly" -> "timely"); the
first letter must match too, so "dental" does not read as "rental"."""


def _closeness(word: str, known: str) -> float:
    """Similarity of `word` to a term word, or to its stem when `known` is one."""
    ratio = difflib.SequenceMatcher(None, word, known).ratio()
    stem = difflib.SequenceMatcher(None, word[: len(known)], known).ratio()
    return max(ratio, stem) if word[0] == known[0] else 0.0


def correct_term_words(text: str) -> str:
    """`text` with each word of 5 letters or more that is neither a term word nor a word the
    intents know, but close to a term word, replaced by that term word."""

    def fix(match: re.Match[str]) -> str:
        word = match.group().lower()
        if {word, word + "s", word.removesuffix("s")} & _KNOWN or any(
            word.startswith(known) for known in TERM_VOCABULARY
        ):
            return match.group()
        score, best = max((_closeness(word, known), known) for known in TERM_VOCABULARY)
        return best if score >= TYPO_SIMILARITY else match.group()

    return re.sub(r"[A-Za-z]{5,}", fix, text)


def _match_term(text: str) -> str | None:
    for pattern, term in TERM_WORDS:
        if re.search(pattern, text, re.I):
            return term
    return None


def term_phrase(text: str, term: str) -> str:
    """The words by which `text` names `term` ("timely filing"), typos corrected; "" if none."""
    for pattern, name in TERM_WORDS:
        if name == term:
            found = re.search(pattern, text, re.I) or re.search(
                pattern, correct_term_words(text), re.I
            )
            if found:
                return found.group()
    return ""


def find_term(text: str) -> str | None:
    """The checklist term a question names in plain words, if any; misspelt term words are
    read as the term word they are closest to when the text as written names no term."""
    return _match_term(text) or _match_term(correct_term_words(text))


def _code_group(text: str) -> str | None:
    lowered = text.lower()
    if re.search(r"\bpreventive|\bwellness|\bphysicals?\b", lowered):
        return "preventive"
    has_em = re.search(
        r"\be\s?/\s?m\b|\be&m\b|\be and m\b|\bevaluation and management|\bem\b", lowered
    )
    if re.search(r"\ball (of )?(the )?(e\s?/\s?m|e&m|em)\b|\be/?m including preventive", lowered):
        return "em"
    if has_em or re.search(r"\boffice visits?\b", lowered):
        # Practice managers say "E/M" for office visits; the answer states the codes it means.
        return "office-em"
    return None


def _amount(number: str, scale: str | None) -> Decimal:
    value = Decimal(number.replace(",", ""))
    factor = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000}
    return value * factor.get((scale or "").lower(), 1)


def _period(text: str, today: date) -> tuple[date, date] | None:
    lowered = text.lower()
    if "last year" in lowered:
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if "this year" in lowered or "year to date" in lowered or "ytd" in lowered:
        return date(today.year, 1, 1), today
    year = re.search(r"\bin ((?:19|20)\d\d)\b", lowered)
    if year:
        y = int(year.group(1))
        return date(y, 1, 1), date(y, 12, 31)
    return None


_RATE_QUESTION = (
    r"\bunderpa\w*|\bgap\b|\bpays?\b.*\b(less|more)\b|"
    r"\b(against|vs\.?|versus|compared? (to|with)|relative to|of) (the )?(medicare|market)\b"
)
"""What makes a question naming a contract term a rate question: naming Medicare alone does
not ("timely filing for Medicare claims")."""
_PRODUCT = re.compile(r"\bmedicare (advantage|part [a-d]|supplement\w*|replacement)\b", re.I)
"""A Medicare product line names a plan the contract covers, not the Medicare benchmark."""


def _intent(text: str, term: str | None, payers: tuple[str, ...]) -> str:
    text = _PRODUCT.sub("plan product", text)
    lowered = text.lower()
    for intent, pattern in _INTENTS:
        if not re.search(pattern, lowered):
            continue
        if intent == "solve" and not (_PERCENT.search(text) or _DOLLARS.search(text)):
            continue
        if intent == "proposal" and not _PERCENT.search(text):
            continue
        if intent in ("top_codes", "compare") and re.search(
            r"\bunderpa\w*|\bgap\b|\bbelow\b|\bagainst (medicare|the market)", lowered
        ):
            return "gap"
        if intent == "compare" and len(payers) == 1 and re.search(r"\bmedicare|\bmarket", lowered):
            return "gap"
        if (
            intent == "gap"
            and re.search(r"\bunderpa\w*", lowered)
            and _REMIT_WORDS.search(text)
            and not _BENCH_WORDS.search(text)
        ):
            return "underpayments"
        if (
            intent == "compare"
            and term is not None
            and not re.search(r"\bpays?\b|\brates?\b|\bcodes?\b|\b\d{5}\b", lowered)
        ):
            continue
        if intent == "gap" and term is not None and not re.search(_RATE_QUESTION, lowered):
            continue
        return intent
    if term is not None:
        return "contract_term"
    if re.search(r"\bunderpa\w*", lowered):
        return "underpayments"
    if payers or _DOMAIN.search(text):
        return "contract_search"
    return "out_of_scope"


def read_question(text: str, directory: PayerDirectory, today: date) -> Question:
    """Intent and slots of one question, on its own (follow-ups: see `resolve_follow_up`)."""
    payers = tuple(directory.find(text))
    term = find_term(text)
    codes = tuple(dict.fromkeys(m.group(1).upper() for m in _CODE.finditer(text)))
    percents = tuple(Decimal(m.group(1)) for m in _PERCENT.finditer(text))
    dollars = tuple(_amount(m.group(1), m.group(2)) for m in _DOLLARS.finditer(text))
    benchmark = "market" if re.search(r"\bmarket\b", text, re.I) else "medicare"
    return Question(
        text=text,
        intent=_intent(text, term, payers),
        payers=payers,
        codes=codes,
        percents=percents,
        dollars=dollars,
        term=term,
        code_group=_code_group(text),
        benchmark=benchmark,
        period=_period(text, today),
    )


def is_follow_up(question: Question) -> bool:
    """A short question that mostly changes a slot of the previous one ("and for UHC?")."""
    words = _WORD.findall(question.text.lower())
    borrowed = question.intent in ("contract_search", "out_of_scope", "gap", "compare")
    return bool(_FOLLOW_UP.search(question.text)) and len(words) <= 8 and borrowed


def resolve_follow_up(question: Question, previous: Question) -> Question:
    """The previous question's intent and slots, with whatever this one names replacing them."""
    return replace(
        previous,
        text=question.text,
        payers=question.payers or previous.payers,
        codes=question.codes or previous.codes,
        percents=question.percents or previous.percents,
        dollars=question.dollars or previous.dollars,
        code_group=question.code_group or previous.code_group,
        period=question.period or previous.period,
        inherited=True,
    )
