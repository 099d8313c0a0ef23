// Newsflow operator page: search (with facets), the crawl view (lag,
// outcomes, failing hosts, submit), dead letters (retry), sources, a
// URL's trace and the pages that are not articles.
// Plain JavaScript, no build step. Only snippets (escaped by the server,
// matches in <mark>) are inserted as HTML; everything else is text.
//
// The address holds the state: /?q=...&site=... is a search (run on
// load), /?view=crawl a view, /?view=trace&url=... a trace; #article=URL
// opens an article over the results.
"use strict";

const $ = (id) => document.getElementById(id);
const VIEWS = ["search", "crawl", "deadletters", "sources", "trace", "pages"];
const SEARCH_KEYS = ["q", "site", "lang", "from", "to"];
const PAGE_SIZE = 10;
let lastSearch = null; // the query string of the search shown
let refreshTimer = null;

function fmtDate(s) {
  if (!s) return "–";
  const d = new Date(s);
  return isNaN(d) ? s : d.toISOString().replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function row(...cells) {
  const tr = el("tr");
  for (const c of cells) {
    const td = el("td");
    if (c instanceof Node) td.append(c); else td.textContent = c === undefined || c === null ? "–" : String(c);
    tr.append(td);
  }
  return tr;
}

function emptyRow(tbody, cols, text) {
  const tr = el("tr"), td = el("td", text, "meta");
  td.colSpan = cols;
  tr.append(td);
  tbody.append(tr);
}

function setStatus(msg, isError) {
  $("status").textContent = msg;
  $("status").className = isError ? "error" : "";
}

async function request(url, opts) {
  const res = await fetch(url, Object.assign({ headers: { Accept: "application/json" } }, opts));
  let body = null;
  try { body = await res.json(); } catch (e) { /* not JSON */ }
  if (!res.ok) throw new Error((body && body.error) || res.status + " " + res.statusText);
  return body;
}

const getJSON = (url) => request(url);
const postJSON = (url, data) => request(url, {
  method: "POST",
  headers: { Accept: "application/json", "Content-Type": "application/json" },
  body: JSON.stringify(data || {}),
});

// traceLink links to the trace view of a URL or trace id.
function traceLink(text, key, value) {
  const a = el("a", text);
  a.href = "/?view=trace&" + key + "=" + encodeURIComponent(value);
  a.addEventListener("click", (ev) => { ev.preventDefault(); go({ view: "trace", [key]: value }); });
  return a;
}

// ---- address and views ----

// go navigates within the page: params become the address (pushState),
// then the page follows it.
function go(params, replace) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") p.set(k, v);
  const url = p.toString() ? "/?" + p.toString() : "/";
  if (replace) history.replaceState(null, "", url); else history.pushState(null, "", url);
  route();
}

function showView(view) {
  for (const v of VIEWS) $("view-" + v).hidden = v !== view;
  for (const a of document.querySelectorAll("#tabs a")) a.classList.toggle("active", a.dataset.view === view);
  clearInterval(refreshTimer);
  refreshTimer = null;
}

function route() {
  const p = new URLSearchParams(location.search);
  const h = location.hash.slice(1);
  if (h.startsWith("search=")) {
    // The old address form: #search=q%3D... becomes ?q=...
    history.replaceState(null, "", "/?" + decodeURIComponent(h.slice(7)));
    return route();
  }
  const view = VIEWS.includes(p.get("view")) ? p.get("view") : "search";
  showView(view);
  setStatus("");
  switch (view) {
    case "search":
      if (h.startsWith("article=")) { showArticle(decodeURIComponent(h.slice(8))); return; }
      showResults();
      for (const k of SEARCH_KEYS) $(k).value = p.get(k) || "";
      if (p.get("q")) {
        const qs = searchParams(p).toString();
        if (qs !== lastSearch) search(searchParams(p));
      } else {
        lastSearch = null;
        $("results").replaceChildren();
        $("prev").disabled = $("next").disabled = true;
      }
      refreshFacets();
      break;
    case "crawl":
      loadCrawl();
      refreshTimer = setInterval(loadCrawl, 10000);
      break;
    case "deadletters": loadDeadLetters(); break;
    case "sources": loadSources(); break;
    case "trace": {
      const q = p.get("url") || p.get("trace_id") || "";
      $("trace-q").value = q;
      if (q) runTrace(p.get("url") ? "url" : "trace_id", q); else $("trace-out").hidden = true;
      break;
    }
    case "pages": loadPages(p.get("type") || "", Number(p.get("offset") || 0)); break;
  }
}

