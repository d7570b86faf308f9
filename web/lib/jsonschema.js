/*
 * lib/jsonschema.js — a small JSON Schema (2020-12) checker for the parts
 * docs/survey.schema.json uses: type, required, properties,
 * additionalProperties, unevaluatedProperties (over allOf), $ref to
 * #/$defs, oneOf, allOf, enum, const, pattern, min/maxLength,
 * min/maxItems, items, minimum, maximum, exclusiveMinimum and the formats
 * date and date-time. The survey editor checks a definition with the
 * schema the server publishes (GET /api/v1/schema/survey) before sending
 * it, so an author sees every schema error at its path at once; the
 * server stays the judge (it checks more than a schema can say).
 *
 * VK.jsonSchema.validate(schema, doc) → [{path, code, vars}], the path
 * written as the server writes it ("pages[1].elements[3].choices[0].key"),
 * code one of required, type, additional, enum, const, pattern, minLength,
 * maxLength, minItems, maxItems, minimum, maximum, exclusiveMinimum,
 * format, oneOf. VK.jsonSchema.message(err) is it in the page's language;
 * VK.jsonSchema.locate(text, path) where in the JSON text that path is.
 */
(function () {
  'use strict';

  var VK = window.VK;

  var FORMATS = {
    date: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
    'date-time': /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/
  };

  function member(path, name) { return path ? path + '.' + name : name; }
  function index(path, i) { return path + '[' + i + ']'; }

  function typeOf(v) {
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'array';
    if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
    return typeof v;
  }

  function isType(v, type) {
    var got = typeOf(v);
    return got === type || (type === 'number' && got === 'integer');
  }

  function equal(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function Checker(root) { this.root = root; }

  Checker.prototype.resolve = function (s) {
    var guard = 0;
    while (s && s.$ref && guard++ < 32) {
      var ref = s.$ref;
      if (ref === '#' || ref === this.root.$id) { s = this.root; continue; }
      var parts = ref.replace(/^#\//, '').split('/');
      var at = this.root;
      parts.forEach(function (p) { at = at ? at[p] : undefined; });
      s = at;
    }
    return s;
  };

  // The property names a schema evaluates (its properties and those of its
  // allOf parts), for unevaluatedProperties.
  Checker.prototype.evaluated = function (s, names) {
    s = this.resolve(s);
    if (!s) return names;
    Object.keys(s.properties || {}).forEach(function (k) { names[k] = true; });
    var self = this;
    (s.allOf || []).forEach(function (sub) { self.evaluated(sub, names); });
    return names;
  };

  Checker.prototype.check = function (s, v, path, errs) {
    s = this.resolve(s);
    if (!s || s === true) return;
    var self = this;
    var fail = function (code, vars, at) { errs.push({ path: at === undefined ? path : at, code: code, vars: vars || {} }); };

    if (s.type !== undefined) {
      var types = Array.isArray(s.type) ? s.type : [s.type];
      if (!types.some(function (ty) { return isType(v, ty); })) {
        fail('type', { type: types.join(' / ') });
        return;
      }
    }
    if (s.const !== undefined && !equal(s.const, v)) fail('const', { value: JSON.stringify(s.const), list: [s.const] });
    if (s.enum && !s.enum.some(function (e) { return equal(e, v); })) {
      fail('enum', { values: s.enum.map(function (e) { return JSON.stringify(e); }).join(', '), list: s.enum });
    }

    if (typeof v === 'string') {
      var len = Array.from(v).length;
      if (s.minLength !== undefined && len < s.minLength) fail('minLength', { n: s.minLength });
      if (s.maxLength !== undefined && len > s.maxLength) fail('maxLength', { n: s.maxLength });
      if (s.pattern && !new RegExp(s.pattern).test(v)) fail('pattern', { pattern: s.pattern });
      if (s.format && FORMATS[s.format] && !FORMATS[s.format].test(v)) fail('format', { format: s.format });
    }
    if (typeof v === 'number') {
      if (s.minimum !== undefined && v < s.minimum) fail('minimum', { n: s.minimum });
      if (s.maximum !== undefined && v > s.maximum) fail('maximum', { n: s.maximum });
      if (s.exclusiveMinimum !== undefined && v <= s.exclusiveMinimum) fail('exclusiveMinimum', { n: s.exclusiveMinimum });
    }
    if (Array.isArray(v)) {
      if (s.minItems !== undefined && v.length < s.minItems) fail('minItems', { n: s.minItems });
      if (s.maxItems !== undefined && v.length > s.maxItems) fail('maxItems', { n: s.maxItems });
      if (s.items) v.forEach(function (item, i) { self.check(s.items, item, index(path, i), errs); });
    }
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      (s.required || []).forEach(function (k) {
        if (!Object.prototype.hasOwnProperty.call(v, k)) fail('required', { name: k }, member(path, k));
      });
      var props = s.properties || {};
      Object.keys(v).forEach(function (k) {
        if (props[k]) self.check(props[k], v[k], member(path, k), errs);
        else if (s.additionalProperties === false) fail('additional', { name: k }, member(path, k));
      });
      if (s.unevaluatedProperties === false) {
        var known = self.evaluated(s, {});
        Object.keys(v).forEach(function (k) {
          if (!known[k]) fail('additional', { name: k }, member(path, k));
        });
      }
    }
    (s.allOf || []).forEach(function (sub) { self.check(sub, v, path, errs); });
    if (s.oneOf) this.oneOf(s.oneOf, v, path, errs);
  };

  // A branch whose "type" member is refused (const or enum) is the wrong
  // kind of thing, whatever else it says.
  function wrongKind(errs) {
    for (var i = 0; i < errs.length; i++) {
      var e = errs[i];
      if ((e.code === 'const' || e.code === 'enum') && /(^|\.)type$/.test(e.path)) return e;
    }
    return null;
  }

  // Exactly one branch must hold; when none does, the errors of the branch
  // that came closest (the right kind, then the fewest errors) are the ones
  // an author can act on.
  Checker.prototype.oneOf = function (branches, v, path, errs) {
    var self = this, passed = 0, best = null, kinds = [], allWrong = true;
    branches.forEach(function (b) {
      var e = [];
      self.check(b, v, path, e);
      if (!e.length) { passed++; return; }
      var kind = wrongKind(e);
      if (kind && kind.path === member(path, 'type')) kinds = kinds.concat(kind.vars.list || []);
      else allWrong = false;
      var score = [wrongKind(e) ? 1 : 0, e.length];
      if (!best || score[0] < best.score[0] || (score[0] === best.score[0] && score[1] < best.score[1])) {
        best = { score: score, errs: e };
      }
    });
    if (passed === 1) return;
    if (passed > 1) { errs.push({ path: path, code: 'oneOf', vars: {} }); return; }
    // No branch takes this "type": say which types are taken here.
    if (allWrong && kinds.length) {
      errs.push({ path: member(path, 'type'), code: 'enum', vars: { list: kinds,
        values: kinds.map(function (k) { return JSON.stringify(k); }).join(', ') } });
      return;
    }
    Array.prototype.push.apply(errs, best.errs);
  };

  function validate(schema, doc) {
    var errs = [];
    new Checker(schema).check(schema, doc, '', errs);
    var seen = {};
    return errs.filter(function (e) {
      var k = e.path + '\u0000' + e.code;
      if (seen[k]) return false;
      seen[k] = true;
      return true;
    });
  }

  // "pages[0].elements[1].text.fi: …" in the page's language (js_<code> in i18n).
  function message(err) { return VK.t('js_' + err.code, err.vars); }

  // Where the value at `path` is written in the JSON text (for the raw
  // view to select it): {start, end}, the nearest parent's when the path
  // itself is not there (a missing member), null when the text is not JSON.
  function locate(text, path) {
    var i = 0, spans = {};
    function ws() { while (i < text.length && /\s/.test(text.charAt(i))) i++; }
    function str() {
      var s = i++;
      while (i < text.length && text.charAt(i) !== '"') i += text.charAt(i) === '\\' ? 2 : 1;
      i++;
      return JSON.parse(text.slice(s, i));
    }
    function list(close, each) {
      i++;
      ws();
      if (text.charAt(i) === close) { i++; return; }
      for (var n = 0; ; n++) {
        each(n);
        ws();
        var c = text.charAt(i++);
        if (c === close) return;
        if (c !== ',') throw new Error('json');
      }
    }
    function value(at) {
      ws();
      var start = i, c = text.charAt(i);
      if (c === '{') {
        list('}', function () {
          ws();
          var k = str();
          ws();
          if (text.charAt(i++) !== ':') throw new Error('json');
          value(member(at, k));
        });
      } else if (c === '[') {
        list(']', function (n) { value(index(at, n)); });
      } else if (c === '"') {
        str();
      } else {
        while (i < text.length && /[^,\]}\s]/.test(text.charAt(i))) i++;
        if (i === start) throw new Error('json');
      }
      spans[at] = { start: start, end: i };
    }
    try { value(''); } catch (e) { return null; }
    for (var p = path; ; ) {
      if (spans[p]) return spans[p];
      if (!p) return null;
      var cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut > 0 ? p.slice(0, cut) : '';
    }
  }

  VK.jsonSchema = { validate: validate, message: message, locate: locate };
})();
