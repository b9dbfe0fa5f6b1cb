// reelcast's page (issue 17): a form for POST /predict/movie, a review box for POST /predict,
// the served model from GET /model/info and /model/versions, and the live numbers from the monitoring endpoints,
// refreshed every few seconds. It calls only the documented JSON endpoints below (a Rust test
// checks them against the OpenAPI document), shows what the server computed, and builds its
// charts as SVG through the DOM: the page's Content-Security-Policy allows no inline script
// or style.
"use strict";

/** Every endpoint the page calls. */
const API = {
  movie: "/predict/movie",
  text: "/predict",
  info: "/model/info",
  people: "/model/people",
  versions: "/model/versions",
  stats: "/monitoring/predictions/stats",
  drift: "/monitoring/data-drift/check",
  monitoring: "/monitoring/status",
  alerts: "/monitoring/alerts/active",
  metrics: "/metrics",
};

/** How often the live section refreshes, in milliseconds. */
const REFRESH_MS = 3000;
/** The model section refreshes every this many live refreshes (and after a model change). */
const INFO_EVERY = 10;
/** The server answers drift checks of its recent-traffic window from this many movies on. */
const MIN_DRIFT_ROWS = 30;
/** Contributions shown, largest first; the rest are summed into one bar. */
const MAX_CONTRIBUTIONS = 12;
/** Drift bars shown, largest PSI first; the rest are summarised in a line. */
const MAX_DRIFT_BARS = 12;

/** IMDb's 28 genres, as the API spells them. */
const GENRES = [
  "Action", "Adult", "Adventure", "Animation", "Biography", "Comedy", "Crime", "Documentary",
  "Drama", "Family", "Fantasy", "Film-Noir", "Game-Show", "History", "Horror", "Music",
  "Musical", "Mystery", "News", "Reality-TV", "Romance", "Sci-Fi", "Short", "Sport",
  "Talk-Show", "Thriller", "War", "Western",
];

const SVG_NS = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

/** State kept between refreshes: what the server last said, not numbers of our own. */
const state = {
  info: null,
  modelVersion: null,
  lastTotal: null,
  lastAt: null,
  alertsConfigured: false,
  ticks: 0,
};

// ---- small DOM helpers -----------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function svgEl(tag, attrs, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Empties an SVG but keeps its <title> (its accessible name). */
function clearSvg(svg) {
  for (const child of [...svg.childNodes]) {
    if (child.nodeName !== "title") child.remove();
  }
}

function fact(dl, name, value) {
  if (value === undefined || value === null || value === "") return;
  dl.append(el("dt", {}, name), el("dd", {}, String(value)));
}

const isNum = (x) => typeof x === "number" && Number.isFinite(x);
const fmt = (x, digits) => (isNum(x) ? x.toFixed(digits) : "–");

/** A latency in seconds (the upper bound of the server's bucket) as "≤ N ms". */
function fmtLatency(seconds) {
  if (!isNum(seconds)) return "–";
  const ms = seconds * 1000;
  return "≤ " + (ms < 10 ? ms.toPrecision(2) : ms.toFixed(0)) + " ms";
}

/** Calls the API; resolves to {ok, status, body} and never throws on HTTP errors. */
async function call(path, options) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (e) {
    return { ok: false, status: 0, body: null, network: String(e) };
  }
  const type = response.headers.get("content-type") || "";
  let body = null;
  try {
    body = type.includes("json") ? await response.json() : await response.text();
  } catch (e) {
    body = null;
  }
  return { ok: response.ok, status: response.status, body };
}

function postJson(path, body) {
  return call(path, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
  });
}

/** The message of an API error body (`{"error": {...}}`), or a generic one. */
function errorMessage(result) {
  if (result.status === 0) return "The server did not answer (" + result.network + ").";
  const e = result.body && result.body.error;
  if (e && e.message) return e.message;
  return "The server answered HTTP " + result.status + ".";
}

// ---- errors next to their fields ----------------------------------------------------------

