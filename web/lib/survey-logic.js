/*
 * lib/survey-logic.js — what the survey page decides without the DOM:
 * branching (show_if evaluated exactly as qt_condition_holds in
 * src/questions/types.c), which pages and questions are shown, the answers
 * that are sent (those of hidden questions left out, as the server refuses
 * them), the checks a respondent hears of before sending (required, counts,
 * ranges; the server checks everything again), and reading an error's
 * field ("answers.spots[2].answers.why") back to its question.
 */
(function () {
  'use strict';

  var VK = window.VK;

  var QUESTION = { 'single-choice': 1, 'multi-choice': 1, scale: 1, number: 1, text: 1, ranking: 1,
    matrix: 1, date: 1, consent: 1, 'place-choice': 1, 'map-point': 1, 'map-line': 1, 'map-area': 1,
    budget: 1, geobudget: 1 };
  var MAP = { 'map-point': 'Point', 'map-line': 'LineString', 'map-area': 'Polygon' };

  function isQuestion(el) { return !!QUESTION[el.type]; }
  function isMap(el) { return !!MAP[el.type]; }

  // null, "", [] and {} count as not given (qt_answer_empty).
  function empty(v) {
    if (v === undefined || v === null || v === '') return true;
    if (Array.isArray(v)) return v.length === 0;
    if (typeof v === 'object') return Object.keys(v).length === 0;
    return false;
  }

  function chosen(v, key) {
    if (typeof v === 'string') return v === key;
    return Array.isArray(v) && v.some(function (c) { return c === key; });
  }

  // lookup(key) → [answer, element]; the same rules as the server's.
  function holds(cond, lookup) {
    if (!cond) return true;
    if (cond.all) return cond.all.every(function (c) { return holds(c, lookup); });
    if (cond.any) return cond.any.some(function (c) { return holds(c, lookup); });
    var got = lookup(cond.question) || [];
    var v = got[0], el = got[1], op = cond.op, want = cond.value;
    if (v === 'skip' && el && el.allow_skip) v = undefined; // skipped: as if unanswered
    if (op === 'chosen') return v !== undefined && typeof want === 'string' && chosen(v, want);
    if (op === 'not_chosen') return !(v !== undefined && typeof want === 'string' && chosen(v, want));
    if (op === 'drawn_at_least') return (Array.isArray(v) ? v.length : 0) >= Number(want);
    if (typeof v !== 'number' || typeof want !== 'number') return false;
    switch (op) {
      case 'eq': return v === want;
      case 'ne': return v !== want;
      case 'lt': return v < want;
      case 'le': return v <= want;
      case 'gt': return v > want;
      case 'ge': return v >= want;
    }
    return false;
  }

  // Every element by key (follow-ups included), with where it is.
  function index(def) {
    var byKey = {};
    (def.pages || []).forEach(function (p, pi) {
      (p.elements || []).forEach(function (el) {
        byKey[el.key] = { el: el, page: pi };
        (el.followups || []).forEach(function (fu) { byKey[fu.key] = { el: fu, page: pi, parent: el }; });
      });
    });
    return byKey;
  }

  // Walk the survey in order: which pages and elements are shown given
  // `answers`, and the answers that count (shown and given). Conditions
  // name earlier questions only, so one pass is exact.
  function evaluate(def, answers) {
    var kept = {}, byKey = index(def);
    var lookup = function (k) {
      var at = byKey[k];
      return [kept[k], at && at.el];
    };
    var pages = [], shown = {};
    (def.pages || []).forEach(function (p) {
      var pageShown = holds(p.show_if, lookup);
      pages.push(pageShown);
      (p.elements || []).forEach(function (el) {
        var s = pageShown && holds(el.show_if, lookup);
        shown[el.key] = s;
        if (s && isQuestion(el) && !empty(answers[el.key])) {
          kept[el.key] = isMap(el) || el.type === 'geobudget' ? pruneFeatures(el, answers[el.key], lookup) : answers[el.key];
        }
      });
    });
    return { pages: pages, shown: shown, answers: kept, lookup: lookup };
  }

  // Which follow-ups of one drawn feature are shown (their own earlier
  // answers first, then the survey's); the feature with hidden and empty
  // follow-up answers left out.
  function followupScope(el, feature, outer) {
    var mine = {}, shown = {};
    var lookup = function (k) {
      var fu = (el.followups || []).filter(function (f) { return f.key === k; })[0];
      return fu ? [mine[k], fu] : outer(k);
    };
    var given = (feature && feature.answers) || {};
    (el.followups || []).forEach(function (fu) {
      shown[fu.key] = holds(fu.show_if, lookup);
      if (shown[fu.key] && !empty(given[fu.key])) mine[fu.key] = given[fu.key];
    });
    return { shown: shown, answers: mine };
  }

  var WAYS = ['geometry', 'district', 'place', 'description'];

  function pruneFeatures(el, list, outer) {
    return list.map(function (f) {
      var out = {};
      WAYS.forEach(function (w) { if (f[w] !== undefined && f[w] !== null && f[w] !== '') out[w] = f[w]; });
      if (f.item) out.item = f.item;
      if (el.followups && el.followups.length) {
        var a = followupScope(el, f, outer).answers;
        if (!empty(a)) out.answers = a;
      }
      return out;
    });
  }

  // The place of a feature is given in exactly one way.
  function located(f) {
    return WAYS.filter(function (w) { return f[w] !== undefined && f[w] !== null && f[w] !== ''; }).length === 1;
  }

  // The problems one answer has that the respondent can fix before
  // sending: [{key, vars}] of survey.*.json strings ("svErr_…").
  function check(el, v) {
    if (v === 'skip' && el.allow_skip) return null;
    if (empty(v)) return el.required ? { key: 'svErr_required' } : null;
    var n = Array.isArray(v) ? v.length : 0;
    switch (el.type) {
      case 'single-choice':
      case 'multi-choice':
        if (el.type === 'multi-choice' && el.min_picks && n < el.min_picks) return { key: 'svErr_minPicks', vars: { n: el.min_picks } };
        if (el.type === 'multi-choice' && el.max_picks && n > el.max_picks) return { key: 'svErr_maxPicks', vars: { n: el.max_picks } };
        var others = [].concat(v).filter(function (c) { return c && typeof c === 'object'; });
        if (others.some(function (o) { return !String(o.other || '').trim(); })) return { key: 'svErr_other' };
        return null;
      case 'place-choice':
        if (el.min_picks && n < el.min_picks) return { key: 'svErr_minPicks', vars: { n: el.min_picks } };
        if (el.max_picks && n > el.max_picks) return { key: 'svErr_maxPicks', vars: { n: el.max_picks } };
        return null;
      case 'number':
        if (typeof v !== 'number' || !isFinite(v)) return { key: 'svErr_number' };
        if (el.integer && v !== Math.floor(v)) return { key: 'svErr_integer' };
        if (el.min !== undefined && v < el.min) return { key: 'svErr_min', vars: { n: el.min } };
        if (el.max !== undefined && v > el.max) return { key: 'svErr_max', vars: { n: el.max } };
        return null;
      case 'text':
        if (!String(v).trim()) return el.required ? { key: 'svErr_required' } : null;
        if (Array.from(String(v)).length > (el.max_length || 500)) return { key: 'svErr_tooLong', vars: { n: el.max_length || 500 } };
        return null;
      case 'date':
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return { key: 'svErr_date' };
        if (el.min && v < el.min) return { key: 'svErr_dateMin', vars: { d: el.min } };
        if (el.max && v > el.max) return { key: 'svErr_dateMax', vars: { d: el.max } };
        return null;
      case 'ranking':
        if (el.rank_all !== false && n !== el.choices.length) return { key: 'svErr_rankAll' };
        return null;
      case 'matrix':
        if (el.required && el.rows.some(function (r) { return !v[r.key]; })) return { key: 'svErr_everyRow' };
        return null;
      case 'map-point':
      case 'map-line':
      case 'map-area':
      case 'geobudget':
        if (el.min_features && n < el.min_features) return { key: 'svErr_minFeatures', vars: { n: el.min_features } };
        if (n > (el.type === 'geobudget' ? Infinity : (el.max_features || 10))) return { key: 'svErr_maxFeatures', vars: { n: el.max_features || 10 } };
        if (v.some(function (f) { return !located(f); })) return { key: 'svErr_unplaced' };
        return null;
    }
    return null;
  }

  // "answers.spots[2].answers.why" → {question: 'spots', index: 2, followup: 'why'}.
  function parseField(field) {
    var m = /^answers\.([a-z][a-z0-9_]*)(?:\[(\d+)\](?:\.answers\.([a-z][a-z0-9_]*))?)?/.exec(field || '');
    if (!m) return null;
    return { question: m[1], index: m[2] === undefined ? -1 : Number(m[2]), followup: m[3] || null };
  }

  // A version 4 UUID (randomUUID where the browser has it).
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  VK.survey = VK.survey || {};
  VK.survey.logic = {
    MAP: MAP, isQuestion: isQuestion, isMap: isMap, empty: empty, holds: holds, index: index,
    evaluate: evaluate, followupScope: followupScope, located: located, check: check,
    parseField: parseField, uuid: uuid
  };
})();
