#!/usr/bin/python3
"""Drives the listening-test page in real headless Chromium over the DevTools protocol.

Usage: check_listening_page.py PAGE.html ANSWERS.json OUT.csv
ANSWERS.json maps clip file names to the answer to click. The script opens the page offline
(file://), checks that every clip loads and plays, types a listener id, clicks the answers,
opens the page again in a second tab, checks that the listener id and every answer came back, and writes
the CSV the page exports to OUT.csv. Exit status 0 on success; otherwise a message names the
failed check. Needs Debian's chromium and python3-websocket (run with /usr/bin/python3).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import PLAY_EVERY_AUDIO, Browser  # noqa: E402


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    page, answers_path, out = sys.argv[1:]
    answers = json.load(open(answers_path))
    # The page keeps answers in localStorage, so the browser's storage must work before the page
    # can be judged: a fresh Chromium whose probe never reaches disk is replaced (up to 3).
    for attempt in range(1, 4):
        browser = Browser()
        try:
            browser.call("Page.enable")
            browser.call("Runtime.enable")
            browser.load("file://" + os.path.abspath(page))
            if browser.storage_works():
                break
        except BaseException:
            browser.close()
            raise
        browser.close()
        print(f"browser {attempt}: Chromium never committed a localStorage probe to disk; starting a fresh one")
    else:
        sys.exit("three fresh Chromium browsers never committed localStorage to disk: the browser, not the page")
    try:
        clips = browser.evaluate("CLIPS")
        if sorted(clips) != sorted(answers):
            sys.exit(f"the page lists {len(clips)} clips, the test expected {len(answers)}")
        played = browser.evaluate(PLAY_EVERY_AUDIO)
        broken = [clip for clip in played if not clip["ok"]]
        if len(played) != len(clips) or broken:
            sys.exit(f"clips that did not play: {broken}")
        browser.evaluate("""(() => { const box = document.getElementById("listener");
            box.value = "browser-test"; box.dispatchEvent(new Event("input")); })()""")
        for clip, answer in answers.items():
            clicked = browser.evaluate(
                f"""(() => {{ const input = document.querySelector('input[name="{clip}"][value="{answer}"]');
                if (!input) return false; input.click(); return true; }})()""")
            if not clicked:
                sys.exit(f"no choice '{answer}' for {clip}")
        # A second tab loads the page afresh and must restore everything from the browser's
        # storage (the first tab stays open, so this checks the page's restore, not Chromium's
        # persistence to disk). Measured with five browsers at once on 2 busy cores: a reload of
        # the only tab came back empty about 1 time in 20, and the browser's own store, read over
        # DevTools, was empty too (the page never clears it); with the storage probe and a second
        # tab, 1 run in 60 still came back empty. Chromium's cause is not found, so this check can
        # still fail under heavy load; scripts/test.sh runs this suite apart from the rest.
        again = browser.open_page("file://" + os.path.abspath(page))
        listener = again.evaluate('document.getElementById("listener").value')
        if listener != "browser-test":
            sys.exit(f"the listener id did not survive a fresh load of the page (got '{listener}')")
        for clip, answer in answers.items():
            checked = again.evaluate(f"""document.querySelector('input[name="{clip}"]:checked')?.value ?? null""")
            if checked != answer:
                sys.exit(f"the answer to {clip} did not survive a fresh load: '{checked}', expected '{answer}'")
        progress = again.evaluate('document.getElementById("progress").textContent')
        csv = again.evaluate('document.getElementById("csv").textContent')
        again.close()
        with open(out, "w") as handle:
            handle.write(csv)
        print(f"ok: {len(clips)} clips played, answers came back in a fresh tab ({progress.strip()}), CSV written to {out}; browser {attempt} of 3")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
