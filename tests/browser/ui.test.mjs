// Drives reelcast's /ui page (issue 17) in Debian's headless Chromium through playwright-core:
// loads the page, predicts a rating, changes an input and sees the rating change, submits a
// bad year and sees the field's error, scores a review, sends predictions and feedback and
// finds the live numbers rising, and checks the page at a phone's width. Fails on any console
// error or page exception other than the browser's own report of the one expected 422.
// Writes a screenshot of each state to SCREENSHOT_DIR.
//
//   BASE_URL=http://127.0.0.1:8000 SCREENSHOT_DIR=target/ui-screenshots node ui.test.mjs
//
// tests/browser/run.sh starts the server and runs this.
import { mkdtempSync, rmSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BASE_URL = process.env.BASE_URL;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SHOTS = process.env.SCREENSHOT_DIR || "target/ui-screenshots";
/** Longest wait for anything the page does, in milliseconds (it refreshes every 3 s). */
const WAIT = 20_000;
/** Chromium's flags for this machine's closed network (see docs on the rust machine kind). */
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

if (!BASE_URL || !BASE_URL.startsWith("http://127.0.0.1:")) {
  console.error("set BASE_URL to a reelcast server on 127.0.0.1, e.g. http://127.0.0.1:8000");
  process.exit(2);
}
mkdirSync(SHOTS, { recursive: true });

let step = "start";
const problems = [];
let passed = 0;

function check(condition, message) {
  if (!condition) throw new Error(`${step}: ${message}`);
  passed += 1;
}

async function shot(page, name, fullPage = true) {
  await page.screenshot({ path: join(SHOTS, name + ".png"), fullPage });
}

async function text(page, selector) {
  return (await page.locator(selector).textContent()).trim();
}

/** A movie body for direct API traffic; `i` varies the inputs. */
function movie(i) {
  return {
    startYear: 1950 + (i * 7) % 70,
    runtimeMinutes: 80 + (i * 13) % 90,
    numVotes: 100 + i * 9973,
    genres: [["Drama"], ["Comedy", "Romance"], ["Action", "Sci-Fi"], ["Horror"]][i % 4],
  };
}

async function post(path, body) {
  const r = await fetch(BASE_URL + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${step}: POST ${path} answered ${r.status}: ${await r.text()}`);
  return r.json();
}

const userDataDir = mkdtempSync(join(tmpdir(), "reelcast-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: FLAGS,
  viewport: { width: 1280, height: 900 },
});
try {
  const page = context.pages()[0] || (await context.newPage());
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push({ step, text: msg.text(), url: msg.location().url });
  });
  page.on("pageerror", (err) => problems.push({ step, text: "exception: " + err.message }));

  step = "load";
  const response = await page.goto(BASE_URL + "/ui");
  check(response.status() === 200, `GET /ui answered ${response.status()}`);
  check((response.headers()["content-security-policy"] || "").includes("script-src 'self'"), "no CSP");
  await page.waitForFunction(() => document.getElementById("served").textContent.startsWith("Serving"), null, { timeout: WAIT });
  await page.locator("#m-facts dd").first().waitFor({ timeout: WAIT });
  check((await text(page, "#m-facts")).includes("test RMSE"), "the model section shows no test RMSE");
  await page.locator("#m-versions tbody tr").first().waitFor({ timeout: WAIT });
  const versions = await text(page, "#m-versions");
  check(versions.includes("@champion") && versions.includes("(served)"), "the versions table shows no served @champion: " + versions);
  await shot(page, "1-loaded");

  step = "predict";
  await page.locator("#f-title").fill("Inception");
  await page.getByLabel("Release year").fill("2010");
  await page.getByLabel("Runtime (minutes)").fill("148");
  await page.getByLabel("IMDb votes").fill("2400000");
  await page.getByLabel("Action", { exact: true }).check();
  await page.getByLabel("Sci-Fi").check();
  await page.getByRole("button", { name: "Predict rating" }).click();
  await page.locator("#movie-answer").waitFor({ state: "visible", timeout: WAIT });
  const first = Number(await text(page, "#r-rating"));
  check(first >= 1 && first <= 10, `rating ${first} is not on the 1-10 scale`);
  check((await text(page, "#r-band")).includes("10th–90th"), "no band shown");
  check((await page.locator("#r-contrib rect").count()) >= 3, "fewer than 3 contribution bars");
  check((await page.locator("#r-scale .band").count()) === 1, "no band drawn on the scale");
  await shot(page, "2-predicted");

  step = "change";
  // Submitted with the keyboard: Enter in a field submits the form.
  await page.getByLabel("IMDb votes").fill("150");
  await page.getByLabel("Runtime (minutes)").fill("85");
  await page.getByLabel("Runtime (minutes)").press("Enter");
  await page.waitForFunction((before) => document.getElementById("r-rating").textContent !== before, String(first.toFixed(2)), { timeout: WAIT });
  const second = Number(await text(page, "#r-rating"));
  check(second !== first && second >= 1 && second <= 10, `rating did not change (${first} -> ${second})`);
  check((await text(page, "#r-imputed")).length > 0, "imputed inputs not reported");
  await shot(page, "3-changed");

  step = "bad-year";
  await page.getByLabel("Release year").fill("1700");
  await page.getByRole("button", { name: "Predict rating" }).click();
  const yearError = page.locator("#e-startYear");
  await yearError.waitFor({ state: "visible", timeout: WAIT });
  check((await yearError.textContent()).includes("1700"), "the year's error does not name the value");
  check((await page.getByLabel("Release year").getAttribute("aria-invalid")) === "true", "year not marked invalid");
  check(await page.getByLabel("Release year").evaluate((e) => e === document.activeElement), "focus not moved to the bad field");
  check((await text(page, "#r-rating")) === second.toFixed(2), "the last good rating was replaced");
  check(await page.locator("#movie-answer").evaluate((e) => e.classList.contains("stale")), "the old rating is not dimmed");
  await shot(page, "4-bad-year");
  await page.getByLabel("Release year").fill("2010");
  await page.getByRole("button", { name: "Predict rating" }).click();
  await yearError.waitFor({ state: "hidden", timeout: WAIT });
  check(!(await page.locator("#movie-answer").evaluate((e) => e.classList.contains("stale"))), "the new rating is dimmed");

  step = "review";
  await page.getByLabel("Review text").fill("A wonderful, moving film with brilliant acting!");
  await page.getByRole("button", { name: "Score review" }).click();
  await page.locator("#review-result").waitFor({ state: "visible", timeout: WAIT });
  check((await text(page, "#s-label")) === "positive", `sentiment ${await text(page, "#s-label")}`);
  check((await text(page, "#s-facts")).includes("language"), "no language shown");
  await page.locator("#review").scrollIntoViewIfNeeded();
  await shot(page, "5-review");

  step = "live";
  // The page refreshes the live numbers by itself; wait for a first reading.
  await page.waitForFunction(() => /^\d+$/.test(document.getElementById("l-total").textContent), null, { timeout: WAIT });
  const before = Number(await text(page, "#l-total"));
  const histogramBefore = await page.locator("#l-hist rect").evaluateAll((rs) => rs.length);
  const sent = 40;
  for (let i = 0; i < sent; i++) await post("/predict/movie", movie(i));
  await post("/feedback", { items: [0, 1, 2, 3, 4].map((i) => ({ ...movie(i), actual_rating: 5 + i })) });
  await page.waitForFunction(
    (target) => Number(document.getElementById("l-total").textContent) >= target
      && Number(document.getElementById("l-rate").textContent) > 0,
    before + sent, { timeout: WAIT },
  );
  const after = Number(await text(page, "#l-total"));
  check(after >= before + sent, `total went from ${before} to ${after}`);
  check(Number(await text(page, "#l-rate")) > 0, "predictions/s not above 0");
  check(/ms$/.test(await text(page, "#l-p50")), "no p50 latency");
  check((await page.locator("#l-hist rect").count()) >= Math.max(1, histogramBefore), "no histogram bars");
  await page.waitForFunction(() => document.getElementById("l-drift-status").textContent.includes("PSI"), null, { timeout: WAIT });
  check((await page.locator("#l-drift rect").count()) >= 3, "fewer than 3 drift bars");
  await page.waitForFunction(() => document.getElementById("l-rmse").textContent.startsWith("Live RMSE"), null, { timeout: WAIT });
  await page.locator("#live").scrollIntoViewIfNeeded();
  await shot(page, "6-live");

  step = "phone";
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the page is ${overflow}px wider than a phone`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, "7-phone", false);
  await page.locator("#movie-result").scrollIntoViewIfNeeded();
  await shot(page, "8-phone-result", false);

  step = "console";
  // The one expected console error is Chromium's own line for the 422 of the bad year.
  const unexpected = problems.filter((p) => !(p.step === "bad-year" && /status of 422/.test(p.text)));
  check(problems.some((p) => p.step === "bad-year"), "the 422 of the bad year was not seen by the browser");
  check(unexpected.length === 0, "console errors: " + JSON.stringify(unexpected));
  console.log(`ok: ${passed} checks passed; screenshots in ${SHOTS}`);
} catch (e) {
  console.error("FAIL " + e.message);
  if (problems.length) console.error("console errors seen: " + JSON.stringify(problems));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
