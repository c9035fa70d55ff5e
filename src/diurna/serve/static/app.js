// diurna page: filters (kept in the URL) drive the map, timeline, network and table at once.
// Every stored string reaches the page through textContent / d3 .text(), never as markup.
"use strict";

const FILTERS = ["since", "until", "actor", "type", "country", "modality"];
const QUADS = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"};
const PAGE_SIZE = 50;
const state = {filters: {}, colour: "", event: null, showArticle: false, cursors: [null], page: 0, world: null, typeColour: null};

const $ = (selector) => document.querySelector(selector);

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

async function api(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== "") query.set(key, value);
  const response = await fetch(path + (query.toString() ? "?" + query : ""));
  const body = await response.json();
  if (!response.ok) throw new Error(body.message || response.statusText);
  return body;
}

// ---- URL state ----
function readUrl() {
  const params = new URLSearchParams(location.search);
  state.filters = {};
  for (const name of FILTERS) if (params.get(name)) state.filters[name] = params.get(name);
  state.colour = params.get("colour") || "";
  state.event = params.get("event");
  state.showArticle = params.get("show") === "article";
  const form = $("#filters");
  for (const name of FILTERS) form.elements[name].value = state.filters[name] || "";
  form.elements.colour.value = state.colour;
}

function writeUrl() {
  const params = new URLSearchParams();
  for (const name of FILTERS) if (state.filters[name]) params.set(name, state.filters[name]);
  if (state.colour) params.set("colour", state.colour);
  if (state.event) params.set("event", state.event);
  if (state.event && state.showArticle) params.set("show", "article");
  const url = location.pathname + (params.toString() ? "?" + params : "");
  history.replaceState(null, "", url);
}

function setFilters(changes) {
  Object.assign(state.filters, changes);
  for (const key of Object.keys(state.filters)) if (!state.filters[key]) delete state.filters[key];
  const form = $("#filters");
  for (const name of FILTERS) form.elements[name].value = state.filters[name] || "";
  refresh();
}

// ---- loading ----
async function refresh() {
  document.body.dataset.busy = "true";
  state.cursors = [null];
  state.page = 0;
  writeUrl();
  $("#status").textContent = "";
  try {
    const [places, stats, network] = await Promise.all([
      api("/api/places", state.filters),
      api("/api/stats", {...state.filters, by: state.colour === "type" ? "plover_type" : "quad_class"}),
      api("/api/network", {...state.filters, limit: 40}),
      loadTable(),
    ]);
    drawMap(places);
    drawTimeline(stats);
    drawNetwork(network);
  } catch (error) {
    $("#status").textContent = "Could not load: " + error.message;
  } finally {
    delete document.body.dataset.busy;
  }
}

async function loadTable() {
  const page = await api("/api/events", {...state.filters, limit: PAGE_SIZE, cursor: state.cursors[state.page]});
  drawTable(page);
  return page;
}

// ---- colours ----
function colourOf(point) {
  if (state.colour === "type") return state.typeColour(point.plover_type || "STATEMENT");
  return getComputedStyle(document.documentElement).getPropertyValue("--q" + point.quad_class).trim();
}