/** Clears every field error inside `form`. */
function clearErrors(form, formError) {
  for (const p of form.querySelectorAll(".field-error")) {
    p.textContent = "";
    p.hidden = true;
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  formError.textContent = "";
  formError.hidden = true;
}

/**
 * Shows an API error: each problem next to the field it names (`field` and every
 * `details[].field`), the rest in the form's error line. Focuses the first bad input.
 */
function showErrors(form, formError, result) {
  const e = (result.body && result.body.error) || {};
  const problems = [];
  if (Array.isArray(e.details) && e.details.length > 0) {
    for (const d of e.details) problems.push({ field: d.field, message: d.message });
  } else {
    problems.push({ field: e.field, message: errorMessage(result) });
  }
  let first = null;
  const unplaced = [];
  for (const p of problems) {
    // A batch-style path such as `movies[0].startYear` names the same input as `startYear`.
    const name = typeof p.field === "string" ? p.field.replace(/^.*[.\]]/, "") : "";
    const slot = name ? form.querySelector("#e-" + CSS.escape(name)) : null;
    if (!slot) {
      unplaced.push(p.message);
      continue;
    }
    slot.textContent = slot.textContent ? slot.textContent + "; " + p.message : p.message;
    slot.hidden = false;
    const input = form.querySelector("#f-" + CSS.escape(name));
    if (input) {
      input.setAttribute("aria-invalid", "true");
      first = first || input;
    }
  }
  if (unplaced.length > 0) {
    formError.textContent = unplaced.join(" ");
    formError.hidden = false;
  }
  if (first) first.focus();
}

// ---- predict ------------------------------------------------------------------------------

function buildGenres() {
  const grid = $("genre-grid");
  for (const g of GENRES) {
    const id = "g-" + g;
    const input = el("input", { type: "checkbox", id, name: "genres", value: g });
    grid.append(el("label", { class: "genre", for: id }, input, g));
  }
}

