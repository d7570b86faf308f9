/*
 * lib/survey-fields.js — a survey question drawn as ordinary form fields,
 * one builder per element type of src/questions/types.c (the map types and
 * geobudget are in lib/survey-map.js). Groups are a fieldset with its
 * legend; every field names its help and error in aria-describedby; the
 * author's "I don't know / skip" is a checkbox that gives the answer
 * "skip". A builder gets io = {id, get(), set(value)}: the answer lives in
 * the page's state, in the shape the API takes (docs/surveys.md).
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, el = VK.el, localName = VK.localName;

  function money(n, currency) {
    try {
      return Number(n).toLocaleString(VK.LOCALES[VK.lang()], { style: 'currency', currency: currency || 'EUR', maximumFractionDigits: 0 });
    } catch (e) {
      return VK.formatNumber(n) + ' ' + (currency || 'EUR');
    }
  }

  // Several blocks of text (paragraphs at blank lines), as text.
  function paragraphs(parent, text) {
    String(text || '').split(/\n\s*\n/).forEach(function (p) {
      if (p.trim()) parent.appendChild(el('p', 'sv-para', p.trim()));
    });
    return parent;
  }

  // The question's frame: the wrapper, the legend or label, help, error
  // and skip. group: a fieldset (several inputs) or a label for `forId`.
  function frame(q, io, group) {
    var wrap = el('div', { class: 'sv-q field', id: io.id + '-q', 'data-key': q.key });
    var box = wrap;
    var title = el(group ? 'legend' : 'label', 'sv-q-title');
    if (group) {
      box = el('fieldset', 'sv-fieldset');
      wrap.appendChild(box);
    } else {
      title.htmlFor = io.id;
    }
    title.appendChild(el('span', null, localName(q.text)));
    if (q.required) {
      title.appendChild(document.createTextNode(' '));
      title.appendChild(el('span', 'req', t('requiredWord')));
    }
    box.appendChild(title);
    var described = [];
    if (q.help) {
      var help = el('div', { class: 'hint', id: io.id + '-help' });
      paragraphs(help, localName(q.help));
      box.appendChild(help);
      described.push(help.id);
    }
    var body = el('div', 'sv-q-body');
    box.appendChild(body);
    var err = el('p', { class: 'field-error', id: io.id + '-error' });
    err.hidden = true;
    box.appendChild(err);
    described.push(err.id);
    return { wrap: wrap, box: box, body: body, describedBy: described.join(' ') };
  }

  // The author's "I don't know / skip": the answer "skip", the fields off.
  function skipBox(q, io, f) {
    if (!q.allow_skip) return;
    var row = el('div', 'radio sv-skip');
    var cb = el('input', { type: 'checkbox', id: io.id + '-skip' });
    var lab = el('label', null, t('svSkip'));
    lab.htmlFor = cb.id;
    row.appendChild(cb);
    row.appendChild(lab);
    f.box.insertBefore(row, f.box.lastChild);
    function apply(on) {
      f.body.querySelectorAll('input, select, textarea, button').forEach(function (i) { i.disabled = on; });
      f.body.classList.toggle('is-skipped', on);
    }
    cb.checked = io.get() === 'skip';
    apply(cb.checked);
    cb.addEventListener('change', function () {
      apply(cb.checked);
      io.set(cb.checked ? 'skip' : f.current ? f.current() : undefined);
    });
  }

  function described(input, f, extra) {
    input.setAttribute('aria-describedby', (extra ? extra + ' ' : '') + f.describedBy);
  }

  function optionRow(type, name, id, value, text, checked) {
    var row = el('div', 'radio');
    var i = el('input', { type: type, name: name, id: id, value: value });
    i.checked = !!checked;
    var l = el('label', null, text);
    l.htmlFor = id;
    row.appendChild(i);
    row.appendChild(l);
    return { row: row, input: i };
  }

  /* ---- choices ---- */

  function choiceQuestion(q, io) {
    var f = frame(q, io, true), multi = q.type === 'multi-choice';
    var list = el('div', 'radios');
    f.body.appendChild(list);
    var v = io.get(), type = multi ? 'checkbox' : 'radio';
    var given = v === 'skip' ? [] : [].concat(v === undefined ? [] : v);
    var otherGiven = given.filter(function (c) { return c && typeof c === 'object'; })[0];
    var inputs = [];
    q.choices.forEach(function (c, i) {
      var o = optionRow(type, io.id, io.id + '-c' + i, c.key, localName(c.text), given.indexOf(c.key) >= 0);
      described(o.input, f);
      inputs.push(o.input);
      list.appendChild(o.row);
    });
    var otherBox, otherText;
    if (q.other) {
      var o = optionRow(type, io.id, io.id + '-other', '', t('svOther'), !!otherGiven);
      described(o.input, f);
      inputs.push(o.input);
      list.appendChild(o.row);
      otherBox = o.input;
      otherText = el('input', { type: 'text', id: io.id + '-other-text', maxlength: '200', class: 'sv-other-text' });
      var ol = el('label', 'visually-hidden', t('svOtherWhat'));
      ol.htmlFor = otherText.id;
      otherText.value = otherGiven ? otherGiven.other : '';
      otherText.hidden = !otherGiven;
      described(otherText, f);
      list.appendChild(ol);
      list.appendChild(otherText);
    }
    f.current = function () {
      var picked = [];
      inputs.forEach(function (i) {
        if (!i.checked) return;
        picked.push(i === otherBox ? { other: otherText.value } : i.value);
      });
      if (otherText) otherText.hidden = !otherBox.checked;
      return multi ? picked : picked[0];
    };
    list.addEventListener('change', function (e) {
      if (e.target === otherBox && otherBox.checked) otherText.focus();
      io.set(f.current());
    });
    if (otherText) otherText.addEventListener('input', function () { io.set(f.current()); });
    skipBox(q, io, f);
    return f.wrap;
  }

  function scale(q, io) {
    var f = frame(q, io, true);
    var row = el('div', 'sv-scale');
    f.body.appendChild(row);
    var v = io.get();
    for (var n = q.min; n <= q.max; n++) {
      var text = String(n);
      if (n === q.min && q.min_label) text += ' – ' + localName(q.min_label);
      if (n === q.max && q.max_label) text += ' – ' + localName(q.max_label);
      var o = optionRow('radio', io.id, io.id + '-' + n, String(n), text, v === n);
      o.row.className = 'radio sv-scale-option';
      described(o.input, f);
      row.appendChild(o.row);
    }
    f.current = function () {
      var c = row.querySelector('input:checked');
      return c ? Number(c.value) : undefined;
    };
    row.addEventListener('change', function () { io.set(f.current()); });
    skipBox(q, io, f);
    return f.wrap;
  }

  function number(q, io) {
    var f = frame(q, io, false);
    var i = el('input', { type: 'text', inputmode: q.integer ? 'numeric' : 'decimal', id: io.id, class: 'sv-number', autocomplete: 'off' });
    var v = io.get();
    if (typeof v === 'number') i.value = String(v);
    var line = el('div', 'sv-number-line');
    line.appendChild(i);
    var extra = '';
    if (q.unit) {
      line.appendChild(el('span', { class: 'sv-unit', id: io.id + '-unit' }, localName(q.unit)));
      extra = io.id + '-unit';
    }
    var range = '';
    if (q.min !== undefined && q.max !== undefined) range = t('svRange', { min: q.min, max: q.max });
    else if (q.min !== undefined) range = t('svAtLeast', { n: q.min });
    else if (q.max !== undefined) range = t('svAtMost', { n: q.max });
    if (range) {
      f.body.appendChild(el('p', { class: 'hint', id: io.id + '-range' }, range));
      extra = (extra ? extra + ' ' : '') + io.id + '-range';
    }
    described(i, f, extra);
    f.body.appendChild(line);
    f.current = function () {
      var s = i.value.trim().replace(',', '.').replace(/\s/g, '');
      if (!s) return undefined;
      var x = Number(s);
      return isFinite(x) && /^-?\d*\.?\d+$/.test(s) ? x : s;
    };
    i.addEventListener('input', function () { io.set(f.current()); });
    skipBox(q, io, f);
    return f.wrap;
  }

  function text(q, io) {
    var f = frame(q, io, false);
    var max = q.max_length || 500;
    var i = q.multiline ? el('textarea', { id: io.id, rows: '5' }) : el('input', { type: 'text', id: io.id });
    i.setAttribute('maxlength', String(max));
    var v = io.get();
    if (typeof v === 'string' && v !== 'skip') i.value = v;
    var count = el('p', { class: 'char-count', id: io.id + '-count' });
    function counted() {
      count.textContent = t('svChars', { n: Array.from(i.value).length, max: max });
    }
    counted();
    described(i, f, io.id + '-count');
    f.body.appendChild(i);
    f.body.appendChild(count);
    // Blanks only are no answer (the server refuses a blank text).
    f.current = function () { return i.value.trim() === '' ? undefined : i.value; };
    i.addEventListener('input', function () { counted(); io.set(f.current()); });
    skipBox(q, io, f);
    return f.wrap;
  }

  function date(q, io) {
    var f = frame(q, io, false);
    var i = el('input', { type: 'date', id: io.id });
    if (q.min) i.min = q.min;
    if (q.max) i.max = q.max;
    var v = io.get();
    if (typeof v === 'string' && v !== 'skip') i.value = v;
    described(i, f);
    f.body.appendChild(i);
    f.current = function () { return i.value || undefined; };
    i.addEventListener('input', function () { io.set(f.current()); });
    i.addEventListener('change', function () { io.set(f.current()); });
    skipBox(q, io, f);
    return f.wrap;
  }

  function consent(q, io) {
    var f = frame(q, io, true);
    var o = optionRow('checkbox', io.id, io.id + '-yes', 'yes', t('svConsentYes'), io.get() === true);
    described(o.input, f);
    f.body.appendChild(o.row);
    f.current = function () { return o.input.checked ? true : undefined; };
    o.input.addEventListener('change', function () { io.set(f.current()); });
    skipBox(q, io, f);
    return f.wrap;
  }

  /* ---- ranking: an ordered list with up and down buttons ---- */

  function ranking(q, io) {
    var f = frame(q, io, true);
    var all = q.rank_all !== false;
    var byKey = {};
    q.choices.forEach(function (c) { byKey[c.key] = c; });
    var v = io.get();
    var given = Array.isArray(v) ? v.filter(function (k) { return byKey[k]; }) : [];
    // The shown order: the answer first, then the rest as the author listed them.
    var order = given.concat(q.choices.map(function (c) { return c.key; }).filter(function (k) { return given.indexOf(k) < 0; }));
    var included = {};
    given.forEach(function (k) { included[k] = true; });
    var hint = el('p', { class: 'hint', id: io.id + '-how' }, t(all ? 'svRankHowAll' : 'svRankHowSome'));
    f.body.appendChild(hint);
    var ol = el('ol', 'sv-rank');
    f.body.appendChild(ol);
    var live = el('p', { class: 'visually-hidden', 'aria-live': 'polite' });
    f.body.appendChild(live);
    var confirm;
    if (all) {
      confirm = optionRow('checkbox', io.id + '-ok', io.id + '-ok', 'ok', t('svRankConfirm'), given.length > 0);
      described(confirm.input, f);
      f.body.appendChild(confirm.row);
      confirm.input.addEventListener('change', function () { io.set(f.current()); });
    }
    f.current = function () {
      if (all) return confirm.input.checked ? order.slice() : undefined;
      return order.filter(function (k) { return included[k]; });
    };
    function draw(focusKey, dir) {
      ol.textContent = '';
      order.forEach(function (k, i) {
        var name = localName(byKey[k].text);
        var li = el('li', 'sv-rank-item');
        var label = el('span', { class: 'sv-rank-name', id: io.id + '-r-' + k }, name);
        if (!all) {
          var o = optionRow('checkbox', io.id + '-inc', io.id + '-inc-' + k, k, name, !!included[k]);
          o.input.addEventListener('change', function () {
            included[k] = o.input.checked;
            io.set(f.current());
          });
          li.appendChild(o.row);
        } else {
          li.appendChild(label);
        }
        var up = el('button', { type: 'button', class: 'button button-secondary button-small sv-up', 'aria-label': t('svMoveUp', { name: name }) }, '↑');
        var down = el('button', { type: 'button', class: 'button button-secondary button-small sv-down', 'aria-label': t('svMoveDown', { name: name }) }, '↓');
        if (i === 0) up.setAttribute('aria-disabled', 'true');
        if (i === order.length - 1) down.setAttribute('aria-disabled', 'true');
        up.addEventListener('click', function () { move(k, -1); });
        down.addEventListener('click', function () { move(k, 1); });
        var btns = el('span', 'sv-rank-buttons');
        btns.appendChild(up);
        btns.appendChild(down);
        li.appendChild(btns);
        ol.appendChild(li);
        if (k === focusKey) (dir < 0 ? up : down).focus();
      });
    }
    function move(k, d) {
      var i = order.indexOf(k), j = i + d;
      if (j < 0 || j >= order.length) return;
      order.splice(i, 1);
      order.splice(j, 0, k);
      if (all) confirm.input.checked = true;
      else included[k] = true;
      draw(k, d);
      live.textContent = t('svMoved', { name: localName(byKey[k].text), n: j + 1 });
      io.set(f.current());
    }
    draw();
    skipBox(q, io, f);
    return f.wrap;
  }

  /* ---- matrix: a table, each row a group of radios (one name per row),
   each radio named by its row and column headers ---- */

  function matrix(q, io) {
    var f = frame(q, io, true);
    var v = io.get();
    var given = v && typeof v === 'object' ? v : {};
    var scroll = el('div', 'sv-matrix-wrap');
    var table = el('table', 'sv-matrix');
    var head = el('tr');
    head.appendChild(el('td'));
    q.columns.forEach(function (c, ci) {
      head.appendChild(el('th', { scope: 'col', id: io.id + '-col' + ci }, localName(c.text)));
    });
    var thead = el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el('tbody');
    q.rows.forEach(function (r, ri) {
      var tr = el('tr');
      tr.appendChild(el('th', { scope: 'row', id: io.id + '-row' + ri }, localName(r.text)));
      q.columns.forEach(function (c, ci) {
        var td = el('td');
        var i = el('input', { type: 'radio', name: io.id + '-' + r.key, value: c.key, id: io.id + '-' + ri + '-' + ci,
          'aria-labelledby': io.id + '-row' + ri + ' ' + io.id + '-col' + ci });
        i.checked = given[r.key] === c.key;
        described(i, f);
        td.appendChild(i);
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    scroll.appendChild(table);
    f.body.appendChild(scroll);
    f.current = function () {
      var out = {};
      q.rows.forEach(function (r) {
        var c = table.querySelector('input[name="' + io.id + '-' + r.key + '"]:checked');
        if (c) out[r.key] = c.value;
      });
      return out;
    };
    table.addEventListener('change', function () { io.set(f.current()); });
    skipBox(q, io, f);
    return f.wrap;
  }

  /* ---- budget: counts with - and +, a total that cannot go over ---- */

  function budgetTotal(q, counts) {
    var sum = 0;
    q.items.forEach(function (it) { sum += it.cost * (counts[it.key] || 0); });
    return sum;
  }

  // The running total, said aloud as it changes.
  function budgetStatus(q, id) {
    var p = el('p', { class: 'sv-budget-total', id: id, 'aria-live': 'polite', 'aria-atomic': 'true' });
    p.update = function (sum, extra) {
      p.textContent = t('svBudgetUsed', { used: money(sum, q.currency), total: money(q.total, q.currency),
        left: money(q.total - sum, q.currency) }) + (extra ? ' ' + extra : '');
    };
    return p;
  }

  // One row per item; onAdd/onRemove(key) change the counts, which
  // counts() reads. Used by budget and (with placing) by geobudget.
  function budgetItems(q, io, f, counts, onAdd, onRemove) {
    var status = budgetStatus(q, io.id + '-total');
    var list = el('ul', 'sv-budget');
    function canAdd(it) {
      var c = counts()[it.key] || 0;
      return c < (it.max_count || 1) && budgetTotal(q, counts()) + it.cost <= q.total + 1e-9;
    }
    var rows = [];
    q.items.forEach(function (it, i) {
      var li = el('li', 'sv-budget-item');
      var nameId = io.id + '-item' + i;
      var info = el('div', 'sv-budget-info');
      info.appendChild(el('span', { class: 'sv-budget-name', id: nameId }, localName(it.text)));
      info.appendChild(el('span', 'sv-budget-cost', ' ' + money(it.cost, q.currency) +
        ((it.max_count || 1) > 1 ? ' · ' + t('svAtMostTimes', { n: it.max_count }) : '')));
      if (it.description) info.appendChild(el('span', 'hint sv-budget-desc', localName(it.description)));
      li.appendChild(info);
      var ctl = el('div', 'sv-budget-ctl');
      var minus = el('button', { type: 'button', class: 'button button-secondary button-small', 'aria-label': t('svLess', { name: localName(it.text) }) }, '−');
      // Not an <output>: that is a live region of its own, and the total
      // below already says the new count.
      var out = el('span', 'sv-budget-count');
      var plus = el('button', { type: 'button', class: 'button button-small', 'aria-label': t('svMore', { name: localName(it.text) }) }, '+');
      minus.addEventListener('click', function () {
        if ((counts()[it.key] || 0) === 0) return;
        onRemove(it.key);
        refresh(it);
      });
      plus.addEventListener('click', function () {
        if (!canAdd(it)) {
          status.update(budgetTotal(q, counts()), t((counts()[it.key] || 0) >= (it.max_count || 1) ? 'svNoMoreOfItem' : 'svOverBudget'));
          return;
        }
        onAdd(it.key);
        refresh(it);
      });
      ctl.appendChild(minus);
      ctl.appendChild(out);
      ctl.appendChild(plus);
      li.appendChild(ctl);
      list.appendChild(li);
      rows.push({ it: it, minus: minus, plus: plus, out: out });
    });
    // changed: the item whose count changed, said with the total.
    function refresh(changed) {
      var c = counts();
      rows.forEach(function (r) {
        var n = c[r.it.key] || 0;
        r.out.textContent = String(n);
        r.minus.setAttribute('aria-disabled', n === 0 ? 'true' : 'false');
        r.plus.setAttribute('aria-disabled', canAdd(r.it) ? 'false' : 'true');
      });
      status.update(budgetTotal(q, c), changed && changed.key ? t('svCount', { name: localName(changed.text), n: c[changed.key] || 0 }) : '');
    }
    f.body.appendChild(status);
    f.body.appendChild(list);
    refresh();
    return { refresh: refresh, status: status };
  }

  function budget(q, io) {
    var f = frame(q, io, true);
    var state = {};
    var v = io.get();
    if (v && typeof v === 'object') Object.keys(v).forEach(function (k) { state[k] = v[k]; });
    f.current = function () {
      var out = {};
      Object.keys(state).forEach(function (k) { if (state[k] > 0) out[k] = state[k]; });
      return out;
    };
    budgetItems(q, io, f, function () { return state; },
      function (k) { state[k] = (state[k] || 0) + 1; io.set(f.current()); },
      function (k) { state[k] = Math.max(0, (state[k] || 0) - 1); io.set(f.current()); });
    skipBox(q, io, f);
    return f.wrap;
  }

  /* ---- place-choice (its map: lib/survey-map.js) ---- */

  function placeChoice(q, io, places) {
    var f = frame(q, io, true);
    var offered = (places || []).filter(function (p) { return !q.places || q.places.indexOf(p.key) >= 0; });
    var one = q.max_picks === 1;
    var v = io.get();
    var given = Array.isArray(v) ? v : [];
    var list = el('div', 'radios');
    offered.forEach(function (p, i) {
      var o = optionRow(one ? 'radio' : 'checkbox', io.id, io.id + '-p' + i, p.key, localName(p.name), given.indexOf(p.key) >= 0);
      described(o.input, f);
      if (p.description) o.row.lastChild.appendChild(el('span', 'radio-hint', ' – ' + localName(p.description)));
      list.appendChild(o.row);
    });
    f.body.appendChild(list);
    f.current = function () {
      var out = [];
      list.querySelectorAll('input:checked').forEach(function (i) { out.push(i.value); });
      return out;
    };
    // The map may pick too: toggle(key) as a click on the list would.
    f.toggle = function (key) {
      var i = list.querySelector('input[value="' + key + '"]');
      if (!i || i.disabled) return;
      i.checked = one ? true : !i.checked;
      io.set(f.current());
    };
    list.addEventListener('change', function () { io.set(f.current()); });
    skipBox(q, io, f);
    f.wrap.sv = f;
    return f.wrap;
  }

  function info(q) {
    var d = el('div', { class: 'sv-info', 'data-key': q.key });
    paragraphs(d, localName(q.text));
    if (q.image && q.image.src) {
      var img = el('img', { src: q.image.src, alt: localName(q.image.alt), class: 'sv-image' });
      img.addEventListener('error', function () { img.hidden = true; });
      d.appendChild(img);
    }
    return d;
  }

  function section(q) {
    return el('h3', { class: 'sv-section', 'data-key': q.key }, localName(q.text));
  }

  var BUILDERS = {
    'single-choice': choiceQuestion, 'multi-choice': choiceQuestion, scale: scale, number: number,
    text: text, ranking: ranking, matrix: matrix, date: date, consent: consent, budget: budget,
    'place-choice': placeChoice, info: info, section: section
  };

  // The field of one element, or null for a type built elsewhere (maps).
  function build(q, io, places) {
    var b = BUILDERS[q.type];
    return b ? b(q, io, places) : null;
  }

  // Show (text) or clear (null) the error of the question built with id.
  function showError(id, text) {
    var e = VK.$(id + '-error');
    if (!e) return false;
    e.textContent = text || '';
    e.hidden = !text;
    var q = VK.$(id + '-q');
    if (q) {
      q.classList.toggle('has-error', !!text);
      q.querySelectorAll('input, select, textarea').forEach(function (i) {
        if (text) i.setAttribute('aria-invalid', 'true'); else i.removeAttribute('aria-invalid');
      });
    }
    return true;
  }

  VK.survey = VK.survey || {};
  VK.survey.fields = {
    build: build, showError: showError, frame: frame, skipBox: skipBox, optionRow: optionRow,
    budgetItems: budgetItems, money: money, paragraphs: paragraphs, described: described
  };
})();
