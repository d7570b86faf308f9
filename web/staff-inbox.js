/*
 * staff-inbox.js — staff.html: sign-in, then the inbox. The filters are a
 * real form whose values live in the address (so a filtered view can be
 * bookmarked and Back works); the table and the map show the same page of
 * GET /api/v1/staff/feedback, unanswered and oldest first.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, t = VK.t, $ = VK.$;
  var PAGE = 25;
  var AGES = ['', 'older_than_days=7', 'older_than_days=14', 'older_than_days=30',
    'older_than_days=90', 'newer_than_days=7'];

  var ref = { categories: [], districts: [], units: [], assignees: [], loaded: false };
  var view = { offset: 0, matched: 0, features: [] };
  var map = null, itemLayer = null, districtLayer = null;

  /* ---------- the filter form ---------- */

  function params() { return new URLSearchParams(location.search); }

  function fillSelect(sel, options, current) {
    sel.textContent = '';
    options.forEach(function (o) { sel.appendChild(S.option(o[0], o[1], o[0] === current)); });
  }

  function fillFilters() {
    var p = params();
    // No status is the default queue, the open items; "all" is every status.
    fillSelect($('f-status'), [['', t('openStatuses')], ['all', t('any')]].concat(
      VK.STATUSES.map(function (s) { return [s, VK.statusName(s)]; })), p.get('status') || '');
    fillSelect($('f-category'), [['', t('any')]].concat(ref.categories.map(function (c) {
      return [c.id, VK.localName(c.name)];
    })), p.get('category') || '');
    fillSelect($('f-district'), [['', t('any')], ['none', t('noDistrict')]].concat(ref.districts.map(function (d) {
      return [d.properties.code, VK.localName(d.properties.name)];
    })), p.get('district') || '');
    fillSelect($('f-unit'), [['', t('any')], ['none', t('noUnit')]].concat(ref.units.map(function (u) {
      return [u.code, VK.localName(u.name)];
    })), p.get('unit') || '');
    // Assigned to: me, nobody, or one person by name (GET /api/v1/staff/assignees).
    var who = p.get('assignee') || '';
    var people = ref.assignees.map(function (a) { return a.name; });
    if (who && who !== 'me' && who !== 'none' && people.indexOf(who) < 0) people.push(who);
    fillSelect($('f-assignee'), [['', t('any')], ['me', t('assigneeMe')], ['none', t('noAssignee')]].concat(
      people.map(function (n) { return [n, n]; })), who);
    var age = p.get('older_than_days') ? 'older_than_days=' + p.get('older_than_days')
      : p.get('newer_than_days') ? 'newer_than_days=' + p.get('newer_than_days') : '';
    fillSelect($('f-age'), AGES.map(function (a) { return [a, t(a ? 'age_' + a.replace('=', '_') : 'any')]; }), age);
    fillSelect($('f-answered'), [['', t('any')], ['false', t('notAnswered')], ['true', t('answeredYes')]],
      p.get('answered') || '');
    fillSelect($('f-visibility'), [['', t('visDefault')], ['all', t('visAll')], ['public', t('vis_public')],
      ['hidden', t('vis_hidden')], ['withdrawn', t('vis_withdrawn')]], p.get('visibility') || '');
  }

  // The form's choices as the API's query (without paging).
  function formQuery() {
    var q = new URLSearchParams();
    ['status', 'category', 'district', 'unit', 'assignee', 'answered', 'visibility'].forEach(function (k) {
      var v = $('f-' + k).value;
      if (v) q.set(k, v);
    });
    var age = $('f-age').value;
    if (age) q.set(age.split('=')[0], age.split('=')[1]);
    return q;
  }

  /* ---------- the list ---------- */

  function catName(id) {
    var c = ref.categories.filter(function (x) { return x.id === id; })[0];
    return c ? VK.localName(c.name) : id;
  }
  function districtName(code) {
    if (!code) return t('noDistrict');
    var d = ref.districts.filter(function (x) { return x.properties.code === code; })[0];
    return d ? VK.localName(d.properties.name) : code;
  }
  function unitName(code) {
    if (!code) return t('noUnit');
    var u = ref.units.filter(function (x) { return x.code === code; })[0];
    return u ? VK.localName(u.name) : code;
  }

  function shorten(s, n) { return s && s.length > n ? s.slice(0, n - 1) + '…' : (s || ''); }

  function renderList() {
    var body = $('inbox-body');
    body.textContent = '';
    view.features.forEach(function (f) {
      var p = f.properties, tr = document.createElement('tr');
      var sel = VK.el('td', { class: 'cell-select' });
      var box = VK.el('input', { type: 'checkbox', class: 'row-select', value: String(f.id),
        'aria-label': t('selectItem', { id: f.id }) });
      box.checked = !!selected[f.id];
      box.addEventListener('change', function () { selected[f.id] = box.checked; if (!box.checked) delete selected[f.id]; bulkCount(); });
      sel.appendChild(box);
      tr.appendChild(sel);
      var th = VK.el('th', { scope: 'row' });
      // The item page keeps the queue: its "back" and "save and next" stay in it.
      var a = VK.el('a', { href: S.itemHref(f.id, location.search), 'data-id': String(f.id) },
        t('itemLink', { id: f.id }));
      th.appendChild(a);
      tr.appendChild(th);
      tr.appendChild(VK.el('td', {}, VK.formatDate(p.created)));
      tr.appendChild(VK.el('td', {}, catName(p.category)));
      var d = VK.el('td', { class: 'cell-description' }, shorten(p.description, 120));
      if (p.visibility && p.visibility !== 'public') {
        d.appendChild(VK.el('span', { class: 'tag' }, ' ' + t('vis_' + p.visibility)));
      }
      tr.appendChild(d);
      tr.appendChild(VK.el('td', {}, districtName(p.district)));
      tr.appendChild(VK.el('td', {}, unitName(p.unit)));
      tr.appendChild(VK.el('td', {}, VK.statusName(p.status)));
      tr.appendChild(VK.el('td', {}, p.answered ? VK.formatDate(p.answered) : t('notAnsweredShort')));
      body.appendChild(tr);
    });
    if (!view.features.length) {
      var tr = document.createElement('tr');
      tr.appendChild(VK.el('td', { colspan: '9' }, t('noItems')));
      body.appendChild(tr);
    }
    var from = view.features.length ? view.offset + 1 : 0;
    $('list-count').textContent = t('countText', {
      from: VK.formatNumber(from), to: VK.formatNumber(view.offset + view.features.length),
      n: view.matched, total: VK.formatNumber(view.matched)
    });
    $('page-prev').hidden = view.offset === 0;
    $('page-next').hidden = view.offset + view.features.length >= view.matched;
    bulkCount();
    drawItems();
  }

  function load(announceIt) {
    var q = S.queueApiQuery(location.search);
    q.set('limit', String(PAGE));
    view.offset = Number(params().get('offset')) || 0;
    if (view.offset) q.set('offset', String(view.offset));
    S.clearErrors($('filter-form'));
    return VK.getJSON('/api/v1/staff/feedback?' + q.toString()).then(function (fc) {
      view.features = fc.features;
      view.matched = fc.numberMatched;
      renderList();
      if (announceIt) S.announce($('list-count').textContent);
    }, function (err) {
      S.showApiError($('filter-form'), err, {
        status: 'f-status', category: 'f-category', district: 'f-district', unit: 'f-unit',
        assignee: 'f-assignee', older_than_days: 'f-age', newer_than_days: 'f-age', answered: 'f-answered',
        visibility: 'f-visibility'
      });
    });
  }

  function go(query, offset) {
    var q = new URLSearchParams(query);
    var lang = params().get('lang');
    if (lang) q.set('lang', lang);
    if (offset) q.set('offset', String(offset));
    history.pushState(null, '', location.pathname + (q.toString() ? '?' + q.toString() : ''));
    return load(true);
  }

  function currentQuery() {
    var q = params();
    q.delete('lang');
    q.delete('offset');
    return q;
  }

  /* ---------- bulk actions on the selected rows ---------- */

  var selected = {}; // item id → true, kept across pages of the same filters
  var BULK_FIELDS = { status: 'b-status', unit: 'b-unit', assignee: 'b-assignee', merge_into: 'b-into',
    public_answer: 'b-answer', resolution_reason: 'b-status', forwarded_to: 'b-status', duplicate_of: 'b-status',
    ids: 'b-action' };
  var BULK_ACTIONS = ['status', 'unit', 'assignee', 'merge'];

  function selectedIds() { return Object.keys(selected).map(Number); }

  function bulkCount() {
    var n = selectedIds().length;
    $('bulk-count').textContent = t('bulkCount', { n: n, count: VK.formatNumber(n) });
    $('b-submit').disabled = n === 0;
    var boxes = document.querySelectorAll('.row-select');
    $('select-all').checked = boxes.length > 0 && Array.prototype.every.call(boxes, function (b) { return b.checked; });
  }

  function fillBulk() {
    var a = $('b-action'), av = a.value || 'status';
    a.textContent = '';
    BULK_ACTIONS.forEach(function (x) { a.appendChild(S.option(x, t('bulk_' + x), x === av)); });
    var s = $('b-status'), sv = s.value || 'in_progress';
    s.textContent = '';
    VK.STATUSES.filter(function (x) { return x !== 'duplicate'; })
      .forEach(function (x) { s.appendChild(S.option(x, VK.statusName(x), x === sv)); });
    var u = $('b-unit'), uv = u.value;
    u.textContent = '';
    ref.units.forEach(function (x) { u.appendChild(S.option(x.code, VK.localName(x.name), x.code === uv)); });
    showBulkFields();
  }

  function showBulkFields() {
    var a = $('b-action').value;
    $('b-status-field').hidden = a !== 'status';
    $('b-unit-field').hidden = a !== 'unit';
    $('b-assignee-field').hidden = a !== 'assignee';
    $('b-into-field').hidden = a !== 'merge';
  }

  function submitBulk(e) {
    e.preventDefault();
    var form = $('bulk-form'), a = $('b-action').value, body = { ids: selectedIds() };
    if (!body.ids.length) return;
    if (a === 'status') body.status = $('b-status').value;
    if (a === 'unit') body.unit = $('b-unit').value;
    if (a === 'assignee') body.assignee = $('b-assignee').value.trim() || null;
    if (a === 'merge') {
      var n = Number($('b-into').value.trim());
      if (!Number.isInteger(n) || n <= 0) {
        S.showError(form, { status: 400, field: 'merge_into', message: t('errId') }, BULK_FIELDS);
        return;
      }
      body.merge_into = n;
    }
    if ($('b-answer').value.trim()) body.public_answer = $('b-answer').value.trim();
    VK.api('POST', '/api/v1/staff/feedback/bulk', body).then(function (r) {
      selected = {};
      $('b-answer').value = '';
      S.clearErrors(form);
      return load(false).then(function () { S.announce(t('bulkDone', { n: r.count, count: VK.formatNumber(r.count) })); });
    }, function (err) { S.showApiError(form, err, BULK_FIELDS); });
  }

  /* ---------- the map (the table holds everything it shows) ---------- */

  function initMap(cfg) {
    if (!window.L || map) return;
    map = VK.map.create('map', cfg);
    VK.map.zoomControl(map);
    map.setView(VK.map.centre(cfg), VK.map.zoom(cfg));
    districtLayer = L.geoJSON({ type: 'FeatureCollection', features: ref.districts }, {
      interactive: false,
      style: function () { return VK.map.DISTRICT_STYLE; }
    }).addTo(map);
    itemLayer = L.layerGroup().addTo(map);
  }

  function drawItems() {
    if (!itemLayer) return;
    itemLayer.clearLayers();
    var style = { color: '#063a5e', weight: 3, fillColor: '#0a4f7e', fillOpacity: 0.6, radius: 8 };
    view.features.forEach(function (f) {
      if (!f.geometry) return;
      L.geoJSON(f, {
        pointToLayer: function (feat, ll) { return L.circleMarker(ll, style); },
        style: function () { return style; }
      }).bindTooltip(VK.textNode('span', t('itemLink', { id: f.id }) + ': ' + shorten(f.properties.description, 60)))
        .on('click', function () { location.href = S.itemHref(f.id, location.search); })
        .addTo(itemLayer);
    });
  }

  /* ---------- sign-in ---------- */

  function showSignIn() {
    $('signed-out').hidden = true;
    $('signin-section').hidden = false;
    $('page-heading').textContent = t('signInHeading');
    $('page-heading').setAttribute('data-i18n', 'signInHeading');
  }

  function signIn(e) {
    e.preventDefault();
    var form = $('signin-form');
    S.clearErrors(form);
    var name = $('signin-name').value.trim(), pw = $('signin-password').value;
    if (!name || !pw) {
      S.showError(form, { status: 400, field: name ? 'password' : 'name', message: t('errRequired') },
        { name: 'signin-name', password: 'signin-password' });
      return;
    }
    VK.api('POST', '/api/v1/auth/login', { name: name, password: pw }).then(function (who) {
      VK.setCsrfToken(who.csrf);
      var next = params().get('next');
      // Only back to one of our own staff pages.
      if (next && /^\/staff[\w-]*\.html(\?[^#]*)?$/.test(next)) {
        location.href = next;
        return null;
      }
      $('signin-password').value = '';
      $('signin-section').hidden = true;
      $('page-heading').textContent = t('inboxH1');
      $('page-heading').setAttribute('data-i18n', 'inboxH1');
      return VKStaff.checkSession().then(function (me) {
        S.announce(t('signedIn', { name: me.name }));
        return onSignedIn(me);
      }).then(function () { $('main').focus(); });
    }, function (err) {
      if (err.status === 401) err = { status: 400, field: 'password', message: t('errWrongLogin') };
      if (err.status === 429) err = { status: 400, field: '', message: t('errThrottled') };
      S.showError(form, err, { name: 'signin-name', password: 'signin-password' });
    });
  }

  function onSignedIn() {
    // Each role lands where it works (VKStaff.home): the staff pages' front
    // door (/staff.html without a queue in its address), on signing in or
    // later, opens a planner's own page, not the moderators' inbox; an
    // inbox address with filters stays the inbox (read-only for planners).
    var who = S.me();
    if (who && !S.queueParams(location.search).toString() && S.home(who.role) !== location.pathname) {
      location.replace(S.home(who.role));
      return new Promise(function () { /* the page is going away */ });
    }
    var first = ref.loaded ? Promise.resolve(null) : Promise.all([
      VK.getJSON('/api/v1/categories'), VK.getJSON('/api/v1/districts'), VK.getJSON('/api/v1/units'),
      VK.getJSON('/api/v1/config').catch(function () { return null; }),
      VK.getJSON('/api/v1/staff/assignees').catch(function () { return { assignees: [] }; })
    ]).then(function (r) {
      ref.assignees = r[4].assignees;
      ref.categories = r[0].categories;
      ref.districts = r[1].features;
      ref.units = r[2].units;
      ref.loaded = true;
      fillFilters();
      fillBulk();
      initMap(r[3]);
    });
    var me = S.me();
    $('bulk-form').hidden = !me || (me.role !== 'moderator' && me.role !== 'admin');
    // Without a relay, staff should know that residents are not mailed.
    VK.getJSON('/healthz').then(function (h) {
      $('mail-mode').hidden = h.mail !== 'outbox only';
    }).catch(function () { /* the inbox works without it */ });
    return first.then(function () { return load(false); });
  }

  // j and k walk the table's item links, as they walk the queue on an item page.
  function moveRow(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll('#inbox-body th a'));
    if (!links.length || $('inbox-section').hidden) return;
    var at = links.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
    links[next].focus();
  }

  document.addEventListener('DOMContentLoaded', function () {
    S.shortcuts({ j: function () { moveRow(1); }, k: function () { moveRow(-1); } });
    $('bulk-form').addEventListener('submit', submitBulk);
    $('b-action').addEventListener('change', showBulkFields);
    $('select-all').addEventListener('change', function () {
      var on = $('select-all').checked;
      document.querySelectorAll('.row-select').forEach(function (b) {
        b.checked = on;
        if (on) selected[b.value] = true; else delete selected[b.value];
      });
      bulkCount();
    });
    $('signin-form').addEventListener('submit', signIn);
    $('filter-form').addEventListener('submit', function (e) {
      e.preventDefault();
      go(formQuery(), 0);
    });
    $('filter-form').addEventListener('reset', function (e) {
      e.preventDefault();
      go(new URLSearchParams(), 0).then(fillFilters);
    });
    $('page-prev').addEventListener('click', function () {
      go(currentQuery(), Math.max(0, view.offset - PAGE)).then(function () { $('list-heading').focus(); });
    });
    $('page-next').addEventListener('click', function () {
      go(currentQuery(), view.offset + PAGE).then(function () { $('list-heading').focus(); });
    });
    window.addEventListener('popstate', function () {
      if (!S.me()) return;
      fillFilters();
      load(true);
    });
    S.start({
      onSignedIn: onSignedIn,
      onSignedOut: showSignIn,
      onLanguage: function () {
        if (!ref.loaded) return;
        fillFilters();
        fillBulk();
        renderList();
      }
    });
  });
})();