/** An integer field as typed: a number, or the raw text for the server to judge; absent when empty. */
function numberField(id) {
  const raw = $(id).value.trim();
  if (raw === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : raw;
}

function peopleField(id) {
  return $(id).value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** The request body: only documented fields, and only those the user gave. */
function movieBody() {
  const body = {};
  const title = $("f-title").value.trim();
  if (title) body.title = title;
  for (const name of ["startYear", "runtimeMinutes", "numVotes"]) {
    const v = numberField("f-" + name);
    if (v !== undefined) body[name] = v;
  }
  body.genres = [...document.querySelectorAll("#genre-grid input:checked")].map((i) => i.value);
  body.titleType = $("f-titleType").value;
  body.isAdult = $("f-isAdult").checked;
  if (!$("crew").hidden) {
    for (const name of ["directors", "writers", "cast"]) {
      const list = peopleField("f-" + name);
      if (list.length > 0) body[name] = list;
    }
  }
  return body;
}

async function predictMovie(event) {
  event.preventDefault();
  const form = $("movie-form");
  const button = $("predict-button");
  clearErrors(form, $("movie-form-error"));
  button.disabled = true;
  const result = await postJson(API.movie + "?explain=true", movieBody());
  button.disabled = false;
  if (!result.ok) {
    // The last rating stays, dimmed: it no longer answers the form as it stands.
    $("movie-answer").classList.add("stale");
    showErrors(form, $("movie-form-error"), result);
    return;
  }
  $("movie-answer").classList.remove("stale");
  renderPrediction(result.body);
  if (result.body.model_version !== state.modelVersion) loadInfo();
}

/** The 1-10 scale with the 10th-90th percentile band and the predicted point. */
function drawScale(svg, rating, interval) {
  clearSvg(svg);
  const x = (r) => 12 + ((r - 1) / 9) * 276;
  svg.append(svgEl("line", { class: "axis", x1: x(1), x2: x(10), y1: 22, y2: 22 }));
  if (interval && isNum(interval.lower) && isNum(interval.upper)) {
    svg.append(svgEl("rect", {
      class: "band", x: x(interval.lower), y: 12,
      width: Math.max(1, x(interval.upper) - x(interval.lower)), height: 20, rx: 3,
    }));
  }
  for (let r = 1; r <= 10; r++) {
    svg.append(svgEl("line", { class: "axis", x1: x(r), x2: x(r), y1: 30, y2: 34 }));
    svg.append(svgEl("text", { class: "tick", x: x(r), y: 45, "text-anchor": "middle" }, r));
  }
  svg.append(svgEl("circle", { class: "point", cx: x(rating), cy: 22, r: 6 }));
}

/**
 * Horizontal bars. `rows`: {label, value, cls?}. Signed charts grow from a zero line in the
 * middle; `marks` are dashed vertical lines ({value, cls, label}) such as thresholds, named
 * in the text around the chart.
 */
function drawBars(svg, rows, opts) {
  clearSvg(svg);
  const o = Object.assign({ signed: false, digits: 2, marks: [] }, opts);
  const width = 360, labelW = 130, valueW = 44, rowH = 20, top = 2;
  const height = top + rows.length * rowH + 2;
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  const plotW = width - labelW - valueW;
  const extent = Math.max(1e-9, ...rows.map((r) => Math.abs(r.value)), ...o.marks.map((m) => m.value));
  const zero = o.signed ? labelW + plotW / 2 : labelW;
  const scale = (o.signed ? plotW / 2 : plotW) / extent;
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const w = Math.max(1, Math.abs(r.value) * scale);
    const x0 = r.value < 0 ? zero - w : zero;
    const cls = r.cls || (o.signed ? (r.value < 0 ? "neg" : "pos") : "bar");
    svg.append(svgEl("text", { x: labelW - 6, y: y + 14, "text-anchor": "end" }, r.label));
    const bar = svgEl("rect", { class: cls, x: x0, y: y + 4, width: w, height: rowH - 7, rx: 2 });
    bar.append(svgEl("title", {}, r.label + ": " + r.value.toFixed(o.digits)));
    svg.append(bar);
    const text = (o.signed && r.value > 0 ? "+" : "") + r.value.toFixed(o.digits);
    svg.append(svgEl("text", { class: "tick", x: width - 2, y: y + 14, "text-anchor": "end" }, text));
  });
  if (o.signed) {
    svg.append(svgEl("line", { class: "axis", x1: zero, x2: zero, y1: top, y2: height }));
  }
  for (const m of o.marks) {
    const mx = zero + m.value * scale;
    const line = svgEl("line", { class: "threshold " + (m.cls || ""), x1: mx, x2: mx, y1: top, y2: height });
    line.append(svgEl("title", {}, m.label));
    svg.append(line);
  }
}

function renderPrediction(p) {
  $("movie-empty").hidden = true;
  $("movie-answer").hidden = false;
  $("r-rating").textContent = fmt(p.predicted_rating, 2);
  const band = p.interval;
  $("r-band").textContent = band
    ? "80% band (10th–90th percentile): " + fmt(band.lower, 2) + " – " + fmt(band.upper, 2)
    : "This model gives no interval.";
  drawScale($("r-scale"), p.predicted_rating, band);
  const imputed = Array.isArray(p.imputed) ? p.imputed : [];
  $("r-imputed").textContent = imputed.length
    ? "Imputed from the training data: " + imputed.join(", ")
    : "Nothing imputed: every input was given.";
  renderPeople(p.people);
  const contributions = Array.isArray(p.contributions) ? p.contributions : [];
  $("r-bias").textContent = isNum(p.bias)
    ? "Starts from " + p.bias.toFixed(2) + " (the model's bias); each bar moves it up or down."
    : "";
  const sorted = contributions
    .filter((c) => c && isNum(c.value))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  const rows = sorted.slice(0, MAX_CONTRIBUTIONS).map((c) => ({ label: c.feature, value: c.value }));
  if (sorted.length > MAX_CONTRIBUTIONS) {
    const rest = sorted.slice(MAX_CONTRIBUTIONS);
    rows.push({ label: rest.length + " others", value: rest.reduce((s, c) => s + c.value, 0) });
  }
  drawBars($("r-contrib"), rows, { signed: true });
  $("r-model").textContent = "Model " + p.model_name + " version " + p.model_version;
}

