// Search logic without the page: query checks, 发文字号 / 索引号 keys, the
// Pagefind calls and excerpt cleaning. search.js draws the page with it;
// scripts/bench_search.py and the tests import it in Chromium.
// The key rules mirror gongkai/searchkeys.py (tests/test_search_keys.py runs
// both on the same cases).

export const MAX_QUERY_CHARS = 100;

const BRACKET_OPEN = "〔\\[(（［【";
const BRACKET_CLOSE = "〕\\])）］】";
const NOT_ORG = `\\s${BRACKET_OPEN}${BRACKET_CLOSE}\\d`;
const QUERY_DOC_NO_RE = new RegExp(
  `^([^${NOT_ORG}]*[\\u3400-\\u9fff][^${NOT_ORG}]*?)` +
  `(?:[${BRACKET_OPEN}](\\d{4})[${BRACKET_CLOSE}]|(\\d{4})年)第?(\\d+)号$`, "u");
const INDEX_NO_QUERY_RE = /^[0-9A-Za-z]+(?:[/-][0-9A-Za-z]+)+$/;
const PUNCT_ONLY_RE = /^[\p{P}\p{S}\s]+$/u;
const HAN_RE = /[\u3400-\u9fff]/u;
const KEY_RE = /\bgk(?:dn|ix)[0-9a-z]+\b/g;

/** The canonical 发文字号 a query stands for (延政发〔2018〕10号), or null. */
export function normalizeDocNo(text) {
  const compact = String(text || "").replace(/\s+/gu, "");
  const m = QUERY_DOC_NO_RE.exec(compact);
  if (!m) return null;
  return `${m[1]}〔${m[2] || m[3]}〕${parseInt(m[4], 10)}号`;
}

/** 延政发〔2018〕10号 -> gkdn5ef6653f53d1y2018n10, as the index holds it. */
export function docNoKey(text) {
  const canonical = normalizeDocNo(text);
  if (!canonical) return "";
  const m = /^(.+)〔(\d{4})〕(\d+)号$/u.exec(canonical);
  const org = Array.from(m[1], (c) => c.codePointAt(0).toString(16)).join("");
  return `gkdn${org}y${m[2]}n${parseInt(m[3], 10)}`;
}

/** 11230129MB1848123X/2018-00010 -> gkix11230129mb1848123x201800010, or "". */
export function indexNoKey(text) {
  const compact = String(text || "").replace(/\s+/gu, "");
  if (compact.length < 8 || !INDEX_NO_QUERY_RE.test(compact) || !/\d/.test(compact)) return "";
  return "gkix" + compact.replace(/[^0-9A-Za-z]/g, "").toLowerCase();
}

/** What to do with the typed text: {kind: ok|empty|too_long|punctuation, text, length}. */
export function checkQuery(raw) {
  const text = String(raw || "").trim();
  const length = Array.from(text).length;
  if (!text) return { kind: "empty", text, length };
  if (length > MAX_QUERY_CHARS) return { kind: "too_long", text, length };
  if (PUNCT_ONLY_RE.test(text)) return { kind: "punctuation", text, length };
  return { kind: "ok", text, length };
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function decodeEntities(text) {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, name) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : "";
    }
    return ENTITIES[name.toLowerCase()] ?? all;
  });
}

/** Pagefind's excerpt (HTML) as plain-text parts: [[text, isMark], …]. Only its
 *  <mark> tags mean anything; every other tag is dropped and the text is
 *  decoded, so the page can insert each part with textContent. The hidden
 *  exact keys (gkdn…, gkix…) are removed: they exist for matching only. */
export function excerptParts(excerpt) {
  const parts = [];
  let marked = false;
  for (const piece of String(excerpt || "").split(/(<mark>|<\/mark>)/)) {
    if (piece === "<mark>") { marked = true; continue; }
    if (piece === "</mark>") { marked = false; continue; }
    const text = decodeEntities(piece.replace(/<[^>]*>/g, "")).replace(KEY_RE, "").replace(/\s{2,}/g, " ");
    if (text.trim() || (text && parts.length)) parts.push([text, marked]);
  }
  return parts.filter(([text, mark]) => !mark || text.trim());
}

