/*
 * budget.js — the resident's participatory budgeting page: /b/ lists the
 * rounds, /b/{slug} shows one round in its phase (docs/budgeting.md):
 * proposals on the map and as a list with "me too" and the staff's
 * review; the proposal form (a point or an area on the map, or a
 * district, coordinates or words without it: lib/survey-map.js); the
 * ballot with its running total (lib/budget-ballot.js), the voting code
 * or the open voter's age group and postal code, and the private link to
 * change the ballot (/b/{slug}?ballot=TOKEN); the results with the method
 * in plain words; and what happened to the winners.
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, el = VK.el, $ = VK.$, localName = VK.localName;
  var B = VK.budget.ballot, SM = VK.survey.map, F = VK.survey.fields;
  var NOMAP_KEY = 'vaikuta.survey.nomap';
  var PHASES = ['upcoming', 'proposals', 'review', 'voting', 'results', 'implementation'];
  var AGE_GROUPS = ['under-12', '12-14', '15-17', '18-29', '30-44', '45-64', '65-74', '75+'];
  var POINT_STYLE = { radius: 9, color: '#0a4f7e', weight: 3, fillColor: '#e7f0f7', fillOpacity: 1 };
  var PICKED_STYLE = { radius: 10, color: '#1d6b34', weight: 4, fillColor: '#1d6b34', fillOpacity: 1 };
  var SHAPE_STYLE = { color: '#0a4f7e', weight: 3, fillOpacity: 0.15 };
  var AREA_STYLE = { color: '#3d4650', weight: 2, dashArray: '6 4', fill: false, interactive: false };

  var S = {
    slug: null, round: null, config: null, districts: [], categories: [],
    proposals: [], projects: [], results: null,
    token: null, ballot: null, area: null, picks: {}, voted: null,
    place: undefined, shape: 'map-point', maps: {}, supported: {}
  };

  function tokenKey() { return 'vaikuta.budget.ballot.' + S.slug; }

  function noMap() {
    try { return localStorage.getItem(NOMAP_KEY) === '1'; } catch (e) { return false; }
  }
  function money(n) { return F.money(n, 'EUR'); }
  function phaseIs() { return Array.prototype.indexOf.call(arguments, S.round.phase) >= 0; }
  function areaOf(key) {
    var a = (S.round.areas || []).filter(function (x) { return x.key === key; })[0];
    return a || null;
  }
  function areas() {
    var a = S.round.areas || [];
    return a.length ? a : [{ key: 'all', name: null, budget: S.round.budget }];
  }
  function areaName(key) {
    var a = areaOf(key);
    return a && a.name ? localName(a.name) : t('bWholeCity');
  }
  function categoryName(key) {
    var c = S.categories.filter(function (x) { return String(x.key || x.id) === String(key); })[0];
    return c ? localName(c.name) : (key || '');
  }

  function showLoadError(key, extra) {
    var b = $('load-error');
    b.textContent = t(key) + (extra ? ' ' + extra : '');
    b.hidden = false;
  }

  // An API error in the page's words: the server's message is English,
  // so the codes the page knows get their own sentence.
  function errorText(err) {
    if (!err || !err.status) return t('bErrNetwork');
    var k = 'bApi_' + err.code;
    var s = t(k);
    if (s !== k) return s;
    if (err.status >= 500) return t('bErrServer');
    return err.message || t('bErrServer');
  }

  /* ---------- the list of rounds ---------- */

  function renderList(rounds) {
    var ul = $('round-list');
    ul.textContent = '';
    rounds.forEach(function (r) {
      var li = el('li', 'sv-card');
      var h = el('h2', 'sv-card-title');
      h.appendChild(el('a', { href: '/b/' + encodeURIComponent(r.slug) }, localName(r.title)));
      li.appendChild(h);
      li.appendChild(el('p', 'hint', t('bPhaseNow', { phase: t('bPhase_' + r.phase) }) + ' · ' + t('bBudgetIs', { money: money(r.budget) })));
      ul.appendChild(li);
    });
    $('round-list-empty').hidden = rounds.length > 0;
    document.title = t('bRoundsHeading') + ' – Vaikuta';
  }

  /* ---------- maps ---------- */

  // One map per box, made once; its features drawn again on each render.
  // items: [{id, geometry, title, picked}]; onPick(id) from a click.
  function featureMap(boxId, label, items, onPick) {
    var box = $(boxId);
    if (noMap() || typeof L === 'undefined') {
      if (S.maps[boxId]) { S.maps[boxId].map.remove(); delete S.maps[boxId]; }
      box.hidden = true;
      return;
    }
    box.hidden = false;
    var m = S.maps[boxId];
    if (!m) {
      var div = el('div', { class: 'b-map', id: boxId + '-leaflet', role: 'region' });
      box.textContent = '';
      // The address search above the map: a chosen place pans it there.
      var search = null;
      if (VK.placeSearch) {
        search = VK.placeSearch.mount(box, { id: boxId + '-search', onChoose: function (p) {
          S.maps[boxId].map.setView([p.lat, p.lon], Math.max(S.maps[boxId].map.getZoom(), 16), { animate: false });
        } });
      }
      box.appendChild(div);
      var map = VK.map.create(div.id, S.config);
      m = S.maps[boxId] = { map: map, layer: L.featureGroup().addTo(map), zoom: null, fitted: false, search: search };
      var outline = L.featureGroup().addTo(map);
      (S.round.areas || []).forEach(function (a) { if (a.geometry) outline.addLayer(L.geoJSON(a.geometry, { style: function () { return AREA_STYLE; } })); });
      map.setView(VK.map.centre(S.config), VK.map.zoom(S.config));
    }
    if (m.search) m.search.relabel();
    m.zoom = VK.map.zoomControl(m.map, m.zoom);
    m.map.getContainer().setAttribute('aria-label', label);
    m.layer.clearLayers();
    items.forEach(function (it) {
      if (!it.geometry) return;
      var layer = L.geoJSON(it.geometry, {
        pointToLayer: function (g, ll) { return L.circleMarker(ll, it.picked ? PICKED_STYLE : POINT_STYLE); },
        style: function () { return it.picked ? { color: '#1d6b34', weight: 4, fillOpacity: 0.3 } : SHAPE_STYLE; }
      });
      layer.bindTooltip(VK.textNode('span', it.title), { direction: 'top' });
      layer.on('click', function (e) { L.DomEvent.stopPropagation(e); onPick(it.id); });
      m.layer.addLayer(layer);
    });
    if (!m.fitted && m.layer.getLayers().length) {
      m.map.fitBounds(m.layer.getBounds().pad(0.3), { maxZoom: 15 });
      m.fitted = true;
    }
    window.setTimeout(function () { m.map.invalidateSize(); }, 0);
  }

  function focusCard(id) {
    var h = $(id);
    if (h) { h.focus(); h.scrollIntoView({ block: 'center' }); }
  }

  /* ---------- the round's head ---------- */

  function renderHead() {
    var r = S.round;
    $('b-title').textContent = localName(r.title);
    var d = $('b-description');
    d.textContent = '';
    F.paragraphs(d, localName(r.description));
    var facts = t('bBudgetIs', { money: money(r.budget) });
    if ((r.areas || []).length) {
      facts += ' ' + t('bAreasAre', { list: r.areas.map(function (a) { return localName(a.name) + ' ' + money(a.budget); }).join(', ') });
    }
    $('b-facts').textContent = facts;
    var ol = $('b-phases');
    ol.textContent = '';
    PHASES.slice(1).forEach(function (p) {
      var li = el('li', p === r.phase ? 'b-phase is-current' : 'b-phase');
      li.appendChild(el('span', 'b-phase-name', t('bPhase_' + p)));
      var starts = r.phases && r.phases[p] && r.phases[p].starts;
      if (starts) li.appendChild(el('span', 'b-phase-date', ' ' + t('bFrom', { d: VK.formatDate(starts) })));
      if (p === r.phase) {
        li.setAttribute('aria-current', 'step');
        li.appendChild(el('span', 'b-phase-now', ' ' + t('bNow')));
      }
      ol.appendChild(li);
    });
    document.title = localName(r.title) + ' – Vaikuta';
  }

  /* ---------- proposals ---------- */

  function reviewBlock(rv) {
    var box = el('div', 'b-review');
    if (!rv) return box;
    box.appendChild(el('p', rv.feasible ? 'b-feasible' : 'b-infeasible', t(rv.feasible ? 'bFeasible' : 'bInfeasible')));
    if (rv.reason) box.appendChild(el('p', 'sv-para', rv.reason));
    var parts = [];
    if (typeof rv.cost === 'number') parts.push(t('bCostEstimate', { money: money(rv.cost) }));
    if (rv.unit) parts.push(t('bUnit', { unit: rv.unit }));
    if (parts.length) box.appendChild(el('p', 'hint', parts.join(' · ')));
    return box;
  }

  function supportButton(f) {
    var p = f.properties;
    var mine = !!S.supported[f.id];
    var b = el('button', { type: 'button', class: 'button button-secondary button-small b-support', id: 'support-' + f.id,
      'aria-pressed': mine ? 'true' : 'false' }, t('bMeToo'));
    b.appendChild(el('span', 'visually-hidden', ' ' + p.title));
    var out = el('span', { class: 'b-support-status', id: 'support-' + f.id + '-status', role: 'status' });
    b.addEventListener('click', function () {
      if (S.supported[f.id]) { out.textContent = t('bSupportedAlready'); return; }
      VK.api('POST', '/api/v1/budget/proposals/' + encodeURIComponent(f.id) + '/support', {}).then(function (j) {
        p.supports = j.supports;
        S.supported[f.id] = true;
        try { localStorage.setItem('vaikuta.budget.supported', JSON.stringify(S.supported)); } catch (e) { /* ignore */ }
        b.setAttribute('aria-pressed', 'true');
        $('supports-' + f.id).textContent = t('bSupports', { n: j.supports });
        out.textContent = t(j.counted === false ? 'bSupportedAlready' : 'bSupportThanks');
      }, function (err) { out.textContent = errorText(err); });
    });
    var wrap = el('div', 'button-row');
    wrap.appendChild(b);
    wrap.appendChild(out);
    return wrap;
  }

  function renderProposals() {
    var show = phaseIs('proposals', 'review');
    $('b-proposals').hidden = !show;
    if (!show) return;
    $('b-proposals-intro').textContent = t(S.round.phase === 'proposals' ? 'bProposalsIntro' : 'bReviewIntro');
    var ul = $('b-proposal-list');
    ul.textContent = '';
    S.proposals.forEach(function (f) {
      var p = f.properties;
      var li = el('li', { class: 'b-card', id: 'proposal-' + f.id });
      li.appendChild(el('h3', { class: 'b-card-title', id: 'proposal-' + f.id + '-h', tabindex: '-1' }, p.title));
      li.appendChild(el('p', 'hint', [categoryName(p.category), p.area ? areaName(p.area) : t('bNoArea')].join(' · ')));
      var d = el('div', 'b-card-text');
      F.paragraphs(d, p.description);
      li.appendChild(d);
      li.appendChild(el('p', { class: 'b-supports', id: 'supports-' + f.id }, t('bSupports', { n: p.supports || 0 })));
      li.appendChild(reviewBlock(p.review));
      if (p.project) li.appendChild(el('p', 'hint', t('bMergedInto')));
      li.appendChild(supportButton(f));
      ul.appendChild(li);
    });
    $('b-proposals-empty').hidden = S.proposals.length > 0;
    featureMap('b-proposals-map', t('bProposalsMap'), S.proposals.map(function (f) {
      return { id: f.id, geometry: f.geometry, title: f.properties.title };
    }), function (id) { focusCard('proposal-' + id + '-h'); });
  }

  /* ---------- the proposal form ---------- */

  function fillCategories() {
    var sel = $('p-category'), keep = sel.value;
    sel.textContent = '';
    sel.appendChild(el('option', { value: '' }, t('chooseOption')));
    S.categories.forEach(function (c) { sel.appendChild(el('option', { value: c.key || c.id }, localName(c.name))); });
    sel.value = keep;
  }

  // The place: lib/survey-map.js's one-feature map question (its value
  // is [{geometry} | {district} | {place} | {description}]).
  function buildPlace() {
    var box = $('p-place');
    box.textContent = '';
    if (S.shape === 'none') return;
    var q = { type: S.shape, key: 'place', text: { fi: t('bPPlace'), sv: t('bPPlace'), en: t('bPPlace') }, min_features: 1, max_features: 1 };
    var node = SM.mapQuestion(q, {
      id: 'p-place-q',
      get: function () { return S.place; },
      set: function (v) { S.place = v; $('p-place-error').hidden = true; }
    }, { def: { places: [] }, config: S.config, districts: S.districts, noMap: noMap, lookup: function () { return {}; } });
    // The survey's "mark 1 to 1" hint says nothing here: one place it is.
    var limits = node.querySelector('.sv-q-body > .hint');
    if (limits) limits.remove();
    box.appendChild(node);
    if (node.afterInsert && !$('b-propose').hidden) node.afterInsert();
    box.built = node;
  }

  function renderPropose() {
    var show = S.round.phase === 'proposals';
    var was = $('b-propose').hidden;
    $('b-propose').hidden = !show;
    if (!show) return;
    fillCategories();
    if (was || !$('p-place').built) buildPlace();
    else { var keep = S.place; buildPlace(); S.place = keep; }
  }

  function proposalBody() {
    var props = {
      title: $('p-title').value.trim(), description: $('p-description').value.trim(),
      category: $('p-category').value, language: VK.lang(), district: null
    };
    var contact = {};
    [['name', 'p-name'], ['email', 'p-email'], ['phone', 'p-phone']].forEach(function (c) {
      var v = $(c[1]).value.trim();
      if (v) contact[c[0]] = v;
    });
    if (Object.keys(contact).length) props.contact = contact;
    var geometry = null;
    var f = S.shape !== 'none' && Array.isArray(S.place) ? S.place[0] : null;
    if (f && f.geometry) geometry = f.geometry;
    else if (f && f.district) props.district = f.district;
    else if (f && f.description) {
      // The API has no place in words: they go with the description.
      props.description += '\n\n' + t('bPlaceWords') + ' ' + f.description.trim();
    }
    return { type: 'Feature', geometry: geometry, properties: props };
  }

  function proposeProblems() {
    var out = [];
    if (!$('p-title').value.trim()) out.push({ id: 'p-title', key: 'bErrTitle' });
    if (!$('p-description').value.trim()) out.push({ id: 'p-description', key: 'bErrDescription' });
    if (!$('p-category').value) out.push({ id: 'p-category', key: 'bErrCategory' });
    if (S.shape !== 'none') {
      var f = Array.isArray(S.place) ? S.place[0] : null;
      if (!f || !(f.geometry || f.district || (f.description && f.description.trim()))) out.push({ id: 'p-place', err: 'p-place-error', key: 'bErrPlace' });
    }
    var email = $('p-email').value.trim();
    if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) out.push({ id: 'p-email', key: 'bErrEmail' });
    return out;
  }

  // Errors beside their fields and in the summary, which takes the focus.
  function showProblems(summaryId, form, list) {
    form.querySelectorAll('.field-error').forEach(function (e) { e.hidden = true; e.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (e) { e.removeAttribute('aria-invalid'); });
    var sum = $(summaryId), ul = $(summaryId + '-list');
    ul.textContent = '';
    sum.hidden = !list.length;
    list.forEach(function (p) {
      var text = p.text || t(p.key, p.vars);
      var errEl = $(p.err || (p.id + '-error'));
      if (errEl) { errEl.textContent = text; errEl.hidden = false; }
      var target = $(p.id);
      if (target && /INPUT|SELECT|TEXTAREA/.test(target.tagName)) target.setAttribute('aria-invalid', 'true');
      var li = el('li');
      var a = el('a', { href: '#' + p.id }, text);
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        var f = $(p.id);
        if (!f) return;
        var inner = /INPUT|SELECT|TEXTAREA|BUTTON/.test(f.tagName) ? f : f.querySelector('input, select, textarea, button');
        (inner || f).focus();
      });
      li.appendChild(a);
      ul.appendChild(li);
    });
    if (list.length) sum.focus();
  }

  var PROPOSAL_FIELDS = { title: 'p-title', description: 'p-description', category: 'p-category', 'contact.email': 'p-email', email: 'p-email', geometry: 'p-place', district: 'p-place' };

  function submitProposal(ev) {
    ev.preventDefault();
    var form = $('b-propose-form');
    var problems = proposeProblems();
    showProblems('b-propose-summary', form, problems);
    if (problems.length) return;
    $('p-submit').disabled = true;
    $('p-status').textContent = t('bSending');
    VK.api('POST', '/api/v1/budget/rounds/' + encodeURIComponent(S.slug) + '/proposals', proposalBody()).then(function (f) {
      $('p-status').textContent = t('bProposalThanks');
      form.reset();
      S.place = undefined;
      S.shape = 'map-point';
      S.proposals.unshift(f);
      renderProposals();
      buildPlace();
    }, function (err) {
      $('p-status').textContent = '';
      var id = err.field && PROPOSAL_FIELDS[err.field];
      showProblems('b-propose-summary', form, [{ id: id || 'p-submit', err: id ? null : 'p-form-error', text: errorText(err) }]);
    }).then(function () { $('p-submit').disabled = false; });
  }

  /* ---------- the ballot ---------- */

  function rule() {
    var v = S.round.voting || {};
    var a = areas().filter(function (x) { return x.key === S.area; })[0] || areas()[0];
    return { kind: v.rule, budget: a.budget, min_share: v.min_share || 0, min: v.min, max: v.max, points: v.points };
  }

  function areaProjects() {
    return S.projects.filter(function (f) {
      return !(S.round.areas || []).length || f.properties.area === S.area;
    }).map(function (f) { return { id: String(f.id), cost: f.properties.cost || 0, f: f }; });
  }

  function ruleText(r) {
    if (r.kind === 'knapsack') {
      return t('bRuleKnapsack', { money: money(r.budget) }) + (r.min_share ? ' ' + t('bRuleMinShare', { share: r.min_share, money: money(r.budget * r.min_share / 100) }) : '');
    }
    if (r.kind === 'approval') return r.min === r.max ? t('bRuleApprovalExact', { n: r.max }) : t('bRuleApproval', { min: r.min, max: r.max });
    return t('bRulePoints', { n: r.points });
  }

  function totalText(r, s) {
    if (r.kind === 'knapsack') return t('bTotalMoney', { used: money(s.used), limit: money(s.limit), left: money(s.left) });
    if (r.kind === 'approval') return t('bTotalPicks', { n: s.count, max: s.limit });
    return t('bTotalPoints', { used: s.used, limit: s.limit, left: s.left });
  }

  // changed: a sentence of what the last action did, said with the total.
  function renderTotal(extra) {
    var r = rule(), s = B.summary(r, areaProjects(), S.picks);
    $('v-total').textContent = totalText(r, s) + (extra ? ' ' + extra : '');
    $('v-total-fill').style.width = Math.max(0, Math.min(100, Math.round(100 * s.used / (s.limit || 1)))) + '%';
  }

  function pickRow(p, r) {
    var f = p.f, pr = f.properties, id = p.id;
    var li = el('li', { class: 'b-ballot-item', id: 'bp-' + id });
    var info = el('div', 'b-ballot-info');
    var title = localName(pr.title);
    var nameId = 'bp-' + id + '-name';
    info.appendChild(el('h3', { class: 'b-ballot-name', id: nameId, tabindex: '-1' }, title));
    info.appendChild(el('p', 'b-ballot-cost', money(pr.cost || 0) + (pr.supporters ? ' · ' + t('bSupporters', { n: pr.supporters }) : '')));
    if (pr.description) {
      var d = el('div', 'hint b-card-text');
      F.paragraphs(d, localName(pr.description));
      info.appendChild(d);
    }
    li.appendChild(info);
    var ctl = el('div', 'b-ballot-ctl');
    if (r.kind === 'points') {
      var minus = el('button', { type: 'button', class: 'button button-secondary button-small', id: 'bp-' + id + '-less', 'aria-label': t('bLess', { name: title }) }, '−');
      var out = el('span', { class: 'b-points', id: 'bp-' + id + '-points' });
      var plus = el('button', { type: 'button', class: 'button button-small', id: 'bp-' + id + '-more', 'aria-label': t('bMore', { name: title }) }, '+');
      minus.addEventListener('click', function () { change(id, -1, title); });
      plus.addEventListener('click', function () { change(id, 1, title); });
      ctl.appendChild(minus);
      ctl.appendChild(out);
      ctl.appendChild(plus);
    } else {
      var cb = el('input', { type: 'checkbox', id: 'bp-' + id + '-pick', 'aria-describedby': 'v-total' });
      var lab = el('label', { for: cb.id }, t('bPick'));
      lab.appendChild(el('span', 'visually-hidden', ' ' + title));
      cb.addEventListener('click', function (e) {
        // A pick that does not fit is not made: the box stays clear and the total says why.
        if (cb.checked && B.cannotAdd(rule(), areaProjects(), S.picks, id)) {
          e.preventDefault();
          change(id, 1, title);
          return;
        }
        change(id, cb.checked ? 1 : -1, title);
      });
      var row = el('div', 'radio b-pick');
      row.appendChild(cb);
      row.appendChild(lab);
      ctl.appendChild(row);
    }
    li.appendChild(ctl);
    return li;
  }

  function change(id, dir, title) {
    var r = rule(), ps = areaProjects();
    var next = dir > 0 ? B.add(r, ps, S.picks, id) : B.remove(r, ps, S.picks, id);
    if (typeof next === 'string') {
      refreshBallot(t(next));
      return;
    }
    S.picks = next;
    $('v-projects-error').hidden = true;
    var said = r.kind === 'points' ? t('bPointsTo', { name: title, n: S.picks[id] || 0 }) : t(S.picks[id] ? 'bPicked' : 'bUnpicked', { name: title });
    refreshBallot(said);
  }

  // The rows' states and the total; what cannot be added is marked so.
  function refreshBallot(said) {
    var r = rule(), ps = areaProjects();
    ps.forEach(function (p) {
      var n = S.picks[p.id] || 0;
      var why = B.cannotAdd(r, ps, S.picks, p.id);
      var li = $('bp-' + p.id);
      if (!li) return;
      li.classList.toggle('is-picked', n > 0);
      if (r.kind === 'points') {
        $('bp-' + p.id + '-points').textContent = String(n);
        $('bp-' + p.id + '-less').setAttribute('aria-disabled', n ? 'false' : 'true');
        $('bp-' + p.id + '-more').setAttribute('aria-disabled', why ? 'true' : 'false');
      } else {
        var cb = $('bp-' + p.id + '-pick');
        cb.checked = n > 0;
        li.classList.toggle('is-blocked', !n && !!why);
        cb.setAttribute('aria-disabled', !n && why ? 'true' : 'false');
      }
    });
    renderTotal(said);
    featureMap('b-vote-map', t('bVoteMap'), ps.map(function (p) {
      return { id: p.id, geometry: p.f.geometry, title: localName(p.f.properties.title), picked: !!S.picks[p.id] };
    }), function (id) { focusCard('bp-' + id + '-name'); });
  }

  function renderVote() {
    var show = S.round.phase === 'voting';
    $('b-vote').hidden = !show;
    if (!show) return;
    var r = rule();
    $('b-vote-rule').textContent = ruleText(r);
    var sel = $('v-area');
    sel.textContent = '';
    areas().forEach(function (a) { sel.appendChild(el('option', { value: a.key }, (a.name ? localName(a.name) : t('bWholeCity')) + ' – ' + money(a.budget))); });
    sel.value = S.area;
    $('v-area-field').hidden = areas().length < 2 || (S.ballot && !S.ballot.open);
    var ul = $('v-projects');
    ul.textContent = '';
    areaProjects().forEach(function (p) { ul.appendChild(pickRow(p, r)); });
    if (!areaProjects().length) ul.appendChild(el('li', 'hint', t('bNoProjects')));
    var voters = S.round.voters || [];
    var changing = !!S.token;
    $('v-voter').hidden = changing;
    $('v-code-field').hidden = voters.indexOf('codes') < 0;
    $('v-open-fields').hidden = voters.indexOf('open') < 0;
    $('v-open-note').textContent = voters.indexOf('codes') >= 0 ? t('bVOpenNoteOr') : t('bVOpenNote');
    var age = $('v-age'), keep = age.value;
    age.textContent = '';
    age.appendChild(el('option', { value: '' }, t('chooseOption')));
    AGE_GROUPS.forEach(function (g) { age.appendChild(el('option', { value: g }, t('bAge_' + g))); });
    age.value = keep;
    $('v-submit').textContent = t(changing ? 'bVChange' : 'bVSubmit');
    var saved = $('b-saved-ballot');
    saved.hidden = changing || !S.saved;
    if (S.saved) $('b-saved-link').href = '/b/' + encodeURIComponent(S.slug) + '?ballot=' + encodeURIComponent(S.saved);
    refreshBallot('');
  }

  function voteProblems() {
    var r = rule(), out = [];
    var pr = B.problem(r, areaProjects(), S.picks);
    if (pr) out.push({ id: 'v-projects', err: 'v-projects-error', key: pr.key, vars: pr.vars });
    if (S.token) return out;
    var voters = S.round.voters || [];
    var code = $('v-code').value.trim();
    var both = voters.indexOf('codes') >= 0 && voters.indexOf('open') >= 0;
    var withCode = voters.indexOf('codes') >= 0 && (code || voters.indexOf('open') < 0);
    if (both && !code && !$('v-age').value && !$('v-postal').value.trim()) {
      out.push({ id: 'v-code', key: 'bErrCodeOrOpen' });
    } else if (withCode) {
      if (!/^[2-9A-Za-z]{4}-?[2-9A-Za-z]{4}-?[2-9A-Za-z]{4}$/.test(code)) out.push({ id: 'v-code', key: code ? 'bErrCodeForm' : 'bErrCode' });
    } else {
      if (!$('v-age').value) out.push({ id: 'v-age', key: 'bErrAge' });
      if (!/^\d{5}$/.test($('v-postal').value.trim())) out.push({ id: 'v-postal', key: 'bErrPostal' });
    }
    return out;
  }

  function ballotBody() {
    var r = rule();
    var body = { area: S.area };
    var ids = B.picked(S.picks);
    if (r.kind === 'points') {
      body.points = {};
      ids.forEach(function (id) { body.points[id] = S.picks[id]; });
    } else {
      body.projects = ids.map(Number);
    }
    if (S.token) return body;
    var code = $('v-code').value.trim();
    // Sent as printed; the server takes it in lower case and without dashes too.
    if (code && (S.round.voters || []).indexOf('codes') >= 0) body.code = code.toUpperCase().replace(/\s+/g, '');
    else {
      body.age_group = $('v-age').value;
      body.postal_code = $('v-postal').value.trim();
    }
    return body;
  }

  var VOTE_FIELDS = { code: 'v-code', age_group: 'v-age', postal_code: 'v-postal', projects: 'v-projects', points: 'v-projects', area: 'v-area' };

  // Once per ballot sent: the same key when it is sent again.
  function idempotencyKey() {
    if (!S.voteKey) S.voteKey = VK.survey.logic.uuid();
    return S.voteKey;
  }

  function sendBallot(body) {
    var url = S.token ? '/api/v1/budget/ballots/' + encodeURIComponent(S.token) : '/api/v1/budget/rounds/' + encodeURIComponent(S.slug) + '/ballots';
    var headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    if (!S.token) headers['Idempotency-Key'] = idempotencyKey();
    return fetch(url, { method: S.token ? 'PUT' : 'POST', headers: headers, credentials: 'same-origin', body: JSON.stringify(body) }).then(function (res) {
      return res.text().then(function (text) {
        var j = null;
        try { j = text ? JSON.parse(text) : null; } catch (e) { j = null; }
        if (!res.ok) throw new VK.ApiError(res.status, j && j.error);
        return j;
      });
    });
  }

  function submitVote(ev) {
    ev.preventDefault();
    var form = $('b-vote-form');
    var problems = voteProblems();
    showProblems('b-vote-summary', form, problems);
    if (problems.length) return;
    $('v-submit').disabled = true;
    $('v-status').textContent = t('bSending');
    sendBallot(ballotBody()).then(function (j) {
      $('v-status').textContent = '';
      S.voteKey = null;
      if (j && j.token) S.voted = { token: j.token };
      showVoted(j);
    }, function (err) {
      $('v-status').textContent = '';
      var id = err.field && VOTE_FIELDS[String(err.field).split(/[.[]/)[0]];
      showProblems('b-vote-summary', form, [{ id: id || 'v-submit', err: id === 'v-projects' ? 'v-projects-error' : id ? null : 'v-form-error', text: errorText(err) }]);
    }).then(function () { $('v-submit').disabled = false; });
  }

  function showVoted(j) {
    var box = $('b-voted');
    box.hidden = false;
    var r = rule();
    $('b-voted-text').textContent = t('bVotedText', { n: B.picked(S.picks).length, area: areaName(S.area) }) +
      (r.kind === 'knapsack' && j && typeof j.total === 'number' ? ' ' + t('bVotedTotal', { money: money(j.total) }) : '');
    var token = (S.voted && S.voted.token) || S.token;
    $('b-change-box').hidden = !token;
    // This browser remembers its link: a second open ballot is refused, so
    // the page offers the change instead.
    try { if (token) localStorage.setItem(tokenKey(), token); } catch (e) { /* ignore */ }
    if (token) $('b-change-url').value = location.origin + '/b/' + encodeURIComponent(S.slug) + '?ballot=' + encodeURIComponent(token);
    VK.askMail($('b-ask-mail'), '/api/v1/budget/rounds/' + encodeURIComponent(S.slug) + '/subscriptions', 'budget');
    box.focus();
  }

  /* ---------- results and the winners ---------- */

  function renderResults() {
    var show = phaseIs('results', 'implementation') && S.results;
    $('b-results').hidden = !show;
    if (show) VK.budget.results.render($('b-result-areas'), S.results, areaName, 'res');
  }

  function renderFollow() {
    var winners = S.projects.filter(function (f) { return f.properties.selected; });
    var show = phaseIs('results', 'implementation') && winners.length > 0;
    $('b-follow').hidden = !show;
    if (!show) return;
    var ul = $('b-follow-list');
    ul.textContent = '';
    winners.forEach(function (f) {
      var p = f.properties;
      var li = el('li', { class: 'b-card', id: 'winner-' + f.id });
      li.appendChild(el('h3', { class: 'b-card-title', id: 'winner-' + f.id + '-h', tabindex: '-1' }, localName(p.title)));
      var st = p.status || 'planned';
      var line = el('p', 'b-status b-status-' + st, t('bStatus_' + st));
      li.appendChild(line);
      if (st === 'cancelled' && p.status_reason) li.appendChild(el('p', 'sv-para', p.status_reason));
      li.appendChild(el('p', 'hint', [money(p.cost || 0), areaName(p.area), p.unit ? t('bUnit', { unit: p.unit }) : ''].filter(Boolean).join(' · ')));
      var ups = (p.updates || []).slice().sort(function (a, b) { return a.at < b.at ? 1 : -1; });
      if (ups.length) {
        var ol = el('ol', 'b-updates');
        ol.setAttribute('aria-label', t('bUpdatesOf', { name: localName(p.title) }));
        ups.forEach(function (u) {
          var uli = el('li', 'b-update');
          var time = el('time', { datetime: u.at }, VK.formatDate(u.at));
          var h = el('p', 'b-update-head');
          h.appendChild(time);
          if (u.status) h.appendChild(document.createTextNode(' · ' + t('bStatus_' + u.status)));
          uli.appendChild(h);
          var tx = el('div');
          F.paragraphs(tx, localName(u.text));
          uli.appendChild(tx);
          (u.photos || []).forEach(function (src, i) {
            if (!/^https:\/\//.test(src)) return;
            var img = el('img', { src: src, class: 'b-photo', alt: t('bPhotoAlt', { n: i + 1, name: localName(p.title) }), loading: 'lazy' });
            uli.appendChild(img);
          });
          ol.appendChild(uli);
        });
        li.appendChild(ol);
      } else {
        li.appendChild(el('p', 'hint', t('bNoUpdates')));
      }
      ul.appendChild(li);
    });
    featureMap('b-follow-map', t('bFollowMap'), winners.map(function (f) {
      return { id: f.id, geometry: f.geometry, title: localName(f.properties.title) + ' – ' + t('bStatus_' + (f.properties.status || 'planned')), picked: true };
    }), function (id) { focusCard('winner-' + id + '-h'); });
  }

  function render() {
    if (!S.round) return;
    renderHead();
    renderProposals();
    renderPropose();
    renderVote();
    renderResults();
    renderFollow();
    if (S.voted || (S.ballot && !$('b-voted').hidden)) showVotedQuiet();
  }

  function showVotedQuiet() {
    if ($('b-voted').hidden) return;
    var token = (S.voted && S.voted.token) || S.token;
    $('b-voted-text').textContent = t('bVotedText', { n: B.picked(S.picks).length, area: areaName(S.area) });
    $('b-change-box').hidden = !token;
  }

  /* ---------- start ---------- */

  function loadRound() {
    var base = '/api/v1/budget/rounds/' + encodeURIComponent(S.slug);
    return Promise.all([
      VK.getJSON(base),
      VK.getJSON('/api/v1/config').catch(function () { return null; }),
      VK.getJSON('/api/v1/districts').catch(function () { return null; })
    ]).then(function (r) {
      S.round = r[0];
      S.config = r[1];
      S.districts = (r[2] && r[2].features) || [];
      S.area = areas()[0].key;
      var more = [];
      more.push((S.round.categories && S.round.categories.length)
        ? Promise.resolve({ categories: S.round.categories })
        : VK.getJSON('/api/v1/categories').catch(function () { return { categories: [] }; }));
      more.push(phaseIs('proposals', 'review') ? VK.getJSON(base + '/proposals?limit=1000') : Promise.resolve(null));
      more.push(phaseIs('voting', 'results', 'implementation') ? VK.getJSON(base + '/projects') : Promise.resolve(null));
      more.push(phaseIs('results', 'implementation') ? VK.getJSON(base + '/results').catch(function () { return null; }) : Promise.resolve(null));
      more.push(S.token ? VK.getJSON('/api/v1/budget/ballots/' + encodeURIComponent(S.token)).catch(function () { return 'gone'; }) : Promise.resolve(null));
      return Promise.all(more);
    }).then(function (r) {
      S.categories = r[0].categories || [];
      S.proposals = (r[1] && r[1].features) || [];
      S.projects = (r[2] && r[2].features) || [];
      S.results = r[3];
      if (r[4] === 'gone') {
        S.token = null;
        showLoadError('bBallotGone');
      } else if (r[4]) {
        S.ballot = r[4];
        S.area = r[4].area || S.area;
        S.picks = {};
        if (r[4].points) Object.keys(r[4].points).forEach(function (k) { S.picks[k] = r[4].points[k]; });
        (r[4].projects || []).forEach(function (id) { S.picks[String(id)] = 1; });
      }
    });
  }

  function wire() {
    $('b-propose-form').addEventListener('submit', submitProposal);
    $('b-vote-form').addEventListener('submit', submitVote);
    document.querySelectorAll('input[name="p-shape"]').forEach(function (r) {
      r.addEventListener('change', function () {
        S.shape = r.value;
        S.place = undefined;
        buildPlace();
      });
    });
    $('v-area').addEventListener('change', function () {
      S.area = $('v-area').value;
      S.picks = {};
      renderVote();
      $('v-total').textContent = t('bAreaChanged', { area: areaName(S.area) }) + ' ' + $('v-total').textContent;
    });
    var nm = $('b-nomap');
    nm.checked = noMap();
    nm.addEventListener('change', function () {
      try { localStorage.setItem(NOMAP_KEY, nm.checked ? '1' : '0'); } catch (e) { /* ignore */ }
      S.place = undefined;
      render();
      buildPlace();
    });
  }

  function start() {
    try { S.supported = JSON.parse(localStorage.getItem('vaikuta.budget.supported') || '{}') || {}; } catch (e) { S.supported = {}; }
    var q = new URLSearchParams(location.search);
    S.token = q.get('ballot') || q.get('token');
    var m = /^\/b\/([a-z0-9-]+)\/?$/.exec(location.pathname);
    S.slug = m ? m[1] : null;
    if (S.slug) VK.feedLink('/api/v1/feeds/budget/' + S.slug + '.atom', 'Atom');
    if (S.slug && !S.token) {
      try { S.saved = localStorage.getItem(tokenKey()); } catch (e) { S.saved = null; }
    }
    var ready = function () { document.body.setAttribute('data-ready', 'true'); };
    var strings = VK.startPage({ bundles: ['survey', 'budget'], onLanguage: function () {
      if (S.round) render();
      else if (S.rounds) renderList(S.rounds);
    } });
    if (!S.slug) {
      $('list-view').hidden = false;
      Promise.all([VK.getJSON('/api/v1/budget/rounds'), strings]).then(function (r) {
        S.rounds = r[0].rounds || [];
        renderList(S.rounds);
      }).catch(function () { showLoadError('bLoadError'); }).then(ready);
      return;
    }
    wire();
    Promise.all([loadRound(), strings]).then(function () {
      $('round-view').hidden = false;
      render();
    }).catch(function (err) {
      strings.then(function () { showLoadError(err && err.status === 404 ? 'bNotFound' : 'bLoadError'); });
    }).then(ready);
  }

  start();
})();
