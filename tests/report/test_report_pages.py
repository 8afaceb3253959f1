from __future__ import annotations

import io

from tests.conftest import login

PERIOD = "since=2026-03-01&until=2026-03-09"


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # table cells wrap wherever the column width says


def test_responses_report_shows_the_figures(client, world, seeded) -> None:
    login(client, "mia@acme.test")
    page = client.get(f"/w/acme/reports/responses?{PERIOD}")
    assert page.status_code == 200, page.text
    text = page.text
    # Two of three conversations answered, in 2 h and 30 min: median 1 h 15 min.
    assert "66.7%" in text
    assert "1h 15m" in text
    # charts are drawn in the browser from the numbers on the page (no server-side PNG on the dashboard)
    assert 'aria-label="Bar chart of waiting conversations by age' in text
    assert 'data-report-chart="bar"' in text and 'class="chart-spec"' in text
    assert "data:image/png;base64," not in text
    assert '<table class="heatmap"' in text
    assert "<script>alert" not in text


def test_responses_pdf_is_a_pdf_with_the_figures(client, world, seeded) -> None:
    login(client, "mia@acme.test")
    r = client.get(f"/w/acme/reports/responses.pdf?{PERIOD}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    text = _pdf_text(r.content)
    assert "Responses" in text and "66.7%" in text


def test_campaign_report_escapes_message_text(client, world, seeded) -> None:
    login(client, "mia@acme.test")
    page = client.get(f"/w/acme/reports/campaign?campaign={seeded.campaign_id}")
    assert page.status_code == 200, page.text
    assert "Bags sold" in page.text and "Recall rumour" in page.text
    assert "&lt;script&gt;alert(" in page.text
    assert "<script>alert(" not in page.text
    assert "Not available" in page.text  # sales lift without the lift module, or the note saying why


def test_campaign_pdf_has_kpi_and_alert(client, world, seeded) -> None:
    login(client, "mia@acme.test")
    r = client.get(f"/w/acme/reports/campaign.pdf?campaign={seeded.campaign_id}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = _pdf_text(r.content)
    assert "Bags sold" in text and "Recall rumour" in text
    assert "Весна" in text  # an embedded font that draws more than Latin-1


def test_audit_report_counts_delivery(client, world, seeded) -> None:
    login(client, "admin@acme.test")
    data = client.get(f"/w/acme/reports/audit.json?{PERIOD}").json()
    delivered = next(s for s in data["sections"] if s["title"] == "Delivered")
    assert delivered["figures"]["Posts published"] == "1"
    assert delivered["figures"]["Brand posts seen on the channels (any tool)"] == "0"
    assert delivered["figures"]["Replies sent by the agency"] == "1"
    assert delivered["figures"]["Replies sent by others (brand team, outside tending)"] == "1"
    page = client.get(f"/w/acme/reports/audit?{PERIOD}")
    assert page.status_code == 200 and "Agency audit" in page.text


def test_report_tables_download_as_csv_and_json(client, world, seeded) -> None:
    login(client, "mia@acme.test")
    csv_text = client.get(f"/w/acme/reports/audit/tables/replies-sent.csv?{PERIOD}").text
    assert csv_text.splitlines()[0] == "person,role,replies"
    assert "Ada,agency,1" in csv_text
    rows = client.get(f"/w/acme/reports/responses/tables/unanswered.json?{PERIOD}").json()
    assert sum(r["waiting"] for r in rows) == 1 and sum(r["arrived off-hours"] for r in rows) == 1
    assert client.get(f"/w/acme/reports/responses/tables/nope.csv?{PERIOD}").status_code == 404


def test_digest_page_and_index(client, world, seeded) -> None:
    login(client, "mia@acme.test")
    index = client.get("/w/acme/reports")
    assert index.status_code == 200
    for href in (
        "/w/acme/reports/responses",
        "/w/acme/reports/audit",
        "/w/acme/reports/digest",
        f"/w/acme/reports/campaign?campaign={seeded.campaign_id}",
        f"/api/v1/workspaces/{world.workspace.id}/exports/messages.csv",
    ):
        assert f'href="{href}"' in index.text
    assert 'href="/w/acme/reports"' in index.text  # in the navigation
    digest = client.get("/w/acme/reports/digest")
    assert digest.status_code == 200 and "Channels at risk" in digest.text


def test_outsider_gets_404(client, world, seeded) -> None:
    login(client, "otto@agency.test")
    assert client.get("/w/acme/reports").status_code == 404
    assert client.get(f"/w/acme/reports/responses.pdf?{PERIOD}").status_code == 404
    assert client.get(f"/w/acme/reports/campaign?campaign={seeded.campaign_id}").status_code == 404


def test_campaign_of_another_workspace_is_404(client, world, seeded) -> None:
    login(client, "admin@acme.test")
    assert client.get(f"/w/other/reports/campaign?campaign={seeded.campaign_id}").status_code == 404


def test_bad_dates_are_named(client, world) -> None:
    login(client, "mia@acme.test")
    r = client.get("/w/acme/reports/responses?since=March")
    assert r.status_code == 400 and "since" in r.text  # the reports page, with the reason
    assert client.get("/w/acme/reports/responses.json?since=March").status_code == 422


def test_longest_waiting_is_escaped_and_flagged_off_hours(client, world, seeded) -> None:
    login(client, "mia@acme.test")
    page = client.get(f"/w/acme/reports/responses?{PERIOD}").text
    assert '<tr class="offhours-row">' in page  # Saturday 02:00 arrival
    assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page
    rows = client.get(f"/w/acme/reports/responses/tables/longest-waiting.json?{PERIOD}").json()
    assert [r["arrived off-hours"] for r in rows] == [True]
