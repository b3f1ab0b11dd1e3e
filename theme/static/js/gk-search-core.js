// Search logic without the page: query checks, 发文字号 / 索引号 keys, the
// Pagefind calls and excerpt cleaning. search.js draws the page with it;
// scripts/bench_search.py and the tests import it in Chromium.
// The key rules mirror gongkai/searchkeys.py (tests/test_search_keys.py runs
// both on the same cases).

export const MAX_QUERY_CHARS = 100;

const BRACKET_OPEN = "〔\\[(（［【";
const BRACKET_CLOSE = "〕\\])）］】";
const NOT_ORG = `\\s${BRACKET_OPEN}${BRACKET_CLOSE}\\d`;
// org, then the year in any bracket or followed by 年 (a space between year and
// number is read as 年: 国办发2018 115号), then the number, 号 optional.
const QUERY_DOC_NO_RE = new RegExp(
  `^([^${NOT_ORG}]*[\\u3400-\\u9fff][^${NOT_ORG}]*?)` +
  `(?:[${BRACKET_OPEN}](\\d{4})[${BRACKET_CLOSE}]|(\\d{4})年)第?(\\d+)号?$`, "u");
const INDEX_NO_QUERY_RE = /^[0-9A-Za-z]+(?:[/-][0-9A-Za-z]+)+$/;
const INDEX_TAIL_RE = /^(\d{4})-(\d{1,5})$/;
const PUNCT_ONLY_RE = /^[\p{P}\p{S}\s]+$/u;
const KEY_RE = /\bgk(?:dn|ix|it)[0-9a-z]+\b/g;

/** A number as written, without leading zeros (no Number: 22 digits would
 *  become 1.2345678901234568e+21). */
function digits(text) {
  return String(text).replace(/^0+(?=\d)/, "");
}

/** The canonical 发文字号 a query stands for (延政发〔2018〕10号), or null. */
export function normalizeDocNo(text) {
  const compact = String(text || "").trim().replace(/(\d{4})\s+(?=(?:第\s*)?\d)/u, "$1年").replace(/\s+/gu, "");
  const m = QUERY_DOC_NO_RE.exec(compact);
  if (!m) return null;
  return `${m[1]}〔${m[2] || m[3]}〕${digits(m[4])}号`;
}

/** 延政发〔2018〕10号 -> gkdn5ef6653f53d1y2018n10, as the index holds it. */
export function docNoKey(text) {
  const canonical = normalizeDocNo(text);
  if (!canonical) return "";
  const m = /^(.+)〔(\d{4})〕(\d+)号$/u.exec(canonical);
  const org = Array.from(m[1], (c) => c.codePointAt(0).toString(16)).join("");
  return `gkdn${org}y${m[2]}n${digits(m[3])}`;
}

/** 11230129MB1848123X/2018-00010 -> gkix11230129mb1848123x201800010; the tail
 *  alone (2018-00010, 2018-10) -> gkit201800010; else "". */
