"""The clause wordings a tester found the review missing on other CUAD contracts (issue 12).

Each sentence is written here in the language's own terms, not copied from a contract.
"""

from __future__ import annotations

import pytest

from assistant.ingest.models import Page
from assistant.review.extraction import find_clauses


def _values(item_id: str, sentence: str) -> list[dict[str, object]]:
    return [dict(e.value) for e in find_clauses([Page(number=1, text=sentence)], item_id)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Either party may terminate this Agreement upon sixty (60) days' prior written notice to "
        "the other party.",
        "This Agreement is terminable by either party on ninety (90) days written notice.",
        "The Distributor may at any time terminate this Agreement by giving thirty (30) days "
        "notice in writing.",
        # a list of grounds, one of them notice alone
        "This Agreement may be terminated by the Supplier immediately if the Buyer fails to pay; "
        "or by either party upon ninety (90) days' written notice to the other.",
        "The license may be terminated (a) by mutual written consent, or (b) at any time upon "
        "thirty (30) days advance written notice from either party.",
        # a ground denied is none
        "Provided that no default is outstanding, either party may terminate this Agreement at "
        "any time on forty-five (45) days' written notice.",
        # a scope of work under the agreement, or the employment it sets up
        "The Buyer may terminate any statement of work at any time on reasonable written notice.",
        "The Employer may terminate the Manager's employment at any time by paying salary in lieu "
        "of notice.",
    ],
)
def test_termination_on_notice_without_the_words_without_cause(sentence: str) -> None:
    assert _values("termination_without_cause", sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Either party may terminate this Agreement upon thirty (30) days' written notice if the "
        "other party breaches any material term and fails to cure it.",
        "The Company may terminate this Agreement on sixty (60) days' notice if the Supplier "
        "undergoes a change of control.",
        "Either party may terminate this Agreement at any time, effective on written notice, "
        "should the other party become insolvent.",
        "The parties may terminate this Agreement at any time by mutual written agreement.",
        "The Company may terminate the Consultant's engagement for cause at any time.",
        "Either party may terminate this Agreement at any time on written notice: (a) if the "
        "other party is wound up; (b) if the other party assigns this Agreement.",
        # the end of something other than the agreement
        "The Contractor may terminate the subcontract with any Subcontractor at any time.",
        "The Underwriter may terminate its obligations at any time before the closing on notice.",
    ],
)
def test_termination_for_a_breach_or_event_is_not_termination_on_notice(sentence: str) -> None:
    assert not _values("termination_without_cause", sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Supplier shall offer Buyer prices no less favorable than those it offers to any other "
        "customer for similar quantities.",
        "The Licensee shall receive the most favorable treatment given to any licensee.",
        "Client will not be charged a higher fee than any other client for the same services.",
    ],
)
def test_most_favored_nation_wordings(sentence: str) -> None:
    assert find_clauses([Page(number=1, text=sentence)], "most_favored_nation")


@pytest.mark.parametrize(
    ("sentence", "law"),
    [
        ("this agreement shall be governed by the laws of the state of delaware.", "Delaware"),
        ("This Agreement shall be governed by and construed under the Laws of China.", "China"),
        (
            "This Agreement is governed by the laws of the Province of Ontario and the federal "
            "laws of Canada applicable therein.",
            "Ontario",
        ),
        ("The laws of California shall govern this Agreement.", "California"),
        (
            "THIS AGREEMENT WILL BE GOVERNED IN ALL RESPECTS BY THE LAWS OF THE STATE OF NEW YORK.",
            "New York",
        ),
        (
            "This Agreement shall be governed by the laws of the United States and the State of "
            "California.",
            "California",
        ),
    ],
)
def test_governing_law_in_any_case_and_outside_the_us(sentence: str, law: str) -> None:
    assert {"law": law} in _values("governing_law", sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "During the Term and for two (2) years thereafter, neither party shall solicit the other "
        "party's employees.",
        "Sections 5 and 7 shall survive termination and continue in effect thereafter for a period "
        "of three (3) years.",
        "The Term may be extended by mutual written agreement of the parties.",
        "The term of any order may be extended by written agreement of the parties.",
        "The delivery date may be extended by the Buyer for up to ten (10) days.",
    ],
)
def test_an_unrelated_thereafter_or_extended_is_no_renewal(sentence: str) -> None:
    assert not any(v.get("renews") for v in _values("auto_renewal", sentence))


