/*
 * staff-replies.js — staff-replies.html: the canned replies of
 * GET /api/v1/staff/replies; admins add, change and delete them (POST,
 * PUT, DELETE). Other staff read the list; moderators use the replies on
 * the item page.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, t = VK.t, $ = VK.$;
  var FIELDS = { title: 'r-title', category: 'r-category', status: 'r-status', body: 'r-fi',
    'body.fi': 'r-fi', 'body.sv': 'r-sv', 'body.en': 'r-en' };
  var ref = { categories: [] };
  var list = [];
  var editing = 0; // the reply in the form; 0 = a new one

  function isAdmin() { var me = S.me(); return !!me && me.role === 'admin'; }

  function catName(id) {
    if (!id) return t('replyAnyCategory');
    var c = ref.categories.filter(function (x) { return x.id === id; })[0];
    return c ? VK.localName(c.name) : id;
  }

  function render() {
    var body = $('replies-body');
    body.textContent = '';
    list.forEach(function (r) {
      var tr = document.createElement('tr');
      tr.appendChild(VK.el('th', { scope: 'row' }, r.title));
      tr.appendChild(VK.el('td', {}, catName(r.category)));
      tr.appendChild(VK.el('td', {}, r.status ? VK.statusName(r.status) : t('replyAnyStatus')));
      tr.appendChild(VK.el('td', {}, ['fi', 'sv', 'en'].filter(function (l) { return r.body[l]; }).join(', ')));
      var td = VK.el('td', {});
      if (isAdmin()) {
        var ed = VK.el('button', { type: 'button', class: 'button button-secondary', 'data-edit': String(r.id) },
          t('replyEdit', { title: r.title }));
        ed.addEventListener('click', function () { edit(r); });
        var del = VK.el('button', { type: 'button', class: 'button button-secondary', 'data-delete': String(r.id) },
          t('replyDelete', { title: r.title }));
        del.addEventListener('click', function () { remove(r); });
        td.appendChild(ed);
        td.appendChild(document.createTextNode(' '));
        td.appendChild(del);
      }
      tr.appendChild(td);
      body.appendChild(tr);
    });
    if (!list.length) {
      var tr = document.createElement('tr');
      tr.appendChild(VK.el('td', { colspan: '5' }, t('repliesNone')));
      body.appendChild(tr);
    }
  }

  function fillSelects() {
    var c = $('r-category'), cv = c.value, s = $('r-status'), sv = s.value;
    c.textContent = '';
    c.appendChild(S.option('', t('replyAnyCategory'), !cv));
    ref.categories.forEach(function (x) { c.appendChild(S.option(x.id, VK.localName(x.name), x.id === cv)); });
    s.textContent = '';
    s.appendChild(S.option('', t('replyAnyStatus'), !sv));
    VK.STATUSES.forEach(function (x) { s.appendChild(S.option(x, VK.statusName(x), x === sv)); });
  }

  function edit(r) {
    editing = r ? r.id : 0;
    $('r-title').value = r ? r.title : '';
    $('r-category').value = r && r.category ? r.category : '';
    $('r-status').value = r && r.status ? r.status : '';
    ['fi', 'sv', 'en'].forEach(function (l) { $('r-' + l).value = r && r.body[l] ? r.body[l] : ''; });
    $('form-heading').textContent = r ? t('replyEditing', { title: r.title }) : t('replyNew');
    S.clearErrors($('reply-form'));
    if (r) $('r-title').focus();
  }

  function load() {
    return VK.getJSON('/api/v1/staff/replies').then(function (j) {
      list = j.replies;
      render();
    });
  }

  function submit(e) {
    e.preventDefault();
    var form = $('reply-form'), body = { title: $('r-title').value.trim(), body: {} };
    if ($('r-category').value) body.category = $('r-category').value;
    if ($('r-status').value) body.status = $('r-status').value;
    ['fi', 'sv', 'en'].forEach(function (l) { if ($('r-' + l).value.trim()) body.body[l] = $('r-' + l).value.trim(); });
    if (!body.title) body.title = undefined;
    var was = editing;
    VK.api(was ? 'PUT' : 'POST', '/api/v1/staff/replies' + (was ? '/' + was : ''), body).then(function (r) {
      return load().then(function () {
        edit(null);
        S.announce(t('replySaved', { title: r.title }));
      });
    }, function (err) { S.showApiError(form, err, FIELDS); });
  }

  function remove(r) {
    VK.api('DELETE', '/api/v1/staff/replies/' + r.id).then(function () {
      return load().then(function () {
        if (editing === r.id) edit(null);
        S.announce(t('replyDeleted', { title: r.title }));
        $('list-heading').focus();
      });
    }, function (err) { S.showApiError($('reply-form'), err, FIELDS); });
  }

  function onSignedIn() {
    return Promise.all([VK.getJSON('/api/v1/categories'), load()]).then(function (r) {
      ref.categories = r[0].categories;
      fillSelects();
      $('reply-form').hidden = !isAdmin();
      render();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('reply-form').addEventListener('submit', submit);
    $('r-cancel').addEventListener('click', function () { edit(null); $('r-title').focus(); });
    S.start({
      onSignedIn: onSignedIn,
      onLanguage: function () {
        if (!S.me()) return;
        fillSelects();
        render();
        if (!editing) $('form-heading').textContent = t('replyNew');
      }
    });
  });
})();
