// The ballot's arithmetic (web/lib/budget-ballot.js) on its own, run as
// the page runs it (a plain script setting VK.budget.ballot on window):
// the running total, the pick that does not fit, and what keeps a ballot
// from being sent, under each voting rule.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import { repoRoot } from '../lib/server.mjs';

function load() {
  // In this realm (its objects compare with ours), with a window of its own.
  const src = readFileSync(path.join(repoRoot, 'web/lib/budget-ballot.js'), 'utf8');
  const window = { VK: {} };
  vm.runInThisContext(`(function (window) {\n${src}\n})`)(window);
  return window.VK.budget.ballot;
}
const B = load();

const projects = [
  { id: 'a', cost: 60000 }, { id: 'b', cost: 30000 }, { id: 'c', cost: 25000 }, { id: 'd', cost: 10000 },
];

test('knapsack: the total runs, a project that does not fit is refused, the budget is never exceeded', () => {
  const rule = { kind: 'knapsack', budget: 100000 };
  let p = {};
  p = B.add(rule, projects, p, 'a');
  p = B.add(rule, projects, p, 'b');
  assert.deepEqual(B.summary(rule, projects, p), { used: 90000, limit: 100000, left: 10000, count: 2, floor: 0 });
  assert.equal(B.cannotAdd(rule, projects, p, 'c'), 'bOverBudget');
  assert.equal(B.add(rule, projects, p, 'c'), 'bOverBudget', 'add refuses and says why');
  assert.equal(B.cannotAdd(rule, projects, p, 'a'), 'bAlreadyPicked');
  p = B.add(rule, projects, p, 'd');
  assert.equal(B.summary(rule, projects, p).left, 0, 'exactly the budget fits');
  assert.equal(B.problem(rule, projects, p), null);
  p = B.remove(rule, projects, p, 'a');
  assert.deepEqual(Object.keys(p).sort(), ['b', 'd']);
  assert.equal(B.cannotAdd(rule, projects, p, 'c'), null);
});

test('knapsack with a minimum share: too little is said, enough is not', () => {
  const rule = { kind: 'knapsack', budget: 100000, min_share: 50 };
  let p = B.add(rule, projects, {}, 'b');
  assert.deepEqual(B.problem(rule, projects, p), { key: 'bErrMinShare', vars: { share: 50 } });
  p = B.add(rule, projects, p, 'c');
  assert.equal(B.problem(rule, projects, p), null, '55 000 of 100 000 reaches 50 %');
  assert.deepEqual(B.problem(rule, projects, {}), { key: 'bErrEmpty', vars: {} });
});

test('approval: between min and max projects', () => {
  const rule = { kind: 'approval', min: 2, max: 3 };
  let p = B.add(rule, projects, {}, 'a');
  assert.deepEqual(B.problem(rule, projects, p), { key: 'bErrTooFew', vars: { n: 2 } });
  p = B.add(rule, projects, p, 'b');
  assert.equal(B.problem(rule, projects, p), null);
  p = B.add(rule, projects, p, 'c');
  assert.equal(B.summary(rule, projects, p).left, 0);
  assert.equal(B.cannotAdd(rule, projects, p, 'd'), 'bMaxPicked', 'costs do not matter, the count does');
  assert.equal(B.add(rule, projects, p, 'd'), 'bMaxPicked');
  assert.equal(B.problem(rule, projects, { a: 1, b: 1, c: 1, d: 1 }).key, 'bErrTooMany');
});

test('points: points left, one more refused at none, removing gives one back', () => {
  const rule = { kind: 'points', points: 5 };
  let p = {};
  for (let i = 0; i < 3; i++) p = B.add(rule, projects, p, 'a');
  p = B.add(rule, projects, p, 'b');
  p = B.add(rule, projects, p, 'b');
  assert.deepEqual(B.summary(rule, projects, p), { used: 5, limit: 5, left: 0, count: 2, floor: 0 });
  assert.equal(B.add(rule, projects, p, 'c'), 'bNoPointsLeft');
  p = B.remove(rule, projects, p, 'a');
  assert.equal(p.a, 2);
  assert.equal(B.summary(rule, projects, p).left, 1);
  p = B.remove(rule, projects, B.remove(rule, projects, p, 'b'), 'b');
  assert.equal('b' in p, false, 'no points is not picked');
  assert.equal(B.problem(rule, projects, p), null);
  assert.equal(B.problem(rule, projects, { a: 6 }).key, 'bErrTooManyPoints');
});