/** The people the server matched (`people`: given string -> nconst or null), when it sends them. */
function renderPeople(people) {
  const box = $("r-people");
  box.textContent = "";
  if (!people || typeof people !== "object") return;
  const entries = Object.entries(people);
  if (entries.length === 0) return;
  const parts = entries.map(([given, id]) => given + " → " + (id === null ? "not in the model's table" : id));
  box.textContent = "People: " + parts.join("; ");
}

// ---- people suggestions (when the model uses crew features) ---------------------------------

let suggestTimer = null;

function suggestPeople(event) {
  const parts = event.target.value.split(",");
  const prefix = parts[parts.length - 1].trim();
  clearTimeout(suggestTimer);
  if (prefix.length < 2) return;
  suggestTimer = setTimeout(async () => {
    const q = new URLSearchParams({ prefix, limit: "10" });
    const result = await call(API.people + "?" + q, { headers: { accept: "application/json" } });
    const list = $("people-list");
    list.textContent = "";
    if (!result.ok || !result.body || !Array.isArray(result.body.people)) return;
    const done = parts.slice(0, -1).map((s) => s.trim()).filter(Boolean);
    for (const p of result.body.people) {
      if (!p || !p.name) continue;
      const value = [...done, p.name].join(", ");
      const films = isNum(p.films) ? " · " + p.films + " films" : "";
      list.append(el("option", { value, label: (p.nconst || "") + films }));
    }
  }, 200);
}

// ---- review --------------------------------------------------------------------------------

async function scoreReview(event) {
  event.preventDefault();
  const form = $("review-form");
  clearErrors(form, $("review-form-error"));
  $("review-button").disabled = true;
  const result = await postJson(API.text + "?explain=true", { text: $("f-text").value });
  $("review-button").disabled = false;
  if (!result.ok) {
    $("review-result").hidden = true;
    showErrors(form, $("review-form-error"), result);
    return;
  }
  renderReview(result.body);
}

/** A word list as sent: strings, or objects with a word and a weight. */
function wordList(list, cls, title) {
  if (!Array.isArray(list) || list.length === 0) return null;
  const ul = el("ul", { class: "words " + cls, "aria-label": title });
  for (const w of list) {
    if (typeof w === "string") ul.append(el("li", {}, w));
    else if (w && typeof w === "object") {
      const word = w.word || w.token || w.term || "";
      const weight = [w.weight, w.score, w.value].find(isNum);
      ul.append(el("li", {}, word + (isNum(weight) ? " (" + weight.toFixed(2) + ")" : "")));
    }
  }
  return el("div", {}, el("h3", {}, title), ul);
}

function renderReview(r) {
  $("review-result").hidden = false;
  const label = $("s-label");
  label.textContent = r.sentiment || "–";
  label.className = "label-" + (r.sentiment || "neutral");
  const dl = $("s-facts");
  dl.textContent = "";
  if (isNum(r.probability)) fact(dl, "probability", r.probability.toFixed(3));
  if (isNum(r.confidence)) fact(dl, "confidence", r.confidence.toFixed(3));
  if (isNum(r.compound)) fact(dl, "compound score", r.compound.toFixed(3));
  fact(dl, "language", r.language);
  fact(dl, "method", r.method);
  if (isNum(r.predicted_rating)) fact(dl, "rating", r.predicted_rating.toFixed(2));
  const words = $("s-words");
  words.textContent = "";
  const pos = wordList(r.top_positive, "pos", "Words that weighed for");
  const neg = wordList(r.top_negative, "neg", "Words that weighed against");
  if (pos) words.append(pos);
  if (neg) words.append(neg);
}

// ---- model ---------------------------------------------------------------------------------

async function loadInfo() {
  const result = await call(API.info, { headers: { accept: "application/json" } });
  if (!result.ok) {
    $("model-error").textContent = errorMessage(result);
    $("model-error").hidden = false;
    $("served").textContent = "No model served yet.";
    return;
  }
  $("model-error").hidden = true;
  state.info = result.body;
  state.modelVersion = result.body.version;
  renderInfo(result.body);
  await loadVersions();
}