export function indexNoKey(text) {
  const compact = String(text || "").replace(/\s+/gu, "");
  const tail = INDEX_TAIL_RE.exec(compact);
  if (tail) return `gkit${tail[1]}${tail[2].padStart(5, "0")}`;
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
  const words = [...new Set(String(text).split(/\s+/u).flatMap((t) => [t, ...queryWords(t)]))]
    .filter((w) => w && body.includes(w)).sort((x, y) => y.length - x.length);
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

const filtersLoaded = new WeakSet();
const bundleCount = new WeakMap();
const opened = new WeakMap();

/** The filter that says which part of a large site a document was indexed in
 *  (plugins/search_index); for sorting by date only, never shown. */
export const PART_FILTER = "gk_part";

/** The search page's bundles (its data-bundles, relative to the page) as full
 *  addresses: the first is the primary, one per part on a large site. */
export function pageBundles(root = document.getElementById("gk-search")) {
  return root.dataset.bundles.split(/\s+/).filter(Boolean).map((b) => new URL(b, document.baseURI).href);
}

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
      const instantiated = bundles.length > 1 ? nextInstantiation() : null;
      pagefind.init();
      // Pagefind's mergeIndex looks for the primary's WebAssembly every 50 ms;
      // merging once it is there saves up to that much of a cold search.
      await instantiated;
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

/** Resolves (with nothing) once the next WebAssembly.instantiate has settled
 *  and the task that called it has run on, or after `limit` ms. */
function nextInstantiation(limit = 1000) {
  const real = WebAssembly.instantiate;
  return new Promise((resolve) => {
    const done = () => {
      WebAssembly.instantiate = real;
      setTimeout(resolve, 0);
    };
    const timer = setTimeout(done, limit);
    WebAssembly.instantiate = function instantiate(...args) {
      WebAssembly.instantiate = real;
      const pending = real.apply(this, args);
      pending.finally(() => { clearTimeout(timer); done(); }).catch(() => {});
      return pending;
    };
  });
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


// --- the query: folded, cut into parts, each with its alternatives -------------
// The same rules as gongkai/core/searchterms.py (tests/test_search_terms.py runs
// both on the same cases). The table comes from the build (search-terms.json:
// OpenCC's Traditional -> Simplified pairs for the characters in the index, the
// staff's synonym table, pinyin names of the site's places and issuers).

const EMPTY_TERMS = { t2s: ["", ""], synonyms: {}, pinyin: {} };
let terms = EMPTY_TERMS;
let t2s = new Map();
let traditional = null;

/** Use a table built by gongkai.core.searchterms.browser_table. */
export function setTerms(table) {
  terms = { ...EMPTY_TERMS, ...(table || {}) };
  const [trad, simp] = terms.t2s || ["", ""];
  const from = Array.from(trad || "");
  const to = Array.from(simp || "");
  t2s = new Map(from.map((c, i) => [c, to[i]]));
  // One pass of a character class over a whole document's text, not a lookup per character.
  traditional = from.length ? new RegExp(`[${from.map((c) => c.replace(/[\\\]^-]/gu, "\\$&")).join("")}]`, "gu") : null;
}

/** Load the table (search-terms.json beside the first bundle); without it the
 *  search still works, only without folding, synonyms and pinyin. */
export async function loadTerms(url) {
  try {
    const response = await fetch(url);
    if (response.ok) setTerms(await response.json());
  } catch (err) {
    setTerms(null);
  }
  return terms;
}

/** NFKC, Traditional -> Simplified, ASCII lower case, one space between words. */
export function fold(text) {
  const nfkc = String(text || "").normalize("NFKC");
  const simplified = traditional ? nfkc.replace(traditional, (c) => t2s.get(c) || c) : nfkc;
  return simplified.toLowerCase().replace(/\s+/gu, " ").trim();
}

const PINYIN_SEP = /[\s'’-]/gu;

function alternatives(term) {
  let alts = [term];
  const compact = term.replace(PINYIN_SEP, "");
  if (Object.prototype.hasOwnProperty.call(terms.pinyin, compact)) alts = [terms.pinyin[compact]];
  for (const word of [...alts]) {
    for (const [key, targets] of Object.entries(terms.synonyms)) {
      if (word.includes(key)) alts.push(...targets.map((t) => word.split(key).join(t)));
    }
  }
  return [...new Set(alts)];
}

/** [{term, alts}]: the folded query cut at spaces; several ASCII words that
 *  together are one pinyin name (ping tan) are one part. */
export function parseQuery(text) {
  const folded = fold(text);
  const joined = folded.replace(PINYIN_SEP, "");
  if (folded && /^[\x00-\x7f]*$/.test(folded) && Object.prototype.hasOwnProperty.call(terms.pinyin, joined)) {
    return [{ term: folded, alts: [terms.pinyin[joined]] }];
  }
  return folded.split(" ").filter(Boolean).map((term) => ({ term, alts: alternatives(term) }));
}

/** The words Pagefind cuts a query into (it uses the browser's segmenter). */
export function segments(text) {
  const seg = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter("zh-CN", { granularity: "word" }) : null;
  return seg
    ? Array.from(seg.segment(text)).filter((s) => s.isWordLike).map((s) => s.segment)
    : String(text).split(/\s+/u).filter(Boolean);
}

/** The words of a query as the browser segments them (two characters or more
 *  when there are any, else the single characters). */
export function queryWords(text) {
  const all = segments(text);
  const long = all.filter((w) => Array.from(w).length >= 2);
  return [...new Set(long.length ? long : all)];
}

// --- what a result really holds ------------------------------------------------

/** The text a result is matched against: its body, title, 发布机构 and
 *  发文字号, white space removed (the hidden single characters of the title
 *  and the exact keys are left out). */
export function resultText(data) {
  const content = String(data.content || "");
  const meta = data.meta || {};
  const cut = meta.title ? content.lastIndexOf(meta.title) : -1;
  const body = cut > 0 ? content.slice(0, cut) : content;
  return fold([body, meta.title, meta.issuer, meta.doc_no, meta.index_no].filter(Boolean).join(" ")).replace(/\s+/gu, "");
}

/** The runs of two characters or more of `term` that `text` holds, longest
 *  first from the left (水土保待 in a text with 水土保持 -> [水土保]). */
const HAN = /[\u3400-\u9fff]/u;

export function heldRuns(term, text) {
  const chars = Array.from(term.replace(/\s+/gu, ""));
  const runs = [];
  let i = 0;
  while (i < chars.length) {
    let j = chars.length;
    while (j - i >= 2 && !text.includes(chars.slice(i, j).join(""))) j -= 1;
    const run = chars.slice(i, j).join("");
    // A run of digits or punctuation alone (the "20" of 2018) says nothing.
    if (j - i >= 2 && (HAN.test(run) || /[a-z]{3,}|\d{4,}/u.test(run))) {
      runs.push(run);
      i = j;
    } else {
      i += 1;
    }
  }
  return runs;
}

/** How much of one query part a text holds: {full, share, found:[words]}. A
 *  part is found whole (or one of its alternatives is); else the runs of two
 *  characters or more of what was typed count by their length (a single
 *  character of a longer part counts for nothing: 力 is not 执行力; a
 *  synonym's pieces count for nothing either). */
export function partCoverage(part, text) {
  for (const alt of part.alts) {
    if (text.includes(alt.replace(/\s+/gu, ""))) return { full: true, share: 1, found: [alt] };
  }
  const typed = part.alts[0];
  const total = Array.from(typed.replace(/\s+/gu, "")).length;
  const found = total > 1 ? heldRuns(typed, text) : [];
  const share = found.reduce((n, w) => n + Array.from(w).length, 0) / (total || 1);
  return { full: false, share: Math.min(share, 0.99), found };
}

/** How much of the whole query a result holds: {full, share, found}. */
export function coverage(parts, data) {
  const text = resultText(data);
  let weight = 0;
  let held = 0;
  const found = [];
  let full = true;
  for (const part of parts) {
    const one = partCoverage(part, text);
    const n = Array.from(part.alts[0]).length;
    weight += n;
    held += n * one.share;
    full = full && one.full;
    found.push(...one.found);
  }
  return { full, share: weight ? held / weight : 0, found: [...new Set(found)] };
}

// --- the search ------------------------------------------------------------------

/** A partial match is shown only when it holds at least this share of the query. */
export const PARTIAL_SHARE = 0.5;
/** Results that only the plain search found (it also returns pages holding
 *  some characters of the query) are checked against their text, at most this
 *  many (each is one fragment to load), when the phrase matches are fewer
 *  than VERIFY_FIRST. */
export const VERIFY_LIMIT = 10;
/** The phrase matches checked against their text too: the first five (the
 *  ones a reader sees first; their text is loaded to show them anyway). */
export const VERIFY_FIRST = 5;

function memo(result) {
  if (!result.gkData) {
    const load = result.data.bind(result);
    let promise = null;
    result.gkData = () => (promise ||= load());
    result.data = result.gkData;
  }
  return result;
}

/** The exact keys of a result, from its metadata. */
function keysOf(meta) {
  const ix = String(meta.index_no || "");
  return [docNoKey(meta.doc_no || ""), indexNoKey(ix), indexNoKey(ix.split("/").pop())].filter(Boolean);
}

async function searchOne(pagefind, query, filters, sort) {
  if (sort === "date") return searchByDate(pagefind, query, filters);
  const found = await pagefind.search(query, { filters });
  return { results: found.results, filters: withoutPart(found.filters), total: found.results.length };
}

/**
 * Run a checked query. Exact keys first (a 发文字号 or 索引号 puts its
 * document first); else every part of the query (with its synonyms, folded
 * from Traditional, a pinyin name as Chinese) is searched twice: plainly (for
 * the ranking, which weights title and 发布机构 above the body) and as a
 * phrase (its words in a row). Pagefind's plain search also returns pages
 * holding only some characters of the query, so each result is classed by
 * what its text really holds: full (every part), partial (at least half of the
 * typed characters, in runs of two or more) or dropped. The phrase matches
 * shown first and VERIFY_LIMIT plain-only ones are checked; further phrase
 * matches count as full. Returns {results, partial, filters, total, exact,
 * parts, text}: results are the full matches (total of them), partial the
 * partial ones (each with .gkCoverage).
 */
export async function runSearch(pagefind, text, { filters = {}, sort = "relevance" } = {}) {
  const parts = parseQuery(text);
  const folded = parts.map((p) => p.term).join(" ");
  for (const key of [docNoKey(folded), indexNoKey(folded)].filter(Boolean)) {
    // Quoted: the key as a whole word (unquoted, Pagefind also returns the pages
    // holding a word the key begins, …n1234567 for …n123, and each would be a
    // fragment to load). Only a page whose own number gives the key counts.
    const hit = await pagefind.search(`"${key}"`, { filters });
    const results = hit ? hit.results.slice(0, 3).map(memo) : [];
    const datas = await Promise.all(results.map((r) => r.data()));
    const exact = results.filter((r, n) => keysOf(datas[n].meta || {}).includes(key));
    if (exact.length) {
      return { results: exact, partial: [], filters: withoutPart(hit.filters), total: exact.length,
        exact: true, parts, text: folded };
    }
  }
  if (!parts.length) return { results: [], partial: [], filters: {}, total: 0, exact: false, parts, text: folded };
  // A 发文字号 or 索引号 that no document has: pieces of it would be no answer.
  const numberShaped = Boolean(docNoKey(folded) || indexNoKey(folded));
  const jobs = [];
  parts.forEach((part, i) => {
    for (const alt of part.alts) {
      // A number no document has: only where the text holds it whole (a body citing it).
      if (!numberShaped) jobs.push({ i, phrase: false, promise: searchOne(pagefind, alt, filters, sort) });
      jobs.push({ i, phrase: true, promise: searchOne(pagefind, `"${alt.replace(/"/g, "")}"`, filters, sort) });
    }
  });
  let done = await Promise.all(jobs.map((j) => j.promise));
  // Nothing has a part as phrase (a typo: 水土保待): its words of two
  // characters or more are searched alone, so pages holding most of it are found.
  if (!numberShaped && done.every((found, n) => !jobs[n].phrase || !found.results.length)) {
    const more = [];
    parts.forEach((part, i) => {
      for (const word of segments(part.alts[0])) {
        if (Array.from(word).length >= 2 && word !== part.alts[0]) more.push({ i, phrase: false, promise: searchOne(pagefind, word, filters, sort) });
      }
    });
    jobs.push(...more);
    done = [...done, ...(await Promise.all(more.map((j) => j.promise)))];
  }
  const byId = new Map();
  const sure = parts.map(() => new Set());
  let counts = null;
  done.forEach((found, n) => {
    const job = jobs[n];
    if (job.phrase) {
      for (const r of found.results) sure[job.i].add(r.id);
      if (!numberShaped) return;
    }
    if (!counts) counts = found.filters;
    found.results.forEach((r, rank) => {
      const entry = byId.get(r.id) || { r: memo(r), score: 0, rank: Infinity, parts: new Set() };
      if (!entry.parts.has(job.i)) entry.score += r.score || 0;
      entry.parts.add(job.i);
      entry.rank = Math.min(entry.rank, rank);
      byId.set(r.id, entry);
    });
  });
  const ordered = [...byId.values()];
  if (sort === "date") ordered.sort((a, b) => a.rank - b.rank);
  else ordered.sort((a, b) => b.parts.size - a.parts.size || b.score - a.score);
  const phrase = ordered.filter((e) => sure.every((ids) => ids.has(e.r.id)));
  const plainOnly = ordered.filter((e) => !sure.every((ids) => ids.has(e.r.id)));
  // Plain-only results are checked when the phrase matches do not fill the
  // first page (each check is a fragment to load): then they are the partial
  // matches, or full ones the phrase missed (the index cut the words otherwise).
  const checkPlain = phrase.length < VERIFY_FIRST ? plainOnly.slice(0, VERIFY_LIMIT) : [];
  const checked = [...phrase.slice(0, VERIFY_FIRST), ...checkPlain];
  const datas = await Promise.all(checked.map((e) => e.r.data()));
  const full = new Set(phrase.slice(VERIFY_FIRST));
  const partial = [];
  checked.forEach((entry, n) => {
    const cov = coverage(parts, datas[n]);
    entry.r.gkCoverage = cov;
    if (cov.full) full.add(entry);
    else if (cov.share >= PARTIAL_SHARE && !numberShaped) partial.push(entry);
  });
  const rankOf = new Map(ordered.map((e, n) => [e.r.id, n]));
  const byRank = (a, b) => rankOf.get(a.r.id) - rankOf.get(b.r.id);
  partial.sort((a, b) => b.r.gkCoverage.share - a.r.gkCoverage.share || byRank(a, b));
  let results = [...full].sort(byRank).map((e) => e.r);
  // One plain search keeps Pagefind's date order; several are merged by date.
  if (sort === "date" && jobs.filter((j) => !j.phrase).length > 1) results = await byDate(results);
  return { results, partial: partial.map((e) => e.r), filters: counts || {}, total: results.length, exact: false,
    parts, text: folded };
}

/** Results from several searches in one date order (newest first), by their metadata. */
async function byDate(results) {
  const datas = await Promise.all(results.slice(0, 200).map((r) => r.data()));
  const dated = datas.map((d, n) => [d.meta.date || "", n]);
  dated.sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : a[1] - b[1]));
  return [...dated.map(([, n]) => results[n]), ...results.slice(200)];
}