@pytest.mark.parametrize(
    ("sentence", "notice"),
    [
        (
            "This Agreement shall renew automatically for successive one (1) year terms unless "
            "either party gives notice of non-renewal at least sixty (60) days prior to the end of "
            "the then-current term.",
            {"non_renewal_notice_days": 60},
        ),
        (
            "Thereafter the Agreement automatically renews for additional one-year periods unless "
            "a party notifies the other in writing at least ninety (90) days before the expiration "
            "date.",
            {"non_renewal_notice_days": 90},
        ),
        (
            "The term shall be extended automatically for consecutive periods of two (2) years "
            "unless terminated by either party upon six (6) months' written notice prior to the "
            "end of the term.",
            {"non_renewal_notice_months": 6},
        ),
    ],
)
def test_the_notice_that_stops_a_renewal_is_its_value(
    sentence: str, notice: dict[str, int]
) -> None:
    values = _values("auto_renewal", sentence)
    assert any(all(v.get(k) == n for k, n in notice.items()) for v in values), values


def _found(item_id: str, sentence: str) -> bool:
    return bool(find_clauses([Page(number=1, text=sentence)], item_id))


@pytest.mark.parametrize(
    "sentence",
    [
        "This Agreement may be renewed for a further period of two (2) years.",
        "The Licensee shall have the option to renew this License for one additional term.",
        "This appointment is renewable for one-year periods on the same conditions.",
        "Upon expiry of the Initial Term the Agreement shall be extended for one (1) year.",
    ],
)
def test_renewal_worded_as_a_verb_an_option_or_renewable(sentence: str) -> None:
    assert any(v.get("renews") for v in _values("auto_renewal", sentence))


def test_notice_before_the_then_current_term_ends_stops_a_renewal() -> None:
    sentence = (
        "A party that wishes to end this Agreement shall give written notice at least sixty (60) "
        "days before the end of the then-current term."
    )
    assert {"non_renewal_notice_days": 60, "non_renewal_notice": True}.items() <= next(
        iter(_values("auto_renewal", sentence))
    ).items()


@pytest.mark.parametrize(
    "sentence",
    [
        "If the Supplier grants to any other customer a lower price for the Products, it shall "
        "extend that lower price to the Buyer.",
        "Royalty rates under this Agreement shall be equal to or better than those offered to any "
        "other licensee.",
        "The Distributor shall receive the lowest price the Manufacturer charges to any other "
        "distributor.",
    ],
)
def test_most_favored_nation_by_better_terms_passed_on(sentence: str) -> None:
    assert _found("most_favored_nation", sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        # compared with the agreement itself, not with a third party
        "If the Employee is offered a new post on terms no less favourable than those of this "
        "Agreement, no severance is due.",
        "Prices for the second year shall be no less favorable than the prices of the first year.",
        # a price floor or a market adjustment is not parity with other buyers
        "The Distributor shall not resell the Products to any customer at a price less than the "
        "list price.",
        "If market prices fall, lower prices shall apply to the next order.",
    ],
)
def test_no_less_favourable_without_a_third_party_is_no_mfn(sentence: str) -> None:
    assert not _found("most_favored_nation", sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The Licensee shall give the Licensor reasonable access to its books and records relating "
        "to sales of the Products.",
        "An independent accountant may examine the Distributor's records to verify royalty "
        "payments.",
        "To verify the accuracy of the royalty reports, the Licensor may inspect the Licensee's "
        "books once a year.",
        "The Buyer may inspect the Seller's manufacturing plants during normal business hours upon "
        "reasonable notice.",
    ],
)
def test_audit_rights_worded_as_access_verification_or_inspection(sentence: str) -> None:
    assert _found("records_and_audit", sentence)


