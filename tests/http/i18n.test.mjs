// Translation completeness (issue 16, "Everyone"): every interface string
// exists in Finnish, Swedish and English. Needs no server: it reads
// web/i18n/*.json, the pages (data-i18n, data-i18n-attr) and the scripts
// (t('key'), tt('key') with a literal key) and fails naming what is missing.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../lib/server.mjs';

const LANGS = ['fi', 'sv', 'en'];
const web = path.join(repoRoot, 'web');
const i18nDir = path.join(web, 'i18n');

// bundle name ('' for the common strings, 'staff', 'walk', …) → lang → strings
function bundles() {
  const out = {};
  for (const f of readdirSync(i18nDir)) {
    const m = /^(?:([a-z]+)\.)?(fi|sv|en)\.json$/.exec(f);
    if (!m) continue;
    const name = m[1] || '';
    (out[name] ??= {})[m[2]] = JSON.parse(readFileSync(path.join(i18nDir, f), 'utf8'));
  }
  return out;
}

// Every key of every bundle in one language.
function allKeys(b, lang) {
  const keys = new Set();
  for (const name of Object.keys(b)) for (const k of Object.keys(b[name][lang] || {})) keys.add(k);
  return keys;
}

const has = (keys, k) => keys.has(k) || (keys.has(`${k}_one`) && keys.has(`${k}_other`));

function stripComments(js) {
  return js.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');
}

function files(dir, ext) {
  return readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => path.join(dir, f));
}

test('every bundle has the same keys in fi, sv and en, none empty', () => {
  const b = bundles();
  assert.ok(Object.keys(b).length >= 5, 'the bundles are found');
  const problems = [];
  for (const [name, langs] of Object.entries(b)) {
    const label = name || '(common)';
    const union = new Set();
    for (const l of LANGS) {
      if (!langs[l]) { problems.push(`${label}: no ${l} file`); continue; }
      for (const k of Object.keys(langs[l])) union.add(k);
    }
    for (const k of union) {
      for (const l of LANGS) {
        const v = langs[l] && langs[l][k];
        if (v === undefined) problems.push(`${label}.${l}: "${k}" is missing`);
        else if (typeof v !== 'string' || !v.trim()) problems.push(`${label}.${l}: "${k}" is empty`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('placeholders ({n}, {id}, …) are the same in every language', () => {
  const b = bundles();
  const problems = [];
  const vars = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const [name, langs] of Object.entries(b)) {
    for (const k of Object.keys(langs.fi || {})) {
      // The singular may say "1" in words instead of {n}.
      if (k.endsWith('_one')) continue;
      const want = vars(langs.fi[k]);
      for (const l of ['sv', 'en']) {
        if (langs[l] && langs[l][k] !== undefined && vars(langs[l][k]) !== want) {
          problems.push(`${name || '(common)'}.${l}: "${k}" has {${vars(langs[l][k])}}, fi has {${want}}`);
        }
      }
    }
  }
  assert.deepEqual(problems, []);
});

test('every key a page or a script asks for exists in every language', () => {
  const b = bundles();
  const keys = Object.fromEntries(LANGS.map((l) => [l, allKeys(b, l)]));
  const used = new Map(); // key → where
  for (const f of files(web, '.html')) {
    const html = readFileSync(f, 'utf8');
    for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) used.set(m[1], path.basename(f));
    for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) {
      for (const pair of m[1].split(';')) {
        const key = pair.split(':')[1];
        if (key) used.set(key.trim(), path.basename(f));
      }
    }
  }
  for (const f of [...files(web, '.js'), ...files(path.join(web, 'lib'), '.js')]) {
    const js = stripComments(readFileSync(f, 'utf8'));
    // t('key') or tt('key') (a literal key, not one built at run time).
    for (const m of js.matchAll(/\btt?\(\s*'([A-Za-z][\w]*)'\s*[,)]/g)) used.set(m[1], path.basename(f));
  }
  assert.ok(used.size > 200, `the keys in use are found (${used.size})`);
  const problems = [];
  for (const [k, where] of used) {
    for (const l of LANGS) if (!has(keys[l], k)) problems.push(`${where}: "${k}" has no ${l} string`);
  }
  assert.deepEqual(problems, []);
});

test('the check itself: a key missing in one language is caught', () => {
  const keys = new Set(['a', 'b_one', 'b_other', 'c_one']);
  assert.ok(has(keys, 'a') && has(keys, 'b'));
  assert.ok(!has(keys, 'c') && !has(keys, 'd'));
});

test('the plain-language (selkokieli) strings replace Finnish ones only, with the same placeholders', () => {
  // Finnish: the common strings and every page's bundle (*.fi.json).
  const fi = Object.assign({}, ...readdirSync(i18nDir).filter((f) => f === 'fi.json' || f.endsWith('.fi.json'))
    .map((f) => JSON.parse(readFileSync(path.join(i18nDir, f), 'utf8'))));
  const plain = JSON.parse(readFileSync(path.join(i18nDir, 'fi-plain.json'), 'utf8'));
  const vars = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  const problems = [];
  assert.ok(Object.keys(plain).length >= 10);
  for (const [k, v] of Object.entries(plain)) {
    if (!(k in fi)) problems.push(`"${k}" is not a Finnish key`);
    else if (vars(v) !== vars(fi[k])) problems.push(`"${k}": {${vars(v)}}, fi has {${vars(fi[k])}}`);
    if (typeof v !== 'string' || !v.trim()) problems.push(`"${k}" is empty`);
    else if (v === fi[k]) problems.push(`"${k}" is the same as the standard Finnish`);
    // Short sentences: the plain-language centre's guidance; 15 words at most.
    for (const sentence of v.split(/[.!?]\s+/)) {
      const words = sentence.trim().split(/\s+/).filter(Boolean).length;
      if (words > 15) problems.push(`"${k}": a sentence of ${words} words`);
    }
  }
  assert.deepEqual(problems, []);
});