// ---- map ----
function drawMap(places) {
  const svg = d3.select("#map");
  svg.selectAll("*").remove();
  const [width, height] = [640, 400];
  const countries = topojson.feature(state.world, state.world.objects.countries);
  const points = places.points;
  const projection = d3.geoNaturalEarth1();
  const located = points.map((p) => [p.longitude, p.latitude]);
  const reported = new Map(places.countries.filter((c) => c.numeric).map((c) => [c.numeric, c.events]));
  const shaded = countries.features.filter((f) => reported.has(f.id));
  if (located.length || shaded.length) {
    const extent = {type: "FeatureCollection", features: [
      ...shaded, ...located.map((c) => ({type: "Feature", geometry: {type: "Point", coordinates: c}}))]};
    const [[x0, y0], [x1, y1]] = d3.geoBounds(extent);
    const pad = Math.max(6, (x1 - x0) * 0.15, (y1 - y0) * 0.15);
    projection.fitExtent([[10, 10], [width - 10, height - 10]], {type: "MultiPoint", coordinates: [
      [Math.max(-180, x0 - pad), Math.max(-85, y0 - pad)], [Math.min(180, x1 + pad), Math.min(85, y1 + pad)]]});
  } else {
    projection.fitSize([width, height], {type: "Sphere"});
  }
  const path = d3.geoPath(projection);
  const layer = svg.append("g");  // zoomed and panned as one
  layer.append("g").selectAll("path").data(countries.features).join("path")
    .attr("class", (f) => "land" + (reported.has(f.id) ? " reported" : ""))
    .attr("id", (f) => "country-" + f.id)
    .attr("d", path)
    .append("title").text((f) => f.properties.name + (reported.has(f.id) ? `: ${reported.get(f.id)} events placed only at country level` : ""));
  const radius = d3.scaleSqrt().domain([0, d3.max(points, (p) => p.events) || 1]).range([0, 22]);
  const dots = layer.append("g").selectAll("circle").data(points).join("circle")
    .attr("class", (p) => "point precision-" + p.geo_precision)
    .attr("data-country", (p) => p.country || "")
    .attr("data-events", (p) => p.events)
    .attr("cx", (p) => projection([p.longitude, p.latitude])[0])
    .attr("cy", (p) => projection([p.longitude, p.latitude])[1])
    .attr("r", (p) => Math.max(4, radius(p.events)))
    .style("fill", colourOf)
    .on("click", (event, p) => { if (p.country) setFilters({country: p.country}); });
  dots.append("title").text((p) => {
    const precision = Object.entries(p.precision_counts).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(", ");
    return `${p.place_name || "?"}${p.admin1 && p.admin1 !== p.place_name ? ", " + p.admin1 : ""} (${p.country || "?"}): ` +
      `${p.events} events; precision: ${precision}; mostly ${QUADS[p.quad_class]}, ${p.plover_type}`;
  });
  // label the biggest points, skipping labels that would overlap one already placed (on screen)
  const labelLayer = layer.append("g");
  const label = (transform) => {
    const placed = [];
    for (const p of points.slice(0, 30)) {
      const text = `${p.place_name || ""} ${p.events}`;
      const [px, py] = projection([p.longitude, p.latitude]);
      const [sx, sy] = transform.apply([px, py]);
      const r = Math.max(4, radius(p.events));
      const box = {x: sx + r + 2, y: sy - 8, w: text.length * 6.2, h: 12};
      if (placed.some((l) => box.x < l.x + l.w && l.x < box.x + box.w && box.y < l.y + l.h && l.y < box.y + box.h)) continue;
      placed.push({...box, px, py, r, text});
    }
    const k = transform.k;
    labelLayer.selectAll("text").data(placed).join("text")
      .attr("class", "point-label")
      .attr("x", (l) => l.px + (l.r + 2) / k)
      .attr("y", (l) => l.py + 2 / k)
      .style("font-size", `${10 / k}px`)
      .style("stroke-width", `${3 / k}px`)
      .text((l) => l.text);
  };
  label(d3.zoomIdentity);
  // wheel or drag to zoom and pan; points and labels keep their size on screen
  svg.call(d3.zoom().scaleExtent([1, 60]).translateExtent([[0, 0], [width, height]]).on("zoom", (event) => {
    layer.attr("transform", event.transform);
    dots.attr("r", (p) => Math.max(4, radius(p.events)) / event.transform.k);
    label(event.transform);
  }));
  const legend = $("#map-legend");
  legend.replaceChildren();
  if (state.colour === "type") {
    for (const type of [...new Set(points.map((p) => p.plover_type))]) {
      const item = el("span");
      const swatch = el("span", {class: "swatch"});
      swatch.style.background = state.typeColour(type);
      item.append(swatch, type);
      legend.append(item);
    }
  } else {
    for (const q of [1, 2, 3, 4]) {
      const item = el("span");
      item.append(el("span", {class: "swatch q" + q}), QUADS[q]);
      legend.append(item);
    }
  }
  for (const [kind, words] of [["place", "town or city"], ["admin1", "province"], ["article", "article's focus place"]]) {
    const item = el("span");
    item.append(el("span", {class: "swatch " + kind}), words);
    legend.append(item);
  }
  const notes = [];
  if (places.countries.length) notes.push(`${d3.sum(places.countries, (c) => c.events)} events placed only by country (shaded)`);
  if (places.unplaced) notes.push(`${places.unplaced} events with no place`);
  if (notes.length) legend.append(el("span", {}, notes.join("; ")));
}