// ---- search ----

function searchParams(from) {
  const p = new URLSearchParams();
  for (const k of SEARCH_KEYS) {
    const v = (from.get(k) || "").trim();
    if (v) p.set(k, v);
  }
  if (Number(from.get("offset") || 0) > 0) p.set("offset", from.get("offset"));
  return p;
}

function formParams() {
  const p = new URLSearchParams();
  for (const k of SEARCH_KEYS) {
    const v = $(k).value.trim();
    if (v) p.set(k, v);
  }
  return p;
}

function searchTo(p) { go(Object.fromEntries(p)); }

async function search(params) {
  lastSearch = params.toString();
  showResults();
  setStatus("searching…");
  $("results").replaceChildren();
  const api = new URLSearchParams(params);
  api.set("limit", String(PAGE_SIZE));
  try {
    const r = await getJSON("/api/search?" + api.toString());
    const offset = Number(params.get("offset") || 0);
    setStatus(r.total === 0 ? "no results" : `${offset + 1}–${offset + r.results.length} of ${r.total} results`);
    for (const h of r.results) {
      const li = el("li", undefined, "result");
      const a = el("a", h.title || h.url, "title");
      a.href = "#article=" + encodeURIComponent(h.canonical_url || h.url);
      li.append(a);
      li.append(el("div", [h.site_name, fmtDate(h.published), h.language].filter(Boolean).join(" · "), "meta"));
      const sn = el("p", undefined, "snippet");
      sn.innerHTML = h.snippet; // server-escaped, matches in <mark>
      li.append(sn);
      $("results").append(li);
    }
    $("prev").disabled = offset === 0;
    $("next").disabled = offset + r.results.length >= r.total;
  } catch (e) {
    setStatus("error: " + e.message, true);
    $("prev").disabled = $("next").disabled = true;
  }
}

function showResults() {
  $("article").hidden = true;
  $("results-view").hidden = false;
  $("facets").hidden = false;
}

// facet fills one filter from a facet and searches again (or asks for
// words: the search needs some).
function facet(key, value) {
  if (key === "day") {
    $("from").value = value;
    $("to").value = value;
  } else {
    $(key).value = value;
  }
  if (!$("q").value.trim()) {
    setStatus(`filter set (${key} ${value}): type words to search`);
    $("q").focus();
    return;
  }
  searchTo(formParams());
}

async function refreshFacets() {
  try {
    const s = await getJSON("/api/stats");
    const fill = (id, key, counts) => {
      const ul = $(id);
      ul.replaceChildren();
      for (const c of (counts || []).slice(0, 12)) {
        const li = el("li");
        const b = el("button", c.key || "(none)", "link");
        b.type = "button";
        b.dataset.facet = key;
        b.dataset.value = c.key;
        b.addEventListener("click", () => facet(key, c.key));
        li.append(b, el("span", " " + c.count, "meta"));
        ul.append(li);
      }
      if (!ul.children.length) ul.append(el("li", "none yet", "meta"));
    };
    fill("facet-site", "site", s.by_site);
    fill("facet-lang", "lang", s.by_language);
    fill("facet-day", "day", s.by_day);
  } catch (e) { /* the counters say the store is down */ }
}

async function refreshCounters() {
  try {
    const s = await getJSON("/api/stats");
    $("count-articles").textContent = s.articles;
    $("count-stories").textContent = s.stories;
    $("count-exact").textContent = s.exact_duplicates;
    $("count-near").textContent = s.near_duplicates;
    $("count-pages").textContent = s.pages;
  } catch (e) { /* keep the last numbers */ }
}

