// Newsflow operator page: search, results, article view, counters.
// Plain JavaScript, no build step. Only snippets (escaped by the server,
// matches in <mark>) are inserted as HTML; everything else is text.
"use strict";

const $ = (id) => document.getElementById(id);
let lastParams = null;

function fmtDate(s) {
  if (!s) return "–";
  const d = new Date(s);
  return isNaN(d) ? s : d.toISOString().replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function setStatus(msg, isError) {
  $("status").textContent = msg;
  $("status").className = isError ? "error" : "";
}

async function getJSON(url) {
  const res = await fetch(url, { headers: { Accept: "application/json" } });
  let body = null;
  try { body = await res.json(); } catch (e) { /* not JSON */ }
  if (!res.ok) throw new Error((body && body.error) || res.status + " " + res.statusText);
  return body;
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

function formParams(offset) {
  const p = new URLSearchParams();
  for (const k of ["q", "site", "lang", "from", "to"]) {
    const v = $(k).value.trim();
    if (v) p.set(k, v);
  }
  p.set("limit", "10");
  if (offset) p.set("offset", String(offset));
  return p;
}

async function search(params) {
  lastParams = params;
  showResults();
  setStatus("searching…");
  $("results").replaceChildren();
  try {
    const r = await getJSON("/api/search?" + params.toString());
    const offset = Number(params.get("offset") || 0);
    setStatus(r.total === 0 ? "no results" : `${offset + 1}–${offset + r.results.length} of ${r.total} results`);
    for (const h of r.results) {
      const li = el("li");
      li.className = "result";
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
}

async function showArticle(url) {
  setStatus("loading article…");
  try {
    const a = await getJSON("/api/articles?url=" + encodeURIComponent(url));
    $("results-view").hidden = true;
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
    const body = $("a-body");
    body.replaceChildren(...String(a.body || "").split(/\n{2,}/).map((p) => el("p", p)));
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
      tr.append(el("th", "extractor"), el("td", "v" + a.extractor_version + (a.trace_id ? " · trace " + a.trace_id : "")));
      prov.append(tr);
    }
    const vs = $("a-versions");
    vs.replaceChildren(...(a.versions || []).map((v) =>
      el("li", `fetched ${fmtDate(v.fetched_at)} · modified ${fmtDate(v.modified)} · hash ${v.content_hash}`)));
  } catch (e) {
    setStatus("error: " + e.message, true);
  }
}

function route() {
  const h = location.hash.slice(1);
  if (h.startsWith("article=")) {
    showArticle(decodeURIComponent(h.slice(8)));
  } else if (h.startsWith("search=")) {
    const p = new URLSearchParams(decodeURIComponent(h.slice(7)));
    for (const k of ["q", "site", "lang", "from", "to"]) $(k).value = p.get(k) || "";
    search(p);
  } else {
    showResults();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("search").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const p = formParams(0);
    const h = "#search=" + encodeURIComponent(p.toString());
    if (location.hash === h) search(p); else location.hash = h;
  });
  $("prev").addEventListener("click", () => {
    const p = new URLSearchParams(lastParams);
    p.set("offset", String(Math.max(0, Number(p.get("offset") || 0) - 10)));
    location.hash = "#search=" + encodeURIComponent(p.toString());
  });
  $("next").addEventListener("click", () => {
    const p = new URLSearchParams(lastParams);
    p.set("offset", String(Number(p.get("offset") || 0) + 10));
    location.hash = "#search=" + encodeURIComponent(p.toString());
  });
  $("back").addEventListener("click", () => history.back());
  $("prev").disabled = $("next").disabled = true;
  window.addEventListener("hashchange", route);
  refreshCounters();
  setInterval(refreshCounters, 5000);
  route();
});
