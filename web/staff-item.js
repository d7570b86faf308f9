/*
 * staff-item.js — staff-item.html?id=N: one item with everything staff may
 * see, its history and audit trail, and the forms that change it: handling
 * (status with its detail, unit, public answer, internal note), moderation
 * (hide, edit personal data out of the description) and merging into
 * another item. Moderators and admins get the forms; other roles read.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, t = VK.t, $ = VK.$;
  var id = Number(new URLSearchParams(location.search).get('id')) || 0;
  var ref = { categories: [], districts: [], units: [] };
  var data = null; // the last GET answer

  // Which detail field each outcome needs (the API refuses it elsewhere).
  var DETAIL = { not_resolvable: 'c-reason', duplicate: 'c-duplicate', forwarded: 'c-forwarded' };
  var CHANGE_FIELDS = {
    status: 'c-status', unit: 'c-unit', public_answer: 'c-answer', internal_note: 'c-note',
    resolution_reason: 'c-reason', duplicate_of: 'c-duplicate', forwarded_to: 'c-forwarded'
  };

  function canChange() {
    var me = S.me();
    return !!me && (me.role === 'moderator' || me.role === 'admin');
  }

  function nameOf(list, key, value, fallback) {
    var hit = list.filter(function (x) { return key(x) === value; })[0];
    return hit ? VK.localName(hit.name || hit.properties.name) : (value || fallback);
  }

  function staffInfo() {
    var p = data.feedback.properties, s = data.staff || {};
    return {
      visibility: s.visibility || p.visibility || 'public',
      me_too: s.me_too !== undefined ? s.me_too : (p.me_too || 0),
      contact: s.contact || null,
      original: s.description_original || null
    };
  }

  /* ---------- reading ---------- */

  function addRow(dl, label, value) {
    if (value === null || value === undefined || value === '') return;
    dl.appendChild(VK.el('dt', {}, label));
    dl.appendChild(VK.el('dd', {}, String(value)));
  }

  function renderDetails() {
    var f = data.feedback, p = f.properties, info = staffInfo(), dl = $('details');
    $('page-heading').textContent = t('itemHeading', { id: f.id });
    document.title = t('itemHeading', { id: f.id }) + ' – Vaikuta';
    dl.textContent = '';
    addRow(dl, t('description'), p.description);
    addRow(dl, t('place'), p.place);
    addRow(dl, t('fCategory'), nameOf(ref.categories, function (c) { return c.id; }, p.category));
    addRow(dl, t('fDistrict'), p.district ? nameOf(ref.districts, function (d) { return d.properties.code; }, p.district)
      : t('noDistrict'));
    addRow(dl, t('colCreated'), VK.formatDate(p.created, true));
    addRow(dl, t('updated'), VK.formatDate(p.updated, true));
    addRow(dl, t('fStatus'), VK.statusName(p.status));
    addRow(dl, t('resolutionReason'), p.resolution_reason);
    if (p.duplicate_of) addRow(dl, t('duplicateOf'), p.duplicate_of);
    addRow(dl, t('forwardedTo'), p.forwarded_to);
    addRow(dl, t('fUnit'), p.unit ? nameOf(ref.units, function (u) { return u.code; }, p.unit) : t('noUnit'));
    addRow(dl, t('meToo'), VK.formatNumber(info.me_too));
    addRow(dl, t('fVisibility'), t('vis_' + info.visibility));
    addRow(dl, t('publicAnswer'), p.answer || t('notAnsweredShort'));
    if (p.answered) addRow(dl, t('colAnswered'), VK.formatDate(p.answered, true));
    if (info.contact) {
      var c = info.contact;
      addRow(dl, t('contact'), [c.name, c.email, c.phone].filter(Boolean).join(', ') || t('none'));
    }
    addRow(dl, t('descriptionOriginal'), info.original);
  }

  function renderHistory() {
    var ol = $('history'), body = $('audit-body');
    ol.textContent = '';
    body.textContent = '';
    data.events.forEach(function (ev) {
      var li = VK.el('li', { class: 'history-item' });
      li.appendChild(VK.el('p', { class: 'history-when' }, VK.formatDate(ev.at, true) + ' – ' + ev.actor + ' – ' + t('kind_' + ev.kind)));
      var what = S.changes(ev.after);
      if (what) li.appendChild(VK.el('p', {}, what));
      if (ev.public_answer) li.appendChild(VK.el('p', {}, t('publicAnswer') + ': ' + ev.public_answer));
      if (ev.internal_note) li.appendChild(VK.el('p', { class: 'note' }, t('internalNote') + ': ' + ev.internal_note));
      ol.appendChild(li);

      var tr = document.createElement('tr');
      tr.appendChild(VK.el('td', {}, VK.formatDate(ev.at, true)));
      tr.appendChild(VK.el('td', {}, ev.actor));
      tr.appendChild(VK.el('td', {}, t('kind_' + ev.kind)));
      tr.appendChild(VK.el('td', {}, S.changes(ev.before) || '–'));
      tr.appendChild(VK.el('td', {}, S.changes(ev.after) || '–'));
      body.appendChild(tr);
    });
    if (!data.events.length) {
      ol.appendChild(VK.el('li', {}, t('noEvents')));
      var tr = document.createElement('tr');
      tr.appendChild(VK.el('td', { colspan: '5' }, t('noEvents')));
      body.appendChild(tr);
    }
  }

  /* ---------- the forms ---------- */

  function fillForms() {
    var p = data.feedback.properties, info = staffInfo();
    var st = $('c-status'), keep = st.value || p.status;
    st.textContent = '';
    VK.STATUSES.forEach(function (s) { st.appendChild(S.option(s, VK.statusName(s), s === keep)); });
    var un = $('c-unit'), u = un.value || p.unit || '';
    un.textContent = '';
    un.appendChild(S.option('', t('noUnit'), !u));
    ref.units.forEach(function (x) { un.appendChild(S.option(x.code, VK.localName(x.name), x.code === u)); });
    $('m-hidden').checked = info.visibility === 'hidden';
    $('m-hidden').disabled = info.visibility === 'withdrawn';
    showDetailFields();
  }

  function resetForms() {
    var p = data.feedback.properties;
    $('c-status').value = p.status;
    $('c-unit').value = p.unit || '';
    ['c-reason', 'c-duplicate', 'c-forwarded', 'c-answer', 'c-note', 'g-into'].forEach(function (k) { $(k).value = ''; });
    $('m-description').value = p.description;
    fillForms();
  }

  function showDetailFields() {
    var st = $('c-status').value;
    Object.keys(DETAIL).forEach(function (s) { $(DETAIL[s] + '-field').hidden = st !== s; });
  }

  function refresh() {
    return VK.getJSON('/api/v1/staff/feedback/' + id).then(function (j) {
      data = j;
      renderDetails();
      renderHistory();
    });
  }

  function done(form, message) {
    return refresh().then(function () {
      resetForms();
      S.clearErrors(form);
      S.announce(message);
    });
  }

  function submitChange(e) {
    e.preventDefault();
    var form = $('change-form'), p = data.feedback.properties, body = {};
    var st = $('c-status').value;
    if (st !== p.status) body.status = st;
    if ($('c-unit').value && $('c-unit').value !== (p.unit || '')) body.unit = $('c-unit').value;
    var ans = $('c-answer').value.trim(), note = $('c-note').value.trim();
    if (ans) body.public_answer = ans;
    if (note) body.internal_note = note;
    if (st === 'not_resolvable' && $('c-reason').value.trim()) body.resolution_reason = $('c-reason').value.trim();
    if (st === 'forwarded' && $('c-forwarded').value.trim()) body.forwarded_to = $('c-forwarded').value.trim();
    if (st === 'duplicate' && $('c-duplicate').value.trim()) {
      var n = Number($('c-duplicate').value.trim());
      body.duplicate_of = Number.isInteger(n) && n > 0 ? n : $('c-duplicate').value.trim();
    }
    if (!Object.keys(body).length) {
      S.showError(form, { status: 400, field: 'status', message: t('errNothing') }, CHANGE_FIELDS);
      return;
    }
    VK.api('PATCH', '/api/v1/staff/feedback/' + id, body).then(function () {
      return done(form, t('changeSaved'));
    }, function (err) { S.showError(form, err, CHANGE_FIELDS); });
  }

  function submitModeration(e) {
    e.preventDefault();
    var form = $('moderate-form'), p = data.feedback.properties, info = staffInfo(), body = {};
    var hide = $('m-hidden').checked;
    if (info.visibility !== 'withdrawn' && hide !== (info.visibility === 'hidden')) body.hidden = hide;
    var desc = $('m-description').value.trim();
    if (desc !== p.description) body.description = desc;
    var fields = { hidden: 'm-hidden', description: 'm-description' };
    if (!Object.keys(body).length) {
      S.showError(form, { status: 400, field: 'description', message: t('errNothing') }, fields);
      return;
    }
    VK.api('PATCH', '/api/v1/staff/feedback/' + id, body).then(function () {
      return done(form, t('moderationSaved'));
    }, function (err) { S.showError(form, err, fields); });
  }

  function submitMerge(e) {
    e.preventDefault();
    var form = $('merge-form'), v = $('g-into').value.trim(), n = Number(v);
    if (!v || !Number.isInteger(n) || n <= 0) {
      S.showError(form, { status: 400, field: 'into', message: t('errId') }, { into: 'g-into' });
      return;
    }
    VK.api('POST', '/api/v1/staff/feedback/' + id + '/merge', { into: n }).then(function () {
      return done(form, t('merged', { id: n }));
    }, function (err) { S.showError(form, err, { into: 'g-into' }); });
  }

  function onSignedIn() {
    if (!id) {
      $('load-error').textContent = t('errNoItem');
      $('load-error').hidden = false;
      $('item').hidden = true;
      return null;
    }
    return Promise.all([
      VK.getJSON('/api/v1/categories'), VK.getJSON('/api/v1/districts'), VK.getJSON('/api/v1/units'),
      VK.getJSON('/api/v1/staff/feedback/' + id)
    ]).then(function (r) {
      ref.categories = r[0].categories;
      ref.districts = r[1].features;
      ref.units = r[2].units;
      data = r[3];
      var rw = canChange();
      document.querySelectorAll('[data-moderator]').forEach(function (f) { f.hidden = !rw; });
      $('read-only').hidden = rw;
      renderDetails();
      renderHistory();
      resetForms();
    }, function (err) {
      if (err.status === 401) { S.signedOut(); return; }
      $('item').hidden = true;
      $('load-error').textContent = err.status === 404 ? t('errNoItem') : t('errLoad') + ' ' + err.message;
      $('load-error').hidden = false;
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('c-status').addEventListener('change', showDetailFields);
    $('change-form').addEventListener('submit', submitChange);
    $('moderate-form').addEventListener('submit', submitModeration);
    $('merge-form').addEventListener('submit', submitMerge);
    S.start({
      onSignedIn: onSignedIn,
      onLanguage: function () {
        if (!data) return;
        renderDetails();
        renderHistory();
        fillForms();
      }
    });
  });
})();
