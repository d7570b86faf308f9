/*
 * staff-audit.js — staff-audit.html (admins): the audit log of
 * GET /api/v1/staff/audit, feedback handling and account events in one
 * table, newest first, a page at a time. The filters (type, actor) start
 * again from the newest; "Older events" follows the page's `next` cursor,
 * "Newest" goes back to the start. Every value is shown in words in the
 * page's language; item and account targets link to their pages.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, t = VK.t, $ = VK.$;
  var PAGE = 50;
  var FIELDS = { type: 'f-type', actor: 'f-actor' };
  // The page shown: its events, the filters and cursor that fetched it.
  var view = { events: [], next: null, before: null, filters: { type: '', actor: '' } };

  // A word for a kind: feedback kinds share the item page's strings.
  function kindName(kind) {
    var s = t('kind_' + kind);
    return s === 'kind_' + kind ? kind : s;
  }

  function actorName(actor) {
    if (actor === 'anonymous') return t('actorAnonymous');
    if (actor === 'cli') return t('actorCli', { login: '?' });
    if (actor.indexOf('cli:') === 0) return t('actorCli', { login: actor.slice(4) });
    return actor;
  }

  // The item or account an event is about, linked where it has a page.
  function targetCell(ev) {
    var td = document.createElement('td');
    if (ev.type === 'feedback') {
      td.appendChild(VK.el('a', { href: '/staff-item.html?id=' + ev.feedback_id }, t('itemLink', { id: ev.feedback_id })));
    } else if (ev.kind === 'token_create' || ev.kind === 'token_revoke') {
      td.textContent = t('targetToken', { name: ev.target });
    } else if (ev.kind === 'sign_in_failed' && ev.after && ev.after.reason === 'no_such_user') {
      td.textContent = t('targetUnknown', { name: ev.target });
    } else {
      td.appendChild(VK.el('a', { href: '/staff-users.html?name=' + encodeURIComponent(ev.target) },
        t('targetAccount', { name: ev.target })));
    }
    if (ev.client_addr) td.appendChild(VK.el('span', { class: 'hint-inline' }, ' ' + t('fromAddress', { addr: ev.client_addr })));
    return td;
  }

  // Before and after in words, with the feedback event's answer and note.
  function afterText(ev) {
    var parts = [S.changes(ev.after)];
    if (ev.public_answer) parts.push(t('publicAnswer') + ': ' + ev.public_answer);
    if (ev.internal_note) parts.push(t('internalNote') + ': ' + ev.internal_note);
    return parts.filter(Boolean).join('; ') || '–';
  }

  function render() {
    var body = $('events-body');
    body.textContent = '';
    view.events.forEach(function (ev) {
      var tr = document.createElement('tr');
      tr.appendChild(VK.el('th', { scope: 'row' }, VK.formatDate(ev.at, true)));
      tr.appendChild(VK.el('td', {}, actorName(ev.actor)));
      tr.appendChild(VK.el('td', {}, kindName(ev.kind)));
      tr.appendChild(targetCell(ev));
      tr.appendChild(VK.el('td', {}, S.changes(ev.before) || '–'));
      tr.appendChild(VK.el('td', {}, afterText(ev)));
      body.appendChild(tr);
    });
    $('no-events').hidden = view.events.length > 0;
    $('events-summary').textContent = view.events.length
      ? t('auditShowing', { n: view.events.length }) : '';
    $('older').hidden = !view.next;
    $('newest').hidden = !view.before;
  }

  // Fetch one page: filters as given, from the cursor `before` (null: the
  // newest). Resolves true when it was shown.
  function fetchPage(filters, before) {
    var form = $('filter-form');
    var q = new URLSearchParams({ limit: String(PAGE) });
    if (filters.type) q.set('type', filters.type);
    if (filters.actor) q.set('actor', filters.actor);
    if (before) q.set('before', before);
    return VK.getJSON('/api/v1/staff/audit?' + q.toString()).then(function (j) {
      S.clearErrors(form);
      view = { events: j.events, next: j.next, before: before, filters: filters };
      render();
      S.announce(view.events.length ? t('auditShowing', { n: view.events.length }) : t('auditNone'));
      return true;
    }, function (err) {
      S.showError(form, err, FIELDS);
      return false;
    });
  }

  function currentFilters() {
    return { type: $('f-type').value, actor: $('f-actor').value.trim() };
  }

  // A new page moves focus to the table's heading: the button pressed may
  // have gone.
  function page(before) {
    fetchPage(view.filters, before).then(function (ok) { if (ok) $('events-heading').focus(); });
  }

  function onSignedIn(me) {
    if (me.role !== 'admin') {
      $('audit').hidden = true;
      $('admins-only').hidden = false;
      return null;
    }
    return fetchPage(currentFilters(), null);
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('filter-form').addEventListener('submit', function (e) {
      e.preventDefault();
      fetchPage(currentFilters(), null);
    });
    $('older').addEventListener('click', function () { page(view.next); });
    $('newest').addEventListener('click', function () { page(null); });
    S.start({
      onSignedIn: onSignedIn,
      onLanguage: function () { if (S.me()) render(); }
    });
  });
})();
