"""Reading a question for the offline model: what is asked (intent) and about what (slots)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from assistant.resources import knowledge_dir

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
_DOLLAR_WORDS = re.compile(
    r"\b(\d[\d,]*(?:\.\d+)?)\s*(k|m|thousand|million)?\s*(?:dollars|bucks)\b", re.I
)

CHECKLIST_PATH = knowledge_dir() / "checklist.yaml"


def _checklist_terms() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """(id -> short name, (asked_as pattern, id) pairs) of knowledge/checklist.yaml: the one
    vocabulary of contract terms."""
    import yaml

    data = yaml.safe_load(CHECKLIST_PATH.read_text(encoding="utf-8"))
    names = {str(i["id"]): str(i.get("short_name") or i["name"]) for i in data["items"]}
    words = tuple(
        (str(pattern), str(i["id"])) for i in data["items"] for pattern in i.get("asked_as") or ()
    )
    return names, words


TERM_NAMES, TERM_WORDS = _checklist_terms()
"""Checklist term names, and the plain-words ways a question names a term (`asked_as`)."""

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
    program: str | None = None
    """The attachment asked about: medicaid, medicare advantage, commercial (None: any)."""
    reason_codes: tuple[str, ...] = ()
    """Remittance reason codes named ("CO-45", "N130")."""
    alternatives: tuple[str, ...] = ()
    """For intent "ask_back": the two close readings to offer, best first."""
    all_payers: bool = False
    """The question asks across payers ("which payer has the shortest timely filing")."""

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
    """The term whose words the text uses most specifically (the longest match; on a tie the
    later one, since a qualifier follows its noun: "terminate ... for cause")."""
    found = []
    for pattern, term in TERM_WORDS:
        for match in re.finditer(pattern, text, re.I):
            found.append((len(match.group()), match.start(), term))
    return max(found)[2] if found else None


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


def _keyword_intent(text: str, term: str | None, payers: tuple[str, ...]) -> str:
    """The intent by keyword rules: the fallback when the embedding model cannot load."""
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


_TEN_WORDS = "twenty thirty forty fifty sixty seventy eighty ninety"
_UNITS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = dict(zip(_TEN_WORDS.split(), range(20, 100, 10), strict=True))
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
NUMBER_WORDS = frozenset([*_UNITS, *_TENS, "hundred", "thousand"])
"""The words a spelled-out figure in an answer is made of (grounding reads these)."""
_NUMBER_WORD = "|".join([*_UNITS, *_TENS, *_SCALES, "and", "a", "half", "point", "quarter"])
_NUMBER_WORDS = re.compile(
    rf"\b(?:{'|'.join([*_UNITS, *_TENS])})(?:[\s-]+(?:{_NUMBER_WORD})\b)*", re.I
)


def _words_value(words: list[str]) -> tuple[Decimal, int] | None:
    """The value of number words ("one hundred five", "two and a half", "three point five")
    and how many of the words it used; None if the first word is no number."""
    total, current, used = Decimal(0), Decimal(0), 0
    i = 0
    while i < len(words):
        w = words[i]
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = (current or Decimal(1)) * 100
        elif w in ("thousand", "million"):
            total += (current or Decimal(1)) * _SCALES[w]
            current = Decimal(0)
        elif w == "point" and i + 1 < len(words) and words[i + 1] in _UNITS:
            digits = ""
            while i + 1 < len(words) and words[i + 1] in _UNITS:
                digits += str(_UNITS[words[i + 1]])
                i += 1
            current += Decimal("0." + digits)
        elif w == "and" and words[i + 1 : i + 3] in (["a", "half"], ["a", "quarter"]):
            current += Decimal("0.5") if words[i + 2] == "half" else Decimal("0.25")
            i += 2
        elif w == "and" and i + 1 < len(words) and words[i + 1] in (*_UNITS, *_TENS):
            pass
        else:
            break
        used = i + 1
        i += 1
    if used == 0:
        return None
    return total + current, used


def read_number_words(text: str) -> Decimal | None:
    """The value of a phrase that is number words and nothing else ("ninety-five", "a hundred
    and twenty", "two and a half"); None when any word is not part of the number."""
    words = [w for w in re.split(r"[\s-]+", text.lower().strip()) if w]
    # "a hundred", "a thousand": the article is the one.
    following = [*words[1:], ""]
    words = [
        "one" if w == "a" and nxt in _SCALES else w for w, nxt in zip(words, following, strict=True)
    ]
    read = _words_value(words)
    return read[0] if read is not None and read[1] == len(words) else None


def spell_numbers(text: str) -> str:
    """`text` with spelled-out numbers as digits ("three percent" -> "3 percent", "two and a
    half %" -> "2.5 %"); "one" alone stays a word unless a unit follows ("one percent")."""

    def fix(match: re.Match[str]) -> str:
        words = re.split(r"[\s-]+", match.group().lower())
        read = _words_value(words)
        if read is None:
            return match.group()
        value, used = read
        rest = " ".join(match.group().split()[used:]) if used < len(words) else ""
        after = text[match.end() : match.end() + 12].lower()
        if words[:used] == ["one"] and not re.match(r"\s*(%|percent|pct|dollars)", after):
            return match.group()
        number = f"{value.normalize():f}"
        return number + (" " + rest if rest else "")

    return _NUMBER_WORDS.sub(fix, text)


_REASON = re.compile(
    r"\b(CO|PR|OA|PI|CR)\s*-?\s*(\d{1,3}|[A-Z]\d{1,2})\b|"
    r"\b(?:carc|reason(?: code)?|adjustment(?: reason)?(?: code)?|denial code)\s*#?\s*(\d{1,3})\b|"
    r"\b(?:rarc|remark(?: code)?)\s*#?\s*([MN]A?\d{1,3})\b|\b([MN]A?\d{2,3})\b",
    re.I,
)
_PROGRAMS = (
    (
        r"\bmedicare advantage\b|\bMA\b|\bmedicare\b(?! (rates?|fee schedule|benchmark))",
        "medicare advantage",
    ),
    (r"\bmedicaid\b|\btenncare\b|\bchip\b", "medicaid"),
    (r"\bcommercial\b", "commercial"),
)
"""A program (attachment) a question names: plain "Medicare" names the Medicare Advantage
product unless it is the rate benchmark."""
_ALL_PAYERS = re.compile(
    r"\bwhich (payer|contract|plan|one)s?\b|\b(all|each|every) (of )?(our |the )?"
    r"(payers|contracts|plans)\b|\bacross (our |the |all )?(payers|contracts)\b|"
    r"\bshortest|\blongest|\bfastest|\bslowest|\bsoonest|\bwho (pays|has|gives)\b",
    re.I,
)


def reason_codes(text: str) -> tuple[str, ...]:
    """Remittance reason codes a question names, as "CO-45", "45" or "N130"."""
    found = []
    for m in _REASON.finditer(text):
        if m.group(1):
            found.append(f"{m.group(1).upper()}-{m.group(2).upper()}")
        else:
            found.append((m.group(3) or m.group(4) or m.group(5)).upper())
    return tuple(dict.fromkeys(found))


def _program(text: str) -> str | None:
    for pattern, program in _PROGRAMS:
        if re.search(pattern, text, re.I if pattern != r"\bMA\b" else 0):
            return program
    return None


CONTRACT_INTENTS = frozenset({"contract_term", "contract_search", "compare_terms", "review"})
"""Readings that all answer from contract text: never asked back between each other."""
ASK_BACK_MARGIN = 0.02
"""Score gap of the two best readings under which the model asks which was meant (tuned on
the tune questions: most wrong routes were within 0.02, few right ones)."""
OFF_TOPIC_BELOW = 0.3
"""Best example similarity under which a question without domain words is out of scope."""


@dataclass(frozen=True)
class IntentSpec:
    """An intent another module adds: examples to route by, and how to plan and compose.

    `plan(model, question, results) -> list[Call]` and `compose(model, question, by_name,
    draft) -> None` have the signatures of OfflineChatModel's own planners and composers
    (assistant/agent/offline.py); `describe` names the reading when asking back, with
    {payer} filled in ("what is due with {payer}").
    """

    name: str
    examples: tuple[str, ...]
    plan: Callable[..., Any]
    compose: Callable[..., Any]
    describe: str = ""


_REGISTERED: dict[str, IntentSpec] = {}


def register_intent(spec: IntentSpec) -> None:
    """Add an intent to the offline model (see the module docstring of offline.py)."""
    _REGISTERED[spec.name] = spec


def registered_intent(name: str) -> IntentSpec | None:
    return _REGISTERED.get(name)


def _router() -> Any:
    from assistant.agent.router import default_router

    return default_router({name: spec.examples for name, spec in _REGISTERED.items()})


def _rate_words(text: str) -> bool:
    return bool(
        re.search(_RATE_QUESTION, text, re.I)
        or re.search(r"\brates?\b|\bpays?\b.*\bfor\b.*\d{4}|\b\d{5}\b", text, re.I)
    )


def route(
    text: str,
    term: str | None,
    payers: tuple[str, ...],
    codes: tuple[str, ...] = (),
    reasons: tuple[str, ...] = (),
    router: Any = None,
    slots: dict[str, Any] | None = None,
) -> tuple[str, tuple[str, ...], str | None]:
    """(intent, close alternatives, term) of a question: the nearest labelled examples decide,
    rules on the slots settle what the examples cannot know (is a term named, a code, an
    offer); a contract-term reading naming no checklist words gets the term nearest in meaning."""
    slots = slots or {"reasons": reasons, "percents": (), "dollars": (), "text": text}
    router = router if router is not None else _router()
    if router is None:
        return _keyword_intent(text, term, payers), (), term
    ranked = [r for r in router.rank(_PRODUCT.sub("plan product", text)) if _fits(r.intent, slots)]
    from assistant.agent.router import Reading

    ranked += [Reading("out_of_scope", -1.0)] * (2 - len(ranked))
    best, second = ranked[0], ranked[1]
    intent = best.intent
    lowered = text.lower()
    several = len(payers) >= 2 or bool(_ALL_PAYERS.search(text))
    if intent == "out_of_scope" or (
        best.score < OFF_TOPIC_BELOW and not payers and not _DOMAIN.search(text)
    ):
        return ("out_of_scope" if not (term or payers) else "contract_search"), (), term
    if intent in ("contract_term", "compare_terms") and term is None:
        term = _term_by_meaning(text)
    forced = True
    asks_review = re.search(r"\bred[- ]flags?|\bsummar|\breview\b|\boverview|\brisk", lowered)
    if term is not None and intent not in CONTRACT_INTENTS | {"talking_points", "help"}:
        if not _rate_words(_PRODUCT.sub("plan product", text)):
            intent = "compare_terms" if several or intent == "compare" else "contract_term"
        else:
            forced = False
    elif (
        term is not None
        and intent == "contract_search"
        or term is not None
        and intent == "review"
        and not asks_review
    ):
        intent = "compare_terms" if several else "contract_term"
    elif intent == "contract_term" and term is None:
        intent = "contract_search"
    elif intent in ("contract_term", "compare_terms") and term is not None:
        intent = "compare_terms" if several else "contract_term"
    elif intent == "compare_terms":
        intent = "compare" if _rate_words(text) or codes else "contract_search"
    elif intent == "denials" and reasons and re.search(r"\bmean|\bwhat is|\bexplain", lowered):
        intent = "denial_code"
    else:
        forced = False
    if _asks_the_document(text, codes, slots):
        # "is there anything in the Aetna contract about crypto payments": a question about
        # the document itself, with no code or figure to price, is answered from its text.
        if intent in _PRICING_READINGS:
            return ("contract_term" if term else "contract_search"), (), term
        if intent in CONTRACT_INTENTS:
            return intent, (), term
    if forced or second.intent == "out_of_scope":
        return intent, (), term
    if reasons and "denial_code" in (best.intent, second.intent):
        return "denial_code", (), term
    if {best.intent, second.intent} == {"solve", "proposal"}:
        # Both price a change; a target to reach makes it a solve.
        return ("solve" if _TARGET_WORDS.search(text) else "proposal"), (), term
    close = best.score - second.score < ASK_BACK_MARGIN
    if close and not {best.intent, second.intent} <= CONTRACT_INTENTS:
        return "ask_back", (best.intent, second.intent), term
    return intent, (), term


_NAMES_DOCUMENT = re.compile(r"\b(?:contract|agreement|template|attachment|amendment)s?\b", re.I)
_PRICING_READINGS = frozenset({"gap", "proposal", "solve", "walk_away", "compare", "top_codes"})


def _asks_the_document(text: str, codes: tuple[str, ...], slots: dict[str, Any]) -> bool:
    """The question names a contract document and nothing a rate tool would price."""
    figures = codes or slots.get("percents") or slots.get("dollars")
    return bool(_NAMES_DOCUMENT.search(text)) and not figures


TERM_BY_MEANING_FROM = 0.4
"""Similarity to a checklist item's name and scope from which a question routed to a contract
term, but naming no term in words the checklist lists, is read as that item."""


def _term_by_meaning(text: str) -> str | None:
    from assistant.agent.router import default_term_matcher

    matcher = default_term_matcher()
    if matcher is None:
        return None
    nearest = matcher.nearest(text)
    return nearest.intent if nearest.score >= TERM_BY_MEANING_FROM else None


_REMITTANCE = re.compile(
    r"underpa|short|less than|below|remit|\bclaims?\b|\bpaid\b|\beras?\b|\b835\b|"
    r"\bden(y|ied|ial)|\badjust|\bcarc\b|\breject",
    re.I,
)
_FLOOR_WORDS = re.compile(
    r"\bwalk[- ]?away|\bfloor\b|\bbottom line|\bminimum\b|\baccept|\btake (it|this|that)\b|"
    r"\bsign\b|\bclears?\b|\bshould we\b",
    re.I,
)
_TARGET_WORDS = re.compile(
    r"\bneed|\breach|\bget (us )?to\b|\bgets us\b|\bhit\b|\btarget|\bto (make|earn|get)\b|"
    r"\bask (\w+ )?for\b|\bcounter",
    re.I,
)
_OFFER_OR_FLOOR = re.compile(
    r"\boffer|\bpropos|\bgives?\b|\bworth\b|\braise|\bbump|\bincrease|\bwalk[- ]?away|"
    r"\bfloor\b|\bbottom line|\bminimum\b|\baccept|\bclear",
    re.I,
)


def _fits(intent: str, slots: dict[str, Any]) -> bool:
    """Whether the slots allow a reading: an offer needs a percent, a reason code a code."""
    if intent == "denial_code":
        return bool(slots["reasons"])
    if intent == "walk_away":
        return bool(slots["percents"]) and bool(_FLOOR_WORDS.search(slots["text"]))
    if intent in ("underpayments", "denials"):
        return bool(_REMITTANCE.search(slots["text"]))
    if intent == "proposal":
        # Pricing an offer needs the offer, in figures or in words ("Aetna's proposal, is it any
        # good?"); "how much do we lose on 99214" names none and asks today's gap.
        return bool(slots["percents"] or slots["dollars"] or _OFFER_OR_FLOOR.search(slots["text"]))
    if intent == "gap" and slots["percents"]:
        # A percent with an offer or a floor is a proposal to price, not today's rates.
        return not _OFFER_OR_FLOOR.search(slots["text"])
    if intent == "solve":
        target = _TARGET_WORDS.search(slots["text"])
        return bool(slots["percents"] or slots["dollars"]) and bool(target)
    return True


def read_question(
    text: str, directory: PayerDirectory, today: date, router: Any = None
) -> Question:
    """Intent and slots of one question, on its own (follow-ups: see `resolve_follow_up`)."""
    spelled = spell_numbers(text)
    payers = tuple(directory.find(text))
    term = find_term(text)
    codes = tuple(dict.fromkeys(m.group(1).upper() for m in _CODE.finditer(spelled)))
    percents = tuple(Decimal(m.group(1)) for m in _PERCENT.finditer(spelled))
    dollars = tuple(_amount(m.group(1), m.group(2)) for m in _DOLLARS.finditer(spelled))
    dollars = dollars or tuple(
        _amount(m.group(1), m.group(2)) for m in _DOLLAR_WORDS.finditer(spelled)
    )
    benchmark = "market" if re.search(r"\bmarket\b", text, re.I) else "medicare"
    reasons = reason_codes(text)
    slots = {"reasons": reasons, "percents": percents, "dollars": dollars, "text": text}
    intent, alternatives, term = route(text, term, payers, codes, reasons, router, slots)
    return Question(
        text=text,
        intent=intent,
        payers=payers,
        codes=codes,
        percents=percents,
        dollars=dollars,
        term=term if intent in CONTRACT_INTENTS else None,
        code_group=_code_group(text),
        benchmark=benchmark,
        period=_period(text, today),
        program=_program(text) if term or intent in CONTRACT_INTENTS else None,
        reason_codes=reasons,
        alternatives=alternatives,
        all_payers=bool(_ALL_PAYERS.search(text)),
    )


_SLOT_ONLY = re.compile(
    r"^\s*(and|what about|how about|same for|same (thing|question) for|also|now|ok(ay)?,?|"
    r"then|for)\b|^\s*\w+( \w+)?\s*\?\s*$",
    re.I,
)


def is_follow_up(question: Question) -> bool:
    """A short question that mostly changes a slot of the previous one ("and for UHC?", "what
    about the Medicare Advantage side?")."""
    words = _WORD.findall(question.text.lower())
    return bool(_SLOT_ONLY.search(question.text)) and len(words) <= 9


def resolve_follow_up(question: Question, previous: Question) -> Question:
    """The previous question's intent and slots, with whatever this one names replacing them."""
    intent = previous.intent
    payers = question.payers or previous.payers
    term = question.term or previous.term
    if intent == "compare_terms" and len(question.payers) == 1:
        intent = "contract_term"
    elif intent == "contract_term" and len(payers) >= 2:
        intent = "compare_terms"
    if question.term and intent not in ("contract_term", "compare_terms"):
        intent = "contract_term"
    return replace(
        previous,
        text=question.text,
        intent=intent,
        payers=payers,
        codes=question.codes or previous.codes,
        percents=question.percents or previous.percents,
        dollars=question.dollars or previous.dollars,
        code_group=question.code_group or previous.code_group,
        period=question.period or previous.period,
        term=term,
        program=question.program or previous.program,
        reason_codes=question.reason_codes or previous.reason_codes,
        all_payers=question.all_payers and not question.payers,
        inherited=True,
    )