/** The registered versions of the served model's name (read-only), the served one marked. */
async function loadVersions() {
  const result = await call(API.versions, { headers: { accept: "application/json" } });
  const box = $("m-versions-box");
  const note = $("m-versions-note");
  const listed = result.ok && result.body.registry;
  box.hidden = !listed || result.body.versions.length === 0;
  note.hidden = listed;
  if (!result.ok) note.textContent = errorMessage(result);
  else if (!listed) note.textContent = "Served from a bundle file (" + result.body.source + "): no registered versions.";
  if (!listed) return;
  const rows = $("m-versions").tBodies[0];
  rows.textContent = "";
  for (const v of result.body.versions) {
    const served = state.info && String(v.version) === String(state.info.version);
    const aliases = v.aliases.map((a) => "@" + a).join(" ");
    rows.append(el("tr", served ? { class: "served" } : {},
      el("td", {}, String(v.version) + (served ? " (served)" : "")),
      el("td", {}, v.created_at),
      el("td", {}, fmt(v.test_rmse, 4)),
      el("td", {}, v.dataset_version || "–"),
      el("td", {}, aliases || "–")));
  }
}

/** Feature importances if /model/info carries them: a list of {feature, importance} or a map. */
function importanceRows(info) {
  const raw = info.feature_importances || info.importances;
  if (!raw) return [];
  const pairs = Array.isArray(raw)
    ? raw.map((x) => [x && (x.feature || x.name), x && [x.importance, x.value, x.gain].find(isNum)])
    : Object.entries(raw);
  return pairs
    .filter(([f, v]) => typeof f === "string" && isNum(v))
    .map(([label, value]) => ({ label, value }))
    .sort((a, b) => b.value - a.value)
    .slice(0, 15);
}

function renderInfo(info) {
  const alias = info.alias ? " @" + info.alias : "";
  $("served").textContent = "Serving " + info.name + " version " + info.version + alias;
  const m = info.metrics || {};
  const dl = $("m-facts");
  dl.textContent = "";
  fact(dl, "name", info.name);
  fact(dl, "kind", info.kind);
  fact(dl, "version", info.version);
  fact(dl, "alias", info.alias || "none");
  fact(dl, "source", info.source);
  fact(dl, "trained at", info.created_at);
  fact(dl, "dataset version", info.dataset_version);
  if (isNum(info.n_train)) fact(dl, "rows", info.n_train + " train, " + info.n_test + " test");
  if (m.test && isNum(m.test.rmse)) {
    const base = m.baseline && isNum(m.baseline.rmse) ? " (mean baseline " + m.baseline.rmse.toFixed(3) + ")" : "";
    fact(dl, "test RMSE", m.test.rmse.toFixed(3) + base);
  }
  if (m.test && isNum(m.test.r2)) fact(dl, "test R²", m.test.r2.toFixed(3));
  if (m.cv && isNum(m.cv.rmse_mean)) {
    fact(dl, "cross-validated RMSE", m.cv.rmse_mean.toFixed(3) + " ± " + fmt(m.cv.rmse_std, 3));
  }
  const iv = m.interval;
  if (iv && isNum(iv.coverage)) {
    const nominal = isNum(iv.nominal) ? " (nominal " + (iv.nominal * 100).toFixed(0) + "%)" : "";
    fact(dl, "interval coverage", (iv.coverage * 100).toFixed(1) + "% of test ratings" + nominal
      + (isNum(iv.mean_width) ? ", mean width " + iv.mean_width.toFixed(2) : ""));
  }
  if (Array.isArray(info.features)) fact(dl, "features", info.features.length + ": " + info.features.join(", "));
  if (Array.isArray(info.feature_groups)) fact(dl, "feature groups", info.feature_groups.join(", "));
  fact(dl, "git commit", info.git_sha);
  $("version").textContent = info.reelcast_version || "";
  const rows = importanceRows(info);
  $("m-importances-box").hidden = rows.length === 0;
  if (rows.length) drawBars($("m-importances"), rows, { digits: 3 });
  $("crew").hidden = !(Array.isArray(info.feature_groups) && info.feature_groups.includes("crew"));
}

