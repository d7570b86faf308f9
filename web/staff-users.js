/*
 * staff-users.js — staff-users.html (admins): the accounts, one form to
 * change an account (role, disabled, a new password) and one to add one.
 * "Edit" in a row picks that account in the change form and moves there,
 * as does ?name=N in the address.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, t = VK.t, $ = VK.$;
  var users = [];
  var EDIT_FIELDS = { name: 'e-name', role: 'e-role', disabled: 'e-disabled', password: 'e-password' };
  var ADD_FIELDS = { name: 'a-name', role: 'a-role', password: 'a-password' };

  function roleOptions(sel, current) {
    sel.textContent = '';
    S.ROLES.forEach(function (r) { sel.appendChild(S.option(r, S.roleName(r), r === current)); });
  }

  function selected() {
    var name = $('e-name').value;
    return users.filter(function (u) { return u.name === name; })[0];
  }

  function pick(name, focus) {
    $('e-name').value = name;
    var u = selected();
    if (!u) return;
    roleOptions($('e-role'), u.role);
    $('e-disabled').checked = u.disabled;
    $('e-password').value = '';
    S.clearErrors($('edit-form'));
    if (focus) $('edit-heading').focus();
  }

  function render() {
    var body = $('users-body');
    body.textContent = '';
    users.forEach(function (u) {
      var tr = document.createElement('tr');
      tr.appendChild(VK.el('th', { scope: 'row' }, u.name));
      tr.appendChild(VK.el('td', {}, S.roleName(u.role)));
      tr.appendChild(VK.el('td', {}, u.disabled ? t('stateDisabled') : t('stateActive')));
      tr.appendChild(VK.el('td', {}, VK.formatDate(u.created_at)));
      var td = document.createElement('td');
      var b = VK.el('button', { type: 'button', class: 'button button-secondary button-small' }, t('edit'));
      b.appendChild(VK.el('span', { class: 'visually-hidden' }, ' ' + u.name));
      b.addEventListener('click', function () { pick(u.name, true); });
      td.appendChild(b);
      tr.appendChild(td);
      body.appendChild(tr);
    });
    var sel = $('e-name'), keep = sel.value;
    sel.textContent = '';
    users.forEach(function (u) { sel.appendChild(S.option(u.name, u.name, u.name === keep)); });
    if (users.length) pick(sel.value, false);
    roleOptions($('a-role'), $('a-role').value || 'moderator');
  }

  function load() {
    return VK.getJSON('/api/v1/staff/users').then(function (j) {
      users = j.users;
      render();
    });
  }

  function submitEdit(e) {
    e.preventDefault();
    var form = $('edit-form'), u = selected(), body = {};
    if (!u) return;
    if ($('e-role').value !== u.role) body.role = $('e-role').value;
    if ($('e-disabled').checked !== u.disabled) body.disabled = $('e-disabled').checked;
    if ($('e-password').value) body.password = $('e-password').value;
    if (!Object.keys(body).length) {
      S.showError(form, { status: 400, field: 'role', message: t('errNothing') }, EDIT_FIELDS);
      return;
    }
    VK.api('PATCH', '/api/v1/staff/users/' + encodeURIComponent(u.name), body).then(function () {
      return load().then(function () {
        pick(u.name, false);
        S.announce(t('userSaved', { name: u.name }));
      });
    }, function (err) { S.showError(form, err, EDIT_FIELDS); });
  }

  function submitAdd(e) {
    e.preventDefault();
    var form = $('add-form');
    var body = { name: $('a-name').value.trim(), role: $('a-role').value, password: $('a-password').value };
    S.clearErrors(form);
    if (!body.name) {
      S.showError(form, { status: 400, field: 'name', message: t('errRequired') }, ADD_FIELDS);
      return;
    }
    VK.api('POST', '/api/v1/staff/users', body).then(function (u) {
      $('a-name').value = '';
      $('a-password').value = '';
      return load().then(function () { S.announce(t('userAdded', { name: u.name })); });
    }, function (err) { S.showError(form, err, ADD_FIELDS); });
  }

  function onSignedIn(me) {
    if (me.role !== 'admin') {
      $('users').hidden = true;
      $('admins-only').hidden = false;
      return null;
    }
    // staff-users.html?name=N (the audit log links accounts so) opens N
    // in the change form.
    var want = new URLSearchParams(location.search).get('name');
    return load().then(function () {
      if (want && users.some(function (u) { return u.name === want; })) pick(want, true);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('e-name').addEventListener('change', function () { pick($('e-name').value, false); });
    $('edit-form').addEventListener('submit', submitEdit);
    $('add-form').addEventListener('submit', submitAdd);
    S.start({
      onSignedIn: onSignedIn,
      onLanguage: function () { if (users.length) render(); }
    });
  });
})();
