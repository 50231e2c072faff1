#!/usr/bin/env python3
"""The report of `wandb-imagemask view`, checked in a real browser (headless Chromium from Debian,
driven by Selenium) by reading the pixels of screenshots.

Usage: test_report.py --tool WANDB_IMAGEMASK --fixture REPORT_FIXTURE --work DIR

The fixture (tests/browser/report_fixture.cpp) logs the runs; this script writes their reports
with the tool, opens them from file:// with the network cut off (host resolver mapped to nowhere,
a proxy on a closed port, the page's own Content-Security-Policy) and checks, by screenshot
pixels, what a person would see. Expected pixels come from the fixture's definition (its image
formula, quadrant masks, box coordinates and class colors) and the blend formula, never from the
report: out = color * a + image * (1 - a), within TOLERANCE levels per channel (8-bit
compositing rounds). Screenshots are saved in DIR/screenshots for a person to look at.
Ends with "N passed, M failed"; exit status 1 if anything failed.
"""
import argparse
import io
import json
import os
import re
import subprocess
import struct
import sys
import time
import traceback
import zlib

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

TOLERANCE = 2  # levels per channel
READY_LIMIT_MS = 2000  # the large report must be ready this soon after navigation starts

# The report's documented palette for class ids 0..19 (README, "Looking at a run"); the fixture's
# predictions layer and box layer have no colors of their own, so they get these.
PALETTE = ["#e6194b", "#3cb44b", "#ffe119", "#4363d8"]
# The fixture's ground_truth labels carry these colors (report_fixture.cpp, colored_labels).
USER_COLORS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (220, 220, 30)]


def rgb(hex_color):
    v = int(hex_color[1:], 16)
    return ((v >> 16) & 255, (v >> 8) & 255, v & 255)


def gradient(x, y, seed):
    """The fixture's image pixel at column x, row y (tests/support/seed_fixtures.hpp gradient)."""
    return tuple((y * 7 + x * 3 + k * 50 + seed * 11) % 256 for k in range(3))


def quadrant(x, y, split):
    """The seed's quadrant mask: 0 above-left of split, 1 below, 2 right, 3 below-right."""
    return (1 if y >= split else 0) + (2 if x >= split else 0)


def blend(color, pixel, alpha):
    return tuple(c * alpha + p * (1 - alpha) for c, p in zip(color, pixel))


class Failure(Exception):
    pass


# ---- records our library does not write (yet), appended to a log as wandb-core writes them ----
# Field numbers from wandb_internal.proto: Record.stats = 7, .metric = 12, .environment = 26;
# MetricRecord name = 1, glob_name = 2, step_metric = 4; StatsRecord timestamp = 2 (seconds = 1),
# item = 3 (StatsItem key = 1, value_json = 16). The log framing: 32 KiB blocks from offset 0,
# chunks of CRC (zlib.crc32 of type + data), length, type (FULL 1, FIRST 2, MIDDLE 3, LAST 4).

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, value):
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    if isinstance(value, str):
        value = value.encode()
    return varint(number << 3 | 2) + varint(len(value)) + value


def append_records(log_path, records):
    data = bytearray(open(log_path, "rb").read())
    for record in records:
        rest, first = record, True
        while True:
            room = 32768 - len(data) % 32768
            if room < 7:
                data += bytes(room)  # a block trailer too short for a chunk header
                continue
            n = min(len(rest), room - 7)
            last = n == len(rest)
            kind = 1 if first and last else 2 if first else 4 if last else 3
            chunk = rest[:n]
            data += struct.pack("<IHB", zlib.crc32(bytes([kind]) + chunk) & 0xFFFFFFFF, n, kind) + chunk
            rest, first = rest[n:], False
            if last:
                break
    with open(log_path, "wb") as f:
        f.write(data)


def add_metrics_stats_environment(run_dir):
    log = [os.path.join(run_dir, n) for n in os.listdir(run_dir) if n.endswith(".wandb")][0]
    now = int(time.time())
    stats = lambda t, cpu, rss: field(7, field(2, field(1, t)) + field(3, field(1, "cpu") + field(16, cpu)) +
                                      field(3, field(1, "proc.memory.rssMB") + field(16, rss)))
    append_records(log, [
        field(1, 100) + field(12, field(1, "loss") + field(4, "epoch")),
        field(1, 101) + field(12, field(2, "acc*") + field(4, "epoch")),
        field(1, 102) + stats(now, "12.5", "300.25"),
        field(1, 103) + stats(now + 15, "NaN", "310.5"),
        field(1, 104) + field(26, field(1, "Linux") + field(5, "somewhere")),  # a kind the report skips
    ])


