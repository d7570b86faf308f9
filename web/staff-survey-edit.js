/*
 * staff-survey-edit.js — staff-survey-edit.html: a survey's definition
 * (docs/survey.schema.json) edited three ways over one document `def`:
 *  - the form: the survey's texts (fi required, sv and en optional), its
 *    window, area and places (drawn on the map or typed), and its pages of
 *    elements, a form per element type with choices, follow-ups of map
 *    questions and show_if conditions; elements added, removed and moved by
 *    buttons or Alt+Arrow;
 *  - the raw JSON, checked against the schema the server publishes;
 *  - a live preview of a page in fi, sv or en (lib/survey-preview.js).
 * Saving sends the document (POST for a new survey, PUT after); errors,
 * the client's and the server's, are listed at their JSON path and marked
 * on the field that path names.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, SS = VK.surveyStaff, t = VK.t, $ = VK.$, el = VK.el;
  var LANGS = ['fi', 'sv', 'en'];

  var ANSWER_TYPES = ['single-choice', 'multi-choice', 'scale', 'number', 'text', 'ranking', 'matrix', 'date', 'consent'];
  var MAP_TYPES = ['map-point', 'map-line', 'map-area'];
  var TYPES = ANSWER_TYPES.concat(['place-choice'], MAP_TYPES, ['budget', 'geobudget', 'info', 'section']);
  var COMMON = ['key', 'type', 'text', 'help', 'required', 'allow_skip', 'show_if'];
  var CHOICE_OPS = ['chosen', 'not_chosen'];
  var NUMBER_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];

  // The members each type takes beyond COMMON (src/questions/types.c), as
  // [member, kind, extra]; kinds are drawn by FIELD below.
  var SPEC = {
    'single-choice': [['choices', 'choices'], ['other', 'bool']],
    'multi-choice': [['choices', 'choices'], ['other', 'bool'], ['min_picks', 'int'], ['max_picks', 'int']],
    scale: [['min', 'select', [0, 1]], ['max', 'select', [3, 4, 5, 6, 7, 8, 9, 10]], ['min_label', 'text'], ['max_label', 'text']],
    number: [['min', 'num'], ['max', 'num'], ['integer', 'bool'], ['unit', 'text']],
    text: [['multiline', 'bool'], ['max_length', 'int']],
    ranking: [['choices', 'choices'], ['rank_all', 'bool', true]],
    matrix: [['rows', 'choices'], ['columns', 'choices']],
    date: [['min', 'date'], ['max', 'date']],
    consent: [['personal', 'personal']],
    'place-choice': [['places', 'places'], ['min_picks', 'int'], ['max_picks', 'int']],
    'map-point': [['min_features', 'int'], ['max_features', 'int'], ['followups', 'followups']],
    budget: [['total', 'num'], ['currency', 'string'], ['items', 'items']],
    info: [['image', 'image']],
    section: []
  };
  SPEC['map-line'] = SPEC['map-area'] = SPEC['map-point'];
  SPEC.geobudget = SPEC.budget;

  var state = {
    slug: null,        // the saved survey's slug; null until a new one is created
    info: null,        // GET /api/v1/staff/surveys/{slug} without the definition
    def: null,
    saved: '',         // JSON of def as last saved or loaded
    view: 'form',
    previewLang: 'fi',
    previewPage: 0,
    writer: false,
    map: null,
    drawer: null,
    errors: []         // [{path, text}] shown now
  };

  /* ---------- small helpers ---------- */

  function idOf(path) { return 'f-' + (path || 'root').replace(/[^A-Za-z0-9_]+/g, '-'); }
  function member(path, name) { return path ? path + '.' + name : name; }
  function clone(v) { return JSON.parse(JSON.stringify(v)); }
  function isEmpty(v) { return v === undefined || v === null || v === '' || (typeof v === 'object' && !Object.keys(v).length); }

  function allKeys() {
    var keys = {};
    (state.def.pages || []).forEach(function (p) {
      (p.elements || []).forEach(function (e) {
        keys[e.key] = true;
        (e.followups || []).forEach(function (f) { keys[f.key] = true; });
      });
    });
    return keys;
  }

  function freeKey(prefix, taken) {
    for (var n = 1; ; n++) if (!taken[prefix + n]) return prefix + n;
  }

  function listKeys(list) {
    var k = {};
    (list || []).forEach(function (c) { if (c) k[c.key] = true; });
    return k;
  }

  function typeName(type) { return t('type_' + type); }

  function dirty() { return JSON.stringify(state.def) !== state.saved; }

  /* ---------- fields ---------- */

  // A field's wrapper: label (or legend), hint, control, error.
  function wrap(path, labelText, control, opts) {
    opts = opts || {};
    var id = idOf(path);
    var box = el('div', 'field');
    box.setAttribute('data-path', path);
    var l = el('label', { for: id }, labelText);
    box.appendChild(l);
    var described = [];
    if (opts.hint) {
      box.appendChild(el('p', { class: 'hint', id: id + '-hint' }, opts.hint));
      described.push(id + '-hint');
    }
    control.id = id;
    control.setAttribute('data-path', path);
    described.push(id + '-error');
    control.setAttribute('aria-describedby', described.join(' '));
    if (opts.checkbox) {
      var row = el('div', 'checkbox');
      row.appendChild(control);
      box.removeChild(l);
      row.appendChild(l);
      box.insertBefore(row, box.firstChild);
    } else {
      box.appendChild(control);
    }
    box.appendChild(el('p', { class: 'field-error', id: id + '-error', hidden: '' }));
    return box;
  }

  function setOrDelete(obj, name, v) {
    if (isEmpty(v)) delete obj[name]; else obj[name] = v;
    changed();
  }

  // A {fi, sv, en} text: Finnish required where the schema says so.
  function textGroup(obj, name, path, labelText, long, required) {
    var fs = el('fieldset', 'field text-group');
    fs.setAttribute('data-path', member(path, name));
    fs.id = idOf(member(path, name));
    var lg = el('legend', null, labelText + ' ');
    lg.appendChild(el('span', 'req', required ? t('requiredFi') : t('optionalWord')));
    fs.appendChild(lg);
    LANGS.forEach(function (lang) {
      var p = member(member(path, name), lang);
      var input = long ? el('textarea', { rows: '3' }) : el('input', { type: 'text' });
      input.lang = lang;
      input.value = (obj[name] && obj[name][lang]) || '';
      input.addEventListener('input', function () {
        var v = input.value;
        var txt = obj[name] || {};
        if (v === '' && !(required && lang === 'fi')) delete txt[lang]; else txt[lang] = v;
        if (isEmpty(txt) && !required) delete obj[name]; else obj[name] = txt;
        changed();
      });
      var w = wrap(p, t('lang_' + lang), input);
      w.classList.add('lang-field');
      fs.appendChild(w);
    });
    fs.appendChild(el('p', { class: 'field-error', id: fs.id + '-error', hidden: '' }));
    return fs;
  }

  function boolField(obj, name, path, labelText, dflt) {
    var b = el('input', { type: 'checkbox' });
    b.checked = obj[name] === undefined ? !!dflt : !!obj[name];
    b.addEventListener('change', function () {
      if (b.checked === !!dflt && obj[name] === undefined) return;
      obj[name] = b.checked;
      changed();
    });
    return wrap(member(path, name), labelText, b, { checkbox: true });
  }

  function numField(obj, name, path, labelText, integer) {
    var i = el('input', { type: 'text', inputmode: integer ? 'numeric' : 'decimal', class: 'input-short' });
    i.value = obj[name] === undefined ? '' : String(obj[name]);
    i.addEventListener('input', function () {
      var s = i.value.trim().replace(',', '.');
      if (s === '') { delete obj[name]; changed(); return; }
      var n = Number(s);
      // What is not a number yet stays in the box; the JSON keeps the last number.
      if (isFinite(n)) { obj[name] = n; changed(); }
    });
    return wrap(member(path, name), labelText, i);
  }

  function selectField(obj, name, path, labelText, options, numeric, onChange) {
    var s = el('select');
    options.forEach(function (o) {
      var opt = el('option', { value: String(o[0]) }, o[1]);
      if (String(obj[name]) === String(o[0])) opt.selected = true;
      s.appendChild(opt);
    });
    s.addEventListener('change', function () {
      var v = s.value;
      if (v === '') delete obj[name]; else obj[name] = numeric ? Number(v) : v;
      changed();
      if (onChange) onChange();
    });
    return wrap(member(path, name), labelText, s);
  }

  function stringField(obj, name, path, labelText, opts) {
    opts = opts || {};
    var i = el('input', { type: opts.type || 'text', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none' });
    if (opts.short) i.className = 'input-short';
    i.value = obj[name] === undefined ? '' : (opts.show ? opts.show(obj[name]) : obj[name]);
    if (opts.readOnly) i.readOnly = true;
    i.addEventListener('input', function () {
      var v = opts.read ? opts.read(i.value) : i.value.trim();
      setOrDelete(obj, name, v);
    });
    if (opts.onChange) i.addEventListener('change', opts.onChange);
    return wrap(member(path, name), labelText, i, { hint: opts.hint });
  }

  // A key. A question's new key is carried into the conditions and consents
  // that name it; the form is drawn again once focus has moved on (the
  // change event comes before focus reaches where the author went).
  function keyField(obj, path, labelText, isQuestion) {
    var before = obj.key;
    return stringField(obj, 'key', path, labelText || t('f_key'), { short: true, hint: t('keyHint'),
      onChange: function () {
        if (isQuestion && before && obj.key && before !== obj.key) renameQuestion(before, obj.key);
        before = obj.key;
        window.setTimeout(function () { rerender(); }, 0);
      } });
  }

  function renameQuestion(from, to) {
    function cond(c) {
      if (!c) return;
      if (c.question === from) c.question = to;
      (c.all || c.any || []).forEach(cond);
    }
    function each(e) {
      cond(e.show_if);
      if (e.personal) e.personal = e.personal.map(function (k) { return k === from ? to : k; });
      (e.followups || []).forEach(each);
    }
    (state.def.pages || []).forEach(function (pg) {
      cond(pg.show_if);
      (pg.elements || []).forEach(each);
    });
    changed();
  }

  // datetime-local in the author's own time ↔ RFC 3339 in UTC.
  function localInput(iso) {
    var d = new Date(iso);
    if (!iso || isNaN(d.getTime())) return '';
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  }
  function fromLocalInput(v) {
    if (!v) return '';
    var d = new Date(v);
    return isNaN(d.getTime()) ? v : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /* ---------- lists: move, remove, add ---------- */

  // Buttons Up, Down, Remove for list[i]; what names the item for screen
  // readers, pathOf(n) is the JSON path of the list's item n. After a move
  // the same button of the moved item has focus.
  function itemTools(list, i, what, pathOf) {
    var focusPrefix = idOf(pathOf(i));
    var row = el('div', 'button-row item-tools');
    function tool(action, label, disabled) {
      var b = el('button', { type: 'button', class: 'button button-secondary button-small', 'data-tool': action,
        id: focusPrefix + '-' + action });
      b.appendChild(el('span', null, label));
      b.appendChild(el('span', 'visually-hidden', ' ' + what));
      if (disabled) b.setAttribute('aria-disabled', 'true');
      b.addEventListener('click', function () {
        if (b.getAttribute('aria-disabled') === 'true') return;
        if (action === 'remove') {
          list.splice(i, 1);
          // Focus goes to the Remove of the item now in its place.
          rerender(list.length ? idOf(pathOf(Math.min(i, list.length - 1))) + '-remove' : null);
          S.announce(t('removedItem', { what: what }));
          return;
        }
        move(list, i, action === 'up' ? -1 : 1, what, pathOf);
      });
      row.appendChild(b);
    }
    tool('up', t('moveUp'), i === 0);
    tool('down', t('moveDown'), i === list.length - 1);
    tool('remove', t('remove'));
    return row;
  }

  // Moves list[i] by d and keeps focus on the moved item's same control.
  function move(list, i, d, what, pathOf) {
    var j = i + d;
    if (j < 0 || j >= list.length) return;
    var active = document.activeElement;
    var keepId = active && active.id;
    var item = list.splice(i, 1)[0];
    list.splice(j, 0, item);
    // The ids are paths: the moved item's controls now carry index j.
    var from = idOf(pathOf(i)), to = idOf(pathOf(j));
    var focusId = keepId && keepId.indexOf(from) === 0 ? to + keepId.slice(from.length) : to + '-up';
    rerender(focusId);
    var target = focusId && $(focusId);
    if (target && target.getAttribute('aria-disabled') === 'true') {
      target = target.parentNode.querySelector('[data-tool]:not([aria-disabled="true"])');
    }
    if (target) target.focus();
    S.announce(t('movedItem', { what: what, n: j + 1, total: list.length }));
  }

  // Alt+ArrowUp / Alt+ArrowDown anywhere in an item's card move it.
  function keyMoves(card, list, i, what, pathOf) {
    card.addEventListener('keydown', function (e) {
      if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
      if (e.target.closest('.card') !== card) return; // an inner card moves itself
      e.preventDefault();
      e.stopPropagation();
      move(list, i, e.key === 'ArrowUp' ? -1 : 1, what, pathOf);
    });
  }

  /* ---------- choices, items, places ---------- */

  // A list of {key, text} (choices, matrix rows and columns) or budget items.
  function keyedList(obj, name, path, labelText, kind) {
    var fs = el('fieldset', 'field keyed-list');
    fs.setAttribute('data-path', member(path, name));
    fs.id = idOf(member(path, name));
    fs.appendChild(el('legend', null, labelText));
    var list = obj[name] || [];
    var ol = el('ol', 'card-list');
    list.forEach(function (c, i) {
      var p = member(path, name) + '[' + i + ']';
      var what = labelText + ' ' + (i + 1);
      var li = el('li', 'card choice-card');
      li.setAttribute('data-path', p);
      li.appendChild(el('p', 'card-title', what + (c.key ? ' · ' + c.key : '')));
      li.appendChild(keyField(c, p));
      li.appendChild(textGroup(c, 'text', p, t('f_text'), false, true));
      if (kind === 'items') {
        li.appendChild(numField(c, 'cost', p, t('f_cost'), false));
        li.appendChild(numField(c, 'max_count', p, t('f_max_count'), true));
        li.appendChild(textGroup(c, 'description', p, t('f_description'), true, false));
      }
      var pathOf = function (n) { return member(path, name) + '[' + n + ']'; };
      li.appendChild(itemTools(list, i, what, pathOf));
      keyMoves(li, list, i, what, pathOf);
      ol.appendChild(li);
    });
    fs.appendChild(ol);
    var add = el('button', { type: 'button', class: 'button button-secondary button-small', id: idOf(member(path, name)) + '-add' },
      t(kind === 'items' ? 'addItem' : 'addChoice'));
    add.addEventListener('click', function () {
      obj[name] = list;
      var key = freeKey(kind === 'items' ? 'item_' : 'c', listKeys(list));
      var c = { key: key, text: { fi: '' } };
      if (kind === 'items') c.cost = 1;
      list.push(c);
      rerender(idOf(member(path, name) + '[' + (list.length - 1) + '].text.fi'));
    });
    fs.appendChild(add);
    fs.appendChild(el('p', { class: 'field-error', id: fs.id + '-error', hidden: '' }));
    return fs;
  }

  // Checkboxes of keys (the survey's places, or its questions for consent).
  function keyChecks(obj, name, path, labelText, options, hint) {
    var fs = el('fieldset', 'field');
    fs.setAttribute('data-path', member(path, name));
    fs.id = idOf(member(path, name));
    fs.appendChild(el('legend', null, labelText));
    if (hint) fs.appendChild(el('p', 'hint', hint));
    if (!options.length) fs.appendChild(el('p', 'hint', t('nothingToPick')));
    options.forEach(function (o, i) {
      var row = el('div', 'checkbox');
      var b = el('input', { type: 'checkbox', id: fs.id + '-' + i, value: o[0] });
      b.checked = (obj[name] || []).indexOf(o[0]) >= 0;
      b.addEventListener('change', function () {
        var picked = [];
        fs.querySelectorAll('input:checked').forEach(function (x) { picked.push(x.value); });
        setOrDelete(obj, name, picked.length ? picked : undefined);
      });
      row.appendChild(b);
      row.appendChild(el('label', { for: b.id }, o[1]));
      fs.appendChild(row);
    });
    fs.appendChild(el('p', { class: 'field-error', id: fs.id + '-error', hidden: '' }));
    return fs;
  }

  /* ---------- show_if ---------- */

  // The questions a condition at loc may name, in order: {key, type, choices}.
  // loc: {page, index} for an element (index -1: the page itself) and,
  // for a follow-up, parent (the map question's index) and fIndex.
  function earlier(loc) {
    var out = [];
    var pages = state.def.pages || [];
    for (var p = 0; p <= loc.page && p < pages.length; p++) {
      var els = pages[p].elements || [];
      var stop = p < loc.page ? els.length : (loc.parent !== undefined ? loc.parent : loc.index);
      for (var i = 0; i < stop && i < els.length; i++) out.push(els[i]);
    }
    if (loc.parent !== undefined) {
      var map = pages[loc.page].elements[loc.parent];
      (map.followups || []).slice(0, loc.fIndex).forEach(function (f) { out.push(f); });
    }
    return out.filter(function (q) { return opsFor(q).length; });
  }

  function opsFor(q) {
    if (['single-choice', 'multi-choice', 'place-choice'].indexOf(q.type) >= 0) return CHOICE_OPS;
    if (q.type === 'scale' || q.type === 'number') return NUMBER_OPS;
    if (MAP_TYPES.indexOf(q.type) >= 0 || q.type === 'geobudget') return ['drawn_at_least'];
    return [];
  }

  function valuesFor(q) {
    if (q.type === 'place-choice') {
      return (state.def.places || []).filter(function (p) { return !q.places || q.places.indexOf(p.key) >= 0; })
        .map(function (p) { return [p.key, VK.localName(p.name) || p.key]; });
    }
    if (q.choices) return q.choices.map(function (c) { return [c.key, VK.localName(c.text) || c.key]; });
    return null;
  }

  function isLeaf(c) { return c && c.question !== undefined; }

  // One level of all/any over leaves is edited here; deeper nesting is
  // kept as it is and edited in the JSON view.
  function conditionEditor(obj, path, loc) {
    var p = member(path, 'show_if');
    var fs = el('fieldset', 'field condition');
    fs.setAttribute('data-path', p);
    fs.id = idOf(p);
    fs.appendChild(el('legend', null, t('showIf')));
    var c = obj.show_if;
    var nested = c && !isLeaf(c) && (c.all || c.any || []).some(function (x) { return !isLeaf(x); });
    if (nested) {
      fs.appendChild(el('p', 'hint', t('conditionNested')));
      fs.appendChild(el('p', { class: 'field-error', id: fs.id + '-error', hidden: '' }));
      return fs;
    }
    var mode = !c ? 'always' : (c.any ? 'any' : 'all');
    var leaves = !c ? [] : (isLeaf(c) ? [c] : (c.all || c.any));
    var questions = earlier(loc);
    var holder = { mode: mode };
    function write() {
      if (holder.mode === 'always' || !leaves.length) {
        delete obj.show_if;
      } else {
        var n = {};
        n[holder.mode] = leaves;
        obj.show_if = n;
      }
      changed();
    }
    var modeBox = selectField(holder, 'mode', p + '-mode', t('conditionMode'),
      [['always', t('condAlways')], ['all', t('condAll')], ['any', t('condAny')]], false, function () {
        if (holder.mode !== 'always' && !leaves.length && questions.length) leaves.push(newLeaf(questions[0]));
        write();
        rerender(idOf(p + '-mode.mode'));
      });
    fs.appendChild(modeBox);
    if (holder.mode !== 'always' && !questions.length) fs.appendChild(el('p', 'hint', t('condNoQuestions')));
    if (holder.mode !== 'always') {
      var ol = el('ol', 'card-list');
      leaves.forEach(function (leaf, i) {
        var lp = c && isLeaf(c) ? p : p + '.' + holder.mode + '[' + i + ']';
        var li = el('li', 'card condition-leaf');
        li.setAttribute('data-path', lp);
        var q = questions.filter(function (x) { return x.key === leaf.question; })[0];
        var qOpts = questions.map(function (x) { return [x.key, x.key + ' – ' + (VK.localName(x.text) || typeName(x.type))]; });
        if (!q) qOpts.unshift([leaf.question, leaf.question + ' (' + t('condUnknown') + ')']);
        li.appendChild(selectField(leaf, 'question', lp, t('condQuestion'), qOpts, false, function () {
          var nq = questions.filter(function (x) { return x.key === leaf.question; })[0];
          if (nq) { var fresh = newLeaf(nq); leaf.op = fresh.op; leaf.value = fresh.value; }
          write();
          // Written now as {all|any: [...]}: the leaf's path after it.
          rerender(idOf(p + '.' + holder.mode + '[' + i + '].question'));
        }));
        var ops = q ? opsFor(q) : [leaf.op];
        li.appendChild(selectField(leaf, 'op', lp, t('condOp'), ops.map(function (o) { return [o, t('op_' + o)]; }), false, write));
        var vals = q && leaf.op !== 'drawn_at_least' ? valuesFor(q) : null;
        if (vals) li.appendChild(selectField(leaf, 'value', lp, t('condValue'), vals, false, write));
        else li.appendChild(numField(leaf, 'value', lp, t('condValue'), false));
        var rm = el('button', { type: 'button', class: 'button button-secondary button-small' }, t('condRemove'));
        rm.appendChild(el('span', 'visually-hidden', ' ' + (i + 1)));
        rm.addEventListener('click', function () {
          leaves.splice(i, 1);
          write();
          rerender(idOf(p + '-mode.mode'));
        });
        li.appendChild(rm);
        ol.appendChild(li);
      });
      fs.appendChild(ol);
      if (questions.length) {
        var add = el('button', { type: 'button', class: 'button button-secondary button-small', id: fs.id + '-add' }, t('condAdd'));
        add.addEventListener('click', function () {
          leaves.push(newLeaf(questions[0]));
          write();
          rerender(fs.id + '-add');
        });
        fs.appendChild(add);
      }
    }
    fs.appendChild(el('p', { class: 'field-error', id: fs.id + '-error', hidden: '' }));
    return fs;
  }

  function newLeaf(q) {
    var ops = opsFor(q);
    var vals = valuesFor(q);
    return { question: q.key, op: ops[0], value: ops[0] === 'drawn_at_least' ? 1 : (vals && vals.length ? vals[0][0] : 0) };
  }

  /* ---------- elements ---------- */

  function defaults(type, taken) {
    var e = {};
    var choice = function (k) { return { key: k, text: { fi: '' } }; };
    if (type === 'single-choice' || type === 'multi-choice' || type === 'ranking') e.choices = [choice('c1'), choice('c2')];
    if (type === 'matrix') { e.rows = [choice('r1')]; e.columns = [choice('c1'), choice('c2')]; }
    if (type === 'scale') { e.min = 1; e.max = 5; }
    if (type === 'budget' || type === 'geobudget') { e.total = 1000; e.items = [{ key: freeKey('item_', taken || {}), text: { fi: '' }, cost: 100 }]; }
    return e;
  }

  function newElement(type) {
    var taken = allKeys();
    var e = { key: freeKey(type === 'info' || type === 'section' ? 'info' : 'q', taken), type: type, text: { fi: '' } };
    return Object.assign(e, defaults(type, taken));
  }

  // A new type keeps what every type shares and starts the rest afresh.
  function changeType(e, type) {
    var keep = type === 'info' || type === 'section' ? ['key', 'type', 'text', 'show_if'] : COMMON;
    Object.keys(e).forEach(function (k) { if (keep.indexOf(k) < 0) delete e[k]; });
    e.type = type;
    var d = defaults(type, allKeys());
    Object.keys(d).forEach(function (k) { if (e[k] === undefined) e[k] = d[k]; });
    if (!e.text) e.text = { fi: '' };
  }

  function typeOptions(types) { return types.map(function (ty) { return [ty, typeName(ty)]; }); }

  function elementCard(list, i, path, loc, types, level) {
    var e = list[i];
    var p = path + '[' + i + ']';
    var what = t('elementN', { n: i + 1 }) + ' ' + e.key;
    var li = el('li', 'card element-card');
    li.setAttribute('data-path', p);
    li.id = idOf(p) + '-card';
    var h = el('h' + level, 'card-title');
    h.appendChild(el('span', null, (i + 1) + '. ' + typeName(e.type)));
    h.appendChild(el('span', 'hint-inline', ' · ' + e.key + (e.text && e.text.fi ? ' · ' + e.text.fi : '')));
    li.appendChild(h);
    var pathOf = function (n) { return path + '[' + n + ']'; };
    li.appendChild(itemTools(list, i, what, pathOf));
    li.appendChild(selectField(e, 'type', p, t('f_type'), typeOptions(types.indexOf(e.type) >= 0 ? types : [e.type].concat(types)), false, function () {
      changeType(e, e.type);
      rerender(idOf(member(p, 'type')));
    }));
    li.appendChild(keyField(e, p, null, true));
    var plain = e.type === 'info' || e.type === 'section';
    li.appendChild(textGroup(e, 'text', p, t(e.type === 'info' ? 'f_infoText' : 'f_question'), e.type === 'info', true));
    if (!plain) {
      li.appendChild(textGroup(e, 'help', p, t('f_help'), true, false));
      li.appendChild(boolField(e, 'required', p, t('f_required')));
      li.appendChild(boolField(e, 'allow_skip', p, t('f_allow_skip')));
    }
    (SPEC[e.type] || []).forEach(function (f) { li.appendChild(FIELD[f[1]](e, f[0], p, f[2], loc, level)); });
    li.appendChild(conditionEditor(e, p, loc));
    keyMoves(li, list, i, what, pathOf);
    return li;
  }

  // The elements of a page, or the follow-ups of a map question.
  function elementList(owner, name, path, locOf, types, level) {
    var box = el('div', 'element-list');
    // Drawing adds nothing to the document: a list is made on the first add.
    var list = owner[name] || [];
    var ol = el('ol', 'card-list');
    list.forEach(function (e, i) { ol.appendChild(elementCard(list, i, member(path, name), locOf(i), types, level)); });
    box.appendChild(ol);
    var addId = idOf(member(path, name)) + '-addtype';
    var holder = { type: types[0] };
    var row = el('div', 'add-element');
    row.appendChild(selectField(holder, 'type', member(path, name) + '-new', t(name === 'followups' ? 'newFollowupType' : 'newElementType'), typeOptions(types)));
    var add = el('button', { type: 'button', class: 'button button-secondary button-small', id: addId },
      t(name === 'followups' ? 'addFollowup' : 'addElement'));
    add.addEventListener('click', function () {
      owner[name] = list;
      list.push(newElement(holder.type));
      var np = member(path, name) + '[' + (list.length - 1) + ']';
      rerender(idOf(member(np, 'text.fi')));
      S.announce(t('addedElement', { type: typeName(holder.type) }));
    });
    row.appendChild(add);
    box.appendChild(row);
    return box;
  }

  var FIELD = {
    bool: function (e, name, p, dflt) { return boolField(e, name, p, t('f_' + name), dflt); },
    int: function (e, name, p) { return numField(e, name, p, t('f_' + name), true); },
    num: function (e, name, p) { return numField(e, name, p, t('f_' + name), false); },
    text: function (e, name, p) { return textGroup(e, name, p, t('f_' + name), false, false); },
    string: function (e, name, p) { return stringField(e, name, p, t('f_' + name), { short: true }); },
    date: function (e, name, p) { return stringField(e, name, p, t('f_' + name), { type: 'date' }); },
    select: function (e, name, p, values) {
      return selectField(e, name, p, t('f_' + name), values.map(function (v) { return [v, String(v)]; }), true);
    },
    choices: function (e, name, p) { return keyedList(e, name, p, t('f_' + name), 'choices'); },
    items: function (e, name, p) { return keyedList(e, name, p, t('f_items'), 'items'); },
    places: function (e, name, p) {
      return keyChecks(e, name, p, t('f_places'), (state.def.places || []).map(function (pl) {
        return [pl.key, (VK.localName(pl.name) || pl.key) + ' (' + pl.key + ')'];
      }), t('placesPickHint'));
    },
    personal: function (e, name, p) {
      var keys = Object.keys(allKeys()).filter(function (k) { return k !== e.key; });
      return keyChecks(e, name, p, t('f_personal'), keys.map(function (k) { return [k, k]; }), t('personalHint'));
    },
    image: function (e, name, p) {
      var fs = el('fieldset', 'field');
      fs.setAttribute('data-path', member(p, 'image'));
      fs.id = idOf(member(p, 'image'));
      fs.appendChild(el('legend', null, t('f_image')));
      var img = e.image || { alt: {} };
      var sync = function () { if (isEmpty(img.src) && isEmpty(img.alt)) delete e.image; else e.image = img; };
      var src = stringField(img, 'src', member(p, 'image'), t('f_src'), { hint: t('srcHint') });
      src.querySelector('input').addEventListener('input', sync);
      fs.appendChild(src);
      var alt = textGroup(img, 'alt', member(p, 'image'), t('f_alt'), false, false);
      alt.querySelectorAll('input').forEach(function (x) { x.addEventListener('input', sync); });
      fs.appendChild(alt);
      return fs;
    },
    followups: function (e, name, p, extra, loc, level) {
      var fs = el('fieldset', 'field followups');
      fs.setAttribute('data-path', member(p, 'followups'));
      fs.id = idOf(member(p, 'followups'));
      fs.appendChild(el('legend', null, t('f_followups')));
      fs.appendChild(el('p', 'hint', t('followupsHint')));
      fs.appendChild(elementList(e, 'followups', p, function (j) {
        return { page: loc.page, index: loc.index, parent: loc.index, fIndex: j };
      }, ANSWER_TYPES, Math.min(level + 1, 6)));
      fs.appendChild(el('p', { class: 'field-error', id: fs.id + '-error', hidden: '' }));
      return fs;
    }
  };

  /* ---------- pages ---------- */

  function renderPages() {
    var ol = $('pages');
    ol.textContent = '';
    var pages = state.def.pages = state.def.pages || [];
    pages.forEach(function (pg, n) {
      var p = 'pages[' + n + ']';
      var what = t('pageN', { n: n + 1 });
      var li = el('li', 'card page-card');
      li.setAttribute('data-path', p);
      li.appendChild(el('h3', 'card-title', what + ' · ' + pg.key));
      var pathOf = function (k) { return 'pages[' + k + ']'; };
      li.appendChild(itemTools(pages, n, what, pathOf));
      li.appendChild(keyField(pg, p, t('f_pageKey')));
      li.appendChild(textGroup(pg, 'title', p, t('f_pageTitle'), false, false));
      li.appendChild(conditionEditor(pg, p, { page: n, index: 0 }));
      // A page's condition may only name questions on earlier pages.
      li.appendChild(elementList(pg, 'elements', p, function (i) { return { page: n, index: i }; }, TYPES, 4));
      keyMoves(li, pages, n, what, pathOf);
      ol.appendChild(li);
    });
  }

  /* ---------- basics, area and places ---------- */

  function renderBasics() {
    var d = state.def, box = $('basics');
    box.textContent = '';
    box.appendChild(stringField(d, 'slug', '', t('f_slug'), { hint: t('slugHint'), readOnly: !!state.slug }));
    box.appendChild(textGroup(d, 'title', '', t('f_title'), false, true));
    box.appendChild(textGroup(d, 'intro', '', t('f_intro'), true, false));
    box.appendChild(textGroup(d, 'thanks', '', t('f_thanks'), true, false));
    var win = { show: localInput, read: fromLocalInput, type: 'datetime-local' };
    box.appendChild(stringField(d, 'opens', '', t('f_opens'), Object.assign({ hint: t('opensHint') }, win)));
    box.appendChild(stringField(d, 'closes', '', t('f_closes'), Object.assign({ hint: t('closesHint') }, win)));
  }

  function geometryField(obj, name, path, labelText, what, onSet) {
    var ta = el('textarea', { rows: '4', spellcheck: 'false', class: 'geometry-text' });
    ta.value = VK.surveyArea.format(obj[name]);
    var box = wrap(member(path, name), labelText, ta, { hint: t(what === 'area' ? 'areaTextHint' : 'placeTextHint') });
    var apply = el('button', { type: 'button', class: 'button button-secondary button-small', id: ta.id + '-apply' }, t('applyGeometry'));
    var err = box.querySelector('.field-error');
    apply.addEventListener('click', function () {
      err.hidden = true;
      ta.removeAttribute('aria-invalid');
      if (!ta.value.trim()) {
        delete obj[name];
        changed();
        onSet();
        S.announce(t('geometryCleared'));
        return;
      }
      try {
        obj[name] = VK.surveyArea.parse(ta.value, what);
      } catch (e) {
        err.textContent = t(e.key || 'geomErrJson');
        err.hidden = false;
        ta.setAttribute('aria-invalid', 'true');
        ta.focus();
        return;
      }
      ta.value = VK.surveyArea.format(obj[name]);
      changed();
      onSet();
      S.announce(t('geometrySet'));
    });
    box.insertBefore(apply, err);
    return box;
  }

  function renderArea() {
    var d = state.def, box = $('area-fields');
    box.textContent = '';
    box.appendChild(geometryField(d, 'area', '', t('f_area'), 'area', function () {
      if (state.drawer) { state.drawer.setArea(d.area); state.drawer.fit(); }
    }));
    box.appendChild(selectField(d, 'area_rule', '', t('f_area_rule'),
      [['', t('areaRuleDefault')], ['inside', t('areaRuleInside')], ['outside', t('areaRuleOutside')]]));
  }

  function renderPlaces() {
    var ol = $('places');
    ol.textContent = '';
    var places = state.def.places || [];
    places.forEach(function (pl, i) {
      var p = 'places[' + i + ']';
      var what = t('placeN', { n: i + 1 });
      var li = el('li', 'card place-card');
      li.setAttribute('data-path', p);
      li.appendChild(el('h3', 'card-title', what + ' · ' + pl.key));
      li.appendChild(keyField(pl, p));
      li.appendChild(textGroup(pl, 'name', p, t('f_placeName'), false, true));
      li.appendChild(textGroup(pl, 'description', p, t('f_description'), true, false));
      li.appendChild(geometryField(pl, 'geometry', p, t('f_location'), 'place', drawPlaces));
      li.appendChild(itemTools(places, i, what, function (k) { return 'places[' + k + ']'; }));
      ol.appendChild(li);
    });
  }

  function drawPlaces() { if (state.drawer) state.drawer.setPlaces(state.def.places); }

  function addPlace(lonlat) {
    var places = state.def.places = state.def.places || [];
    var pl = { key: freeKey('place_', listKeys(places)), name: { fi: '' } };
    if (lonlat) pl.geometry = { type: 'Point', coordinates: lonlat };
    places.push(pl);
    rerender(idOf('places[' + (places.length - 1) + '].name.fi'));
    S.announce(t('placeAdded', { key: pl.key }));
  }

  function mapStatus(key, vars) { $('map-status').textContent = t(key, vars); }

  function setupMap() {
    return VK.getJSON('/api/v1/config').catch(function () { return {}; }).then(function (cfg) {
      var map = VK.map.create('edit-map', cfg);
      map.setView(VK.map.centre(cfg), VK.map.zoom(cfg));
      state.zoom = VK.map.zoomControl(map);
      state.map = map;
      state.drawer = VK.surveyArea.drawer(map, {
        area: function (g) {
          state.def.area = g;
          changed();
          renderArea();
          state.drawer.setArea(g);
          $('draw-area').setAttribute('aria-pressed', 'false');
          mapStatus('mapAreaDone');
        },
        place: function (lonlat) {
          $('place-on-map').setAttribute('aria-pressed', 'false');
          addPlace(lonlat);
        },
        status: mapStatus
      });
      state.drawer.setArea(state.def.area);
      drawPlaces();
      // Where a corner or place "at the centre" goes, for keyboard users.
      var centre = function () {
        var c = map.getCenter();
        $('map-centre').textContent = t('mapCentre', { lon: c.lng.toFixed(5), lat: c.lat.toFixed(5) });
      };
      map.on('moveend', centre);
      state.drawer.fit();
      centre();
    });
  }

  function toolMode(button, mode) {
    button.addEventListener('click', function () {
      if (!state.drawer) return;
      var on = state.drawer.mode() !== mode;
      state.drawer.setMode(on ? mode : null);
      $('draw-area').setAttribute('aria-pressed', String(on && mode === 'area'));
      $('place-on-map').setAttribute('aria-pressed', String(on && mode === 'place'));
      mapStatus(on ? (mode === 'area' ? 'mapDrawing' : 'mapPlacing') : 'mapIdle');
    });
  }

  /* ---------- the whole form ---------- */

  function renderForm() {
    renderBasics();
    renderArea();
    renderPlaces();
    renderPages();
    renderPublic();
    markErrors();
    // Council reads: the form is shown, nothing in it can be changed.
    if (!state.writer) {
      document.querySelectorAll('#form-view input, #form-view select, #form-view textarea, #form-view button, #json-apply')
        .forEach(function (x) { x.disabled = true; });
      $('json-text').readOnly = true;
    }
  }

  // Draws the form again from def; focus goes to focusId, or stays on the
  // control that had it when that is still there.
  function rerender(focusId) {
    if (!state.def) return;
    var active = document.activeElement;
    var keep = typeof focusId === 'string' ? focusId : (active && active.id);
    renderForm();
    drawPlaces();
    var target = keep && $(keep);
    if (target) target.focus();
    else if (focusId === null) {
      $('pages-heading').setAttribute('tabindex', '-1');
      $('pages-heading').focus();
    }
  }

  function changed() {
    updateStatus();
    if (state.view === 'preview') renderPreview();
  }

  /* ---------- status and state buttons ---------- */

  function updateStatus() {
    var info = state.info;
    var parts = [];
    if (!state.slug) parts.push(t('statusNew'));
    else {
      parts.push(t('statusLine', { state: SS.stateName(info.state), version: info.version || '–',
        responses: VK.formatNumber(info.responses || 0) }));
    }
    if (dirty()) parts.push(t('statusUnsaved'));
    $('survey-status').textContent = parts.join(' · ');
    var acts = state.slug && info ? (SS.ACTIONS[info.state] || []) : [];
    ['publish', 'close', 'reopen', 'archive'].forEach(function (a) { $('act-' + a).hidden = acts.indexOf(a) < 0; });
    $('act-duplicate').hidden = !state.slug;
    if (state.slug) $('act-duplicate').href = '/staff-surveys.html?duplicate=' + encodeURIComponent(state.slug);
    // The results page, once the survey has been published.
    $('results-link-row').hidden = !(state.slug && info && info.state && info.state !== 'draft');
    if (state.slug) $('results-link').href = '/staff-survey-results.html?slug=' + encodeURIComponent(state.slug);
    var title = VK.localName(state.def && state.def.title);
    $('page-heading').textContent = state.slug ? t('surveyEditH1Named', { title: title || state.slug }) : t('surveyNewH1');
  }

  /* ---------- errors ---------- */

  // errs: [{path, text}]. Listed in the summary with a link to the field,
  // and marked beside the field the path (or its nearest parent) names.
  function showErrors(errs, focus) {
    state.errors = errs;
    var list = $('errors-list');
    list.textContent = '';
    errs.forEach(function (e) {
      var text = errText(e);
      var li = el('li', 'error-item');
      li.setAttribute('data-path', e.path);
      var code = el('code', 'error-path', e.path || t('errorRoot'));
      li.appendChild(code);
      li.appendChild(document.createTextNode(': '));
      var target = state.view === 'form' && fieldFor(e.path);
      var span = state.view === 'json' && VK.jsonSchema.locate($('json-text').value, e.path);
      if (target || span) {
        var a = el('a', { href: '#' + (target ? target.id : 'json-text') }, text);
        a.addEventListener('click', function (ev) {
          ev.preventDefault();
          if (target) focusField(target);
          else selectInJson(span);
        });
        li.appendChild(a);
      } else {
        li.appendChild(el('span', null, text));
      }
      if (e.detail) {
        li.appendChild(document.createTextNode(' '));
        li.appendChild(el('span', { class: 'server-message', lang: 'en' }, '(' + e.detail + ')'));
      }
      list.appendChild(li);
    });
    $('errors').hidden = !errs.length;
    markErrors();
    if (focus && errs.length) $('errors').focus();
  }

  // An error's words, made in the page's language when shown.
  function errText(e) { return typeof e.text === 'function' ? e.text() : e.text; }

  function fieldFor(path) {
    var p = path;
    for (;;) {
      var hit = document.querySelector('#form-view [data-path="' + CSS.escape(p) + '"]');
      if (hit) {
        // A wrapper: its first control, or the wrapper itself.
        if (hit.matches('input, select, textarea')) return hit;
        return hit.querySelector('input, select, textarea') || hit;
      }
      if (!p) return null;
      var cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut > 0 ? p.slice(0, cut) : '';
    }
  }

  // The raw view: the text at fault selected, in sight.
  function selectInJson(span) {
    var ta = $('json-text');
    ta.focus();
    ta.setSelectionRange(span.start, span.end);
    var line = ta.value.slice(0, span.start).split('\n').length;
    var lh = parseFloat(window.getComputedStyle(ta).lineHeight) || 20;
    ta.scrollTop = Math.max(0, (line - 3) * lh);
  }

  function focusField(target) {
    if (!target.matches('input, select, textarea, button')) target.setAttribute('tabindex', '-1');
    target.focus();
    if (target.scrollIntoView) target.scrollIntoView({ block: 'center' });
  }

  function markErrors() {
    document.querySelectorAll('#form-view .field-error').forEach(function (p) { p.hidden = true; p.textContent = ''; });
    document.querySelectorAll('#form-view [aria-invalid]').forEach(function (x) { x.removeAttribute('aria-invalid'); });
    state.errors.forEach(function (e) {
      var target = fieldFor(e.path);
      if (!target) return;
      var box = $(target.id + '-error') || (target.closest('.field') && target.closest('.field').querySelector('.field-error'));
      if (box) {
        box.textContent = (box.textContent ? box.textContent + ' ' : '') + errText(e);
        box.hidden = false;
      }
      if (target.matches('input, select, textarea')) target.setAttribute('aria-invalid', 'true');
    });
  }

  function schemaErrors() {
    if (!state.schema) return [];
    return VK.jsonSchema.validate(state.schema, state.def).map(function (e) {
      return { path: e.path, text: function () { return VK.jsonSchema.message(e); } };
    });
  }

  function serverError(err) {
    if (err && err.status === 401) { S.signedOut(); return; }
    showErrors([{ path: err && err.field ? err.field : '', text: function () { return SS.errorText(err); },
      detail: err && err.message && SS.errorText(err) !== err.message ? err.message : null }], true);
  }

  /* ---------- views ---------- */

  // From the JSON view the text is read back first; a syntax error keeps
  // the author there.
  function readJson() {
    var ta = $('json-text'), box = $('json-text-error');
    box.hidden = true;
    ta.removeAttribute('aria-invalid');
    try {
      state.def = JSON.parse(ta.value);
    } catch (e) {
      box.textContent = t('jsonSyntax', { detail: e.message });
      box.hidden = false;
      ta.setAttribute('aria-invalid', 'true');
      ta.focus();
      return false;
    }
    if (!state.def || typeof state.def !== 'object' || Array.isArray(state.def)) {
      state.def = {};
    }
    return true;
  }

  function setView(view) {
    if (state.view === 'json' && view !== 'json' && !readJson()) return;
    state.view = view;
    $('form-view').hidden = view !== 'form';
    $('json-view').hidden = view !== 'json';
    $('preview-view').hidden = view !== 'preview';
    document.querySelectorAll('.view-switch button').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-view') === view));
    });
    if (view === 'form') {
      renderForm();
      if (state.map) {
        state.map.invalidateSize();
        state.drawer.setArea(state.def.area);
        drawPlaces();
      }
    }
    if (view === 'json') $('json-text').value = JSON.stringify(state.def, null, 2);
    if (view === 'preview') renderPreview();
    showErrors(state.errors, false);
    updateStatus();
  }

  function applyJson() {
    if (!readJson()) return;
    var errs = schemaErrors();
    showErrors(errs, true);
    updateStatus();
    if (!errs.length) S.announce(t('jsonValid'));
  }

  function renderPreview() {
    var pages = (state.def.pages || []).length;
    if (state.previewPage >= pages) state.previewPage = Math.max(0, pages - 1);
    var sel = $('preview-page');
    sel.textContent = '';
    for (var i = 0; i < pages; i++) {
      var pg = state.def.pages[i];
      sel.appendChild(S.option(String(i), t('pageN', { n: i + 1 }) + (pg && pg.title ? ' – ' + VK.localName(pg.title) : ''), i === state.previewPage));
    }
    document.querySelectorAll('.preview-lang').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-plang') === state.previewLang));
    });
    return VK.surveyPreview.render($('preview'), state.def, state.previewPage, state.previewLang).catch(function () {
      $('preview').textContent = t('errLoad');
    });
  }

  /* ---------- public answers ---------- */

  // The map questions of the saved version, checked when their answers
  // are public (GET …/{slug} public_questions; PUT …/{slug}/public).
  function renderPublic() {
    var form = $('public-form');
    form.hidden = !state.slug || !state.info;
    if (form.hidden) return;
    var box = $('public-list');
    box.textContent = '';
    var pub = state.info.public_questions || [];
    var saved = state.saved ? JSON.parse(state.saved) : {};
    var maps = [];
    (saved.pages || []).forEach(function (pg) {
      (pg.elements || []).forEach(function (e) { if (MAP_TYPES.indexOf(e.type) >= 0) maps.push(e); });
    });
    if (!maps.length) box.appendChild(el('p', 'hint', t('publicNone')));
    maps.forEach(function (e) {
      var row = el('div', 'checkbox');
      var b = el('input', { type: 'checkbox', id: 'public-' + e.key, value: e.key, name: 'public' });
      b.checked = pub.indexOf(e.key) >= 0;
      if (!state.writer) b.disabled = true;
      row.appendChild(b);
      row.appendChild(el('label', { for: b.id }, (VK.localName(e.text) || e.key) + ' (' + e.key + ')'));
      box.appendChild(row);
    });
  }

  function savePublic(ev) {
    ev.preventDefault();
    var keys = [];
    document.querySelectorAll('#public-list input:checked').forEach(function (b) { keys.push(b.value); });
    var form = $('public-form');
    S.clearErrors(form);
    SS.api.setPublic(state.slug, keys).then(function () {
      state.info.public_questions = keys;
      S.announce(t('publicSaved', { n: keys.length }));
    }, function (err) {
      S.showError(form, { status: err.status, code: err.code, message: SS.errorText(err) + (err.field ? ' (' + err.field + ')' : '') }, {});
    });
  }

  /* ---------- saving and state changes ---------- */

  function save() {
    if (state.view === 'json' && !readJson()) return Promise.reject(null);
    var errs = schemaErrors();
    if (errs.length) {
      if (state.view === 'form') renderForm();
      showErrors(errs, true);
      return Promise.reject(null);
    }
    var def = clone(state.def);
    var req = state.slug ? SS.api.save(state.slug, def) : SS.api.create(def);
    return req.then(function () {
      var first = !state.slug;
      state.slug = def.slug;
      if (first) history.replaceState(null, '', '/staff-survey-edit.html?slug=' + encodeURIComponent(def.slug));
      return load(state.slug, true).then(function () {
        showErrors([], false);
        S.announce(t('surveySaved'));
      });
    }, function (err) {
      serverError(err);
      throw null;
    });
  }

  function act(action) {
    var before = dirty() ? save() : Promise.resolve();
    before.then(function () {
      return SS.api.action(state.slug, action).then(function () {
        return load(state.slug, true).then(function () {
          showErrors([], false);
          S.announce(t('surveyActed_' + action, { title: VK.localName(state.def.title) || state.slug }));
          $('survey-status').setAttribute('tabindex', '-1');
          $('survey-status').focus();
        });
      }, serverError);
    }).catch(function () { /* shown already */ });
  }

  /* ---------- loading ---------- */

  function starter() {
    return {
      slug: '',
      title: { fi: '' },
      pages: [{ key: 'p1', elements: [{ key: 'q1', type: 'single-choice', text: { fi: '' },
        choices: [{ key: 'c1', text: { fi: '' } }, { key: 'c2', text: { fi: '' } }] }] }]
    };
  }

  function load(slug, keepView) {
    return SS.api.get(slug).then(function (j) {
      state.info = j;
      // draft: the document being edited; definition: the published version.
      state.def = j.draft || j.definition;
      state.saved = JSON.stringify(state.def);
      if (keepView && state.view === 'json') $('json-text').value = JSON.stringify(state.def, null, 2);
      if (state.view === 'form') renderForm();
      if (state.view === 'preview') renderPreview();
      if (state.drawer) { state.drawer.setArea(state.def.area); drawPlaces(); }
      updateStatus();
    });
  }

  function onSignedIn(me) {
    if (!SS.canRead(me)) {
      $('editor').hidden = true;
      $('planners-only').hidden = false;
      return null;
    }
    state.writer = SS.canWrite(me);
    $('editor-read-only').hidden = state.writer;
    document.querySelectorAll('[data-writer]').forEach(function (n) { n.hidden = !state.writer; });
    var slug = new URLSearchParams(location.search).get('slug');
    var schema = VK.getJSON('/api/v1/schema/survey').then(function (s) { state.schema = s; }, function () { state.schema = null; });
    var doc;
    if (slug) {
      state.slug = slug;
      doc = load(slug, false);
    } else {
      state.def = starter();
      state.saved = '';
      doc = Promise.resolve();
    }
    return Promise.all([schema, doc]).then(function () {
      renderForm();
      updateStatus();
      return setupMap();
    }).then(function () {
      if (new URLSearchParams(location.search).get('duplicated')) S.announce(t('surveyDuplicated'));
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('save').addEventListener('click', function () { save().catch(function () { /* shown already */ }); });
    ['publish', 'close', 'reopen', 'archive'].forEach(function (a) {
      $('act-' + a).addEventListener('click', function () { act(a); });
    });
    document.querySelectorAll('.view-switch button').forEach(function (b) {
      b.addEventListener('click', function () { setView(b.getAttribute('data-view')); });
    });
    $('json-apply').addEventListener('click', applyJson);
    $('public-form').addEventListener('submit', savePublic);
    document.querySelectorAll('.preview-lang').forEach(function (b) {
      b.addEventListener('click', function () {
        state.previewLang = b.getAttribute('data-plang');
        renderPreview();
      });
    });
    $('preview-page').addEventListener('change', function () {
      state.previewPage = Number($('preview-page').value);
      renderPreview();
    });
    toolMode($('draw-area'), 'area');
    toolMode($('place-on-map'), 'place');
    $('corner-centre').addEventListener('click', function () {
      if (!state.drawer) return;
      if (state.drawer.mode() !== 'area') {
        state.drawer.setMode('area');
        $('draw-area').setAttribute('aria-pressed', 'true');
      }
      state.drawer.addAtCentre();
    });
    $('corner-undo').addEventListener('click', function () { if (state.drawer) state.drawer.undo(); });
    $('area-finish').addEventListener('click', function () { if (state.drawer) state.drawer.finish(); });
    $('place-centre').addEventListener('click', function () {
      if (!state.map) return;
      var c = state.map.getCenter();
      addPlace([Math.round(c.lng * 1e7) / 1e7, Math.round(c.lat * 1e7) / 1e7]);
    });
    $('add-place').addEventListener('click', function () { addPlace(null); });
    $('add-page').addEventListener('click', function () {
      var pages = state.def.pages = state.def.pages || [];
      var key = freeKey('p', listKeys(pages));
      pages.push({ key: key, elements: [newElement('section')] });
      rerender(idOf('pages[' + (pages.length - 1) + '].key'));
    });
    S.start({
      bundles: ['surveyedit', 'results'],
      onSignedIn: onSignedIn,
      onLanguage: function () {
        if (!state.def) return;
        if (state.view === 'form') renderForm();
        if (state.view === 'preview') renderPreview();
        if (state.zoom) state.zoom = VK.map.zoomControl(state.map, state.zoom);
        showErrors(state.errors, false);
        updateStatus();
      }
    });
  });
})();