/** Excerpt parts for a result whose Pagefind excerpt fell in the hidden search
 *  keys (title, 发文字号 variants, 索引号, 发布机构): a window of the body
 *  around the first query word, its occurrences marked. The keys block is last
 *  in the indexed content and opens with the title. */
export function resultExcerpt(data, text, size = 80) {
  const parts = excerptParts(data.excerpt);
  const content = String(data.content || "");
  const title = data.meta && data.meta.title;
  const cut = title ? content.lastIndexOf(title) : -1;
  const body = (cut > 0 ? content.slice(0, cut) : content).trim();
  const plain = parts.map(([t]) => t).join("").trim();
  if (!body || (plain && body.includes(plain.slice(0, 12)))) return parts;
  const words = queryWords(text).filter((w) => body.includes(w));
  const at = words.length ? body.indexOf(words[0]) : 0;
  const start = Math.max(0, at - Math.floor(size / 3));
  const window = body.slice(start, start + size);
  const out = [];
  const re = words.length ? new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gu") : null;
  let last = 0;
  if (re) {
    for (const m of window.matchAll(re)) {
      if (m.index > last) out.push([window.slice(last, m.index), false]);
      out.push([m[0], true]);
      last = m.index + m[0].length;
    }
  }
  if (last < window.length) out.push([window.slice(last), false]);
  if (start > 0) out.unshift(["…", false]);
  if (start + size < body.length) out.push(["…", false]);
  return out;
}

/** The excerpt as safe HTML: all text escaped, only <mark> kept. */
export function cleanExcerpt(excerpt) {
  return excerptParts(excerpt)
    .map(([text, mark]) => {
      const safe = text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
      return mark ? `<mark>${safe}</mark>` : safe;
    })
    .join("")
    .trim();
}

/** The Pagefind searches a query needs, in order of preference. */
export function plan(text) {
  const exact = [];
  const dn = docNoKey(text);
  if (dn) exact.push(dn);
  const ix = indexNoKey(text);
  if (ix) exact.push(ix);
  // An unquoted run of Chinese (a name like 县财政局, a term like 营商环境) is
  // first tried as a phrase, so pages holding it whole rank above pages that
  // hold its characters apart.
  const phrase = !text.includes('"') && HAN_RE.test(text) && Array.from(text).length >= 2
    ? `"${text}"` : null;
  return { exact, phrase, plain: text };
}

/**
 * Run a checked query: exact keys first (a 发文字号 or 索引号 finds its document
 * as first result), then phrase matches, then the rest by relevance; or every
 * match by date when sort is "date". Returns {results, filters, total, exact}.
 * Each result is Pagefind's (with .id, .score and .data()).
 */
const filtersLoaded = new WeakSet();
const bundleCount = new WeakMap();
const opened = new WeakMap();

/** The filter that says which part of a large site a document was indexed in
 *  (plugins/search_index); for sorting by date only, never shown. */
export const PART_FILTER = "gk_part";

/** Set Pagefind up over the site's bundles (the search page's data-bundles):
 *  the first is the primary; a large site is indexed in parts, newest first,
 *  and the others are merged in (their documents are searched together; only
 *  pagefind.js and its WASM are shared). Returns the Pagefind module. */
export function openPagefind(pagefind, bundles, options = {}) {
  // Once per page: merging a bundle again would list its documents twice.
  if (!opened.has(pagefind)) {
    // noWorker: searching the index takes milliseconds; Pagefind's web worker
    // would add its own script (41 KB) to the first search.
    options = { noWorker: true, ...options };
    opened.set(pagefind, (async () => {
      await pagefind.options({ bundlePath: bundles[0], ...options });
      pagefind.init();
      // Merged bundles by path: Pagefind (in its worker) derives their result
      // addresses from it, and would otherwise give them the origin in front.
      const path = (bundle) => {
        const url = new URL(bundle, document.baseURI);
        return url.origin === window.location.origin ? url.pathname : url.href;
      };
      await Promise.all(bundles.slice(1).map((bundle) => pagefind.mergeIndex(path(bundle), options)));
      bundleCount.set(pagefind, bundles.length);
      return pagefind;
    })());
  }
  return opened.get(pagefind);
}

function withoutPart(filters) {
  const { [PART_FILTER]: _part, ...rest } = filters || {};
  return rest;
}

