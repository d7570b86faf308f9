/*
 * staff-budget.js — staff-budget.html: the participatory budgeting rounds
 * (docs/budgeting.md). Planners and admins create and edit a round (texts
 * in fi/sv/en, budget, sub-budget areas, phase dates, voting rule, voters,
 * method), publish it and set its phase by hand; they review proposals in
 * public, merge them into projects, make voting codes (printed with the
 * print stylesheet) and follow the winners (status and dated updates).
 * Moderators hide and show proposals. Any staff role enters paper
 * ballots, and another account confirms each.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, t = VK.t, $ = VK.$, el = VK.el, localName = VK.localName;
  var B = VK.budget.ballot, R = VK.budget.results, money = R.money;
  var LANGS = VK.LANGS;
  var PHASES = ['proposals', 'review', 'voting', 'results', 'implementation'];
  var STATUSES = ['planned', 'in_progress', 'done', 'cancelled'];
  var API = '/api/v1/staff/budget';

  var st = {
    me: null, rounds: [], slug: null, round: null, isNew: false,
    districts: [], categories: [], units: [], proposals: [], projects: [], paper: [], paperPicks: {},
    config: null, map: null
  };

  function planner() { return st.me && (st.me.role === 'admin' || st.me.role === 'planner'); }
  function moderator() { return st.me && (st.me.role === 'admin' || st.me.role === 'moderator'); }
  function esc(s) { return encodeURIComponent(s); }
  function areasOf(r) {
    var a = (r && r.areas) || [];
    return a.length ? a : [{ key: 'all', name: null, budget: r ? r.budget : 0 }];
  }
  function areaName(key) {
    var a = ((st.round && st.round.areas) || []).filter(function (x) { return x.key === key; })[0];
    return a && a.name ? localName(a.name) : t('bWholeCity');
  }
  function phaseName(p) { return p ? t('bPhase_' + p) : '–'; }
  function locked() { return st.round && ['voting', 'results', 'implementation'].indexOf(st.round.phase) >= 0; }

  function formError(form, err, fields) { S.showError(form, err, fields || {}); }

  /* ---------- text fields in three languages ---------- */

  // Inputs NAME-fi, NAME-sv, NAME-en in box; textarea when long.
  function langFields(box, prefix, labelKey, long, max) {
    LANGS.forEach(function (l) {
      var id = prefix + '-' + l;
      if ($(id)) return;
      var f = el('div', 'field');
      var lab = el('label', { for: id }, '');
      lab.setAttribute('data-lang-label', labelKey + ':' + l);
      f.appendChild(lab);
      var input = long ? el('textarea', { id: id, rows: '4', maxlength: String(max), lang: l }) : el('input', { type: 'text', id: id, maxlength: String(max), lang: l });
      input.setAttribute('aria-describedby', id + '-error');
      f.appendChild(input);
      var e = el('p', { class: 'field-error', id: id + '-error' });
      e.hidden = true;
      f.appendChild(e);
      box.appendChild(f);
    });
  }
  function labelLangFields() {
    document.querySelectorAll('[data-lang-label]').forEach(function (lab) {
      var p = lab.getAttribute('data-lang-label').split(':');
      lab.textContent = t(p[0], { lang: t('bsLang_' + p[1]) });
    });
  }
  function readLang(prefix) {
    var o = {};
    LANGS.forEach(function (l) { var v = $(prefix + '-' + l).value.trim(); if (v) o[l] = v; });
    return o;
  }
  function writeLang(prefix, obj) {
    LANGS.forEach(function (l) { $(prefix + '-' + l).value = (obj && obj[l]) || ''; });
  }

  /* ---------- the rounds ---------- */

  function renderRounds() {
    var body = $('rounds-body');
    body.textContent = '';
    $('no-rounds').hidden = st.rounds.length > 0;
    st.rounds.forEach(function (r) {
      var tr = el('tr');
      var th = el('th', { scope: 'row' });
      var a = el('a', { href: '/staff-budget.html?round=' + esc(r.slug) }, localName(r.title) || r.slug);
      if (r.slug === st.slug) a.setAttribute('aria-current', 'page');
      a.addEventListener('click', function (e) { e.preventDefault(); openRound(r.slug, true); });
      th.appendChild(a);
      tr.appendChild(th);
      tr.appendChild(el('td', null, phaseName(r.phase)));
      tr.appendChild(el('td', null, t(r.published ? 'yes' : 'no')));
      [r.proposals, r.projects, r.ballots].forEach(function (n) { tr.appendChild(el('td', null, n === null || n === undefined ? '–' : VK.formatNumber(n))); });
      body.appendChild(tr);
    });
  }

  function loadRounds() {
    return VK.getJSON(API + '/rounds').then(function (j) {
      st.rounds = j.rounds || [];
      renderRounds();
    });
  }

  /* ---------- the round's form ---------- */

  function areaRow(a, i) {
    var li = el('li', { class: 'bs-area', 'data-index': String(i) });
    var id = 'ra' + i;
    li.appendChild(el('h4', { id: id + '-h' }, t('bsAreaN', { n: i + 1 })));
    var key = el('div', 'field');
    key.appendChild(el('label', { for: id + '-key' }, t('bsAreaKey')));
    var ki = el('input', { type: 'text', id: id + '-key', class: 'ra-key', maxlength: '32', autocomplete: 'off', 'data-lock': '' });
    ki.value = a.key || '';
    key.appendChild(ki);
    li.appendChild(key);
    LANGS.forEach(function (l) {
      var f = el('div', 'field');
      f.appendChild(el('label', { for: id + '-name-' + l }, t('bsAreaName', { lang: t('bsLang_' + l) })));
      var ni = el('input', { type: 'text', id: id + '-name-' + l, class: 'ra-name', 'data-l': l, lang: l, maxlength: '200' });
      ni.value = (a.name && a.name[l]) || '';
      f.appendChild(ni);
      li.appendChild(f);
    });
    var bf = el('div', 'field');
    bf.appendChild(el('label', { for: id + '-budget' }, t('bsAreaBudget')));
    var bi = el('input', { type: 'number', id: id + '-budget', class: 'ra-budget', min: '0', step: '1', 'data-lock': '' });
    bi.value = a.budget !== undefined ? String(a.budget) : '';
    bf.appendChild(bi);
    li.appendChild(bf);
    if (st.districts.length) {
      var fs = el('fieldset', 'field bs-districts');
      fs.appendChild(el('legend', null, t('bsAreaDistricts')));
      st.districts.forEach(function (d) {
        var code = d.properties.code;
        var row = el('div', 'checkbox');
        var cb = el('input', { type: 'checkbox', id: id + '-d-' + code, class: 'ra-district', value: code, 'data-lock': '' });
        cb.checked = (a.districts || []).indexOf(code) >= 0;
        row.appendChild(cb);
        row.appendChild(el('label', { for: cb.id }, localName(d.properties.name)));
        fs.appendChild(row);
      });
      li.appendChild(fs);
    }
    if (a.geometry) li.geometry = a.geometry;
    var rm = el('button', { type: 'button', class: 'button button-secondary button-small', 'data-lock': '' }, t('bsRemoveArea', { n: i + 1 }));
    rm.addEventListener('click', function () {
      var all = readAreas();
      all.splice(i, 1);
      renderAreas(all);
      $('r-add-area').focus();
    });
    li.appendChild(rm);
    return li;
  }

  function renderAreas(list) {
    var ol = $('r-areas');
    ol.textContent = '';
    list.forEach(function (a, i) { ol.appendChild(areaRow(a, i)); });
    applyLock();
  }

  function readAreas() {
    var out = [];
    document.querySelectorAll('#r-areas .bs-area').forEach(function (li) {
      var a = { key: li.querySelector('.ra-key').value.trim(), name: {}, budget: Number(li.querySelector('.ra-budget').value) };
      li.querySelectorAll('.ra-name').forEach(function (n) { if (n.value.trim()) a.name[n.getAttribute('data-l')] = n.value.trim(); });
      var ds = [];
      li.querySelectorAll('.ra-district:checked').forEach(function (c) { ds.push(c.value); });
      if (ds.length) a.districts = ds;
      else if (li.geometry) a.geometry = li.geometry;
      out.push(a);
    });
    return out;
  }

  function localInput(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  }

  function buildPhaseInputs() {
    var box = $('r-phases');
    if (box.childNodes.length) return;
    PHASES.forEach(function (p) {
      var f = el('div', 'field');
      var lab = el('label', { for: 'r-ph-' + p });
      lab.setAttribute('data-i18n', 'bPhase_' + p);
      f.appendChild(lab);
      f.appendChild(el('input', { type: 'datetime-local', id: 'r-ph-' + p, 'aria-describedby': 'r-phases-error' }));
      box.appendChild(f);
    });
  }

  function ruleChanged() {
    var r = document.querySelector('input[name="r-rule"]:checked').value;
    $('r-minshare-field').hidden = r !== 'knapsack';
    $('r-min-field').hidden = r !== 'approval';
    $('r-max-field').hidden = r !== 'approval';
    $('r-points-field').hidden = r !== 'points';
  }

  function fillForm(r) {
    $('r-slug').value = r.slug || '';
    $('r-slug').readOnly = !st.isNew;
    writeLang('r-title', r.title);
    writeLang('r-desc', r.description);
    $('r-budget').value = r.budget || '';
    renderAreas(r.areas || []);
    PHASES.forEach(function (p) { $('r-ph-' + p).value = localInput(r.phases && r.phases[p] && r.phases[p].starts); });
    var v = r.voting || { rule: 'knapsack' };
    $('r-rule-' + (v.rule || 'knapsack')).checked = true;
    $('r-minshare').value = v.min_share || 0;
    $('r-min').value = v.min || 1;
    $('r-max').value = v.max || 3;
    $('r-points').value = v.points || 10;
    ['codes', 'open', 'paper'].forEach(function (k) { $('r-voters-' + k).checked = (r.voters || ['codes']).indexOf(k) >= 0; });
    $('r-minage').value = r.min_age === undefined || r.min_age === null ? '' : r.min_age;
    $('r-method-' + (r.method || 'mes')).checked = true;
    ruleChanged();
    applyLock();
  }

  function applyLock() {
    var lock = !st.isNew && locked();
    $('round-locked').hidden = !lock;
    document.querySelectorAll('#round-form [data-lock]').forEach(function (i) { i.disabled = lock || !planner(); });
    document.querySelectorAll('#round-form input:not([data-lock]), #round-form textarea, #round-form select, #round-form button').forEach(function (i) {
      if (i.id === 'r-slug' || i.hasAttribute('data-lock')) return;
      i.disabled = !planner();
    });
    if (!planner()) $('r-slug').disabled = true;
  }

  function readForm() {
    var doc = st.round && !st.isNew ? JSON.parse(JSON.stringify(st.round.document || {})) : {};
    doc.slug = $('r-slug').value.trim();
    doc.title = readLang('r-title');
    var d = readLang('r-desc');
    if (Object.keys(d).length) doc.description = d; else delete doc.description;
    doc.budget = Number($('r-budget').value);
    var areas = readAreas();
    if (areas.length) doc.areas = areas; else delete doc.areas;
    doc.phases = {};
    PHASES.forEach(function (p) {
      var v = $('r-ph-' + p).value;
      doc.phases[p] = { starts: v ? new Date(v).toISOString().replace(/\.000Z$/, 'Z') : '' };
    });
    var rule = document.querySelector('input[name="r-rule"]:checked').value;
    doc.voting = { rule: rule };
    if (rule === 'knapsack') doc.voting.min_share = Number($('r-minshare').value) || 0;
    if (rule === 'approval') { doc.voting.min = Number($('r-min').value); doc.voting.max = Number($('r-max').value); }
    if (rule === 'points') doc.voting.points = Number($('r-points').value);
    doc.voters = ['codes', 'open', 'paper'].filter(function (k) { return $('r-voters-' + k).checked; });
    var age = $('r-minage').value;
    if (age !== '') doc.min_age = Number(age); else delete doc.min_age;
    doc.method = document.querySelector('input[name="r-method"]:checked').value;
    return doc;
  }

  var ROUND_FIELDS = {
    slug: 'r-slug', 'title': 'r-title-fi', 'title.fi': 'r-title-fi', 'title.sv': 'r-title-sv', 'title.en': 'r-title-en',
    'description.fi': 'r-desc-fi', 'description.sv': 'r-desc-sv', 'description.en': 'r-desc-en',
    budget: 'r-budget', areas: 'r-areas', phases: 'r-phases', voting: 'r-voting', voters: 'r-voters', min_age: 'r-minage'
  };
  function roundField(field) {
    if (!field) return null;
    var f = String(field);
    if (ROUND_FIELDS[f]) return f;
    var top = f.split(/[.[]/)[0];
    return ROUND_FIELDS[top] ? top : null;
  }
  // The error box of a field without an input of its own (a group).
  function roundErr(form, err) {
    var key = roundField(err && err.field);
    var id = key && ROUND_FIELDS[key];
    if (id && !$(id) && $(id + '-error')) {
      S.clearErrors(form);
      $(id + '-error').textContent = (err.message || t('errGeneric')) + ' (' + err.field + ')';
      $(id + '-error').hidden = false;
      $(id + '-error').setAttribute('tabindex', '-1');
      $(id + '-error').focus();
      return;
    }
    var map = {};
    if (key) map[err.field] = id;
    formError(form, err, map);
  }

  function saveRound(ev) {
    ev.preventDefault();
    var form = $('round-form');
    S.clearErrors(form);
    var doc = readForm();
    var req = st.isNew ? VK.api('POST', API + '/rounds', doc) : VK.api('PUT', API + '/rounds/' + esc(st.slug), doc);
    req.then(function (r) {
      S.announce(t('bsSaved'));
      st.isNew = false;
      return loadRounds().then(function () { return openRound(r && r.slug ? r.slug : doc.slug, false); });
    }, function (err) { roundErr(form, err); });
  }

  function publish() {
    var form = $('round-form');
    S.clearErrors(form);
    VK.api('POST', API + '/rounds/' + esc(st.slug) + '/publish').then(function () {
      S.announce(t('bsPublished'));
      return loadRounds().then(function () { return openRound(st.slug, false); });
    }, function (err) { formError(form, err); });
  }

  function setPhase() {
    var form = $('round-form');
    S.clearErrors(form);
    var v = $('r-phase').value;
    VK.api('POST', API + '/rounds/' + esc(st.slug) + '/phase', { phase: v || null }).then(function () {
      S.announce(t('bsPhaseSet', { phase: v ? phaseName(v) : t('bsByDates') }));
      return loadRounds().then(function () { return openRound(st.slug, false); });
    }, function (err) { formError(form, err, { phase: 'r-phase' }); });
  }

  function renderRoundHead() {
    var r = st.round;
    if (st.isNew) {
      $('round-heading').textContent = t('bsNewRound');
      $('round-state').textContent = '';
      $('round-public-link').parentNode.hidden = true;
    } else {
      $('round-heading').textContent = localName(r.title) || r.slug;
      $('round-state').textContent = t('bsStateLine', { phase: phaseName(r.phase), by: t(r.phase_by_hand ? 'bsByHand' : 'bsByDates'),
        published: t(r.published ? 'bsIsPublished' : 'bsNotPublished') });
      $('round-public-link').parentNode.hidden = false;
      $('round-public-link').href = '/b/' + esc(r.slug);
      $('round-public-link').textContent = t('bsPublicPage', { path: '/b/' + r.slug });
    }
    $('r-publish').hidden = st.isNew || !!r.published;
    var sel = $('r-phase'), keep = sel.value || (r && r.phase_by_hand ? r.phase : '');
    sel.textContent = '';
    sel.appendChild(S.option('', t('bsByDates'), !keep));
    ['upcoming'].concat(PHASES).forEach(function (p) { sel.appendChild(S.option(p, phaseName(p), keep === p)); });
    document.querySelector('.bs-phase-hand').hidden = st.isNew;
    ['proposals', 'project-form', 'projects', 'codes-form', 'paper-form', 'results'].forEach(function (id) { $(id).hidden = st.isNew; });
  }

  /* ---------- proposals ---------- */

  function unitName(code) {
    var u = st.units.filter(function (x) { return x.code === code; })[0];
    return u ? localName(u.name) : code;
  }
  function categoryName(key) {
    var c = st.categories.filter(function (x) { return String(x.key || x.id) === String(key); })[0];
    return c ? localName(c.name) : (key || '');
  }
  function unitSelect(id, value) {
    var sel = el('select', { id: id, 'aria-describedby': id + '-error' });
    sel.appendChild(S.option('', t('chooseOption'), !value));
    st.units.forEach(function (u) { sel.appendChild(S.option(u.code, localName(u.name), u.code === value)); });
    return sel;
  }
  function errP(id) { var p = el('p', { class: 'field-error', id: id + '-error' }); p.hidden = true; return p; }
  function fieldOf(labelText, input, id) {
    var f = el('div', 'field');
    f.appendChild(el('label', { for: id }, labelText));
    f.appendChild(input);
    f.appendChild(errP(id));
    return f;
  }

  function reviewForm(f) {
    var p = f.properties, rv = p.review || {};
    var pid = 'pr' + f.id;
    var form = el('form', { class: 'bs-review', novalidate: '', 'aria-labelledby': pid + '-rh' });
    form.appendChild(el('h5', { id: pid + '-rh' }, t('bsReviewOf', { title: p.title })));
    form.appendChild(el('p', 'field-error form-error'));
    form.lastChild.hidden = true;
    var fs = el('fieldset', 'field');
    fs.appendChild(el('legend', null, t('bsFeasible')));
    var radios = el('div', 'radios');
    [['yes', true, 'bFeasible'], ['no', false, 'bInfeasible']].forEach(function (o) {
      var row = el('div', 'radio');
      var r = el('input', { type: 'radio', name: pid + '-feasible', id: pid + '-feasible-' + o[0], value: o[0] });
      r.checked = p.review ? rv.feasible === o[1] : o[1];
      row.appendChild(r);
      row.appendChild(el('label', { for: r.id }, t(o[2])));
      radios.appendChild(row);
    });
    fs.appendChild(radios);
    form.appendChild(fs);
    var reason = el('textarea', { id: pid + '-reason', rows: '3', maxlength: '2000', 'aria-describedby': pid + '-reason-error' });
    reason.value = rv.reason || '';
    form.appendChild(fieldOf(t('bsReason'), reason, pid + '-reason'));
    var cost = el('input', { type: 'number', id: pid + '-cost', min: '0', step: '1', 'aria-describedby': pid + '-cost-error' });
    cost.value = typeof rv.cost === 'number' ? String(rv.cost) : '';
    form.appendChild(fieldOf(t('bsCost'), cost, pid + '-cost'));
    form.appendChild(fieldOf(t('bsUnit'), unitSelect(pid + '-unit', rv.unit), pid + '-unit'));
    form.appendChild(el('button', { type: 'submit', class: 'button button-small', id: pid + '-review' }, t('bsSaveReview')));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = { feasible: $(pid + '-feasible-yes').checked, reason: reason.value.trim(), cost: Number(cost.value || 0), unit: $(pid + '-unit').value };
      VK.api('PUT', API + '/proposals/' + esc(f.id) + '/review', body).then(function () {
        S.announce(t('bsReviewSaved', { title: p.title }));
        return loadProposals();
      }, function (err) { formError(form, err, { reason: pid + '-reason', cost: pid + '-cost', unit: pid + '-unit', feasible: pid + '-feasible-yes' }); });
    });
    return form;
  }

  function moderationBox(f) {
    var p = f.properties, pid = 'pr' + f.id;
    var box = el('div', 'bs-moderation');
    var hidden = p.moderation === 'hidden';
    box.appendChild(el('p', null, t(hidden ? 'bsHidden' : 'bsShown')));
    if (!moderator()) return box;
    var note = el('input', { type: 'text', id: pid + '-note', maxlength: '2000' });
    note.value = p.note || '';
    box.appendChild(fieldOf(t('bsNote'), note, pid + '-note'));
    var b = el('button', { type: 'button', class: 'button button-secondary button-small', id: pid + '-moderate' }, t(hidden ? 'bsShow' : 'bsHide'));
    b.appendChild(el('span', 'visually-hidden', ' ' + p.title));
    var err = el('p', 'field-error');
    err.hidden = true;
    b.addEventListener('click', function () {
      VK.api('PATCH', API + '/proposals/' + esc(f.id), { moderation: hidden ? 'public' : 'hidden', note: note.value.trim() }).then(function () {
        S.announce(t(hidden ? 'bsShownNow' : 'bsHiddenNow', { title: p.title }));
        return loadProposals();
      }, function (e) { err.textContent = e.message || t('errGeneric'); err.hidden = false; });
    });
    box.appendChild(b);
    box.appendChild(err);
    return box;
  }

  function renderProposals() {
    var ol = $('proposal-list');
    ol.textContent = '';
    $('no-proposals').hidden = st.proposals.length > 0;
    st.proposals.forEach(function (f) {
      var p = f.properties, pid = 'pr' + f.id;
      var li = el('li', { class: 'bs-item', id: pid });
      li.appendChild(el('h4', { id: pid + '-h' }, p.title));
      li.appendChild(el('p', 'hint', [categoryName(p.category), p.area ? areaName(p.area) : t('bNoArea'),
        t('bSupports', { n: p.supports || 0 }), VK.formatDate(p.created, true)].join(' · ')));
      var d = el('div', 'bs-text');
      VK.survey.fields.paragraphs(d, p.description);
      li.appendChild(d);
      if (p.contact && Object.keys(p.contact).length) {
        li.appendChild(el('p', 'bs-contact', t('bsContact') + ' ' + ['name', 'email', 'phone'].map(function (k) { return p.contact[k]; }).filter(Boolean).join(', ')));
      }
      if (p.project) {
        li.appendChild(el('p', 'bs-in-project', t('bsInProject', { id: p.project })));
      } else if (planner()) {
        var row = el('div', 'checkbox');
        var cb = el('input', { type: 'checkbox', id: pid + '-merge', class: 'bs-merge', value: String(f.id) });
        cb.addEventListener('change', projectFromChosen);
        row.appendChild(cb);
        row.appendChild(el('label', { for: cb.id }, t('bsChoose', { title: p.title })));
        li.appendChild(row);
      }
      li.appendChild(moderationBox(f));
      if (planner()) li.appendChild(reviewForm(f));
      else if (p.review) li.appendChild(el('p', null, t(p.review.feasible ? 'bFeasible' : 'bInfeasible')));
      ol.appendChild(li);
    });
    projectFromChosen();
    renderMap();
  }

  function loadProposals() {
    return VK.getJSON(API + '/rounds/' + esc(st.slug) + '/proposals').then(function (j) {
      st.proposals = j.features || [];
      renderProposals();
    });
  }

  /* ---------- projects ---------- */

  function chosen() {
    var ids = [];
    document.querySelectorAll('.bs-merge:checked').forEach(function (c) { ids.push(Number(c.value)); });
    return st.proposals.filter(function (f) { return ids.indexOf(Number(f.id)) >= 0; });
  }

  // The project form follows the chosen proposals: their names, and the
  // first one's title, category, area, cost and unit as a start.
  function projectFromChosen() {
    var list = chosen();
    $('project-from').textContent = list.length ? t('bsFromProposals', { list: list.map(function (f) { return f.properties.title; }).join(', ') }) : t('bsFromNone');
    if (!list.length) return;
    var p = list[0].properties;
    if (!$('j-title-fi').value) $('j-title-' + (p.language && LANGS.indexOf(p.language) >= 0 ? p.language : 'fi')).value = p.title;
    if (!$('j-desc-fi').value && !$('j-desc-sv').value && !$('j-desc-en').value) $('j-desc-' + (p.language && LANGS.indexOf(p.language) >= 0 ? p.language : 'fi')).value = p.description;
    if (!$('j-category').value) $('j-category').value = p.category || '';
    if (p.area) $('j-area').value = p.area;
    var cost = 0;
    list.forEach(function (f) { if (f.properties.review && typeof f.properties.review.cost === 'number') cost += f.properties.review.cost; });
    // The sum follows the choice until staff type a cost of their own.
    if (!$('j-cost').hasAttribute('data-typed')) $('j-cost').value = cost ? String(cost) : '';
    if (!$('j-unit').value && p.review && p.review.unit) $('j-unit').value = p.review.unit;
  }

  function fillProjectSelects() {
    var c = $('j-category'), keep = c.value;
    c.textContent = '';
    c.appendChild(S.option('', t('chooseOption'), !keep));
    st.categories.forEach(function (x) { c.appendChild(S.option(x.key || x.id, localName(x.name), (x.key || x.id) === keep)); });
    [['j-area', true], ['pb-area', false]].forEach(function (s) {
      var a = $(s[0]), k = a.value;
      a.textContent = '';
      areasOf(st.round).forEach(function (x) { a.appendChild(S.option(x.key, areaName(x.key) + ' – ' + money(x.budget), x.key === k)); });
      if (k) a.value = k;
    });
    var u = $('j-unit'), ku = u.value;
    u.textContent = '';
    u.appendChild(S.option('', t('chooseOption'), !ku));
    st.units.forEach(function (x) { u.appendChild(S.option(x.code, localName(x.name), x.code === ku)); });
  }

  function makeProject(ev) {
    ev.preventDefault();
    var form = $('project-form');
    S.clearErrors(form);
    var list = chosen();
    var body = {
      title: readLang('j-title'), description: readLang('j-desc'), category: $('j-category').value,
      area: $('j-area').value, cost: Number($('j-cost').value || 0), unit: $('j-unit').value,
      proposals: list.map(function (f) { return Number(f.id); })
    };
    var located = list.filter(function (f) { return f.geometry; })[0];
    var inDistrict = list.filter(function (f) { return f.properties.district; })[0];
    if (located) body.geometry = located.geometry;
    else if (inDistrict) body.district = inDistrict.properties.district;
    VK.api('POST', API + '/rounds/' + esc(st.slug) + '/projects', body).then(function () {
      S.announce(t('bsProjectMade', { title: localName(body.title) }));
      form.reset();
      $('j-cost').removeAttribute('data-typed');
      return Promise.all([loadProposals(), loadProjects()]);
    }, function (err) {
      formError(form, err, { 'title.fi': 'j-title-fi', title: 'j-title-fi', category: 'j-category', area: 'j-area', cost: 'j-cost', unit: 'j-unit' });
    });
  }

  function statusBox(f) {
    var p = f.properties, id = 'pj' + f.id;
    var form = el('form', { class: 'bs-status', novalidate: '', 'aria-labelledby': id + '-sh' });
    form.appendChild(el('h5', { id: id + '-sh' }, t('bsStatusOf', { title: localName(p.title) })));
    var fe = el('p', 'field-error form-error');
    fe.hidden = true;
    form.appendChild(fe);
    var sel = el('select', { id: id + '-status', 'aria-describedby': id + '-status-error' });
    sel.appendChild(S.option('', '–', !p.status));
    STATUSES.forEach(function (s) { sel.appendChild(S.option(s, t('bStatus_' + s), p.status === s)); });
    form.appendChild(fieldOf(t('bsStatus'), sel, id + '-status'));
    var reason = el('input', { type: 'text', id: id + '-sreason', maxlength: '2000', 'aria-describedby': id + '-sreason-error' });
    reason.value = p.status_reason || '';
    form.appendChild(fieldOf(t('bsStatusReason'), reason, id + '-sreason'));
    form.appendChild(el('button', { type: 'submit', class: 'button button-small', id: id + '-status-save' }, t('bsSaveStatus')));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = { status: sel.value || null, status_reason: reason.value.trim() || null };
      VK.api('PATCH', API + '/projects/' + esc(f.id), body).then(function () {
        S.announce(t('bsStatusSaved', { title: localName(p.title) }));
        return loadProjects();
      }, function (err) { formError(form, err, { status: id + '-status', status_reason: id + '-sreason' }); });
    });
    return form;
  }

  function updateBox(f) {
    var p = f.properties, id = 'pj' + f.id;
    var form = el('form', { class: 'bs-update', novalidate: '', 'aria-labelledby': id + '-uh' });
    form.appendChild(el('h5', { id: id + '-uh' }, t('bsUpdateOf', { title: localName(p.title) })));
    var fe = el('p', 'field-error form-error');
    fe.hidden = true;
    form.appendChild(fe);
    LANGS.forEach(function (l) {
      var ta = el('textarea', { id: id + '-u-' + l, rows: '3', lang: l, maxlength: '4000', 'aria-describedby': id + '-u-' + l + '-error' });
      form.appendChild(fieldOf(t('bsUpdateText', { lang: t('bsLang_' + l) }), ta, id + '-u-' + l));
    });
    var ph = el('textarea', { id: id + '-photos', rows: '2', 'aria-describedby': id + '-photos-hint ' + id + '-photos-error' });
    var pf = fieldOf(t('bsPhotos'), ph, id + '-photos');
    pf.insertBefore(el('p', { class: 'hint', id: id + '-photos-hint' }, t('bsPhotosHint')), ph);
    form.appendChild(pf);
    form.appendChild(el('button', { type: 'submit', class: 'button button-small button-secondary', id: id + '-update' }, t('bsAddUpdate')));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var text = {};
      LANGS.forEach(function (l) { var v = $(id + '-u-' + l).value.trim(); if (v) text[l] = v; });
      var body = { text: text };
      var photos = ph.value.split(/\s+/).filter(Boolean);
      if (photos.length) body.photos = photos;
      if ($(id + '-status').value) body.status = $(id + '-status').value;
      VK.api('POST', API + '/projects/' + esc(f.id) + '/updates', body).then(function () {
        S.announce(t('bsUpdateAdded', { title: localName(p.title) }));
        return loadProjects();
      }, function (err) { formError(form, err, { text: id + '-u-fi', 'text.fi': id + '-u-fi', photos: id + '-photos' }); });
    });
    return form;
  }

  function renderProjects() {
    var ol = $('project-list');
    ol.textContent = '';
    $('no-projects').hidden = st.projects.length > 0;
    st.projects.forEach(function (f) {
      var p = f.properties, id = 'pj' + f.id;
      var li = el('li', { class: 'bs-item', id: id });
      li.appendChild(el('h4', { id: id + '-h' }, localName(p.title)));
      var facts = [money(p.cost || 0), areaName(p.area), p.unit ? unitName(p.unit) : '', t('bSupporters', { n: p.supporters || 0 }),
        t('bsProposalCount', { n: (p.proposals || []).length })];
      if (p.votes !== null && p.votes !== undefined) facts.push(t('bsVotes', { n: p.votes }));
      if (p.selected !== null && p.selected !== undefined) facts.push(t(p.selected ? 'bsSelected' : 'bsNotSelected'));
      li.appendChild(el('p', 'hint', facts.filter(Boolean).join(' · ')));
      if (p.status) li.appendChild(el('p', 'b-status', t('bStatus_' + p.status)));
      if ((p.updates || []).length) li.appendChild(el('p', 'hint', t('bsUpdateCount', { n: p.updates.length })));
      if (planner()) {
        // Folded: a round has many projects and each a form or two.
        [['bsStatusOf', statusBox(f)], ['bsUpdateOf', updateBox(f)]].forEach(function (x) {
          var d = el('details', 'bs-fold');
          d.appendChild(el('summary', null, t(x[0], { title: localName(p.title) })));
          d.appendChild(x[1]);
          li.appendChild(d);
        });
      }
      ol.appendChild(li);
    });
    renderPaperChoices();
    renderMap();
  }

  function loadProjects() {
    return VK.getJSON('/api/v1/budget/rounds/' + esc(st.slug) + '/projects').then(function (j) {
      st.projects = j.features || [];
    }, function () { st.projects = []; }).then(renderProjects);
  }

  /* ---------- voting codes ---------- */

  function renderBatches(list) {
    var body = $('batches-body');
    body.textContent = '';
    list.forEach(function (b) {
      var tr = el('tr');
      tr.appendChild(el('th', { scope: 'row' }, b.batch || '–'));
      tr.appendChild(el('td', null, VK.formatNumber(b.issued || 0)));
      tr.appendChild(el('td', null, VK.formatNumber(b.used || 0)));
      tr.appendChild(el('td', null, VK.formatDate(b.created, true)));
      body.appendChild(tr);
    });
  }

  function loadBatches() {
    return VK.getJSON(API + '/rounds/' + esc(st.slug) + '/codes').then(function (j) { renderBatches(j.batches || []); }, function () { renderBatches([]); });
  }

  function makeCodes(ev) {
    ev.preventDefault();
    var form = $('codes-form');
    S.clearErrors(form);
    var body = { count: Number($('c-count').value), batch: $('c-batch').value.trim() };
    VK.api('POST', API + '/rounds/' + esc(st.slug) + '/codes', body).then(function (j) {
      var sheet = $('code-sheet');
      sheet.hidden = false;
      $('code-sheet-heading').textContent = t('bsCodeSheet', { round: localName(st.round.title), batch: j.batch || body.batch || '' });
      var ul = $('code-list');
      ul.textContent = '';
      (j.codes || []).forEach(function (c) {
        var li = el('li', 'bs-code-card');
        li.appendChild(el('span', 'bs-code-round', localName(st.round.title)));
        li.appendChild(el('span', 'bs-code', c));
        li.appendChild(el('span', 'bs-code-where', t('bsCodeWhere', { url: location.origin + '/b/' + st.slug })));
        ul.appendChild(li);
      });
      $('code-sheet-heading').focus();
      S.announce(t('bsCodesMade', { n: (j.codes || []).length }));
      return loadBatches();
    }, function (err) { formError(form, err, { count: 'c-count', batch: 'c-batch' }); });
  }

  /* ---------- paper ballots ---------- */

  function paperRule() {
    var v = st.round.voting || {};
    var a = areasOf(st.round).filter(function (x) { return x.key === $('pb-area').value; })[0] || areasOf(st.round)[0];
    return { kind: v.rule, budget: a.budget, min_share: v.min_share || 0, min: v.min, max: v.max, points: v.points };
  }
  function paperProjects() {
    var area = $('pb-area').value;
    return st.projects.filter(function (f) { return !(st.round.areas || []).length || f.properties.area === area; })
      .map(function (f) { return { id: String(f.id), cost: f.properties.cost || 0, f: f }; });
  }

  // The sheet's choices as on paper: a box per project, or its points; the
  // total says when the sheet breaks the rule (it is then refused).
  function renderPaperChoices() {
    if (!st.round || st.isNew) return;
    var box = $('pb-projects');
    box.textContent = '';
    var r = paperRule();
    paperProjects().forEach(function (p) {
      var pid = 'pb-' + p.id;
      var row = el('div', r.kind === 'points' ? 'field bs-paper-points' : 'checkbox');
      var label = localName(p.f.properties.title) + ' (' + money(p.cost) + ')';
      var input;
      if (r.kind === 'points') {
        row.appendChild(el('label', { for: pid }, label));
        input = el('input', { type: 'number', id: pid, min: '0', max: String(r.points || 0), step: '1', value: String(st.paperPicks[p.id] || 0), 'aria-describedby': 'pb-total' });
        row.appendChild(input);
      } else {
        input = el('input', { type: 'checkbox', id: pid, 'aria-describedby': 'pb-total' });
        input.checked = !!st.paperPicks[p.id];
        row.appendChild(input);
        row.appendChild(el('label', { for: pid }, label));
      }
      input.addEventListener('change', function () {
        var n = r.kind === 'points' ? Math.max(0, Math.floor(Number(input.value) || 0)) : (input.checked ? 1 : 0);
        if (n) st.paperPicks[p.id] = n; else delete st.paperPicks[p.id];
        paperTotal();
      });
      box.appendChild(row);
    });
    paperTotal();
  }

  function paperTotal() {
    var r = paperRule(), ps = paperProjects();
    var s = B.summary(r, ps, st.paperPicks);
    var pr = B.problem(r, ps, st.paperPicks);
    var text = r.kind === 'knapsack' ? t('bTotalMoney', { used: money(s.used), limit: money(s.limit), left: money(s.left) })
      : r.kind === 'points' ? t('bTotalPoints', { used: s.used, limit: s.limit, left: s.left }) : t('bTotalPicks', { n: s.count, max: s.limit });
    $('pb-total').textContent = text + (pr && s.count ? ' ' + t(pr.key, pr.vars) : '');
  }

  function renderPaper() {
    var body = $('paper-body');
    body.textContent = '';
    st.paper.forEach(function (b) {
      var tr = el('tr');
      tr.appendChild(el('th', { scope: 'row' }, b.sheet));
      tr.appendChild(el('td', null, areaName(b.area)));
      var names = function (id) {
        var f = st.projects.filter(function (x) { return String(x.id) === String(id); })[0];
        return f ? localName(f.properties.title) : '#' + id;
      };
      // choices as stored: [7, 12] (picked) or {"7": 6} (points).
      var c = b.choices || b.projects || b.points || [];
      var choices = Array.isArray(c) ? c.map(names) : Object.keys(c).map(function (k) { return names(k) + ' ' + c[k]; });
      tr.appendChild(el('td', null, choices.join(', ')));
      tr.appendChild(el('td', null, b.state === 'confirmed' ? t('bsConfirmedBy', { name: b.confirmed_by }) : t('bsPendingBy', { name: b.entered_by })));
      var td = el('td');
      if (b.state !== 'confirmed') {
        var c = el('button', { type: 'button', class: 'button button-small', id: 'pb-confirm-' + b.id }, t('bsConfirm'));
        c.appendChild(el('span', 'visually-hidden', ' ' + b.sheet));
        c.addEventListener('click', function () {
          var form = $('paper-form');
          S.clearErrors(form);
          VK.api('POST', API + '/paper-ballots/' + esc(b.id) + '/confirm').then(function () {
            S.announce(t('bsConfirmed', { sheet: b.sheet }));
            return loadPaper();
          }, function (err) {
            formError(form, err.code === 'same_person' ? { status: 409, message: t('bsSamePerson') } : err);
          });
        });
        td.appendChild(c);
      }
      tr.appendChild(td);
      body.appendChild(tr);
    });
  }

  function loadPaper() {
    return VK.getJSON(API + '/rounds/' + esc(st.slug) + '/paper-ballots').then(function (j) { st.paper = j.paper_ballots || []; }, function () { st.paper = []; }).then(renderPaper);
  }

  function enterPaper(ev) {
    ev.preventDefault();
    var form = $('paper-form');
    S.clearErrors(form);
    var r = paperRule();
    var body = { sheet: $('pb-sheet').value.trim(), area: $('pb-area').value };
    var ids = B.picked(st.paperPicks);
    if (r.kind === 'points') {
      body.points = {};
      ids.forEach(function (id) { body.points[id] = st.paperPicks[id]; });
    } else {
      body.projects = ids.map(Number);
    }
    VK.api('POST', API + '/rounds/' + esc(st.slug) + '/paper-ballots', body).then(function () {
      S.announce(t('bsPaperEntered', { sheet: body.sheet }));
      $('pb-sheet').value = '';
      st.paperPicks = {};
      renderPaperChoices();
      $('pb-sheet').focus();
      return loadPaper();
    }, function (err) {
      var f = err && err.field ? String(err.field) : '';
      var map = { sheet: 'pb-sheet', area: 'pb-area' };
      if (/^(projects|points)/.test(f)) {
        S.clearErrors(form);
        $('pb-projects-error').textContent = err.message;
        $('pb-projects-error').hidden = false;
        $('pb-projects-error').setAttribute('tabindex', '-1');
        $('pb-projects-error').focus();
        return;
      }
      formError(form, err, map);
    });
  }

  /* ---------- results ---------- */

  function loadResults() {
    var box = $('results-box');
    VK.getJSON(API + '/rounds/' + esc(st.slug) + '/results').then(function (res) {
      R.render(box, res, areaName, 'sres');
      S.announce(t('bsResultsShown'));
    }, function (err) {
      box.textContent = '';
      box.appendChild(el('p', 'field-error', err.message || t('errGeneric')));
    });
  }

  /* ---------- the map of proposals and projects ---------- */

  // Proposals small and hollow, projects large and filled (a winner
  // darker): told apart by size and fill, not by colour alone.
  var PROPOSAL_STYLE = { radius: 6, color: '#1f4e8c', weight: 2, fillColor: '#ffffff', fillOpacity: 1 };
  var PROJECT_STYLE = { radius: 10, color: '#14532d', weight: 2, fillColor: '#2f855a', fillOpacity: 0.85 };
  var WINNER_STYLE = { radius: 12, color: '#0b2e18', weight: 3, fillColor: '#14532d', fillOpacity: 1 };

  function focusItem(id) {
    var h = $(id);
    if (!h) return;
    h.setAttribute('tabindex', '-1');
    h.focus();
    h.scrollIntoView({ block: 'center' });
  }

  // Drawn again whenever the lists are: the map and the lists show the same.
  function renderMap() {
    var box = $('bs-map-box');
    $('bs-map-legend').textContent = t('bsMapLegend', { proposals: st.proposals.length, projects: st.projects.length });
    if (typeof L === 'undefined' || !st.round || st.isNew) { box.hidden = true; return; }
    box.hidden = false;
    if (!st.map) {
      var div = el('div', { class: 'bs-map', id: 'bs-map', role: 'region' });
      box.appendChild(div);
      var map = VK.map.create(div.id, st.config);
      st.map = { map: map, districts: L.featureGroup().addTo(map), layer: L.featureGroup().addTo(map), zoom: null, fitted: null };
      map.setView(VK.map.centre(st.config), VK.map.zoom(st.config));
    }
    var m = st.map;
    m.zoom = VK.map.zoomControl(m.map, m.zoom);
    m.map.getContainer().setAttribute('aria-label', t('bsMapLabel'));
    m.districts.clearLayers();
    // The districts of the round's areas, outlined.
    var inAreas = {};
    (st.round.areas || []).forEach(function (a) { (a.districts || []).forEach(function (d) { inAreas[d] = true; }); });
    st.districts.forEach(function (d) {
      if (inAreas[d.properties && d.properties.code]) m.districts.addLayer(L.geoJSON(d, { style: function () { return VK.map.DISTRICT_STYLE; }, interactive: false }));
    });
    m.layer.clearLayers();
    function add(f, style, title, target) {
      if (!f.geometry) return;
      var layer = L.geoJSON(f.geometry, {
        pointToLayer: function (g, ll) { return L.circleMarker(ll, style); },
        style: function () { return { color: style.color, weight: style.weight, fillColor: style.fillColor, fillOpacity: 0.25 }; }
      });
      layer.bindTooltip(VK.textNode('span', title), { direction: 'top' });
      layer.on('click', function (e) { L.DomEvent.stopPropagation(e); focusItem(target); });
      m.layer.addLayer(layer);
    }
    st.proposals.forEach(function (f) { add(f, PROPOSAL_STYLE, t('bsMapProposal', { title: f.properties.title }), 'pr' + f.id + '-h'); });
    st.projects.forEach(function (f) {
      add(f, f.properties.selected ? WINNER_STYLE : PROJECT_STYLE, t('bsMapProject', { title: localName(f.properties.title) }), 'pj' + f.id + '-h');
    });
    if (m.fitted !== st.slug && m.layer.getLayers().length) {
      m.map.fitBounds(m.layer.getBounds().pad(0.2), { maxZoom: 15 });
      m.fitted = st.slug;
    }
    window.setTimeout(function () { m.map.invalidateSize(); }, 0);
  }

  /* ---------- opening a round ---------- */

  function openRound(slug, focus) {
    st.slug = slug;
    st.isNew = false;
    st.paperPicks = {};
    history.replaceState(null, '', '/staff-budget.html?round=' + esc(slug));
    return VK.getJSON(API + '/rounds/' + esc(slug)).then(function (r) {
      st.round = r;
      st.round.document = JSON.parse(JSON.stringify(r));
      ['phase', 'phase_by_hand', 'published', 'counts', 'document'].forEach(function (k) { delete st.round.document[k]; });
      return loadCategories();
    }).then(function () {
      $('round-tools').hidden = false;
      $('export-gpkg').href = API + '/rounds/' + esc(slug) + '/projects.gpkg';
      $('export-csv').href = API + '/rounds/' + esc(slug) + '/projects.csv';
      renderRounds();
      renderRoundHead();
      fillForm(st.round);
      fillProjectSelects();
      $('results-box').textContent = '';
      if (focus) $('round-heading').focus();
      return Promise.all([loadProposals(), loadProjects(), loadBatches(), loadPaper()]);
    });
  }

  function newRound() {
    st.slug = null;
    st.isNew = true;
    st.round = { budget: 0, voting: { rule: 'knapsack' }, voters: ['codes'], method: 'mes' };
    $('round-tools').hidden = false;
    renderRoundHead();
    fillForm(st.round);
    renderRounds();
    renderMap();
    $('round-heading').focus();
  }

  function loadCategories() {
    if (st.round && (st.round.categories || []).length) {
      st.categories = st.round.categories;
      return Promise.resolve();
    }
    return VK.getJSON('/api/v1/categories').then(function (j) { st.categories = j.categories || []; }, function () { st.categories = []; });
  }

  function relabel() {
    labelLangFields();
    if (!st.me) return;
    renderRounds();
    if (st.round) {
      renderRoundHead();
      var areas = readAreas();
      renderAreas(areas);
      fillProjectSelects();
      if (!st.isNew) {
        renderProposals();
        renderProjects();
        renderPaper();
      }
    }
  }

  function wire() {
    langFields($('r-texts'), 'r-title', 'bsRoundTitle', false, 200);
    langFields($('r-texts'), 'r-desc', 'bsRoundDesc', true, 4000);
    langFields($('j-texts'), 'j-title', 'bsProjectTitle', false, 200);
    langFields($('j-texts'), 'j-desc', 'bsProjectDesc', true, 4000);
    buildPhaseInputs();
    $('new-round').addEventListener('click', newRound);
    $('round-form').addEventListener('submit', saveRound);
    $('r-publish').addEventListener('click', publish);
    $('r-phase-set').addEventListener('click', setPhase);
    $('r-add-area').addEventListener('click', function () {
      var all = readAreas();
      all.push({ key: '', name: {}, budget: 0 });
      renderAreas(all);
      $('ra' + (all.length - 1) + '-key').focus();
    });
    document.querySelectorAll('input[name="r-rule"]').forEach(function (r) { r.addEventListener('change', ruleChanged); });
    $('project-form').addEventListener('submit', makeProject);
    $('j-cost').addEventListener('input', function () { $('j-cost').setAttribute('data-typed', ''); });
    $('codes-form').addEventListener('submit', makeCodes);
    $('c-print').addEventListener('click', function () { window.print(); });
    $('paper-form').addEventListener('submit', enterPaper);
    $('pb-area').addEventListener('change', function () { st.paperPicks = {}; renderPaperChoices(); });
    $('results-load').addEventListener('click', loadResults);
  }

  wire();
  S.start({
    bundles: ['budget'],
    onLanguage: relabel,
    onSignedIn: function (me) {
      st.me = me;
      document.querySelectorAll('[data-planner]').forEach(function (e) { e.hidden = !planner(); });
      $('codes-form').querySelector('#c-submit').hidden = !planner();
      return Promise.all([
        VK.getJSON('/api/v1/districts').then(function (j) { st.districts = j.features || []; }, function () { st.districts = []; }),
        VK.getJSON('/api/v1/units').then(function (j) { st.units = j.units || []; }, function () { st.units = []; }),
        VK.getJSON('/api/v1/config').then(function (c) { st.config = c; }, function () { st.config = null; }),
        loadRounds()
      ]).then(function () {
        labelLangFields();
        VK.applyStaticStrings(document);
        var slug = new URLSearchParams(location.search).get('round');
        if (slug) return openRound(slug, false);
        return null;
      });
    }
  });
})();