def close(actual, expected, what):
    if len(actual) < 3 or any(abs(a - e) > TOLERANCE for a, e in zip(actual[:3], expected)):
        raise Failure(f"{what}: pixel {tuple(actual[:3])}, expected {tuple(round(e, 1) for e in expected)}")


def chromium(window=(1400, 1000)):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--force-device-scale-factor=1",
        "--force-color-profile=srgb", f"--window-size={window[0]},{window[1]}",
        # No network: names resolve to nothing, and anything that still tries goes to a closed port.
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-default-apps", "--disable-extensions",
    ]:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class Page:
    """One report opened in the browser, with helpers to drive its controls and read pixels."""

    def __init__(self, driver, path, shots):
        self.d = driver
        self.shots = shots
        start = time.monotonic()
        driver.get("file://" + os.path.abspath(path))
        while not driver.execute_script("return !!(window.wandbReport && window.wandbReport.ready)"):
            if time.monotonic() - start > 30:
                raise Failure(f"{path}: the page never set wandbReport.ready")
            time.sleep(0.02)
        self.ready_ms = driver.execute_script("return window.wandbReport.readyAt")
        self.shot = None

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def idle(self):
        self.d.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "requestAnimationFrame(() => requestAnimationFrame(() => window.wandbReport.idle().then(() => "
            "requestAnimationFrame(() => requestAnimationFrame(() => done())))));")

    def panel(self, key):
        return self.d.find_element(By.CSS_SELECTOR, f'.panel[data-key="{key}"]')

    def control(self, key, selector):
        return self.panel(key).find_element(By.CSS_SELECTOR, selector)

    def set_checkbox(self, key, selector, checked):
        box = self.control(key, selector)
        if box.is_selected() != checked:
            self.js("arguments[0].scrollIntoView({block: 'center'})", box)
            box.click()
        self.idle()

    def set_range(self, key, selector, value):
        self.js("const e = arguments[0]; e.value = arguments[1];"
                "e.dispatchEvent(new Event('input', {bubbles: true}));", self.control(key, selector), value)
        self.idle()

    def screenshot(self, name, element=None):
        if element is not None:
            self.js("arguments[0].scrollIntoView({block: 'center'})", element)
            self.idle()
        png = self.d.get_screenshot_as_png()
        with open(os.path.join(self.shots, name + ".png"), "wb") as f:
            f.write(png)
        self.shot = Image.open(io.BytesIO(png)).convert("RGB")
        return self.shot

    def view_rect(self, key, index=0):
        """The screen rectangle of the index-th image view of a panel (after scrolling to it)."""
        view = self.panel(key).find_elements(By.CSS_SELECTOR, ".view")[index]
        self.js("arguments[0].scrollIntoView({block: 'center'})", view)
        self.idle()
        # Chrome paints a box at a fractional position on whole pixels: the rounded position.
        return view, self.js("const r = arguments[0].getBoundingClientRect();"
                             "return [Math.round(r.left), Math.round(r.top), r.width, r.height];", view)

    def activate_all(self):
        """Scrolls every panel into view, as a reader would, so each is drawn."""
        for panel in self.d.find_elements(By.CSS_SELECTOR, ".panel"):
            self.js("arguments[0].scrollIntoView()", panel)
            self.idle()

    def image_pixel(self, rect, scale, x, y):
        """The screenshot pixel at the centre of image pixel (x, y) of a view."""
        return self.shot.getpixel((int(rect[0] + (x + 0.5) * scale), int(rect[1] + (y + 0.5) * scale)))


SAMPLES = [(x, y) for x in range(3, 100, 8) for y in range(2, 100, 9)]  # 13 x 11 points of a 100x100 image


def check_mask_layer(page, rect, scale, seed, split, colors, alpha, hidden=(), what=""):
    for x, y in SAMPLES:
        if split in (x, y) or split - 1 in (x, y):
            continue  # class borders: the test checks pixels inside each quadrant
        c = quadrant(x, y, split)
        pixel = gradient(x, y, seed)
        expected = pixel if c in hidden else blend(colors[c], pixel, alpha)
        close(page.image_pixel(rect, scale, x, y), expected, f"{what} at image pixel ({x}, {y}), class {c}")


