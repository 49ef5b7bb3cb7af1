"""The bundled regulatory milestones, insurance listings and prices of approved products."""

from __future__ import annotations

import pytest

from cartlandscape import Milestone, MilestoneKind, Price, Registry, Therapy

FIRST_AUTHORISATION = {MilestoneKind.APPROVAL, MilestoneKind.CONDITIONAL_APPROVAL}


def _therapy(reg: Registry, ident: str) -> Therapy:
    therapy = reg.therapies.get(ident)
    assert therapy is not None, ident
    return therapy


@pytest.mark.parametrize(
    ("therapy", "date", "secondary"),
    [
        ("idecabtagene-vicleucel", "2021-03-26", "2021-03-27"),
        ("brexucabtagene-autoleucel", "2020-07-24", "2020-07-23"),
        ("ciltacabtagene-autoleucel", "2022-02-28", "2022-03"),
    ],
)
def test_first_fda_approval_keeps_the_regulator_date(
    therapy: str, date: str, secondary: str, bundled: Registry
) -> None:
    """One FDA milestone per first approval, dated as the FDA's record dates it.

    The date a secondary source gives is kept as a disagreement, called its error.
    """
    (milestone,) = [
        m
        for m in _therapy(bundled, therapy).milestones
        if m.agency == "FDA" and m.type in FIRST_AUTHORISATION
    ]
    assert str(milestone.date) == date
    assert [(d.field, d.value) for d in milestone.disagreements] == [("date", secondary)]
    assert "error of the secondary source" in milestone.disagreements[0].reason.lower()


@pytest.mark.parametrize(
    ("therapy", "date", "other"),
    [
        ("axicabtagene-ciloleucel", "2021-06-23", "2021-06-22"),
        ("inaticabtagene-autoleucel", "2023-11-07", "2023-11-08"),
    ],
)
def test_first_nmpa_approval_is_one_milestone_with_the_other_date_listed(
    therapy: str, date: str, other: str, bundled: Registry
) -> None:
    """The NMPA approvals dated a day apart by two sources are one milestone each, dated as the
    stronger source dates it."""
    (milestone,) = [
        m
        for m in _therapy(bundled, therapy).milestones
        if m.agency == "NMPA" and m.type == "approval"
    ]
    assert str(milestone.date) == date
    assert [(d.field, d.value) for d in milestone.disagreements] == [("date", other)]


@pytest.mark.bundled("therapy", lambda reg: reg.therapies)
def test_no_regulatory_decision_is_recorded_twice(therapy: Therapy) -> None:
    """No two approval milestones share agency, indication and type."""
    keys = [(m.agency, m.indication, m.type) for m in therapy.milestones if m.is_approval]
    assert len(keys) == len(set(keys))


def test_every_approval_counts_once_as_a_decision(bundled: Registry) -> None:
    """Grouping the approval milestones into decisions merges none of them."""
    pairs = [(t, m) for t in bundled.therapies for m in t.milestones if m.is_approval]
    assert len(bundled.approval_decisions()) == len(pairs)


@pytest.mark.parametrize("ident", ["ari-0001", "cesnicabtagene-autoleucel"])
def test_hospital_exemption_is_never_an_approval(ident: str, bundled: Registry) -> None:
    """A product used under the Spanish hospital exemption is recorded, but not approved."""
    therapy = _therapy(bundled, ident)
    (milestone,) = therapy.milestones
    assert (milestone.agency, milestone.type, milestone.jurisdiction) == (
        "AEMPS",
        MilestoneKind.HOSPITAL_EXEMPTION,
        "ES",
    )
    assert not milestone.is_approval
    assert not therapy.is_approved


def test_products_approved_only_in_india_are_found_by_brand(bundled: Registry) -> None:
    """NexCAR19 and Qartemi are approved by India's CDSCO and by no other agency."""
    nexcar = bundled.lookup("NexCAR19", "therapy")
    assert {m.agency for m in nexcar.milestones} == {"CDSCO"}
    assert str(nexcar.first_approval().date) == "2023-10"  # type: ignore[union-attr]
    qartemi = bundled.lookup("Qartemi", "therapy")
    assert [m.agency for m in qartemi.approvals()] == ["CDSCO"]
    assert str(qartemi.approvals()[0].not_after) == "2025-01-20"