async function showArticle(url) {
  setStatus("loading article…");
  try {
    const a = await getJSON("/api/articles?url=" + encodeURIComponent(url));
    $("results-view").hidden = true;
    $("facets").hidden = true;
    $("article").hidden = false;
    setStatus("");
    $("a-title").textContent = a.title;
    $("a-site").textContent = a.site_name || "";
    $("a-authors").textContent = (a.authors || []).join(", ") || "no byline";
    $("a-published").textContent = fmtDate(a.published);
    $("a-modified").textContent = fmtDate(a.modified);
    $("a-fetched").textContent = fmtDate(a.fetched_at);
    $("a-url").textContent = a.url;
    $("a-url").href = /^https?:/.test(a.url) ? a.url : "#";
    $("a-language").textContent = a.language || "–";
    $("a-story").textContent = `#${a.story_id}` + (a.duplicate ? ` (${a.duplicate} duplicate, distance ${a.distance || 0})` : "");
    $("a-body").replaceChildren(...String(a.body || "").split(/\n{2,}/).map((p) => el("p", p)));
    const copies = $("a-copies");
    copies.replaceChildren();
    for (const c of a.copies || []) {
      const li = el("li");
      const link = el("a", c.title || c.url);
      link.href = "#article=" + encodeURIComponent(c.canonical_url);
      li.append(link, el("span", ` — ${c.site_name}` + (c.duplicate ? ` (${c.duplicate})` : " (first seen)"), "meta"));
      copies.append(li);
    }
    if (!copies.children.length) copies.append(el("li", "none"));
    const prov = $("a-provenance");
    prov.replaceChildren();
    for (const [k, v] of Object.entries(a.provenance || {})) {
      const tr = el("tr");
      tr.append(el("th", k), el("td", v));
      prov.append(tr);
    }
    if (a.extractor_version) {
      const tr = el("tr");
      const td = el("td", "v" + a.extractor_version);
      if (a.trace_id) td.append(" · ", traceLink("trace " + a.trace_id, "trace_id", a.trace_id));
      tr.append(el("th", "extractor"), td);
      prov.append(tr);
    }
    $("a-versions").replaceChildren(...(a.versions || []).map((v) =>
      el("li", `fetched ${fmtDate(v.fetched_at)} · modified ${fmtDate(v.modified)} · hash ${v.content_hash}`)));
  } catch (e) {
    setStatus("error: " + e.message, true);
  }
}

// ---- crawl ----

async function loadCrawl() {
  const parts = [loadLag(), loadOutcomes()];
  const errs = (await Promise.all(parts)).filter(Boolean);
  if (errs.length) setStatus("error: " + errs[0], true);
  else if ($("status").className === "error") setStatus("");
}

async function loadLag() {
  const body = $("lag").tBodies[0];
  try {
    const r = await getJSON("/api/crawl/lag");
    body.replaceChildren();
    for (const s of r.stages) {
      const tr = s.exists
        ? row(s.stage, s.stream, s.pending, s.ack_pending, s.redelivered, s.waiting, fmtDate(s.last_active))
        : row(s.stage, s.stream, "no consumer (stage never started)", "", "", "", "");
      if (s.pending + s.ack_pending > 0) tr.className = "busy";
      body.append(tr);
    }
  } catch (e) {
    body.replaceChildren();
    emptyRow(body, 7, "unavailable: " + e.message);
    return e.message;
  }
}

async function loadOutcomes() {
  const kinds = $("outcomes").tBodies[0], hosts = $("hosts").tBodies[0];
  try {
    const r = await getJSON("/api/crawl/outcomes");
    $("outcomes-read").textContent = `(${r.read} records since ${fmtDate(r.since)}${r.truncated ? "; capped, newest missing" : ""})`;
    kinds.replaceChildren();
    const entries = Object.entries(r.by_kind).sort((a, b) => b[1] - a[1]);
    for (const [k, n] of entries) {
      const tr = row(k, n);
      tr.dataset.outcome = k;
      if (k !== "fetched" && k !== "not_modified" && k !== "duplicate") tr.className = "bad";
      kinds.append(tr);
    }
    if (!entries.length) emptyRow(kinds, 2, "no outcome in the last hour");
    const hist = $("histogram");
    hist.replaceChildren();
    const totals = r.buckets.map((b) => Object.values(b.by_kind).reduce((x, y) => x + y, 0));
    const peak = Math.max(1, ...totals);
    r.buckets.forEach((b, i) => {
      const li = el("li");
      const bar = el("span", undefined, "bar");
      bar.style.height = Math.round((totals[i] / peak) * 100) + "%";
      li.title = `${fmtDate(b.start)}: ${totals[i]} (` + Object.entries(b.by_kind).map(([k, n]) => `${k} ${n}`).join(", ") + ")";
      li.append(bar, el("span", b.start.slice(11, 16), "tick"));
      hist.append(li);
    });
    hosts.replaceChildren();
    for (const h of r.failing_hosts) {
      hosts.append(row(h.host, h.failures, h.total, h.last_outcome + (h.last_status ? " " + h.last_status : ""), h.last_error || "–",
        traceLink(h.last_url, "url", h.last_url)));
    }
    if (!r.failing_hosts.length) emptyRow(hosts, 6, "no failures in the last hour");
  } catch (e) {
    kinds.replaceChildren();
    hosts.replaceChildren();
    emptyRow(kinds, 2, "unavailable: " + e.message);
    return e.message;
  }
}

