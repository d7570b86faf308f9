/*
 * lib/budget-ballot.js — the ballot's arithmetic, apart from the page so
 * that it is tested on its own (tests/browser/budget-ballot.test.mjs):
 * what a ballot uses of its limit, whether one more pick fits, and what
 * is still wrong before it can be sent. The server checks the same rules
 * (docs/budgeting.md); this only keeps the voter from making a ballot it
 * would refuse.
 *
 * A rule is {kind, budget, min_share, min, max, points}:
 *   knapsack: the picked projects' costs fit `budget` (the area's
 *             sub-budget), and reach min_share percent of it when set;
 *   approval: between `min` and `max` projects;
 *   points:   at most `points` points over the projects.
 * picks: {projectId: n}, n is 1 for a picked project (knapsack,
 * approval) or the points given (points). projects: [{id, cost}].
 * Plain functions without the DOM: loaded as a page script
 * (VK.budget.ballot) or required by node.
 */
(function (root) {
  'use strict';

  var EPS = 1e-9;

  function costOf(projects, id) {
    for (var i = 0; i < projects.length; i++) if (String(projects[i].id) === String(id)) return Number(projects[i].cost) || 0;
    return 0;
  }

  function picked(picks) {
    return Object.keys(picks || {}).filter(function (k) { return picks[k] > 0; });
  }

  // What the ballot uses: {used, limit, left, count}. used and limit are
  // euros (knapsack), projects (approval) or points (points).
  function summary(rule, projects, picks) {
    var ids = picked(picks), used = 0;
    if (rule.kind === 'knapsack') {
      ids.forEach(function (id) { used += costOf(projects, id); });
      return { used: used, limit: rule.budget, left: rule.budget - used, count: ids.length,
        floor: rule.min_share ? rule.budget * rule.min_share / 100 : 0 };
    }
    if (rule.kind === 'points') {
      ids.forEach(function (id) { used += picks[id]; });
      return { used: used, limit: rule.points, left: rule.points - used, count: ids.length, floor: 0 };
    }
    var max = rule.max || projects.length;
    return { used: ids.length, limit: max, left: max - ids.length, count: ids.length, floor: rule.min || 0 };
  }

  // Why one more (a project picked, or one point more to it) does not
  // fit: null when it does, else a string key (budget.<lang>.json).
  function cannotAdd(rule, projects, picks, id) {
    var s = summary(rule, projects, picks);
    var has = (picks && picks[id]) || 0;
    if (rule.kind === 'knapsack') {
      if (has) return 'bAlreadyPicked';
      return costOf(projects, id) > s.left + EPS ? 'bOverBudget' : null;
    }
    if (rule.kind === 'points') return s.left < 1 ? 'bNoPointsLeft' : null;
    if (has) return 'bAlreadyPicked';
    return s.left < 1 ? 'bMaxPicked' : null;
  }

  // picks with one more for id (picked, or a point more), or the reason
  // it cannot be (a string) — picks is not changed.
  function add(rule, projects, picks, id) {
    var why = cannotAdd(rule, projects, picks, id);
    if (why) return why;
    var out = Object.assign({}, picks);
    out[id] = (out[id] || 0) + 1;
    return out;
  }

  // picks with one less for id (unpicked, or a point less).
  function remove(rule, projects, picks, id) {
    var out = Object.assign({}, picks);
    if (!out[id]) return out;
    out[id] -= 1;
    if (rule.kind !== 'points' || out[id] <= 0) delete out[id];
    return out;
  }

  // What keeps the ballot from being sent: null, or {key, vars}.
  function problem(rule, projects, picks) {
    var s = summary(rule, projects, picks);
    if (s.count === 0) return { key: 'bErrEmpty', vars: {} };
    if (s.left < -EPS) return { key: rule.kind === 'knapsack' ? 'bErrOverBudget' : rule.kind === 'points' ? 'bErrTooManyPoints' : 'bErrTooMany', vars: { n: s.limit } };
    if (rule.kind === 'knapsack' && s.used + EPS < s.floor) return { key: 'bErrMinShare', vars: { share: rule.min_share } };
    if (rule.kind === 'approval' && s.count < (rule.min || 1)) return { key: 'bErrTooFew', vars: { n: rule.min || 1 } };
    return null;
  }

  var api = { summary: summary, cannotAdd: cannotAdd, add: add, remove: remove, problem: problem, picked: picked };
  if (typeof module === 'object' && module.exports) module.exports = api;
  if (root && root.VK) {
    root.VK.budget = root.VK.budget || {};
    root.VK.budget.ballot = api;
  }
})(typeof window !== 'undefined' ? window : null);