// ---- live ----------------------------------------------------------------------------------

/** One gauge's value from Prometheus text (no labels), or null. */
function gauge(text, name) {
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  if (!line) return null;
  const v = Number(line.slice(name.length + 1).trim().split(" ")[0]);
  return Number.isFinite(v) ? v : null;
}

function drawHistogram(svg, buckets) {
  clearSvg(svg);
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const left = 10, width = 280, bottom = 108, plotH = 90;
  const bw = width / Math.max(1, buckets.length);
  buckets.forEach((b, i) => {
    const h = (b.count / max) * plotH;
    const x = left + i * bw;
    const bar = svgEl("rect", { class: "bar", x: x + 2, y: bottom - h, width: bw - 4, height: Math.max(h, 0), rx: 2 });
    bar.append(svgEl("title", {}, b.lower + "–" + b.upper + ": " + b.count));
    svg.append(bar);
    if (b.count > 0) {
      svg.append(svgEl("text", { class: "tick", x: x + bw / 2, y: bottom - h - 3, "text-anchor": "middle" }, b.count));
    }
    svg.append(svgEl("text", { class: "tick", x, y: bottom + 14, "text-anchor": "middle" }, b.lower));
  });
  const last = buckets[buckets.length - 1];
  if (last) svg.append(svgEl("text", { class: "tick", x: left + width, y: bottom + 14, "text-anchor": "middle" }, last.upper));
  svg.append(svgEl("line", { class: "axis", x1: left, x2: left + width, y1: bottom, y2: bottom }));
}

function renderStats(s) {
  const now = performance.now();
  const total = s.total_predictions;
  $("l-total").textContent = isNum(total) ? String(total) : "–";
  if (isNum(total) && state.lastTotal !== null) {
    const seconds = (now - state.lastAt) / 1000;
    $("l-rate").textContent = seconds > 0 ? ((total - state.lastTotal) / seconds).toFixed(2) : "–";
  }
  state.lastTotal = isNum(total) ? total : null;
  state.lastAt = now;
  const lat = s.latency_seconds || {};
  $("l-p50").textContent = fmtLatency(lat.p50);
  $("l-p99").textContent = fmtLatency(lat.p99);
  $("l-errors").textContent = isNum(s.error_rate) ? (s.error_rate * 100).toFixed(1) + "%" : "–";
  $("l-mean").textContent = fmt(s.mean_predicted_rating, 2);
  if (Array.isArray(s.rating_histogram)) drawHistogram($("l-hist"), s.rating_histogram);
}

function renderLiveError(text) {
  const box = $("l-rmse");
  const training = gauge(text, "reelcast_model_training_rmse");
  const live = gauge(text, "reelcast_live_rmse");
  const mae = gauge(text, "reelcast_live_mae");
  const window = gauge(text, "reelcast_live_feedback_window_size");
  const trainingText = isNum(training) ? "training RMSE " + training.toFixed(3) : "training RMSE unknown";
  if (!isNum(window) || window === 0 || !isNum(live)) {
    box.textContent = "No feedback yet (" + trainingText + "). Clients send real ratings to POST /feedback.";
    return;
  }
  box.textContent = "Live RMSE " + live.toFixed(3) + (isNum(mae) ? ", MAE " + mae.toFixed(3) : "")
    + " over the last " + window + " rated predictions; " + trainingText + ".";
}