async function submitURL(ev) {
  ev.preventDefault();
  const out = $("submit-result");
  out.className = "";
  out.textContent = "submitting…";
  try {
    const r = await postJSON("/api/submit", { url: $("submit-url").value.trim() });
    out.replaceChildren("accepted: ", traceLink("trace " + r.trace_id, "trace_id", r.trace_id));
    out.className = "ok";
    $("submit-url").value = "";
  } catch (e) {
    out.textContent = "refused: " + e.message;
    out.className = "error";
  }
}

// ---- dead letters ----

async function loadDeadLetters() {
  const body = $("dead").tBodies[0];
  setStatus("loading dead letters…");
  try {
    const r = await getJSON("/api/deadletters");
    setStatus("");
    $("dead-count").textContent = `(${r.dead_letters.length}${r.more ? "+, oldest first" : ""})`;
    body.replaceChildren();
    for (const d of r.dead_letters) {
      const what = d.url ? traceLink(d.url, "url", d.url) : el("code", d.preview);
      const btn = el("button", "Retry", "retry");
      btn.type = "button";
      btn.disabled = !d.retryable;
      btn.title = d.retryable ? `send it back to ${d.subject}` : "the original payload is gone or was cut short";
      btn.addEventListener("click", () => retry(d.id, btn));
      const tr = row(d.id, d.stage, d.fate, d.attempts, fmtDate(d.at), what, d.reason, btn);
      tr.dataset.id = d.id;
      body.append(tr);
    }
    if (!r.dead_letters.length) emptyRow(body, 8, "no dead letters");
  } catch (e) {
    body.replaceChildren();
    emptyRow(body, 8, "unavailable");
    setStatus("error: " + e.message, true);
  }
}

async function retry(id, btn) {
  btn.disabled = true;
  try {
    const r = await postJSON(`/api/deadletters/${id}/retry`, {});
    btn.replaceWith(el("span", "retried", "ok"));
    setStatus(`dead letter ${id} sent back to ${r.subject}`);
  } catch (e) {
    btn.disabled = false;
    setStatus(`retry ${id}: ${e.message}`, true);
  }
}

// ---- sources ----

async function loadSources() {
  const body = $("sources").tBodies[0];
  try {
    const r = await getJSON("/api/sources");
    body.replaceChildren();
    for (const s of r.sources) {
      const tr = row(s.url, s.kind, s.every, fmtDate(s.next_due) + (s.overdue ? " (due)" : ""), fmtDate(s.last_polled));
      if (s.overdue) tr.className = "busy";
      body.append(tr);
    }
    if (!r.sources.length) emptyRow(body, 5, "no registered sources (newsflow sources add URL)");
  } catch (e) {
    body.replaceChildren();
    emptyRow(body, 5, "unavailable");
    setStatus("error: " + e.message, true);
  }
}

// ---- trace ----

async function runTrace(key, value) {
  setStatus("tracing…");
  $("trace-out").hidden = true;
  try {
    const j = await getJSON(`/api/trace?${key}=` + encodeURIComponent(value));
    setStatus("");
    $("trace-head").textContent = `${j.url || "(URL unknown)"} · trace ${j.trace_ids.join(", ") || "–"}` +
      (j.truncated ? " · streams capped: older steps may be missing" : "");
    const steps = $("trace-steps");
    steps.replaceChildren();
    const step = (stage, cls, text) => {
      const li = el("li", undefined, "step " + cls);
      li.dataset.stage = stage;
      li.append(el("strong", stage), " ", el("span", text));
      steps.append(li);
    };
    for (const o of j.outcomes) {
      // A duplicate is the seen-set doing its job: neither done here nor a failure.
      const cls = o.outcome === "fetched" || o.outcome === "not_modified" ? "ok" : o.outcome === "duplicate" ? "none" : "bad";
      step("fetcher", cls,
        `${o.outcome}${o.status ? " " + o.status : ""}${o.reason ? ": " + o.reason : ""} · ${fmtDate(o.at)} · OUTCOMES #${o.seq}`);
    }
    if (!j.outcomes.length) step("fetcher", "none", "no outcome in the last day");
    for (const p of j.parsed) step("parser", "ok", `${p.page_type || "record"} on articles.parsed · ${fmtDate(p.at)} · ARTICLES #${p.seq}`);
    if (!j.parsed.length) step("parser", "none", "no parsed record in the last day");
    if (j.indexed) {
      step("indexer", "ok", `indexed: article #${j.indexed.id}, story #${j.indexed.story_id}` +
        (j.indexed.duplicate ? ` (${j.indexed.duplicate} duplicate)` : "") + ` · “${j.indexed.title}” · updated ${fmtDate(j.indexed.updated_at)}`);
    } else if (j.page) {
      step("indexer", "ok", `kept as a ${j.page.page_type} page · “${j.page.title}” · fetched ${fmtDate(j.page.fetched_at)}`);
    } else {
      step("indexer", "none", "not in the index");
    }
    for (const d of j.dead_letters) step("dead letter", "bad", `#${d.id} at the ${d.stage}: ${d.fate}, ${d.reason} (${d.attempts} attempts)`);
    $("trace-out").hidden = false;
  } catch (e) {
    setStatus("error: " + e.message, true);
  }
}

