"""Pact API: filters, the overdue flag, "why", history links, the PDF, a constant query count."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrity.models import Decree, IntegrityPact, PactParty
from integrity.services import org
from integrity.services.pacts import pact_record_external_signature, pacts_reconcile
from integrity.workdays import today_jakarta
from tests.api.conftest import Office, client_for, pact_of
from tests.factories import make_official, make_position

pytestmark = pytest.mark.django_db

D1 = datetime.date(2026, 6, 1)


def numbers(response: Any) -> set[str]:
    assert response.status_code == 200, response.content[:300]
    return {item["number"] for item in response.json()["results"]}


@pytest.fixture
def recent_pact(office: Office) -> IntegrityPact:
    """GIVEN a third staff member of the PD section who started today: their pact is pending and
    not yet due."""
    position = make_position("KPPN-BNA-PD-PELAKSANA-3", office.section, reports_to=office.kasi)
    official = make_official("Pelaksana Tiga")
    org.assignment_start(official=official, position=position, effective_date=today_jakarta())
    pacts_reconcile(as_of=today_jakarta())
    return pact_of(official)


def test_list_items_carry_number_kind_status_overdue_unit_and_parties(office: Office, kepatuhan: Any) -> None:
    pact = pact_of(office.officials["pegawai"])
    body = client_for(kepatuhan).get("/api/v1/pacts/", {"nip": office.officials["pegawai"].nip}).json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["number"] == pact.number
    assert (item["kind"], item["status"], item["overdue"]) == ("employee_superior", "pending", True)
    assert item["due_date"] == pact.due_date.isoformat()
    assert item["unit"]["code"] == office.section.code
    assert [(p["order"], p["role"], p["name"], p["nip"], p["signed_at"]) for p in item["parties"]] == [
        (1, "declarant", "Pelaksana Satu", office.officials["pegawai"].nip, None),
        (2, "witness", "Kasi Pencairan Dana", office.officials["atasan"].nip, None),
    ]
    assert item["url"].endswith(f"/api/v1/pacts/{pact.pk}/")


def test_filter_by_status_and_overdue(office: Office, kepatuhan: Any, recent_pact: IntegrityPact) -> None:
    """GIVEN one signed pact, one pending pact not yet due and the rest pending and overdue."""
    signed = pact_of(office.officials["atasan"])
    pact_record_external_signature(pact=signed, reference="TTE-1", signed_on=D1)
    client = client_for(kepatuhan)
    everything = numbers(client.get("/api/v1/pacts/"))
    assert {signed.number, recent_pact.number} <= everything

    assert numbers(client.get("/api/v1/pacts/", {"status": "signed"})) == {signed.number}
    overdue = numbers(client.get("/api/v1/pacts/", {"overdue": "true"}))
    assert signed.number not in overdue and recent_pact.number not in overdue
    assert overdue == everything - {signed.number, recent_pact.number}
    assert numbers(client.get("/api/v1/pacts/", {"overdue": "false"})) == {signed.number, recent_pact.number}
    assert numbers(client.get("/api/v1/pacts/", {"status": "pending", "overdue": "false"})) == {recent_pact.number}
    listed = {i["number"]: i["overdue"] for i in client.get("/api/v1/pacts/").json()["results"]}
    assert listed[recent_pact.number] is False and listed[signed.number] is False


def test_filter_by_unit_includes_the_subtree(office: Office, kepatuhan: Any) -> None:
    client = client_for(kepatuhan)
    in_section = numbers(client.get("/api/v1/pacts/", {"unit": office.section.pk}))
    in_kppn = numbers(client.get("/api/v1/pacts/", {"unit": office.kppn.pk}))
    assert in_section and in_section < in_kppn  # the KPPN adds its head's pacts and the satker pact
    satker_pact = pact_of(office.officials["kasatker"])
    assert satker_pact.number in in_kppn and satker_pact.number not in in_section


def test_filter_by_kind_party_and_nip(office: Office, kepatuhan: Any) -> None:
    client = client_for(kepatuhan)
    satker_pact = pact_of(office.officials["kasatker"])
    assert numbers(client.get("/api/v1/pacts/", {"kind": "unit_head_satker"})) == {satker_pact.number}
    atasan = office.officials["atasan"]
    # The Kasi signs their own pact with the KPPN head and witnesses both staff pacts.
    by_party = numbers(client.get("/api/v1/pacts/", {"party": atasan.pk}))
    assert len(by_party) == 3
    spaced = f"{atasan.nip[:8]} {atasan.nip[8:14]} {atasan.nip[14]} {atasan.nip[15:]}"
    assert numbers(client.get("/api/v1/pacts/", {"nip": spaced})) == by_party


def test_the_list_is_scoped(office: Office, pegawai: Any, atasan: Any, orang_luar: Any) -> None:
    own = pact_of(office.officials["pegawai"])
    assert numbers(client_for(pegawai).get("/api/v1/pacts/")) == {own.number}
    team = numbers(client_for(atasan).get("/api/v1/pacts/"))
    assert own.number in team and len(team) == 3
    assert own.number not in numbers(client_for(orang_luar).get("/api/v1/pacts/"))
    # A filter cannot reach outside the scope either.
    assert numbers(client_for(orang_luar).get("/api/v1/pacts/", {"unit": office.kppn.pk})) == set()


@pytest.mark.parametrize(
    "query",
    [{"status": "lost"}, {"overdue": "maybe"}, {"unit": "kppn"}, {"kind": "x"}, {"ordering": "name"}, {"limit": "x"}],
)
def test_bad_filters_answer_400_naming_the_field(kepatuhan: Any, query: dict[str, str]) -> None:
    response = client_for(kepatuhan).get("/api/v1/pacts/", query)
    if "limit" in query:  # DRF ignores a malformed limit and uses the default page size
        assert response.status_code == 200
        return
    assert response.status_code == 400
    body = response.json()
    assert body["message"] and list(body["extra"]["fields"]) == list(query)


def test_detail_explains_why_and_links_the_history(office: Office, kepatuhan: Any) -> None:
    """GIVEN the Kasi is replaced by decree on D1 WHEN reconciled THEN the staff pact is superseded
    and its detail links to its successor, which explains itself by the decree."""
    old = pact_of(office.officials["pegawai"])
    sk = Decree.objects.create(number="KEP-2/WPB.01/2026", decree_date=D1, content_sha256="1" * 64)
    org.assignment_start(official=make_official("Kasi Baru"), position=office.kasi, effective_date=D1, decree=sk)
    pacts_reconcile(as_of=D1)
    new = pact_of(office.officials["pegawai"])
    client = client_for(kepatuhan)

    old_body = client.get(f"/api/v1/pacts/{old.pk}/").json()
    assert old_body["status"] == "superseded" and old_body["overdue"] is False
    assert [link["number"] for link in old_body["history"]["superseded_by"]] == [new.number]
    assert old_body["history"]["superseded_by_decree"]["number"] == sk.number
    assert old_body["why"]["superseded"]["successor"] == new.number
    assert "Kasi Pencairan Dana" in old_body["supersede_reason"]

    new_body = client.get(f"/api/v1/pacts/{new.pk}/").json()
    assert new_body["history"]["supersedes"] == {
        "id": old.pk,
        "number": old.number,
        "url": f"http://testserver/api/v1/pacts/{old.pk}/",
    }
    assert new_body["history"]["trigger_decree"]["url"].endswith(f"/api/v1/decrees/{sk.pk}/")
    why = new_body["why"]
    assert why["trigger_decree"]["number"] == sk.number
    assert why["counterparty"]["official"] == "Kasi Baru"
    assert "Pelaksana Satu" in why["summary"] and "Kasi Baru" in why["summary"]
    assert new_body["pdf_url"].endswith(f"/api/v1/pacts/{new.pk}/pdf/")


def test_detail_outside_scope_is_404_with_a_message(office: Office, orang_luar: Any) -> None:
    pact = pact_of(office.officials["pegawai"])
    response = client_for(orang_luar).get(f"/api/v1/pacts/{pact.pk}/")
    assert response.status_code == 404
    assert response.json()["message"]
    assert client_for(orang_luar).get("/api/v1/pacts/999999/").status_code == 404


def test_pdf_download_renders_once_and_returns_the_pdf_inline(office: Office, pegawai: Any) -> None:
    pact = pact_of(office.officials["pegawai"])
    client = client_for(pegawai)
    response = client.get(f"/api/v1/pacts/{pact.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{pact.number}.pdf"'
    first = response.getvalue()
    assert first.startswith(b"%PDF-")
    pact.refresh_from_db()
    assert pact.document and pact.document_sha256
    assert response["ETag"] == f'"{pact.document_sha256}"'
    again = client.get(f"/api/v1/pacts/{pact.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert again.status_code == 200 and again.getvalue() == first


def test_pdf_outside_scope_is_404_json_even_when_asking_for_pdf(office: Office, orang_luar: Any) -> None:
    pact = pact_of(office.officials["pegawai"])
    response = client_for(orang_luar).get(f"/api/v1/pacts/{pact.pk}/pdf/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["message"]
    pact.refresh_from_db()
    assert not pact.document  # nothing rendered for someone who may not see it


def _more_pacts(office: Office, n: int) -> None:
    """n extra pending pacts in the section, each with two parties (fixture data, bulk-inserted)."""
    pacts = IntegrityPact.objects.bulk_create(
        IntegrityPact(
            number=f"PI-TEST-{i:06d}",
            kind=IntegrityPact.Kind.EMPLOYEE_SUPERIOR,
            status=IntegrityPact.Status.SUPERSEDED,
            relationship_key=f"TEST:{i}",
            unit=office.section,
            effective_date=datetime.date(2026, 2, 2),
            due_date=datetime.date(2026, 2, 18),
        )
        for i in range(n)
    )
    staff, kasi = office.officials["pegawai"], office.officials["atasan"]
    PactParty.objects.bulk_create(
        PactParty(
            pact=pact,
            order=order,
            role=role,
            official=who,
            snapshot={"name": who.name, "nip": who.nip, "position": "-"},
            field_name=f"Sig{order}",
        )
        for pact in pacts
        for order, role, who in ((1, "declarant", staff), (2, "witness", kasi))
    )


@pytest.mark.parametrize("actor", ["kepatuhan", "pegawai", "atasan", "auditor"])
def test_list_query_count_does_not_grow_with_the_page(
    request: pytest.FixtureRequest, office: Office, actor: str
) -> None:
    """GIVEN 60 more pacts WHEN listing 5 and then 50 per page THEN both take the same queries."""
    _more_pacts(office, 60)
    user = request.getfixturevalue(actor)
    counts = {}
    for limit in (5, 50):
        client = client_for(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/pacts/", {"limit": limit, "unit": office.kppn.pk})
        assert response.status_code == 200 and len(response.json()["results"]) == limit
        counts[limit] = len(queries)
    assert counts[5] == counts[50]
    assert counts[50] <= 12, counts  # session + user + scope (<= 5) + unit tree + count + page + parties


def test_list_items_are_what_the_item_serializer_gives(office: Office, kepatuhan: Any) -> None:
    """The list builds its items without DRF serializers (speed); they must not drift from
    `PactListItemSerializer`, which documents them in the schema."""
    from rest_framework.test import APIRequestFactory

    from integrity.apis.pacts import PactListItemSerializer

    signed = pact_of(office.officials["atasan"])
    pact_record_external_signature(pact=signed, reference="TTE-1", signed_on=D1)
    listed = client_for(kepatuhan).get("/api/v1/pacts/").json()["results"]
    assert any(item["spending_unit"] for item in listed) and any(item["signed_at"] for item in listed)
    request = APIRequestFactory().get("/api/v1/pacts/")
    for item in listed:
        pact = IntegrityPact.objects.get(pk=item["id"])
        assert item == PactListItemSerializer(pact, context={"request": request}).data


def test_the_count_is_capped_and_next_still_works(
    office: Office, kepatuhan: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a count cap of 3 WHEN more pacts match THEN `count` is 3, `count_is_exact` false,
    and `next` follows the rows, not the count."""
    from integrity.apis.base import Pagination

    monkeypatch.setattr(Pagination, "count_cap", 3)
    client = client_for(kepatuhan)
    total = IntegrityPact.objects.filter(unit__in=[office.kppn, office.section]).count()
    assert total == 5
    first = client.get("/api/v1/pacts/", {"limit": 2}).json()
    assert (first["count"], first["count_is_exact"]) == (3, False)
    seen = [i["number"] for i in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen += [i["number"] for i in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == total
    exact = client.get("/api/v1/pacts/", {"status": "pending", "kind": "unit_head_satker"}).json()
    assert (exact["count"], exact["count_is_exact"], exact["next"]) == (1, True, None)