def test_commercial_insurance_list_holds_five_chinese_car_t_products(bundled: Registry) -> None:
    """The NHSA listings are insurance listings, not approvals; cilta-cel is not listed."""
    listed = {
        t.id
        for t in bundled.therapies
        for m in t.milestones
        if m.agency == "NHSA" and m.type == MilestoneKind.INSURANCE_LISTING
    }
    assert listed == {
        "axicabtagene-ciloleucel",
        "relmacabtagene-autoleucel",
        "inaticabtagene-autoleucel",
        "equecabtagene-autoleucel",
        "zevorcabtagene-autoleucel",
    }
    nhsa = [m for t in bundled.therapies for m in t.milestones if m.agency == "NHSA"]
    assert all(not m.is_approval and str(m.date) == "2025-12-07" for m in nhsa)
    assert not any(m.type == MilestoneKind.REIMBURSEMENT_LISTING for m in nhsa)


def test_regulators_outside_the_us_and_china_are_recorded(bundled: Registry) -> None:
    """EC, MHLW and Health Canada decisions are on the records of the global products."""
    agencies = {m.agency for m in _therapy(bundled, "tisagenlecleucel").approvals()}
    assert {"FDA", "EC", "MHLW", "HC", "SWISSMEDIC"} <= agencies
    (ec,) = _therapy(bundled, "obecabtagene-autoleucel").approvals("EC")
    assert (ec.type, str(ec.date)) == (MilestoneKind.CONDITIONAL_APPROVAL, "2025-07")
    chmp = [m for m in _therapy(bundled, "obecabtagene-autoleucel").milestones if m.agency == "EMA"]
    assert [(m.type, m.is_approval) for m in chmp] == [(MilestoneKind.CHMP_OPINION, False)]


@pytest.mark.parametrize(
    ("therapy", "country", "amount"),
    [
        ("tisagenlecleucel", "US", "475000 USD"),
        ("axicabtagene-ciloleucel", "US", "373000 USD"),
        ("idecabtagene-vicleucel", "US", "419500 USD"),
        ("ciltacabtagene-autoleucel", "US", "465000 USD"),
        ("obecabtagene-autoleucel", "US", "525000 USD"),
        ("tisagenlecleucel", "JP", "33493407 JPY"),
    ],
)
def test_launch_prices_keep_their_currency(
    therapy: str, country: str, amount: str, bundled: Registry
) -> None:
    """Each launch price is found by therapy and country, in the currency the source gives."""
    (price,) = [p for p in bundled.prices_for(therapy=therapy, country=country) if p.launch]
    assert str(price.amount) == amount
    assert price.currency == amount.split()[1]


def test_prices_in_yuan_are_not_converted(bundled: Registry) -> None:
    """Asking for yuan gives only the Chinese prices, in yuan."""
    prices = bundled.prices_for(currency="CNY")
    assert {p.therapy for p in prices} == {
        "axicabtagene-ciloleucel",
        "relmacabtagene-autoleucel",
        "inaticabtagene-autoleucel",
        "equecabtagene-autoleucel",
        "zevorcabtagene-autoleucel",
    }
    assert {p.country for p in prices} == {"CN"}


@pytest.mark.parametrize("site", ["visualfoodie", "winenfood", "eatsip365"])
def test_no_source_is_a_page_that_invents_prices(site: str, bundled: Registry) -> None:
    """Pages of food and lifestyle blogs that invent prices are never cited."""
    for source in bundled.sources:
        for address in (source.url, getattr(source, "read_at", None)):
            assert site not in (address or ""), source.id


def _milestones(registry: Registry, therapy: str, agency: str, kind: str) -> list[Milestone]:
    found = registry.therapies.get(therapy)
    assert found is not None, therapy
    return [m for m in found.milestones if m.agency == agency and m.type == kind]


def _sources(milestone: Milestone | Price) -> set[str]:
    return {c.source for c in milestone.citations}


def test_yescarta_eu_authorisation_is_dated_by_the_ema_record(bundled: Registry) -> None:
    """The EC decision on axicabtagene ciloleucel has its day (23 August 2018) from the EMA's
    product record; the company release of 27 August stays cited beside it."""
    (ec,) = _milestones(bundled, "axicabtagene-ciloleucel", "EC", "approval")
    assert (str(ec.date), ec.jurisdiction) == ("2018-08-23", "EU")
    assert _sources(ec) == {
        "ema-record-yescarta",
        "gba-axicabtagene-ciloleucel-2023",
        "kite-yescarta-ec-approval-2018",
    }
    (chmp,) = _milestones(bundled, "axicabtagene-ciloleucel", "EMA", "chmp-opinion")
    assert str(chmp.date) == "2018-06-28"
    assert "ema-record-yescarta" in _sources(chmp)
    record = bundled.sources["ema-record-yescarta"]
    assert record.url == "https://www.ema.europa.eu/en/medicines/human/EPAR/yescarta"


