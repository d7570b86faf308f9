/*
 * lib/staff.js — what the staff pages share on top of lib/vk.js: who is signed
 * in, the page header's navigation and sign-out, the "sign in first" state,
 * the live region, and showing API errors beside the field they name.
 *
 * Every staff page loads lib/vk.js, then this, then its own script, which
 * calls VKStaff.start({onLanguage, onSignedIn}) once.
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, $ = VK.$, el = VK.el;

  var ROLES = ['admin', 'moderator', 'planner', 'council'];

  /* ---------- what each role is offered ---------- */

  // The staff navigation's links (lib/vk.js STAFF_NAV) by the roles that
  // see them. A role is offered a page only when the API behind it lets the
  // role in (the route table, src/*/…_ROUTES: STAFF any role, MODERATOR,
  // PLANNER and COUNCIL that role and admin, ADMIN admin only), and among
  // those the pages the role works on: planners' surveys, budgeting,
  // layers and statistics; moderators' inbox and canned replies; the
  // council's walks and reviews. Admins see everything.
  var NAV_ROLES = {
    'nav-planner': ['planner'],                        // surveys, rounds, layers (STAFF reads)
    'nav-inbox': ['moderator', 'council'],             // council turns feedback into walk findings
    'nav-surveys': ['planner', 'council'],             // council reads them
    'nav-budget': ['planner', 'moderator', 'council'], // moderators hide proposals; any role enters paper ballots
    'nav-walks': ['planner', 'moderator', 'council'],  // any staff role organises a walk
    'nav-walk-review': ['planner', 'moderator', 'council'],
    'nav-layers': ['planner'],                         // public collections and planners' exports
    'nav-stats': ['planner'],
    'nav-users': [], 'nav-audit': [], 'nav-mail': [],  // ADMIN routes
    'nav-replies': ['moderator']                       // admins keep them, moderators use them
  };

  function navAllows(id, role) {
    return role === 'admin' || (NAV_ROLES[id] || []).indexOf(role) >= 0;
  }

  // Where a role lands after signing in (without ?next=): planners on
  // their own page, everyone else in the inbox.
  function home(role) {
    return role === 'planner' ? '/staff-planner.html' : '/staff.html';
  }

  /* ---------- the inbox's queue, carried from page to page ---------- */

  // The inbox's filters as they stand in the address of staff.html and of
  // every item page opened from it, so that "back to the inbox" and "save
  // and next" keep the moderator in the same queue.
  var QUEUE_KEYS = ['status', 'category', 'district', 'unit', 'assignee', 'older_than_days',
    'newer_than_days', 'answered', 'visibility', 'offset'];
  var OPEN = 'received,in_progress,planned';

  // The queue's part of a query string (any other parameter dropped).
  function queueParams(search) {
    var from = new URLSearchParams(search), q = new URLSearchParams();
    QUEUE_KEYS.forEach(function (k) { if (from.get(k)) q.set(k, from.get(k)); });
    return q;
  }

  // The queue as the inbox API takes it: without a status the queue is the
  // open items (what a moderator works on); status=all is every status.
  function queueApiQuery(search) {
    var q = queueParams(search);
    q.delete('offset');
    if (!q.get('status')) q.set('status', OPEN);
    else if (q.get('status') === 'all') q.delete('status');
    return q;
  }

  // An item page's address within the queue of search.
  function itemHref(id, search) {
    var q = queueParams(search).toString();
    return '/staff-item.html?id=' + id + (q ? '&' + q : '');
  }

  /* ---------- keyboard shortcuts ---------- */

  // keys: {key: fn}. A shortcut never takes a key meant for typing: not in
  // a field, a select, an editable element, nor with a modifier held.
  function shortcuts(keys) {
    document.addEventListener('keydown', function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      var tgt = e.target, tag = tgt && tgt.tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (tgt && tgt.isContentEditable)) return;
      var fn = keys[e.key];
      if (!fn) return;
      e.preventDefault();
      fn(e);
    });
  }

  var me = null;

  // Polite announcement of a success (or any news) in the live region.
  function announce(text) {
    var live = $('live');
    if (!live) return;
    live.textContent = '';
    // A fresh node each time so the same message is read again.
    window.setTimeout(function () { live.textContent = text; }, 30);
  }

  function option(value, text, selected) {
    var o = el('option', { value: value }, text);
    if (selected) o.selected = true;
    return o;
  }

  /* ---------- errors beside their fields ---------- */

  // Clear what showError left in a form.
  function clearErrors(form) {
    form.querySelectorAll('.field-error').forEach(function (p) {
      p.textContent = '';
      p.hidden = true;
    });
    form.querySelectorAll('[aria-invalid]').forEach(function (f) { f.removeAttribute('aria-invalid'); });
    form.querySelectorAll('.field.has-error').forEach(function (f) { f.classList.remove('has-error'); });
  }

  // A refusal in the interface's language: the API's machine code and
  // field (apiErr_<code>_<field>, else apiErr_<code>), never the API's
  // English sentence, which is for developers. A message made on the page
  // (no code) is already in the page's language.
  function errorText(err) {
    if (!err) return t('errGeneric');
    if (!err.code) return err.message || t('errGeneric');
    var keys = ['apiErr_' + err.code + '_' + (err.field || ''), 'apiErr_' + err.code];
    for (var i = 0; i < keys.length; i++) {
      if (t(keys[i]) !== keys[i]) return t(keys[i]);
    }
    return t('errGeneric');
  }

  // showError with the API's refusal in the page's language (errorText).
  function showApiError(form, err, fields) {
    if (!err || !err.status || err.status === 401 || err.status >= 500) {
      showError(form, err, fields);
      return;
    }
    showError(form, { status: err.status, field: err.field, message: errorText(err) }, fields);
  }

  // fields: {apiField: inputId}. The message goes into <p id="INPUT-error">
  // (which the input names in aria-describedby) and focus moves to the
  // input; an error without a known field goes to the form's own
  // <p class="field-error form-error">.
  function showError(form, err, fields) {
    clearErrors(form);
    if (err && err.status === 401) {
      signedOut();
      return;
    }
    var id = err && err.field && fields && fields[err.field];
    var input = id && $(id);
    var box = input ? $(id + '-error') : form.querySelector('.form-error');
    var text = (err && err.message) ? err.message : t('errGeneric');
    if (err && err.status === 403 && err.code === 'forbidden') text = t('errForbidden');
    if (err && err.status >= 500) text = t('errServer');
    if (!err || !err.status) text = t('errNetwork');
    if (box) {
      box.textContent = text;
      box.hidden = false;
    }
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      var field = input.closest('.field');
      if (field) field.classList.add('has-error');
      input.focus();
    } else if (box) {
      box.setAttribute('tabindex', '-1');
      box.focus();
    }
  }

  /* ---------- who is signed in ---------- */

  function roleName(role) { return t('role_' + role); }

  // An event's before or after object in words, "field: value; …" (the
  // item's history and the audit log).
  function changes(obj) {
    return Object.keys(obj || {}).map(function (k) {
      var v = obj[k];
      if (k === 'status' && v) v = VK.statusName(v);
      if (k === 'visibility' && v) v = t('vis_' + v);
      if (k === 'role' && v) v = roleName(v);
      if (k === 'reason' && v) v = t('reason_' + v);
      if (k === 'hide_reason' && v) v = t('hideReason_' + v);
      if (k === 'photo_state' && v) v = t('photoState_' + v);
      if (k === 'password' && v) v = t('passwordChanged');
      if (typeof v === 'boolean') v = t(v ? 'yes' : 'no');
      return t('field_' + k) + ': ' + (v === null ? '–' : String(v));
    }).join('; ');
  }

  function renderHeader() {
    var who = $('whoami'), nav = $('staff-nav');
    if (!nav) return;
    nav.hidden = !me;
    if (!me) return;
    who.textContent = t('signedInAs', { name: me.name, role: roleName(me.role) });
    Object.keys(NAV_ROLES).forEach(function (id) {
      var a = $(id);
      if (a) a.parentNode.hidden = !navAllows(id, me.role);
    });
    renderMailMode();
  }

  /* ---------- mail that does not leave (no --smtp) ---------- */

  // Without a relay every message waits in the outbox (docs/mail.md):
  // every staff page says so under the navigation, as /healthz does. Text
  // only, no tab stop; the admins' mail page has the details.
  var mailMode = null;

  function renderMailMode() {
    var nav = $('staff-nav');
    if (!nav) return;
    var note = $('mail-mode-note');
    if (mailMode !== 'outbox only') {
      if (note) note.hidden = true;
      return;
    }
    if (!note) {
      note = el('p', { id: 'mail-mode-note', class: 'mail-mode-note' });
      nav.appendChild(note);
    }
    note.textContent = t('mailOutboxNote');
    note.hidden = false;
  }

  function loadMailMode() {
    return VK.getJSON('/healthz').then(function (h) {
      mailMode = h && h.mail;
      renderMailMode();
    }, function () { /* the page works without it */ });
  }

  // The session is gone (or never was): say so, with the way back.
  function signedOut() {
    me = null;
    VK.setCsrfToken(null);
    renderHeader();
    document.querySelectorAll('[data-needs-session]').forEach(function (s) { s.hidden = true; });
    var box = $('signed-out');
    if (box) {
      box.hidden = false;
      var a = $('signin-link');
      if (a) a.href = '/staff.html?next=' + encodeURIComponent(location.pathname + location.search);
      box.focus();
    }
    if (state.onSignedOut) state.onSignedOut();
  }

  var state = { onSignedIn: null, onSignedOut: null };

  function checkSession() {
    return VK.getJSON('/api/v1/auth/me').then(function (who) {
      me = who;
      if (who.csrf) VK.setCsrfToken(who.csrf);
      renderHeader();
      var box = $('signed-out');
      if (box) box.hidden = true;
      document.querySelectorAll('[data-needs-session]').forEach(function (s) { s.hidden = false; });
      if (mailMode === null) loadMailMode();
      return who;
    }, function (err) {
      if (err.status === 401) {
        signedOut();
        return null;
      }
      throw err;
    });
  }

  function signOut() {
    VK.api('POST', '/api/v1/auth/logout').catch(function () { /* gone already */ }).then(function () {
      VK.setCsrfToken(null);
      location.href = '/staff.html';
    });
  }

  // opts: {onLanguage(lang), onSignedIn(me), onSignedOut(), bundles: the
  // page's own string bundles besides "staff"}.
  function start(opts) {
    state.onSignedIn = opts.onSignedIn;
    state.onSignedOut = opts.onSignedOut;
    var out = $('sign-out');
    if (out) out.addEventListener('click', signOut);
    return VK.startPage({
      bundles: ['staff'].concat(opts.bundles || []),
      onLanguage: function (lang) {
        renderHeader();
        if (opts.onLanguage) opts.onLanguage(lang);
      }
    }).then(checkSession).then(function (who) {
      if (who && state.onSignedIn) return state.onSignedIn(who);
      return null;
    }).catch(function (err) {
      var box = $('load-error');
      if (box) {
        box.textContent = t('errLoad') + ' ' + (err && err.message ? err.message : '');
        box.hidden = false;
      }
    }).then(function () {
      document.body.setAttribute('data-ready', 'true');
    });
  }

  window.VKStaff = {
    ROLES: ROLES,
    NAV_ROLES: NAV_ROLES,
    navAllows: navAllows,
    home: home,
    me: function () { return me; },
    setMe: function (who) { me = who; renderHeader(); },
    start: start,
    checkSession: checkSession,
    signedOut: signedOut,
    announce: announce,
    option: option,
    clearErrors: clearErrors,
    showError: showError,
    errorText: errorText,
    showApiError: showApiError,
    OPEN: OPEN,
    queueParams: queueParams,
    queueApiQuery: queueApiQuery,
    itemHref: itemHref,
    shortcuts: shortcuts,
    roleName: roleName,
    changes: changes
  };
})();
