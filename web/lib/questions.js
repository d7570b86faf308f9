/*
 * lib/questions.js — the question renderer: a category's own questions
 * (GET /api/v1/categories "attributes": code, description, datatype,
 * required, values) drawn as ordinary labelled form fields, their answers
 * read back and checked. The survey question types are to be added here,
 * next to these, so that every form draws a question the same way.
 *
 * Datatypes: singlevaluelist (a select), multivaluelist (a fieldset of
 * checkboxes), text (a textarea), number, datetime (datetime-local) and
 * string (a text input). Each field is <PREFIX><code>, its error
 * <PREFIX><code>-error (named in aria-describedby).
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, el = VK.el, localName = VK.localName;

  // The answer to one question: a string, a list (multivaluelist) or ''.
  function value(a, prefix) {
    var id = prefix + a.code;
    if (a.datatype === 'multivaluelist') {
      var picked = [];
      document.querySelectorAll('input[name="' + id + '"]:checked').forEach(function (b) {
        picked.push(b.value);
      });
      return picked;
    }
    var input = VK.$(id);
    return input ? input.value.trim() : '';
  }

  function restore(a, prefix, v) {
    var id = prefix + a.code;
    if (a.datatype === 'multivaluelist') {
      document.querySelectorAll('input[name="' + id + '"]').forEach(function (b) {
        b.checked = v.indexOf(b.value) >= 0;
      });
    } else if (VK.$(id)) {
      VK.$(id).value = v;
    }
  }

  function label(parent, a, forId) {
    var l = el(forId ? 'label' : 'legend');
    if (forId) l.htmlFor = forId;
    l.appendChild(el('span', null, localName(a.description)));
    l.appendChild(document.createTextNode(' '));
    l.appendChild(el('span', 'req', t(a.required ? 'requiredWord' : 'optionalWord')));
    parent.appendChild(l);
  }

  function input(a) {
    var i;
    if (a.datatype === 'singlevaluelist') {
      i = el('select');
      var none = el('option', null, t('chooseOption'));
      none.value = '';
      i.appendChild(none);
      (a.values || []).forEach(function (v) {
        var o = el('option', null, localName(v.name));
        o.value = v.key;
        i.appendChild(o);
      });
    } else if (a.datatype === 'text') {
      i = el('textarea');
      i.rows = 3;
    } else {
      i = el('input');
      i.type = a.datatype === 'datetime' ? 'datetime-local' : 'text';
      if (a.datatype === 'number') i.inputMode = 'decimal';
    }
    return i;
  }

  function checkboxes(wrap, a, id) {
    var first = null;
    (a.values || []).forEach(function (v, n) {
      var row = el('div', 'radio');
      var b = el('input');
      b.type = 'checkbox';
      b.name = id;
      b.id = id + '-' + n;
      b.value = v.key;
      var l = el('label', null, localName(v.name));
      l.htmlFor = b.id;
      row.appendChild(b);
      row.appendChild(l);
      wrap.appendChild(row);
      if (!first) first = b;
    });
    return first;
  }

  // Draw defs into holder (emptied first), keeping the answers to the
  // questions of `shown` (the defs drawn before) that are asked again.
  // Returns {code: {input: id of the field to focus, error: id}}.
  function render(holder, defs, prefix, shown) {
    var kept = {};
    (shown || []).forEach(function (a) { kept[a.code] = value(a, prefix); });
    holder.textContent = '';
    var fields = {};
    defs.forEach(function (a) {
      var id = prefix + a.code;
      var errId = id + '-error';
      var wrap = el(a.datatype === 'multivaluelist' ? 'fieldset' : 'div', 'field');
      var first;
      if (a.datatype === 'multivaluelist') {
        label(wrap, a, null);
        wrap.setAttribute('aria-describedby', errId);
        first = checkboxes(wrap, a, id);
      } else {
        label(wrap, a, id);
        first = input(a);
        first.id = id;
        first.name = id;
        if (a.required) first.setAttribute('aria-required', 'true');
        first.setAttribute('aria-describedby', errId);
        wrap.appendChild(first);
      }
      var err = el('p', 'field-error');
      err.id = errId;
      err.hidden = true;
      wrap.appendChild(err);
      holder.appendChild(wrap);
      fields[a.code] = { input: first ? first.id : null, error: errId };
      if (kept[a.code] !== undefined) restore(a, prefix, kept[a.code]);
    });
    return fields;
  }

  // The answers, {code: value}, numbers as numbers and date-times in UTC;
  // what fails the client's checks goes to errs as {code, key, vars}.
  function collect(defs, prefix, errs) {
    var out = {};
    defs.forEach(function (a) {
      var v = value(a, prefix);
      var empty = Array.isArray(v) ? v.length === 0 : v === '';
      var name = localName(a.description);
      var fail = function (key) { errs.push({ code: a.code, key: key, vars: { name: name } }); };
      if (empty) {
        if (a.required) fail('errAttributeRequired');
        return;
      }
      if (a.datatype === 'number') {
        var n = Number(v.replace(',', '.'));
        if (!isFinite(n)) { fail('errAttributeNumber'); return; }
        v = n;
      } else if (a.datatype === 'datetime') {
        var d = new Date(v); // datetime-local is the reporter's own time
        if (isNaN(d.getTime())) { fail('errAttributeDatetime'); return; }
        v = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
      }
      out[a.code] = v;
    });
    return out;
  }

  // Stored answers ({code: value}) as [label, text] pairs in the page's
  // language, in the order the category asks them: list values by their
  // names, date-times in words. Answers to questions the category no longer
  // asks keep their code as the label, so nothing a resident wrote is lost.
  function describe(defs, answers) {
    var out = [];
    if (!answers || typeof answers !== 'object') return out;
    var seen = {};
    function valueName(a, key) {
      var vs = (a && a.values) || [];
      for (var i = 0; i < vs.length; i++) if (String(vs[i].key) === String(key)) return localName(vs[i].name);
      return String(key);
    }
    function text(a, v) {
      if (Array.isArray(v)) return v.map(function (k) { return valueName(a, k); }).join(', ');
      if (a && a.datatype === 'singlevaluelist') return valueName(a, v);
      if (a && a.datatype === 'datetime') return VK.formatDate(v, true);
      if (typeof v === 'number') return VK.formatNumber(v);
      return String(v);
    }
    (defs || []).forEach(function (a) {
      seen[a.code] = true;
      var v = answers[a.code];
      if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) return;
      out.push([localName(a.description), text(a, v)]);
    });
    Object.keys(answers).forEach(function (code) {
      var v = answers[code];
      if (seen[code] || v === undefined || v === null || v === '') return;
      out.push([code, text(null, v)]);
    });
    return out;
  }

  VK.questions = { render: render, collect: collect, value: value, describe: describe };
})();