/** Every match by date, newest first. With merged parts Pagefind orders the
 *  merged results by score, not by date; the parts hold dates newest first,
 *  so each part is searched on its own (sorted) and the lists are joined. */
async function searchByDate(pagefind, text, filters) {
  const parts = bundleCount.get(pagefind) || 1;
  const sort = { date: "desc" };
  if (parts === 1) {
    const byDate = await pagefind.search(text, { filters, sort });
    return { results: byDate.results, filters: byDate.filters || {}, total: byDate.results.length, exact: false };
  }
  const found = await Promise.all(Array.from({ length: parts }, (_, i) =>
    pagefind.search(text, { filters: { ...filters, [PART_FILTER]: String(i) }, sort })));
  const counts = {};
  for (const one of found) {
    for (const [name, values] of Object.entries(withoutPart(one.filters))) {
      counts[name] ||= {};
      for (const [v, n] of Object.entries(values)) counts[name][v] = (counts[name][v] || 0) + n;
    }
  }
  const results = found.flatMap((one) => one.results);
  return { results, filters: counts, total: results.length, exact: false };
}

/** Pagefind counts filter values in results only once its filter index is
 *  loaded (about 260 KB at 10,000 documents), so the page loads it after the
 *  first results are shown. Returns true when it was already loaded. */
export async function loadFilters(pagefind) {
  if (filtersLoaded.has(pagefind)) return true;
  await pagefind.filters();
  filtersLoaded.add(pagefind);
  return false;
}

export function filtersReady(pagefind) {
  return filtersLoaded.has(pagefind);
}

export async function runSearch(pagefind, text, { filters = {}, sort = "relevance" } = {}) {
  const p = plan(text);
  const opts = { filters };
  for (const key of p.exact) {
    const hit = await pagefind.search(key, opts);
    if (hit && hit.results.length) {
      return { results: hit.results, filters: withoutPart(hit.filters), total: hit.results.length, exact: true };
    }
  }
  if (sort === "date") {
    return searchByDate(pagefind, p.plain, filters);
  }
  const [plain, phrase] = await Promise.all([
    pagefind.search(p.plain, opts),
    p.phrase ? pagefind.search(p.phrase, opts) : Promise.resolve(null),
  ]);
  const seen = new Set();
  const results = [];
  for (const r of [...(phrase ? phrase.results : []), ...plain.results]) {
    if (!seen.has(r.id)) {
      seen.add(r.id);
      results.push(r);
    }
  }
  if (!results.length) {
    return relaxedSearch(pagefind, text, opts);
  }
  return { results, filters: withoutPart(plain.filters), total: results.length, exact: false };
}

/** The words of a query as the browser segments them (two characters or more
 *  when there are any, else the single characters). */
export function queryWords(text) {
  const seg = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter("zh-CN", { granularity: "word" }) : null;
  const all = seg
    ? Array.from(seg.segment(text)).filter((s) => s.isWordLike).map((s) => s.segment)
    : text.split(/\s+/u).filter(Boolean);
  const long = all.filter((w) => Array.from(w).length >= 2);
  return [...new Set(long.length ? long : all)];
}

/** When nothing matches every word (a typo: 水土保待), each word is searched on
 *  its own and pages matching more of them rank first. Marked relaxed, so the
 *  page can say the matches are partial. */
async function relaxedSearch(pagefind, text, opts) {
  const words = queryWords(text);
  if (words.length < 1 || (words.length === 1 && words[0] === text)) {
    return { results: [], filters: {}, total: 0, exact: false, relaxed: false };
  }
  const found = await Promise.all(words.map((w) => pagefind.search(w, opts)));
  const byId = new Map();
  const filters = {};
  for (const one of found) {
    for (const r of one.results) {
      const entry = byId.get(r.id) || { r, score: 0, words: 0 };
      entry.score += r.score;
      entry.words += 1;
      byId.set(r.id, entry);
    }
    for (const [name, values] of Object.entries(withoutPart(one.filters))) {
      filters[name] ||= {};
      for (const [v, n] of Object.entries(values)) filters[name][v] = Math.max(filters[name][v] || 0, n);
    }
  }
  const results = [...byId.values()].sort((a, b) => b.words - a.words || b.score - a.score).map((e) => e.r);
  return { results, filters, total: results.length, exact: false, relaxed: results.length > 0 };
}