// ---- timeline ----
function drawTimeline(stats) {
  const svg = d3.select("#timeline");
  svg.selectAll("*").remove();
  const [width, height, margin] = [1120, 180, {top: 10, right: 10, bottom: 24, left: 36}];
  if (!stats.series.length) {
    svg.append("text").attr("x", width / 2).attr("y", height / 2).attr("text-anchor", "middle").text("no events");
    return;
  }
  const step = {day: d3.utcDay, week: d3.utcMonday, month: d3.utcMonth, year: d3.utcYear}[stats.bucket];
  const byPeriod = d3.rollup(stats.series, (rows) => rows, (s) => s.period);
  const periods = [...byPeriod.keys()].sort();
  const start = new Date(periods[0] + "T00:00:00Z");
  const end = step.offset(new Date(periods[periods.length - 1] + "T00:00:00Z"), 1);
  const x = d3.scaleUtc().domain([start, end]).range([margin.left, width - margin.right]);
  const max = d3.max(periods, (p) => d3.sum(byPeriod.get(p), (s) => s.count));
  const y = d3.scaleLinear().domain([0, max]).nice().range([height - margin.bottom, margin.top]);
  const colour = (key) => stats.by === "plover_type" ? state.typeColour(key)
    : getComputedStyle(document.documentElement).getPropertyValue("--q" + key).trim();
  const bars = [];
  for (const period of periods) {
    let base = 0;
    const from = new Date(period + "T00:00:00Z");
    for (const row of byPeriod.get(period)) {
      bars.push({...row, from, to: step.offset(from, 1), y0: base, y1: base + row.count});
      base += row.count;
    }
  }
  svg.append("g").selectAll("rect").data(bars).join("rect")
    .attr("class", "bar")
    .attr("x", (b) => x(b.from))
    .attr("width", (b) => Math.max(2, x(b.to) - x(b.from) - 1))
    .attr("y", (b) => y(b.y1))
    .attr("height", (b) => y(b.y0) - y(b.y1))
    .style("fill", (b) => colour(b.key))
    .on("click", (event, b) => setFilters({since: b.period, until: d3.utcDay.offset(b.to, -1).toISOString().slice(0, 10)}))
    .append("title").text((b) => `${stats.bucket} of ${b.period}: ${b.count} ${stats.by === "plover_type" ? b.key : QUADS[b.key]}`);
  svg.append("g").attr("class", "axis").attr("transform", `translate(0,${height - margin.bottom})`).call(d3.axisBottom(x).ticks(10));
  svg.append("g").attr("class", "axis").attr("transform", `translate(${margin.left},0)`).call(d3.axisLeft(y).ticks(4));
  svg.append("text").attr("class", "note").attr("x", width - margin.right).attr("y", margin.top + 8).attr("text-anchor", "end")
    .text(`${stats.total} events per ${stats.bucket}; click a bar to zoom to it`);
}

// ---- network ----
function drawNetwork(network) {
  const svg = d3.select("#network");
  svg.selectAll("*").remove();
  const [width, height] = [480, 400];
  if (!network.edges.length) {
    svg.append("text").attr("x", width / 2).attr("y", height / 2).attr("text-anchor", "middle").text("no actor pairs");
    return;
  }
  const nodes = network.nodes.map((n) => ({...n}));
  const edges = network.edges.map((e) => ({...e}));
  const size = d3.scaleSqrt().domain([0, d3.max(nodes, (n) => n.events)]).range([4, 18]);
  const widthOf = d3.scaleSqrt().domain([0, d3.max(edges, (e) => e.events)]).range([1, 7]);
  const simulation = d3.forceSimulation(nodes)
    .force("link", d3.forceLink(edges).id((n) => n.id).distance(90))
    .force("charge", d3.forceManyBody().strength(-320))
    .force("center", d3.forceCenter(width / 2, height / 2))
    .force("collide", d3.forceCollide((n) => size(n.events) + 12))
    .force("x", d3.forceX(width / 2).strength(0.08))
    .force("y", d3.forceY(height / 2).strength(0.12))
    .stop();
  for (let i = 0; i < 300; i += 1) simulation.tick();
  for (const n of nodes) {
    n.x = Math.max(25, Math.min(width - 70, n.x));
    n.y = Math.max(20, Math.min(height - 20, n.y));
  }
  const balance = (e) => d3.interpolateRdYlGn((e.balance + 1) / 2);
  const paired = new Set(edges.map((e) => e.source.id + ">" + e.target.id));
  svg.append("g").selectAll("path").data(edges).join("path")
    .attr("class", "link")
    .attr("d", (e) => {
      const [sx, sy, tx, ty] = [e.source.x, e.source.y, e.target.x, e.target.y];
      if (!paired.has(e.target.id + ">" + e.source.id)) return `M${sx},${sy}L${tx},${ty}`;
      const r = Math.hypot(tx - sx, ty - sy) * 1.2;  // both directions: two arcs
      return `M${sx},${sy}A${r},${r} 0 0,1 ${tx},${ty}`;
    })
    .style("stroke", balance)
    .style("stroke-width", (e) => widthOf(e.events))
    .append("title").text((e) => `${e.source.id} → ${e.target.id}: ${e.events} events (${e.cooperation} cooperation, ` +
      `${e.conflict} conflict), Goldstein sum ${e.goldstein_sum}`);
  const node = svg.append("g").selectAll("g").data(nodes).join("g")
    .attr("class", (n) => "node" + (state.filters.actor && n.id.startsWith(state.filters.actor.toUpperCase()) ? " selected" : ""))
    .attr("transform", (n) => `translate(${n.x},${n.y})`)
    .on("click", (event, n) => setFilters({actor: state.filters.actor === n.id ? "" : n.id}));
  node.append("circle").attr("r", (n) => size(n.events));
  node.append("text").attr("x", (n) => size(n.events) + 3).attr("y", 4).text((n) => n.id);
  node.append("title").text((n) => `${n.id}: ${n.events} events in these pairs; click to filter`);
  const legend = $("#network-legend");
  legend.replaceChildren(el("span", {}, "line colour: cooperation (green) to conflict (red); width: events; arcs: both directions"));
}

