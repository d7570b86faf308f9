/*
 * staff-mail.js — staff-mail.html (admins): the e-mail outbox of
 * GET /api/v1/staff/mail/outbox. Whether mail is sent at all ("outbox
 * only" without --smtp), the messages by state, and the failed ones with
 * the relay's reason and a button that queues one again
 * (POST …/outbox/{id}/retry). No message text is shown: only its kind,
 * subject and recipient, which admins may see. Then the units' mail
 * settings (GET /api/v1/staff/units), each row saved on its own (PATCH
 * /api/v1/staff/units/{code}): address, language, daily digest.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, t = VK.t, $ = VK.$;
  var STATES = ['queued', 'sent', 'failed', 'cancelled'];
  var view = null;

  function kindName(kind) {
    var s = t('mailKind_' + kind);
    return s === 'mailKind_' + kind ? kind : s;
  }

  function render() {
    if (!view) return;
    $('mode-outbox').hidden = view.mode !== 'outbox only';
    $('mode-relay').hidden = view.mode === 'outbox only';
    var dl = $('counts');
    dl.textContent = '';
    STATES.forEach(function (st) {
      dl.appendChild(VK.el('dt', null, t('mailState_' + st)));
      dl.appendChild(VK.el('dd', { id: 'count-' + st }, VK.formatNumber(view.counts[st] || 0)));
    });
    var body = $('failed-body');
    body.textContent = '';
    view.failed.forEach(function (m) {
      var tr = document.createElement('tr');
      tr.appendChild(VK.el('th', { scope: 'row' }, VK.formatDate(m.created_at, true)));
      tr.appendChild(VK.el('td', null, m.recipient));
      var what = VK.el('td', null, kindName(m.kind) + ': ' + m.subject);
      if (m.feedback_id) {
        what.appendChild(document.createTextNode(' '));
        what.appendChild(VK.el('a', { href: '/staff-item.html?id=' + m.feedback_id }, t('itemLink', { id: m.feedback_id })));
      }
      tr.appendChild(what);
      tr.appendChild(VK.el('td', null, (m.last_error || '–') + ' ' + t('mailAttempts', { n: m.attempts })));
      var act = document.createElement('td');
      var b = VK.el('button', { type: 'button', class: 'button button-secondary', 'data-id': String(m.id),
        'aria-label': t('mailRetryLabel', { id: m.id, to: m.recipient }) }, t('mailRetry'));
      b.addEventListener('click', function () { retry(m, b); });
      act.appendChild(b);
      tr.appendChild(act);
      body.appendChild(tr);
    });
    $('no-failed').hidden = view.failed.length > 0;
  }

  /* ---------- the units' addresses (GET/PATCH /api/v1/staff/units) ---------- */

  function unitRow(u) {
    var name = VK.localName(u.name) || u.code;
    var tr = VK.el('tr', { 'data-unit': u.code });
    tr.appendChild(VK.el('th', { scope: 'row' }, name));
    var email = VK.el('input', { type: 'email', id: 'unit-email-' + u.code, maxlength: '254', autocomplete: 'off',
      'aria-label': t('mailUnitEmailLabel', { unit: name }), 'aria-describedby': 'unit-error-' + u.code });
    email.value = u.email || '';
    var td = VK.el('td');
    td.appendChild(email);
    td.appendChild(VK.el('p', { id: 'unit-error-' + u.code, class: 'field-error', hidden: 'hidden' }));
    tr.appendChild(td);
    var lang = VK.el('select', { id: 'unit-lang-' + u.code, 'aria-label': t('mailUnitLangLabel', { unit: name }) });
    [['fi', 'Suomi'], ['sv', 'Svenska'], ['en', 'English']].forEach(function (l) {
      lang.appendChild(VK.el('option', { value: l[0], lang: l[0] }, l[1]));
    });
    lang.value = u.language || 'fi';
    td = VK.el('td');
    td.appendChild(lang);
    tr.appendChild(td);
    var digest = VK.el('input', { type: 'checkbox', id: 'unit-digest-' + u.code,
      'aria-label': t('mailUnitDigestLabel', { unit: name }) });
    digest.checked = !!u.digest;
    td = VK.el('td', 'checkbox');
    td.appendChild(digest);
    tr.appendChild(td);
    var b = VK.el('button', { type: 'button', class: 'button button-secondary', id: 'unit-save-' + u.code,
      'aria-label': t('mailUnitSaveLabel', { unit: name }) }, t('mailUnitSave'));
    b.addEventListener('click', function () { saveUnit(u, name, email, lang, digest, b); });
    td = VK.el('td');
    td.appendChild(b);
    tr.appendChild(td);
    return tr;
  }

  function renderUnits() {
    var body = $('units-body');
    body.textContent = '';
    (units || []).forEach(function (u) { body.appendChild(unitRow(u)); });
  }

  function saveUnit(u, name, email, lang, digest, button) {
    var err = $('unit-error-' + u.code);
    button.disabled = true;
    VK.api('PATCH', '/api/v1/staff/units/' + encodeURIComponent(u.code), {
      email: email.value.trim() || null, language: lang.value, digest: digest.checked
    }).then(function (j) {
      button.disabled = false;
      u.email = j.email;
      u.language = j.language;
      u.digest = j.digest;
      err.hidden = true;
      email.removeAttribute('aria-invalid');
      S.announce(t('mailUnitSaved', { unit: name }));
    }, function (e) {
      button.disabled = false;
      err.textContent = S.errorText(e);
      err.hidden = false;
      email.setAttribute('aria-invalid', 'true');
      email.focus();
    });
  }

  var units = null;

  function load() {
    return Promise.all([
      VK.getJSON('/api/v1/staff/mail/outbox?limit=1'),
      VK.getJSON('/api/v1/staff/mail/outbox?state=failed&limit=200'),
      units ? null : VK.getJSON('/api/v1/staff/units')
    ]).then(function (r) {
      view = { mode: r[0].mode, counts: r[0].counts, failed: r[1].messages };
      render();
      if (r[2]) {
        units = r[2].units;
        renderUnits();
      }
    });
  }

  function retry(m, button) {
    button.disabled = true;
    VK.api('POST', '/api/v1/staff/mail/outbox/' + m.id + '/retry').then(function () {
      return load().then(function () {
        S.announce(t('mailRetried', { id: m.id }));
        $('failed-heading').focus();
      });
    }, function (err) {
      button.disabled = false;
      S.announce(t('mailRetryFailed', { message: err.message }));
    });
  }

  function onSignedIn(me) {
    if (me.role !== 'admin') {
      $('mail').hidden = true;
      $('admins-only').hidden = false;
      return null;
    }
    return load();
  }

  document.addEventListener('DOMContentLoaded', function () {
    S.start({
      onSignedIn: onSignedIn,
      onLanguage: function () { if (S.me()) { render(); renderUnits(); } }
    });
  });
})();
