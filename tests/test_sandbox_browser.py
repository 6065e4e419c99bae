"""The sandbox in a real headless browser (Debian's Chromium, /usr/bin/chromium, driven by
Playwright; no browser download), on a phone-sized window: the resident reports a repair, staff
accept it in the staff chat, the card is edited in place and the resident told; the time moves
to the next deadlines and the reminders appear. Every step waits on what the page shows, never
on a sleep. The last screen is kept as tests/artifacts/sandbox.png (ignored by git)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import FilePayload, Page, async_playwright, expect

from bot.rules.clock import TravelClock
from bot.sandbox.personas import MANAGER, RESIDENT, STAFF, STAFF_CHAT
from bot.sandbox.runner import Sandbox
from tests.conftest import START
from tests.test_sandbox import options, settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
#: A photo file (a tiny PNG) for the page's photo button.
PHOTO: FilePayload = {
    "name": "leak.png",
    "mimeType": "image/png",
    "buffer": bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f6b2d90000000049454e44ae426082"
    ),
}
#: Generous: a page condition not met in this time is a bug, not a slow machine.
WAIT_MS = 30_000


async def play(page: Page, persona: int, chat: int | None = None) -> None:
    """Pick the person, then their chat (their chat with the bot by default)."""
    await page.select_option("#persona", str(persona))
    await expect(page.locator("#persona")).to_have_value(str(persona))
    tab = page.locator(f'#chats [data-chat="{chat or persona}"]')
    await tab.click()
    await expect(tab).to_have_attribute("aria-selected", "true")


async def say(page: Page, text: str) -> None:
    await page.fill("#text", text)
    await page.click("#send")
    await expect(page.locator("#text")).to_have_value("")


@pytest.fixture
def screenshot() -> Path:
    """Where the last screen goes (the folder made, Chromium checked first)."""
    assert CHROMIUM.is_file(), (
        "install Debian's chromium (apt-get install chromium), as .ci/run does"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / "sandbox.png"


async def test_a_repair_from_report_to_reminder_in_a_browser(
    tmp_path: Path, screenshot: Path
) -> None:
    expect.set_options(timeout=WAIT_MS)
    sandbox = Sandbox(settings(tmp_path), options(tmp_path), TravelClock(START))
    address = await sandbox.start()
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
            try:
                page = await browser.new_page(viewport={"width": 390, "height": 844})
                await page.goto(address)
                await walk_through(page)
            finally:  # the last screen, also when a step failed
                if browser.contexts and browser.contexts[0].pages:
                    page = browser.contexts[0].pages[0]
                    await page.screenshot(path=screenshot, full_page=True)
                    print(f"screenshot: {screenshot}")
                await browser.close()
    finally:
        await sandbox.stop()


async def walk_through(page: Page) -> None:
    messages = page.locator("#messages .msg")
    bot_said = page.locator("#messages .msg.bot")

    # 张阿姨 reports a leak at home: a command, then buttons, a description, the summary
    await play(page, RESIDENT)
    await expect(page.locator("#start")).to_be_visible()  # an empty chat offers Start
    await say(page, "/report")
    await page.locator('[data-callback^="te1|"]:not([data-callback="te1|0"])').last.click()
    await page.locator('[data-callback="tc1|leak"]').last.click()
    await expect(page.locator('[data-callback^="tc1|"]')).to_have_count(0)
    await say(page, "厨房水管漏水")
    await expect(page.locator('[data-callback="tn1|ok"]')).to_have_count(1)
    # a photo from a file, as a phone's picker gives it
    summaries = await bot_said.count()
    await page.set_input_files("#photo", files=[PHOTO])
    await expect(page.locator("#messages .msg.mine img")).to_be_visible()
    await expect(bot_said).to_have_count(summaries + 1)
    await page.locator('[data-callback="tn1|ok"]').last.click()
    await expect(bot_said.last).to_contain_text("#1")
    told_before = await messages.count()

    # 陈师傅 accepts the card in the staff chat: the same message changes
    await play(page, STAFF, STAFF_CHAT)
    accept = page.locator('[data-callback="ta1|1|acc"]')
    card = messages.filter(has=accept)
    await expect(card).to_have_count(1)
    card_id = await card.get_attribute("data-id")
    cards = await messages.count()
    await accept.click()
    edited = page.locator(f'#messages .msg[data-id="{card_id}"]')
    await expect(edited.locator(".edited")).to_be_visible()
    await expect(accept).to_have_count(0)
    await expect(messages).to_have_count(cards)  # edited in place, nothing new

    # the resident is told
    await play(page, RESIDENT)
    await expect(messages).to_have_count(told_before + 1)
    await expect(bot_said.last).to_contain_text("#1")

    # the time moves to the next deadline: the assignee is reminded before it...
    await play(page, STAFF)
    clock = await page.locator("#now").inner_text()
    await page.click('[data-how="deadline"]')
    await expect(page.locator("#now")).not_to_have_text(clock)
    await expect(bot_said).to_have_count(1)
    await expect(bot_said.last).to_contain_text("#1")
    # ... and once past it the manager is told
    await play(page, MANAGER)
    heard = await bot_said.count()
    await page.click('[data-how="deadline"]')
    await expect(bot_said).to_have_count(heard + 1)
    await expect(bot_said.last).to_contain_text("#1")