def test_network_and_static(html_path, page):
    text = open(html_path, encoding="utf-8").read()
    urls = set(re.findall(r"(?:https?|ftp|wss?)://[^\s\"'<>)]*", text)) - {"http://www.w3.org/2000/svg"}
    if urls:
        raise Failure(f"the report names URLs: {sorted(urls)[:5]}")
    if re.search(r"<(?:script|link|iframe)[^>]+(?:src|href)=", text):
        raise Failure("the report loads a script, style or frame from a file")
    requests = []
    for entry in page.d.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    resources = page.js("return performance.getEntries().filter(e => e.entryType === 'resource' || "
                        "e.entryType === 'navigation').map(e => e.name)")
    outside = [u for u in requests + resources if not u.startswith(("file:", "data:", "about:"))]
    if outside:
        raise Failure(f"requests outside file: and data: {outside[:5]}")
    if not any(u.startswith("file:") and u.endswith(".png") for u in requests):
        raise Failure(f"no image was loaded from file: ({len(requests)} requests)")
    errors = [e for e in page.d.get_log("browser") if e["level"] == "SEVERE"]
    if errors:
        raise Failure(f"console errors: {errors[:3]}")
    print(f"  {len(requests)} requests, all file: or data:")


def test_run_facts(page):
    text = page.d.find_element(By.CSS_SELECTOR, "header.top").text + "\n" + page.d.find_element(By.ID, "run").text
    for expected in ["report fixture", "report-test", "browser", "seed", "browser-test",
                     "quadrant masks, boxes, a list and a table", "finished"]:
        if expected not in text:
            raise Failure(f"run facts lack {expected!r}: {text!r}")
    config = page.d.find_element(By.ID, "config").text
    for expected in ["learning_rate", "0.01", "model.depth", "best_iou", "0.74"]:
        if expected not in config:
            raise Failure(f"config/summary lack {expected!r}")


def test_predictions_overlay(page):
    page.set_checkbox("seg", 'input[data-role="layer"][data-layer="ground_truth"]', False)
    page.set_checkbox("seg", 'input[data-role="layer"][data-kind="boxes"]', False)
    page.set_range("seg", 'input[data-role="opacity"][data-layer="predictions"]', 0.5)
    view, rect = page.view_rect("seg")
    page.screenshot("predictions-50", view)
    scale = rect[2] / 100
    if scale != 3:
        raise Failure(f"a 100x100 image should be drawn at 3x, got {scale}")
    check_mask_layer(page, rect, scale, 0, 50, [rgb(c) for c in PALETTE], 0.5, what="predictions at 50%")


def test_user_colors_and_class_toggle(page):
    page.set_checkbox("seg", 'input[data-role="layer"][data-layer="predictions"]', False)
    page.set_checkbox("seg", 'input[data-role="layer"][data-layer="ground_truth"]', True)
    view, rect = page.view_rect("seg")
    page.screenshot("ground-truth-60", view)
    check_mask_layer(page, rect, 3, 0, 25, USER_COLORS, 0.6, what="ground_truth (user colors) at 60%")
    page.set_checkbox("seg", 'input[data-role="class"][data-layer="ground_truth"][data-class="3"]', False)
    page.screenshot("ground-truth-road-off", view)
    check_mask_layer(page, rect, 3, 0, 25, USER_COLORS, 0.6, hidden=(3,), what="ground_truth without road")
    page.set_checkbox("seg", 'input[data-role="class"][data-layer="ground_truth"][data-class="3"]', True)


def test_step_slider(page):
    page.set_checkbox("seg", 'input[data-role="layer"][data-layer="ground_truth"]', False)
    page.set_range("seg", "input.step-slider", 3)
    if "step 3" not in page.panel("seg").find_element(By.CSS_SELECTOR, ".stepper").text:
        raise Failure("the step label does not say step 3")
    view, rect = page.view_rect("seg")
    page.screenshot("step-3-no-layers", view)
    for x, y in SAMPLES:
        close(page.image_pixel(rect, 3, x, y), gradient(x, y, 3), f"step 3 image at ({x}, {y})")
    page.set_range("seg", "input.step-slider", 0)