async function refreshDrift(stats) {
  const ep = stats.endpoints || {};
  const movies = ((ep.movie && ep.movie.predictions) || 0) + ((ep.batch && ep.batch.predictions) || 0);
  const status = $("l-drift-status");
  if (movies < MIN_DRIFT_ROWS) {
    status.textContent = "Needs " + MIN_DRIFT_ROWS + " predicted movies; " + movies + " so far.";
    return;
  }
  const result = await call(API.drift, { method: "POST", headers: { accept: "application/json" } });
  if (!result.ok) {
    status.textContent = errorMessage(result);
    $("l-drift-rest").textContent = "";
    clearSvg($("l-drift"));
    return;
  }
  const d = result.body;
  status.textContent = "";
  status.append(
    el("strong", { class: "status-" + d.status }, d.status),
    " — largest PSI " + fmt(d.max_psi, 3) + " over " + d.n + " recent movies",
  );
  const t = d.thresholds || {};
  const level = (v) => (v >= t.high ? "high" : v >= t.low ? "low" : "ok");
  const all = Object.entries(d.scores || {})
    .filter(([, v]) => isNum(v))
    .map(([label, value]) => ({ label, value, cls: level(value) }))
    .sort((a, b) => b.value - a.value);
  const rows = all.slice(0, MAX_DRIFT_BARS);
  const rest = all.slice(MAX_DRIFT_BARS);
  const thresholds = isNum(t.low) && isNum(t.high)
    ? "Dashed lines: thresholds low " + t.low + " (amber) and high " + t.high + " (red). "
    : "";
  $("l-drift-rest").textContent = thresholds + (rest.length
    ? rest.length + " more features, each with PSI at most " + rest[0].value.toFixed(3) + "."
    : "");
  const marks = [];
  if (isNum(t.low)) marks.push({ value: t.low, cls: "low", label: "low " + t.low });
  if (isNum(t.high)) marks.push({ value: t.high, cls: "high", label: "high " + t.high });
  drawBars($("l-drift"), rows, { digits: 3, marks });
}

async function refreshAlerts() {
  if (!state.alertsConfigured) return;
  const result = await call(API.alerts, { headers: { accept: "application/json" } });
  const list = $("l-alerts");
  list.textContent = "";
  $("l-alerts-box").hidden = false;
  if (!result.ok) {
    list.append(el("li", {}, errorMessage(result)));
    return;
  }
  const alerts = Array.isArray(result.body.alerts) ? result.body.alerts : [];
  if (alerts.length === 0) list.append(el("li", {}, "No active alerts."));
  for (const a of alerts) {
    const labels = a.labels || {};
    const notes = a.annotations || {};
    const name = labels.alertname || "alert";
    const extra = [labels.severity, notes.summary].filter(Boolean).join(": ");
    list.append(el("li", {}, el("strong", {}, name), extra ? " — " + extra : ""));
  }
}

async function refreshLive() {
  state.ticks += 1;
  const [stats, metrics] = await Promise.all([
    call(API.stats, { headers: { accept: "application/json" } }),
    call(API.metrics),
  ]);
  if (stats.ok) {
    renderStats(stats.body);
    await refreshDrift(stats.body);
  }
  if (metrics.ok && typeof metrics.body === "string") renderLiveError(metrics.body);
  await refreshAlerts();
  if (state.ticks % INFO_EVERY === 0) await loadInfo();
  $("l-updated").textContent = "updated " + new Date().toLocaleTimeString();
}

async function liveLoop() {
  try {
    await refreshLive();
  } finally {
    setTimeout(liveLoop, REFRESH_MS);
  }
}

async function loadMonitoring() {
  const result = await call(API.monitoring, { headers: { accept: "application/json" } });
  state.alertsConfigured = Boolean(result.ok && result.body && result.body.alertmanager && result.body.alertmanager.url);
}

// ---- start -----------------------------------------------------------------------------------

function fillExample() {
  $("f-title").value = "Inception";
  $("f-startYear").value = "2010";
  $("f-runtimeMinutes").value = "148";
  $("f-numVotes").value = "2400000";
  $("f-titleType").value = "movie";
  $("f-isAdult").checked = false;
  for (const input of document.querySelectorAll("#genre-grid input")) {
    input.checked = ["Action", "Adventure", "Sci-Fi"].includes(input.value);
  }
  $("f-startYear").focus();
}

async function start() {
  buildGenres();
  $("movie-form").addEventListener("submit", predictMovie);
  $("example-button").addEventListener("click", fillExample);
  $("review-form").addEventListener("submit", scoreReview);
  for (const id of ["f-directors", "f-writers", "f-cast"]) $(id).addEventListener("input", suggestPeople);
  await Promise.all([loadInfo(), loadMonitoring()]);
  liveLoop();
}

document.addEventListener("DOMContentLoaded", start);