def test_a_representation_that_no_audit_took_place_is_no_audit_right() -> None:
    assert not _found(
        "records_and_audit", "There have been no audits of the compliance of the Company's plants."
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "The Contractor shall furnish certificates of insurance to the Owner before starting work.",
        "Insurance with limits of not less than five million dollars must be kept by the Vendor.",
        "The Carrier shall at all times be adequately insured against loss of the goods.",
        "The Consultant shall maintain errors and omissions coverage for the term.",
        "The Vendor shall carry coverage for its staff with limits of not less than the amounts "
        "in Schedule C.",
    ],
)
def test_insurance_worded_as_certificates_limits_or_being_insured(sentence: str) -> None:
    assert _found("insurance", sentence)


def test_an_independent_contractors_own_insurance_is_no_requirement() -> None:
    sentence = (
        "As an independent contractor, the Consultant receives no benefits from the Company, and "
        "the Company will not withhold taxes, pay pension contributions or obtain health "
        "insurance for him."
    )
    assert not _found("insurance", sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Neither party's liability under this Agreement shall exceed the fees paid in the prior "
        "twelve months.",
        "No claim arising under this Agreement may be brought more than one (1) year after it "
        "accrues.",
        "Under no circumstances will the Vendor be liable for lost profits.",
        "The Seller's liability for a defective part is limited to its replacement.",
        "Neither party shall be liable to the other for indirect or consequential damages.",
        "Damages recoverable by the Buyer shall not exceed the price of the goods.",
        "Any claim not brought within two (2) years after delivery is barred.",
    ],
)
def test_caps_on_liability_worded_as_limits_or_time_bars(sentence: str) -> None:
    assert _found("limitation_of_liability", sentence)


def test_damages_not_limited_to_an_amount_is_no_cap() -> None:
    sentence = (
        "The Supplier shall indemnify the Buyer against all damages, including but not limited "
        "to legal fees."
    )
    assert not _found("limitation_of_liability", sentence)


@pytest.mark.parametrize(
    ("item_id", "sentence"),
    [
        (
            "assignment",
            "Neither this Agreement nor any rights under it may be transferred by the "
            "Reseller without the Supplier's prior written approval.",
        ),
        (
            "assignment",
            "The Publisher may assign this Agreement to an affiliate upon prior "
            "written notice to the Author.",
        ),
        ("assignment", "The rights granted to the Agent are personal and shall not be assignable."),
        (
            "governing_law",
            "The validity and interpretation of this Agreement shall be determined "
            "by the laws of Switzerland.",
        ),
        ("governing_law", "This Agreement is subject to English law."),
        ("insurance", "The Lessee shall keep the Equipment insured at its own cost."),
        (
            "termination_without_cause",
            "Either party may cancel this Agreement upon thirty (30) days' written notice.",
        ),
    ],
)
def test_assignment_law_insurance_and_exit_in_other_words(item_id: str, sentence: str) -> None:
    assert _found(item_id, sentence)


def test_a_non_transferable_licence_grant_is_no_assignment_clause() -> None:
    sentence = "The Owner grants the User a non-exclusive, non-transferable licence to the Marks."
    assert not _found("assignment", sentence)


def test_without_limitation_of_remedies_is_no_cap() -> None:
    sentence = (
        "A breach of this section is a material breach, without limitation of remedies, and cause "
        "for termination."
    )
    assert not _found("limitation_of_liability", sentence)


def test_a_filing_deadline_for_medical_claims_is_no_time_bar_on_liability() -> None:
    sentence = (
        "Any claim must be filed within ninety (90) days of the date of service, and claims filed "
        "later are barred from payment."
    )
    assert not _found("limitation_of_liability", sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The Supplier shall comply with the laws of the State of New York in making the goods.",
        "Each party shall obey all laws of the Province of Ontario that apply to its business.",
    ],
)
def test_complying_with_a_places_laws_is_no_governing_law(sentence: str) -> None:
    assert not _values("governing_law", sentence)


def test_notice_before_the_initial_term_ends_is_no_renewal_notice() -> None:
    sentence = (
        "Either party may end this Agreement by notice given ninety (90) days before the end of "
        "the initial term."
    )
    assert not any("non_renewal_notice" in v for v in _values("auto_renewal", sentence))