def test_boxes(page):
    page.set_checkbox("seg", 'input[data-role="layer"][data-kind="boxes"]', True)
    view, rect = page.view_rect("seg")
    page.screenshot("boxes", view)
    person, car = rgb(PALETTE[0]), rgb(PALETTE[1])
    left, top = rect[0], rect[1]

    def at(cx, cy):  # CSS pixel (cx, cy) of the view
        return page.shot.getpixel((int(left + cx), int(top + cy)))

    # "person": minX 0.1, maxX 0.4, minY 0.2, maxY 0.5 of 100 px at 3x -> CSS x 30..120, y 60..150,
    # a 2-pixel border inside that rectangle.
    for cx in (30, 31, 118, 119):
        close(at(cx, 105), person, f"person box edge at x {cx}")
    for cy in (60, 61, 148, 149):
        close(at(75, cy), person, f"person box edge at y {cy}")
    close(at(33, 105), gradient(11, 35, 0), "inside the person box")
    close(at(28, 105), gradient(9, 35, 0), "left of the person box")
    # "car": pixel domain, middle (70, 70), 20 x 20 -> x 60..80, y 60..80 -> CSS 180..240.
    for cx in (180, 181, 238, 239):
        close(at(cx, 210), car, f"car box edge at x {cx}")
    caption = [e.text for e in page.panel("seg").find_elements(By.CSS_SELECTOR, ".box .label")]
    if caption != ["person \u00b7 confidence 0.9", "car \u00b7 confidence 0.3"]:
        raise Failure(f"box captions {caption}")
    page.set_range("seg", 'input[data-role="threshold"][data-score="confidence"]', 0.5)
    page.screenshot("boxes-confidence-0.5", view)
    close(at(180, 210), gradient(60, 70, 0), "car box hidden below the threshold")
    close(at(30, 105), person, "person box kept above the threshold")


def test_side_by_side(page):
    page.set_checkbox("seg", 'input[data-role="layer"][data-layer="predictions"]', True)
    page.set_checkbox("seg", 'input[data-role="layer"][data-layer="ground_truth"]', True)
    page.set_checkbox("seg", 'input[data-role="layer"][data-kind="boxes"]', False)
    page.set_checkbox("seg", 'input[data-role="side-by-side"]', True)
    views = page.panel("seg").find_elements(By.CSS_SELECTOR, ".view")
    page.screenshot("side-by-side", page.panel("seg"))
    if len(views) != 2:
        raise Failure(f"side by side shows {len(views)} views, expected one per mask layer (2)")
    layers = [[c.get_attribute("data-layer") for c in v.find_elements(By.TAG_NAME, "canvas")] for v in views]
    if layers != [["predictions"], ["ground_truth"]]:
        raise Failure(f"side by side layers {layers}")
    _, rect = page.view_rect("seg", 1)
    page.screenshot("side-by-side-ground-truth")
    check_mask_layer(page, rect, 3, 0, 25, USER_COLORS, 0.6, what="ground_truth side by side")
    page.set_checkbox("seg", 'input[data-role="side-by-side"]', False)


def test_image_list(page):
    panel = page.panel("examples")
    page.screenshot("image-list", panel)
    captions = [e.text for e in panel.find_elements(By.CSS_SELECTOR, "figcaption")]
    if captions != ["example 0", "example 1", "example 2"]:
        raise Failure(f"image list captions {captions}")
    for i in range(3):
        _, rect = page.view_rect("examples", i)
        page.screenshot(f"image-list-{i}")
        scale = rect[2] / 100
        check_mask_layer(page, rect, scale, 10 + i, 30 + 20 * i, [rgb(c) for c in PALETTE], 0.6, what=f"list image {i}")


def test_table(page):
    panel = page.panel("eval_table")
    page.js("arguments[0].scrollIntoView()", panel)
    page.idle()
    order = lambda: [int(r.get_attribute("data-row")) for r in panel.find_elements(By.CSS_SELECTOR, "tbody tr")]
    if order() != [0, 1, 2, 3]:
        raise Failure(f"table rows {order()}")
    panel.find_element(By.CSS_SELECTOR, 'th[data-column="iou"]').click()
    page.idle()
    if order() != [1, 3, 0, 2]:  # iou 0.7, 0.2, 0.9, 0.4 ascending
        raise Failure(f"rows sorted by iou ascending: {order()}")
    panel.find_element(By.CSS_SELECTOR, 'th[data-column="iou"]').click()
    page.idle()
    if order() != [2, 0, 3, 1]:
        raise Failure(f"rows sorted by iou descending: {order()}")
    page.set_checkbox("eval_table", 'input[data-role="layer"][data-layer="ground_truth"]', False)
    view, rect = page.view_rect("eval_table", 0)  # row 2 first: the fixture's seed_image(22)
    page.screenshot("table")
    check_mask_layer(page, rect, rect[2] / 100, 22, 50, [rgb(c) for c in PALETTE], 0.6, what="table row 2 predictions")