@pytest.mark.parametrize(
    ("therapy", "agency", "kind", "date", "source"),
    [
        (
            "idecabtagene-vicleucel",
            "EC",
            "label-expansion",
            "2024-03",
            "thepharmaletter-abecma-ec-extension-2024",
        ),
        (
            "ciltacabtagene-autoleucel",
            "EMA",
            "chmp-opinion",
            "2024-02",
            "mpe-carvykti-chmp-earlier-lines-2024",
        ),
    ],
)
def test_eu_decisions_on_earlier_lines_are_recorded(
    bundled: Registry, therapy: str, agency: str, kind: str, date: str, source: str
) -> None:
    """The 2024 EU steps to earlier lines in myeloma: Abecma's extension, Carvykti's opinion."""
    (milestone,) = [m for m in _milestones(bundled, therapy, agency, kind) if str(m.date) == date]
    assert milestone.indication == "multiple-myeloma"
    assert source in _sources(milestone)
    assert not (kind == "chmp-opinion" and milestone.is_approval)


def test_pcar_19b_approval_is_undated_and_rests_on_its_one_report(bundled: Registry) -> None:
    """pCAR-19B: the application was accepted in July 2024; the NMPA approval is recorded without
    a date or bound, because the one report of it gives none and nothing confirmed a day."""
    therapy = bundled.therapies["pcar-19b"]
    assert therapy.is_approved
    (accepted,) = _milestones(bundled, "pcar-19b", "NMPA", "application-accepted")
    assert str(accepted.date) == "2024-07"
    (approval,) = therapy.approvals()
    assert (approval.agency, approval.type, approval.jurisdiction) == ("NMPA", "approval", "CN")
    assert approval.indication == "b-cell-acute-lymphoblastic-leukemia"
    assert approval.date is None
    assert approval.not_after is None
    assert _sources(approval) == {"flcube-pcar-19b-approval"}


def test_the_hrain_product_is_not_recorded(bundled: Registry) -> None:
    """The product of Shanghai Hrain Biotechnology reported approved on 2025-07-31 is unconfirmed,
    so no therapy record names it."""
    names = {n.casefold() for t in bundled.therapies for n in (t.name, *t.aliases, *t.brands)}
    assert not names & {"恒凯莱", "雷尼基奥仑赛", "hr001"}


def test_kymriah_german_price_is_reported_in_euro(bundled: Registry) -> None:
    """Germany: the cost per patient reported in March 2019, in euro, not a list price."""
    (price,) = bundled.prices_for(therapy="tisagenlecleucel", country="DE")
    assert (str(price.amount), str(price.date)) == ("320000 EUR", "2019-03-06")
    assert price.type == "reported"
    assert price.basis == "per-course"
    assert _sources(price) == {"aerztezeitung-kymriah-pay-for-outcome-2019"}
    assert bundled.prices_for(currency="EUR") == (price,)


@pytest.mark.parametrize(
    ("therapy", "indications", "date", "source"),
    [
        (
            "tisagenlecleucel",
            {"b-cell-acute-lymphoblastic-leukemia", "diffuse-large-b-cell-lymphoma"},
            "2018-12-13",
            "tga-new-biologicals-2018",
        ),
        (
            "axicabtagene-ciloleucel",
            {"large-b-cell-lymphoma"},
            "2020-02-11",
            "tga-new-biologicals-2020",
        ),
    ],
)
def test_tga_registrations_are_dated_by_the_tga(
    bundled: Registry, therapy: str, indications: set[str], date: str, source: str
) -> None:
    """Kymriah and Yescarta in Australia: one milestone per indication, dated by the day of the
    registration decision in the TGA's own list of new biologicals."""
    milestones = bundled.therapies[therapy].approvals("TGA")
    assert {m.indication for m in milestones} == indications
    for milestone in milestones:
        assert (str(milestone.date), milestone.jurisdiction) == (date, "AU")
        assert source in _sources(milestone)
        assert bundled.sources[source].effective_tier == "regulator"


def test_equecabtagene_hong_kong_approval_is_bounded_by_its_announcement(
    bundled: Registry,
) -> None:
    """Hong Kong's approval of Fucaso: no decision day was read, so it is bounded by the company's
    announcement of 27 November 2025, and stays apart from the NMPA's conditional approval."""
    therapy = bundled.therapies["equecabtagene-autoleucel"]
    (hk,) = therapy.approvals("HK-DOH")
    assert (hk.date, str(hk.not_after), hk.jurisdiction) == (None, "2025-11-27", "HK")
    assert _sources(hk) == {"pbr-fucaso-hong-kong-2025", "iaso-fucaso-hong-kong-2025"}
    assert str(therapy.first_approval().date) == "2023-06-30"  # type: ignore[union-attr]


