"""Smoke test in a real browser: log in, walk the tree (htmx lazy loading), an organisation,
its member list with accent-insensitive search, and a member's page, on a desktop and on a
phone-size screen (where nothing may overflow the page sideways)."""
import pytest
from playwright.sync_api import expect

from kiemdiem.testing import PASSWORD

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

pytestmark = pytest.mark.browser


def assert_fits(page, viewport, where: str):
    """No horizontal overflow of the page body (only checked on the phone)."""
    if viewport is not PHONE:
        return
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width + 1, f"{where}: page is {scroll_width}px wide on a {inner_width}px screen"


def log_in(page, username: str):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button.primary")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_tree_members_search_member_page(new_page, browser_cast, viewport):
    cast = browser_cast
    page, problems = new_page(viewport)

    page.goto("/accounts/login/")
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    # Static files are served: the stylesheet applies and htmx (from django_htmx) is loaded.
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    assert page.evaluate("typeof window.htmx") == "object"
    page.shot("login")
    assert_fits(page, viewport, "login")

    log_in(page, "alice")
    page.wait_for_url("**/org/")
    expect(page.locator("h1")).to_have_text("Cây tổ chức")
    qa, px, c1 = cast.orgs["QA"], cast.orgs["PX"], cast.orgs["C1"]
    expect(page.locator(f"#node-{qa.pk} > .node a")).to_have_text(qa.name)
    # Children are not in the page until asked for.
    expect(page.locator(f"#kids-{qa.pk} li")).to_have_count(0)

    # "+" loads the children with htmx; then one level further down.
    page.click(f"#node-{qa.pk} > .node > button.toggle")
    expect(page.locator(f"#node-{px.pk} > .node a")).to_have_text(px.name)
    expect(page.locator(f"#kids-{qa.pk}")).to_contain_text("Ban Tổ chức Quận ủy A")
    page.click(f"#node-{px.pk} > .node > button.toggle")
    expect(page.locator(f"#node-{c1.pk} > .node a")).to_have_text(c1.name)
    expect(page.locator(f"#kids-{px.pk}")).to_contain_text("Chi bộ khu vực 2")
    page.shot("tree")
    assert_fits(page, viewport, "tree")

    # The organisation page (a normal link, full page load).
    page.click(f"#node-{px.pk} > .node a")
    page.wait_for_url(f"**/org/{px.pk}/")
    expect(page.locator("h1")).to_contain_text(px.name)
    expect(page.locator("#member-count")).to_have_text("4")  # dave, An, Bình (C1) + Cường (C2)
    page.shot("org")
    assert_fits(page, viewport, "organisation page")

    # Member list, then search without accents: "duc" finds "Trần Văn Đức" only.
    page.get_by_role("link", name="Danh sách đảng viên").click()
    page.wait_for_url(f"**/org/{px.pk}/members/")
    table = page.locator("#member-table")
    expect(table).to_contain_text("Lê Văn Bình")
    expect(table.locator("tbody tr")).to_have_count(4)
    page.fill("#q", "duc")
    page.keyboard.press("Enter")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Trần Văn Đức")
    expect(table).not_to_contain_text("Lê Văn Bình")
    assert page.url.endswith(f"/org/{px.pk}/members/"), "the search should swap the table in place (htmx)"
    page.shot("members-search")
    assert_fits(page, viewport, "member list")

    # The member's page with the membership history.
    table.get_by_role("link", name="Trần Văn Đức").click()
    page.wait_for_url(f"**/members/{cast.members['dave'].pk}/")
    expect(page.locator("h1")).to_have_text("Trần Văn Đức")
    history = page.locator("#membership-history")
    expect(history).to_contain_text("Chi bộ khu vực 1")
    expect(history.locator("tbody tr")).not_to_have_count(0)
    page.shot("member")
    assert_fits(page, viewport, "member page")

    problems.assert_none()


def test_search_as_you_type(new_page, browser_cast):
    """Typing alone (no Enter) refreshes the table after htmx's debounce."""
    page, problems = new_page(DESKTOP)
    log_in(page, "alice")
    page.wait_for_url("**/org/")
    page.goto(f"/org/{browser_cast.orgs['C1'].pk}/members/")
    table = page.locator("#member-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    page.locator("#q").press_sequentially("binh", delay=20)
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Lê Văn Bình")
    problems.assert_none()


def test_outsider_sees_no_tree(new_page, browser_cast):
    """eve has no grant: the tree is empty and another organisation's page is a 404."""
    page, problems = new_page(PHONE)
    log_in(page, "eve")
    page.wait_for_url("**/org/")
    expect(page.locator("main")).to_contain_text("Bạn chưa được phân quyền trên tổ chức nào.")
    response = page.goto(f"/org/{browser_cast.orgs['QA'].pk}/")
    assert response.status == 404
    assert_fits(page, PHONE, "outsider tree")


def test_language_switch(new_page, browser_cast):
    """The EN/VI buttons post to set_language (CSRF, CSP form-action) and the page follows."""
    page, problems = new_page(PHONE)
    log_in(page, "bob")
    page.wait_for_url("**/org/")
    expect(page.locator("h1")).to_have_text("Cây tổ chức")
    page.click("form.lang-form button[value=en]")
    expect(page.locator("h1")).to_have_text("Organisation tree")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert_fits(page, PHONE, "tree in English")
    page.click("form.lang-form button[value=vi]")
    expect(page.locator("h1")).to_have_text("Cây tổ chức")
    problems.assert_none()


def test_history_page(new_page, browser_cast):
    """The tree on a date, indented by depth, without breaking the Content-Security-Policy."""
    page, problems = new_page(DESKTOP)
    log_in(page, "alice")
    page.wait_for_url("**/org/")
    page.goto(f"/org/{browser_cast.orgs['QA'].pk}/history/")
    rows = page.locator("#tree-on-date tbody tr")
    expect(rows.first).to_contain_text("Quận ủy A")
    expect(page.locator("#tree-on-date")).to_contain_text("Chi bộ khu vực 1")
    page.shot("history")
    problems.assert_none()