// ---- table ----
function actorCell(code, text) {
  const td = el("td", {}, code || "");
  if (text) td.title = text;
  return td;
}

function drawTable(page) {
  const body = $("#events tbody");
  body.replaceChildren();
  for (const e of page.events) {
    const row = el("tr", {"data-event-id": e.event_id, tabindex: "0"});
    if (e.event_id === state.event) row.classList.add("selected");
    const place = e.place_name ? `${e.place_name}, ${e.place_country || ""}` : (e.place_text || "");
    row.append(
      el("td", {}, e.event_date), actorCell(e.source_code, e.source_text),
      el("td", {}, `${e.cameo_code} ${e.cameo_name}`), actorCell(e.target_code, e.target_text),
      el("td", {}, e.plover_type || ""), el("td", {}, e.modality), el("td", {}, place));
    row.addEventListener("click", () => showEvent(e.event_id));
    row.addEventListener("keydown", (k) => { if (k.key === "Enter") showEvent(e.event_id); });
    body.append(row);
  }
  const first = state.page * PAGE_SIZE;
  $("#count").textContent = `(${page.total})`;
  $("#page").textContent = page.total ? `${first + 1}–${first + page.events.length} of ${page.total}` : "none match";
  $("#prev").disabled = state.page === 0;
  $("#next").disabled = !page.next_cursor;
  state.cursors[state.page + 1] = page.next_cursor;
}

// ---- evidence ----
function highlighted(text, spans) {
  const out = document.createDocumentFragment();
  let at = 0;
  for (const span of spans) {
    if (span.start < at) continue;
    out.append(document.createTextNode(text.slice(at, span.start)));
    const mark = el("mark", {class: "hl-" + span.role}, text.slice(span.start, span.end));
    mark.title = span.role;
    out.append(mark);
    at = span.end;
  }
  out.append(document.createTextNode(text.slice(at)));
  return out;
}

function safeLink(url) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") {
      const a = el("a", {href: parsed.href, rel: "noopener noreferrer", target: "_blank"}, url);
      return a;
    }
  } catch (error) { /* not a URL: shown as text */ }
  return document.createTextNode(url);
}

