// Survey definitions (issue 11): every fixture in tests/fixtures/surveys/
// against docs/survey.schema.json with a JSON Schema 2020-12 validator
// (ajv), and the C validator (survey/definition.c, driven through
// `test_survey --check`) agreeing on what it accepts and refuses. The C
// side is stricter (unique keys, conditions on earlier questions, GEOS
// validity…); on these fixtures both must give the same verdict.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { repoRoot, tempDir, vaikutaBin } from '../lib/server.mjs';

const dir = path.join(repoRoot, 'tests/fixtures/surveys');
const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'docs/survey.schema.json'), 'utf8'));
const fixtures = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const broken = (f) => f.startsWith('broken');
const checker = path.join(path.dirname(vaikutaBin), 'test_survey');

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false });
addFormats(ajv);
const validate = ajv.compile(schema);

describe('the survey schema', () => {
  test('compiles as JSON Schema 2020-12 in strict mode', () => {
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(typeof validate, 'function');
  });

  test('there are three demo surveys and a broken one', () => {
    assert.ok(fixtures.filter((f) => !broken(f)).length >= 3, fixtures.join(', '));
    assert.ok(fixtures.some(broken), fixtures.join(', '));
  });

  for (const f of fixtures) {
    test(`${f}: ${broken(f) ? 'refused' : 'valid'} by the schema`, () => {
      const doc = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      const ok = validate(doc);
      if (broken(f)) assert.equal(ok, false, `${f} should be refused`);
      else assert.equal(ok, true, JSON.stringify(validate.errors, null, 1));
    });
  }

  test('every demo survey has Finnish, Swedish and English in every text', () => {
    for (const f of fixtures.filter((x) => !broken(x))) {
      const walk = (v, at) => {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
        else if (v && typeof v === 'object') {
          if (typeof v.fi === 'string') {
            assert.equal(typeof v.sv, 'string', `${f} ${at}: sv`);
            assert.equal(typeof v.en, 'string', `${f} ${at}: en`);
          }
          for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
        }
      };
      walk(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')), f);
    }
  });
});

describe('the C validator agrees with the schema', { skip: !fs.existsSync(checker) && `no ${checker}` }, () => {
  for (const f of fixtures) {
    test(`${f}: C ${broken(f) ? 'refuses' : 'accepts'} it`, () => {
      const r = spawnSync(checker, ['--check', path.join(dir, f)], { encoding: 'utf8' });
      const line = r.stdout.trim();
      if (broken(f)) {
        assert.equal(r.status, 1, r.stdout + r.stderr);
        assert.match(line, /^refused [a-z_]+ \S+: /, line);
      } else {
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.equal(line, 'ok');
      }
    });
  }
});

// Every small damage to a demo survey (a member removed or replaced by
// null, text, a number, [] or {}; an array item removed or nulled): what
// the schema refuses, the C validator must refuse too. C refuses more
// (conditions on unknown questions, unclosed rings…): that is by design.
describe('damaged demo surveys', { skip: !fs.existsSync(checker) && `no ${checker}` }, () => {
  test('the C validator refuses every damaged document the schema refuses', () => {
    const docs = [];
    for (const f of fixtures.filter((x) => !broken(x))) {
      const doc = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      const keep = (what) => docs.push([`${f} ${what}`, JSON.stringify(doc)]);
      const walk = (node, at) => {
        if (Array.isArray(node)) {
          node.forEach((x, i) => {
            node.splice(i, 1); keep(`${at}[${i}] removed`); node.splice(i, 0, x);
            node[i] = null; keep(`${at}[${i}] = null`); node[i] = x;
            walk(x, `${at}[${i}]`);
          });
        } else if (node && typeof node === 'object') {
          for (const k of Object.keys(node)) {
            const x = node[k];
            for (const s of [null, 'x', 12345, [], {}]) { node[k] = structuredClone(s); keep(`${at}.${k} = ${JSON.stringify(s)}`); }
            delete node[k]; keep(`${at}.${k} removed`); node[k] = x;
            walk(x, `${at}.${k}`);
          }
        }
      };
      walk(doc, '');
    }
    const tmp = tempDir('vaikuta-survey-');
    try {
      const files = docs.map(([, text], i) => {
        const p = path.join(tmp, `${i}.json`);
        fs.writeFileSync(p, text);
        return p;
      });
      const r = spawnSync(checker, ['--check', ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const verdicts = r.stdout.trim().split('\n');
      assert.equal(verdicts.length, docs.length, r.stderr);
      const missed = docs.filter(([, text], i) => !validate(JSON.parse(text)) && verdicts[i] === 'ok').map(([what]) => what);
      assert.deepEqual(missed, [], 'the schema refuses these but C accepts them');
      const refusedByC = verdicts.filter((v) => v !== 'ok').length;
      assert.ok(refusedByC > docs.length / 2, `${refusedByC} of ${docs.length} refused`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