def test_chart_hover(page):
    chart = page.d.find_element(By.CSS_SELECTOR, '.chart[data-key="loss"]')
    page.js("arguments[0].scrollIntoView({block: 'center'})", chart)
    Select(chart.find_element(By.TAG_NAME, "select")).select_by_visible_text("against _step")
    sense = chart.find_elements(By.CSS_SELECTOR, "svg rect")[-1]
    # x = step 2 lies at the middle of the plot area (steps 0..4).
    ActionChains(page.d).move_to_element(sense).perform()
    tip = chart.find_element(By.CSS_SELECTOR, ".tip text").text
    page.screenshot("chart-hover", chart)
    if tip != "_step 2: 0.333333":
        raise Failure(f"hover text {tip!r}")
    Select(chart.find_element(By.TAG_NAME, "select")).select_by_visible_text("against epoch")
    lines = len(page.d.find_elements(By.CSS_SELECTOR, '.chart[data-key="val.iou"] polyline'))
    if lines != 1:  # steps 0..2 joined; the NaN at step 3 breaks the line; step 4 is a dot
        raise Failure(f"val.iou has {lines} polylines")


def test_step_metric_and_system(page):
    chart = page.d.find_element(By.CSS_SELECTOR, '.chart[data-key="loss"]')
    options = [o.text for o in chart.find_elements(By.TAG_NAME, "option")]
    if options != ["against epoch", "against _step"]:
        raise Failure(f"loss chart x axes {options}")
    accuracy = [o.text for o in page.d.find_elements(By.CSS_SELECTOR, '.chart[data-key="accuracy"] option')]
    if accuracy != ["against epoch", "against _step"]:  # the glob acc* names accuracy
        raise Failure(f"accuracy chart x axes {accuracy}")
    if page.d.find_elements(By.CSS_SELECTOR, '.chart[data-key="val.iou"] option'):
        raise Failure("val.iou has a step metric, but none was defined for it")
    page.js("arguments[0].scrollIntoView({block: 'center'})", chart)
    sense = chart.find_elements(By.CSS_SELECTOR, "svg rect")[-1]
    ActionChains(page.d).move_to_element_with_offset(sense, int(-sense.size["width"] / 2) + 5, 0).perform()
    tip = chart.find_element(By.CSS_SELECTOR, ".tip text").text
    if tip not in ("epoch 0: 1", "epoch 0: 0.5"):  # steps 0 and 1 are both epoch 0
        raise Failure(f"hover over epoch 0: {tip!r}")
    system = [c.get_attribute("data-key") for c in page.d.find_elements(By.CSS_SELECTOR, "#system .chart")]
    if system != ["cpu", "proc.memory.rssMB"]:
        raise Failure(f"system charts {system}")
    page.screenshot("system", page.d.find_element(By.ID, "system"))
    if page.d.find_elements(By.ID, "problems"):
        raise Failure("problems listed: " + page.d.find_element(By.ID, "problems").text)