async function showEvent(id, withArticle = false) {
  state.event = id;
  state.showArticle = withArticle;
  writeUrl();
  for (const row of document.querySelectorAll("#events tbody tr")) row.classList.toggle("selected", row.dataset.eventId === id);
  const box = $("#evidence");
  let detail;
  try {
    detail = await api("/api/events/" + encodeURIComponent(id));
  } catch (error) {
    box.replaceChildren(el("p", {class: "hint"}, error.message));
    return;
  }
  const e = detail.event;
  const sentence = el("p", {class: "sentence"});
  sentence.append(highlighted(detail.evidence.sentence, detail.evidence.highlights));
  const legend = el("p", {class: "legend"});
  for (const role of ["trigger", "source", "target", "place", "date"]) legend.append(el("mark", {class: "hl-" + role}, role), " ");
  const facts = el("dl");
  const add = (term, value) => {
    if (value === null || value === undefined || value === "") return;
    const dd = el("dd");
    if (value instanceof Node) dd.append(value); else dd.textContent = String(value);
    facts.append(el("dt", {}, term), dd);
  };
  add("event", `${e.cameo_code} ${e.cameo_name} (${e.plover_type || "statement"}${e.plover_mode ? ", " + e.plover_mode : ""})`);
  add("quad class", `${e.quad_class} ${QUADS[e.quad_class]}; Goldstein ${e.goldstein}`);
  add("source", [e.source_code, e.source_text].filter(Boolean).join(": "));
  add("target", [e.target_code, e.target_text].filter(Boolean).join(": "));
  add("modality", e.modality + (e.claimant_text ? ` (according to ${e.claimant_text})` : ""));
  add("date", `${e.event_date}${e.event_time ? " " + e.event_time : ""} (${e.date_precision}${e.date_text ? ": " + e.date_text : ""})`);
  add("place", [e.place_name, e.admin1 && e.admin1 !== e.place_name ? e.admin1 : null, e.place_country].filter(Boolean).join(", ") +
    (e.geo_precision ? ` (${e.geo_precision})` : "") + (e.place_text ? ` “${e.place_text}”` : ""));
  add("killed", e.fatalities_text);
  const a = detail.article || {};
  add("article", [a.title, a.date, a.outlet, e.original_source ? "via " + e.original_source : null].filter(Boolean).join(" · "));
  if (e.url) add("url", safeLink(e.url));
  const more = el("button", {type: "button", id: "show-article"}, "Show the article with the trigger highlighted");
  more.addEventListener("click", () => showArticle(e));
  box.replaceChildren(sentence, legend, facts, more);
  if (withArticle) await showArticle(e);
}

async function showArticle(e) {
  state.showArticle = true;
  writeUrl();
  const article = await api("/api/articles/" + encodeURIComponent(e.article_id));
  const text = el("div", {class: "article-text"});
  text.append(highlighted(article.content, [{role: "trigger", start: e.trigger_start, end: e.trigger_end}]));
  const old = document.querySelector("#evidence .article-text");
  if (old) old.remove();
  $("#evidence").append(text);
  const mark = text.querySelector("mark");
  if (mark) text.scrollTop = Math.max(0, mark.offsetTop - text.offsetTop - 60);
}

// ---- start ----
function fillSelect(name, values) {
  const select = $("#filters").elements[name];
  for (const v of values) select.append(el("option", {value: v.value}, `${v.value} (${v.events})`));
}

async function start() {
  const [facets, world] = await Promise.all([api("/api/facets"), fetch("/vendor/countries-110m.json").then((r) => r.json())]);
  state.world = world;
  state.typeColour = d3.scaleOrdinal(d3.schemeTableau10).domain(facets.plover_type.map((t) => t.value).concat(["STATEMENT"]));
  fillSelect("type", facets.plover_type);
  fillSelect("country", facets.country);
  fillSelect("modality", facets.modality);
  $("#summary").textContent = `${facets.events} events from ${facets.articles} articles, ${facets.first || "–"} to ${facets.last || "–"}`;
  readUrl();
  const form = $("#filters");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const changes = {};
    for (const name of FILTERS) changes[name] = form.elements[name].value.trim();
    state.colour = form.elements.colour.value;
    setFilters(changes);
  });
  for (const name of ["type", "country", "modality", "colour", "since", "until"]) {
    form.elements[name].addEventListener("change", () => form.requestSubmit());
  }
  $("#clear").addEventListener("click", () => { state.colour = ""; form.elements.colour.value = ""; setFilters(Object.fromEntries(FILTERS.map((f) => [f, ""]))); });
  $("#next").addEventListener("click", async () => { state.page += 1; await loadTable(); });
  $("#prev").addEventListener("click", async () => { state.page -= 1; await loadTable(); });
  await refresh();
  if (state.event) await showEvent(state.event, state.showArticle);
  document.body.dataset.ready = "true";
}

window.addEventListener("DOMContentLoaded", () => start().catch((error) => {
  $("#status").textContent = "Could not start: " + error.message;
}));