// ---- other pages ----

async function loadPages(type, offset) {
  const body = $("pages").tBodies[0];
  const p = new URLSearchParams({ limit: String(PAGE_SIZE * 2) });
  if (type) p.set("type", type);
  if (offset) p.set("offset", String(offset));
  try {
    const r = await getJSON("/api/pages?" + p.toString());
    const chips = $("page-types");
    chips.replaceChildren();
    for (const c of [{ key: "", count: null }, ...r.by_type]) {
      const b = el("button", (c.key || "all") + (c.count !== null ? ` (${c.count})` : ""), c.key === type ? "chip active" : "chip");
      b.type = "button";
      b.addEventListener("click", () => go({ view: "pages", type: c.key }));
      chips.append(b);
    }
    body.replaceChildren();
    for (const pg of r.pages) {
      const a = el("a", pg.title || pg.url);
      a.href = /^https?:/.test(pg.url) ? pg.url : "#";
      a.rel = "noopener noreferrer";
      body.append(row(a, pg.page_type, pg.site, fmtDate(pg.fetched_at)));
    }
    if (!r.pages.length) emptyRow(body, 4, "no pages");
    setStatus(r.total ? `${offset + 1}–${offset + r.pages.length} of ${r.total} pages` : "");
    $("pages-prev").disabled = offset === 0;
    $("pages-next").disabled = offset + r.pages.length >= r.total;
    $("pages-prev").onclick = () => go({ view: "pages", type, offset: Math.max(0, offset - PAGE_SIZE * 2) || "" });
    $("pages-next").onclick = () => go({ view: "pages", type, offset: offset + PAGE_SIZE * 2 });
  } catch (e) {
    body.replaceChildren();
    setStatus("error: " + e.message, true);
  }
}

// ---- wiring ----

document.addEventListener("DOMContentLoaded", () => {
  $("search").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const p = formParams();
    if (p.toString() === lastSearch && !location.hash) search(p); // run again
    else searchTo(p);
  });
  $("prev").addEventListener("click", () => {
    const p = new URLSearchParams(lastSearch);
    const off = Math.max(0, Number(p.get("offset") || 0) - PAGE_SIZE);
    if (off) p.set("offset", String(off)); else p.delete("offset");
    searchTo(p);
  });
  $("next").addEventListener("click", () => {
    const p = new URLSearchParams(lastSearch);
    p.set("offset", String(Number(p.get("offset") || 0) + PAGE_SIZE));
    searchTo(p);
  });
  $("back").addEventListener("click", () => history.back());
  $("submit").addEventListener("submit", submitURL);
  $("trace-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = $("trace-q").value.trim();
    if (!q) return;
    go({ view: "trace", [q.includes("://") ? "url" : "trace_id"]: q });
  });
  for (const a of document.querySelectorAll("#tabs a")) {
    a.addEventListener("click", (ev) => {
      ev.preventDefault();
      if (a.dataset.view === "search") {
        const p = lastSearch ? Object.fromEntries(new URLSearchParams(lastSearch)) : {};
        lastSearch = null;
        go(p);
      } else {
        go({ view: a.dataset.view });
      }
    });
  }
  $("prev").disabled = $("next").disabled = true;
  window.addEventListener("hashchange", route);
  window.addEventListener("popstate", route);
  refreshCounters();
  setInterval(refreshCounters, 5000);
  route();
});