def test_images_load(page):
    page.activate_all()
    broken = page.js("return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
    total = page.js("return document.images.length")
    if broken or not total:
        raise Failure(f"{len(broken)} of {total} images did not load: {broken[:3]}")


def test_large(page, max_images):
    if page.ready_ms > READY_LIMIT_MS:
        raise Failure(f"ready after {page.ready_ms:.0f} ms, limit {READY_LIMIT_MS} ms")
    t = time.monotonic()
    page.activate_all()
    print(f"  every panel drawn {1000 * (time.monotonic() - t):.0f} ms after ready")
    shown = len(page.panel("examples").find_elements(By.CSS_SELECTOR, ".view"))
    if shown != max_images:
        raise Failure(f"the examples panel draws {shown} images, expected --max-images {max_images}")
    pager = page.panel("examples").find_element(By.CSS_SELECTOR, ".pager").text
    if "page 1 of 2" not in pager:
        raise Failure(f"pager text {pager!r}")
    page.screenshot("large", page.panel("seg"))
    # Moving the step slider: each step decodes and paints 2 masks (seg) + 2 x 2 (examples page),
    # timed in the page from the input event to the next frame after the overlays are painted.
    times = []
    for step in range(1, 100, 3):
        times.append(page.d.execute_async_script("""
            const done = arguments[arguments.length - 1], step = arguments[0];
            const t0 = performance.now();
            for (const key of ["seg", "examples"]) {
              const s = document.querySelector(`.panel[data-key="${key}"] input.step-slider`);
              s.value = step;
              s.dispatchEvent(new Event("input", {bubbles: true}));
            }
            window.wandbReport.idle().then(() => requestAnimationFrame(() => done(performance.now() - t0)));
        """, step))
    times.sort()
    print(f"  step slider of both panels (6 images, 12 masks): median {times[len(times) // 2]:.0f} ms, "
          f"slowest {times[-1]:.0f} ms over {len(times)} steps")
    if times[-1] > 1000:
        raise Failure(f"a step took {times[-1]:.0f} ms to draw")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", required=True)
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    work = os.path.abspath(args.work)
    shots = os.path.join(work, "screenshots")
    os.makedirs(shots, exist_ok=True)
    subprocess.run(["rm", "-rf", os.path.join(work, "runs")], check=True)

    def run(*cmd):
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        return out.stdout.strip().splitlines()[-1]

    t = time.monotonic()
    small = run(args.fixture, os.path.join(work, "runs", "small"))
    add_metrics_stats_environment(small)
    large = run(args.fixture, os.path.join(work, "runs", "large"), "--large")
    print(f"fixture runs logged in {time.monotonic() - t:.1f} s")
    elsewhere = os.path.join(work, "elsewhere", "deeper", "small.html")
    t = time.monotonic()
    print(run(args.tool, "view", small))
    print(run(args.tool, "view", small, "-o", elsewhere))
    print(run(args.tool, "view", large, "--max-images", "2"))
    print(f"reports written in {time.monotonic() - t:.1f} s")

    passed, failed = 0, 0
    driver = chromium()
    try:
        def check(name, fn, *fargs):
            nonlocal passed, failed
            try:
                fn(*fargs)
                passed += 1
                print(f"ok      {name}")
            except Exception as e:  # a failed check is reported, and the next one runs
                failed += 1
                print(f"FAILED  {name}: {e}")
                if not isinstance(e, Failure):
                    traceback.print_exc()

        page = Page(driver, os.path.join(small, "report.html"), shots)
        print(f"small report ready after {page.ready_ms:.0f} ms")
        check("run facts, config and summary", test_run_facts, page)
        check("predictions overlay at 50% over the image", test_predictions_overlay, page)
        check("ground truth in its own colors; a class toggled off", test_user_colors_and_class_toggle, page)
        check("step slider shows another step's image", test_step_slider, page)
        check("boxes where their coordinates say; score threshold", test_boxes, page)
        check("mask layers side by side", test_side_by_side, page)
        check("image list as a grid", test_image_list, page)
        check("table: sorting and image cells", test_table, page)
        check("chart hover", test_chart_hover, page)
        check("define_metric step metric, system metrics, unknown records", test_step_metric_and_system, page)
        check("every image loads", test_images_load, page)
        check("no network, nothing external", test_network_and_static, os.path.join(small, "report.html"), page)
        page.screenshot("small-top")

        driver.set_window_size(1100, 860)  # the report as it opens, for the README (docs/report.png)
        page = Page(driver, os.path.join(small, "report.html"), shots)
        page.js("window.scrollTo(0, document.getElementById('media').offsetTop - 250)")
        page.idle()
        page.js("document.querySelector('[data-key=seg] input[data-role=side-by-side]').click()")
        page.idle()
        page.screenshot("readme")
        driver.set_window_size(1400, 1000)

        page = Page(driver, elsewhere, shots)
        check("-o elsewhere: every image loads", test_images_load, page)

        page = Page(driver, os.path.join(large, "report.html"), shots)
        print(f"large report (100 steps, 500 masked images): ready after {page.ready_ms:.0f} ms")
        check(f"500 masked images: pages of --max-images, ready in under {READY_LIMIT_MS} ms", test_large, page, 2)
    finally:
        driver.quit()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
