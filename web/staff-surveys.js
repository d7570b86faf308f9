/*
 * staff-surveys.js — staff-surveys.html: every survey with its state,
 * version and responses; planners and admins open one in the editor,
 * start a new one, duplicate one and move it along draft → published →
 * closed → archived (and reopen a closed one). Council reads the list.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, SS = VK.surveyStaff, t = VK.t, $ = VK.$, el = VK.el;
  var surveys = [];
  var writer = false;
  var DUP_FIELDS = { slug: 'dup-slug' };

  function editLink(s) {
    var a = el('a', { href: '/staff-survey-edit.html?slug=' + encodeURIComponent(s.slug) });
    a.appendChild(el('span', null, VK.localName(s.title) || s.slug));
    return a;
  }

  function actionButton(s, action) {
    var b = el('button', { type: 'button', class: 'button button-secondary button-small',
      'data-action': action, 'data-slug': s.slug }, SS.actionName(action));
    b.appendChild(el('span', 'visually-hidden', ' ' + (VK.localName(s.title) || s.slug)));
    b.addEventListener('click', function () { act(s, action); });
    return b;
  }

  function render() {
    var body = $('surveys-body');
    body.textContent = '';
    $('no-surveys').hidden = surveys.length > 0;
    surveys.forEach(function (s) {
      var tr = el('tr', { 'data-slug': s.slug });
      var th = el('th', { scope: 'row' });
      th.appendChild(editLink(s));
      th.appendChild(el('span', 'hint-inline survey-slug', ' /s/' + s.slug));
      tr.appendChild(th);
      tr.appendChild(el('td', 'survey-state', SS.stateName(s.state)));
      tr.appendChild(el('td', null, s.version ? String(s.version) : '–'));
      tr.appendChild(el('td', null, VK.formatNumber(s.responses || 0)));
      tr.appendChild(el('td', null, VK.formatDate(s.updated, true)));
      var td = el('td');
      var row = el('div', 'button-row');
      // Results exist once a survey has been published (docs/survey-results.md).
      if (s.state !== 'draft') {
        var r = el('a', { class: 'button button-secondary button-small', 'data-action': 'results',
          href: '/staff-survey-results.html?slug=' + encodeURIComponent(s.slug) }, t('rsResultsLink'));
        r.appendChild(el('span', 'visually-hidden', ' ' + (VK.localName(s.title) || s.slug)));
        row.appendChild(r);
      }
      if (writer) {
        SS.ACTIONS[s.state] && SS.ACTIONS[s.state].forEach(function (a) { row.appendChild(actionButton(s, a)); });
        var d = el('button', { type: 'button', class: 'button button-secondary button-small', 'data-action': 'duplicate' }, t('duplicate'));
        d.appendChild(el('span', 'visually-hidden', ' ' + (VK.localName(s.title) || s.slug)));
        d.addEventListener('click', function () { pickDuplicate(s.slug); });
        row.appendChild(d);
      }
      td.appendChild(row);
      tr.appendChild(td);
      body.appendChild(tr);
    });
    var sel = $('dup-source'), keep = sel.value;
    sel.textContent = '';
    surveys.forEach(function (s) { sel.appendChild(S.option(s.slug, (VK.localName(s.title) || s.slug) + ' (/s/' + s.slug + ')', s.slug === keep)); });
  }

  function load() {
    return SS.api.list().then(function (j) {
      surveys = j.surveys || [];
      render();
    });
  }

  function listError(err) {
    if (err && err.status === 401) { S.signedOut(); return; }
    var p = $('list-error');
    p.textContent = SS.errorText(err) + (err && err.field ? ' (' + err.field + ')' : '');
    p.hidden = false;
    p.setAttribute('tabindex', '-1');
    p.focus();
  }

  function act(s, action) {
    $('list-error').hidden = true;
    SS.api.action(s.slug, action).then(function () {
      return load().then(function () {
        S.announce(t('surveyActed_' + action, { title: VK.localName(s.title) || s.slug }));
        // Focus stays in the row, on its first button now there.
        var b = document.querySelector('#surveys-body tr[data-slug="' + CSS.escape(s.slug) + '"] button');
        if (b) b.focus();
      });
    }, listError);
  }

  function freeSlug(base) {
    var taken = {};
    surveys.forEach(function (s) { taken[s.slug] = true; });
    for (var n = 2; n < 1000; n++) {
      var c = base.replace(/-\d+$/, '') + '-' + n;
      if (!taken[c]) return c;
    }
    return base + '-copy';
  }

  function pickDuplicate(slug) {
    $('dup-source').value = slug;
    $('dup-slug').value = freeSlug(slug);
    S.clearErrors($('dup-form'));
    $('dup-heading').focus();
  }

  function submitDuplicate(e) {
    e.preventDefault();
    var form = $('dup-form');
    var from = $('dup-source').value, slug = $('dup-slug').value.trim();
    S.clearErrors(form);
    if (!from) return;
    if (!/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(slug)) {
      S.showError(form, { status: 400, field: 'slug', message: t('errSlug') }, DUP_FIELDS);
      return;
    }
    SS.api.duplicate(from, slug).then(function (r) {
      location.href = '/staff-survey-edit.html?slug=' + encodeURIComponent((r && r.slug) || slug) + '&duplicated=1';
    }, function (err) {
      S.showError(form, { status: err.status, code: err.code, field: 'slug',
        message: SS.errorText(err) }, DUP_FIELDS);
    });
  }

  function onSignedIn(me) {
    if (!SS.canRead(me)) {
      $('surveys').hidden = true;
      $('planners-only').hidden = false;
      return null;
    }
    writer = SS.canWrite(me);
    $('surveys-read-only').hidden = writer;
    document.querySelectorAll('[data-writer]').forEach(function (n) { n.hidden = !writer; });
    // staff-surveys.html?duplicate=SLUG (the editor's Duplicate) opens the
    // duplicate form for that survey.
    var dup = new URLSearchParams(location.search).get('duplicate');
    return load().then(function () {
      if (writer && dup && surveys.some(function (s) { return s.slug === dup; })) pickDuplicate(dup);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('dup-form').addEventListener('submit', submitDuplicate);
    $('dup-source').addEventListener('change', function () { $('dup-slug').value = freeSlug($('dup-source').value); });
    S.start({
      bundles: ['surveyedit', 'results'],
      onSignedIn: onSignedIn,
      onLanguage: function () { if (surveys.length) render(); }
    });
  });
})();