def test_abecma_japanese_price_is_the_chuikyo_price(bundled: Registry) -> None:
    """Japan: Abecma's NHI price per patient, approved by Chuikyo on 13 April 2022, in yen."""
    (price,) = bundled.prices_for(therapy="idecabtagene-vicleucel", country="JP")
    assert (str(price.amount), str(price.date)) == ("32647761 JPY", "2022-04-13")
    assert (price.type, price.launch, price.basis) == ("reimbursement-tariff", True, "per-course")
    assert "yakuyomi-abecma-nhi-price-2022" in _sources(price)


@pytest.mark.parametrize(
    ("therapy", "agency", "date", "source"),
    [
        ("axicabtagene-ciloleucel", "MHLW", "2021-01-22", "scrt-2025-japan-approvals-table-3"),
        ("lisocabtagene-maraleucel", "MHLW", "2021-03-22", "scrt-2025-japan-approvals-table-3"),
        ("idecabtagene-vicleucel", "HC", "2021-05-26", "hc-noc-c-list"),
    ],
)
def test_first_approvals_known_to_the_month_now_have_their_day(
    bundled: Registry, therapy: str, agency: str, date: str, source: str
) -> None:
    """Decisions once dated to the month of a company release carry the day a regulator's list
    or a journal table gives; every milestone of that decision has the same day."""
    decisions = [
        m for m in bundled.therapies[therapy].approvals(agency) if m.type in FIRST_AUTHORISATION
    ]
    assert decisions
    for milestone in decisions:
        assert str(milestone.date) == date
        assert source in _sources(milestone)


def test_kymriah_eu_date_keeps_the_ema_record_over_the_g_ba_quote(bundled: Registry) -> None:
    """The G-BA's 23 August 2018 is a recorded disagreement; the EMA record's day is the value."""
    (ec_all,) = [
        m
        for m in bundled.therapies["tisagenlecleucel"].approvals("EC")
        if m.indication == "b-cell-acute-lymphoblastic-leukemia"
    ]
    assert str(ec_all.date) == "2018-08-22"
    assert [(d.field, d.value) for d in ec_all.disagreements] == [("date", "2018-08-23")]
    assert ec_all.disagreements[0].citations[0].source == "gba-tisagenlecleucel-all-2024"
    assert bundled.sources["myhealthbox-kymriah-eu"].effective_tier == "regulator"


def test_breyanzi_us_launch_price_is_the_2021_wholesale_price(bundled: Registry) -> None:
    """Breyanzi's launch price (2021) comes before its 2024 wholesale price, both in dollars."""
    prices = bundled.prices_for(therapy="lisocabtagene-maraleucel", country="US")
    assert [(str(p.amount), str(p.date), p.launch) for p in prices] == [
        ("410300 USD", "2021-02-08", True),
        ("487477 USD", "2024-03-14", None),
    ]
    assert prices[0].type == "wholesale-acquisition-cost"


@pytest.mark.parametrize("therapy", ["equecabtagene-autoleucel", "zevorcabtagene-autoleucel"])
def test_chinese_prices_known_only_as_a_bound_stay_a_bound(bundled: Registry, therapy: str) -> None:
    """Eque-cel and zevor-cel: the reports give only "more than a million yuan" per infusion, so
    the price is a bound of type 'reported', never a list price."""
    (price,) = bundled.prices_for(therapy=therapy, country="CN")
    assert (str(price.amount), price.type, price.basis) == (
        ">1000000 CNY",
        "reported",
        "per-infusion",
    )
    assert price.launch is None
    assert "szdaily-insurance-innovative-drug-list-2025" in _sources(price)


def test_japanese_myeloma_approvals_are_dated_by_the_trade_press(bundled: Registry) -> None:
    """Carvykti's Japanese approval has its day (26 September 2022); Abecma's stays in the month
    the company announced it, and its 2023 extension to earlier lines is a label expansion."""
    (carvykti,) = bundled.therapies["ciltacabtagene-autoleucel"].approvals("MHLW")
    assert str(carvykti.date) == "2022-09-26"
    assert "mixonline-carvykti-japan-approval-2022" in _sources(carvykti)
    abecma = bundled.therapies["idecabtagene-vicleucel"].approvals("MHLW")
    assert [(m.type, str(m.date)) for m in abecma] == [
        (MilestoneKind.APPROVAL, "2022-01"),
        (MilestoneKind.LABEL_EXPANSION, "2023-12-06"),
    ]


def test_carvykti_eu_approval_cites_the_company_release(bundled: Registry) -> None:
    """Carvykti's EU authorisation rests on Janssen's release of 26 May 2022, dated to the month."""
    (ec,) = bundled.therapies["ciltacabtagene-autoleucel"].approvals("EC")
    assert str(ec.date) == "2022-05"
    assert "janssen-carvykti-ec-approval-2022" in _sources(ec)
    assert bundled.sources["janssen-carvykti-ec-approval-2022"].effective_tier == "company"
