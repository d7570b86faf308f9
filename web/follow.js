/*
 * follow.js — the reporter's private follow-up page (follow.html#TOKEN).
 *
 * The token lives only in the address's fragment, which browsers never send
 * to a server; this script passes it on to one place only, the API path
 * /api/v1/followup/{token}. The page shows the report, its status in words,
 * the city's public answers and the history, and lets the reporter withdraw
 * the report (after a confirmation step).
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, $ = VK.$, el = VK.el, OPEN = VK.OPEN;

  var S = {
    token: null,
    item: null,        // the last answer of the follow-up API
    categories: {},    // id → category
    units: {},         // code → unit
    problem: null,     // 'no_token', 'not_found' or 'load' when there is no item
    justWithdrawn: false
  };

  // Tokens are URL-safe random strings; anything else is not worth asking for.
  function tokenFromHash() {
    var h = location.hash.replace(/^#/, '');
    return /^[A-Za-z0-9_-]{8,200}$/.test(h) ? h : null;
  }

  function apiPath(suffix) {
    return '/api/v1/followup/' + encodeURIComponent(S.token) + (suffix || '');
  }

  function categoryName(id) {
    var c = S.categories[id];
    return c ? VK.localName(c.name) : (id || t('unknownCategory'));
  }

  /* ---------- rendering ---------- */

  function setMessage(kind, text) {
    var box = $('follow-message');
    box.textContent = '';
    if (!text) return box;
    box.appendChild(el('p', 'notice ' + (kind === 'error' ? 'notice-error' : 'notice-success'), text));
    return box;
  }

  function render() {
    document.title = t('followTitle');
    var item = S.item;
    $('follow-content').hidden = !item;
    if (!item) {
      var key = { no_token: 'followNoToken', not_found: 'followNotFound', load: 'loadError' }[S.problem];
      setMessage('error', key ? t(key) : '');
      return;
    }
    if (item.withdrawn) {
      setMessage(S.justWithdrawn ? 'success' : 'error',
        t(S.justWithdrawn ? 'followWithdrawnNow' : 'followWithdrawn'));
    } else {
      setMessage(null, '');
    }

    $('fb-heading').textContent = t('feedbackNumber', { id: item.id }) + ': ' + categoryName(item.category);
    var status = item.status || 'received';
    var st = $('fb-status');
    st.className = 'follow-status status-' + (OPEN.indexOf(status) >= 0 ? status : 'closed');
    st.textContent = t('fStatus') + ': ' + VK.statusName(status);
    $('fb-status-explain').textContent = t('statusExplain_' + status);

    var dl = $('fb-fields');
    dl.textContent = '';
    function row(label, value) {
      if (value === null || value === undefined || value === '') return;
      dl.appendChild(el('dt', null, label));
      dl.appendChild(value instanceof Node ? value : el('dd', null, value));
    }
    row(t('fDescription'), item.description);
    var cat = S.categories[item.category];
    VK.questions.describe(cat && cat.attributes, item.attributes).forEach(function (a) { row(a[0], a[1]); });
    row(t('fPlace'), item.place);
    row(t('fCreated'), VK.formatDate(item.created, true));
    row(t('fUpdated'), VK.formatDate(item.updated, true));
    row(t('fResolutionReason'), item.resolution_reason);
    if (item.duplicate_of) row(t('fDuplicateOf'), '#' + item.duplicate_of);
    row(t('fForwardedTo'), item.forwarded_to);
    if (item.unit) row(t('fUnit'), S.units[item.unit] ? VK.localName(S.units[item.unit].name) : item.unit);
    if (item.answer) {
      row(t('fAnswer'), answerEl('dd', 'fb-answer', item, 'answer'));
      row(t('fAnswered'), VK.formatDate(item.answered, true));
    }
    row(t('fMeToo'), item.me_too ? t('meTooCount', { n: item.me_too }) : t('meTooNone'));
    if (!item.withdrawn) row(t('fContact'), t(item.has_contact ? 'contactGiven' : 'contactNone'));

    renderPhotos(item);
    renderMerged(item.merged_into);
    renderHistory(item.history || []);

    $('withdraw-section').hidden = !!item.withdrawn;
    if (item.withdrawn) hideConfirm(false);
  }

  /* The report's photos: the approved ones as thumbnails, and how many
   * still wait for moderation (those are counted, not shown: the photo
   * addresses know no follow-up link). */
  function renderPhotos(item) {
    var box = $('photos-box');
    box.textContent = '';
    var shown = Array.isArray(item.photos) ? item.photos : [];
    var waiting = item.photos_waiting || 0;
    $('photos-section').hidden = !shown.length && !waiting;
    if (shown.length) box.appendChild(VK.photoThumbs(shown));
    if (waiting) box.appendChild(el('p', 'hint photos-waiting', t('photosWaiting', { n: waiting })));
  }

  /* The city's answer in the page's language when it was written in it,
   * else as written (o: the item or an event; base: its answer key), as an
   * element of tag carrying the answer's own language (VK.answerIn). */
  function answerEl(tag, cls, o, base) {
    var a = VK.answerIn(o, base);
    var e = el(tag, cls, a.text);
    if (a.lang) e.lang = a.lang;
    return e;
  }

  /* A report merged into another: that item's status and the city's answer
   * there, in the reader's language, and a link to it on the map. */
  function renderMerged(m) {
    var box = $('merged-section');
    box.hidden = !m;
    if (!m) return;
    $('merged-heading').textContent = t('mergedHeading', { id: m.id });
    $('merged-text').textContent = t('mergedText', { id: m.id });
    var status = m.status || 'received';
    var st = $('merged-status');
    st.className = 'follow-status status-' + (OPEN.indexOf(status) >= 0 ? status : 'closed');
    st.textContent = t('fStatus') + ': ' + VK.statusName(status);
    var dl = $('merged-fields');
    dl.textContent = '';
    function row(label, value) {
      if (value === null || value === undefined || value === '') return;
      dl.appendChild(el('dt', null, label));
      dl.appendChild(value instanceof Node ? value : el('dd', null, value));
    }
    row(t('fCategory'), categoryName(m.category));
    row(t('fResolutionReason'), m.resolution_reason);
    row(t('fForwardedTo'), m.forwarded_to);
    if (m.answer) {
      row(t('fAnswer'), answerEl('dd', 'fb-answer', m, 'answer'));
      row(t('fAnswered'), VK.formatDate(m.answered, true));
    } else {
      row(t('fAnswer'), t('mergedNoAnswer'));
    }
    row(t('fMeToo'), m.me_too ? t('meTooCount', { n: m.me_too }) : t('meTooNone'));
    var a = $('merged-link');
    a.href = VK.langHref('/?item=' + encodeURIComponent(m.id));
    a.textContent = t('mergedLink', { id: m.id });
  }

  function historyText(ev) {
    var s = ev.status ? VK.statusName(ev.status) : '';
    switch (ev.kind) {
      case 'created': return t('historyCreated');
      case 'status': return t('historyStatus', { status: s });
      case 'reopen': return t('historyReopen', { status: s });
      case 'answer': return t('historyAnswer');
      case 'unit': return t('historyUnit');
      case 'correct': return t('historyCorrected');
      case 'withdraw': return t('historyWithdrawn');
      default: return t('historyOther');
    }
  }

  function renderHistory(events) {
    var ol = $('history');
    ol.textContent = '';
    $('history-empty').hidden = events.length > 0;
    events.forEach(function (ev) {
      var li = el('li', 'history-item');
      var when = el('time', 'history-when', VK.formatDate(ev.at, true));
      if (ev.at) when.setAttribute('datetime', ev.at);
      li.appendChild(when);
      li.appendChild(el('p', 'history-what', historyText(ev)));
      if (ev.public_answer) {
        var a = el('div', 'history-answer');
        a.appendChild(el('p', 'history-answer-label', t('fAnswer')));
        a.appendChild(answerEl('p', 'history-answer-text', ev, 'public_answer'));
        li.appendChild(a);
      }
      ol.appendChild(li);
    });
  }

  /* ---------- loading ---------- */

  function load() {
    S.token = tokenFromHash();
    S.item = null;
    S.justWithdrawn = false;
    if (!S.token) {
      S.problem = 'no_token';
      render();
      return Promise.resolve();
    }
    return VK.getJSON(apiPath()).then(function (item) {
      S.item = item;
      S.problem = null;
    }, function (err) {
      S.problem = err instanceof VK.ApiError && err.status === 404 ? 'not_found' : 'load';
    }).then(render);
  }

  /* ---------- withdrawing ---------- */

  function showConfirm() {
    $('withdraw-error').textContent = '';
    $('withdraw-confirm').hidden = false;
    $('withdraw-start').setAttribute('aria-expanded', 'true');
    $('withdraw-start').hidden = true;
    $('withdraw-confirm-heading').focus();
  }

  function hideConfirm(focusStart) {
    $('withdraw-confirm').hidden = true;
    var b = $('withdraw-start');
    b.hidden = false;
    b.setAttribute('aria-expanded', 'false');
    if (focusStart) b.focus();
  }

  function withdraw() {
    var yes = $('withdraw-yes');
    if (yes.getAttribute('aria-disabled') === 'true') return;
    yes.setAttribute('aria-disabled', 'true');
    $('withdraw-error').textContent = '';
    VK.api('POST', apiPath('/withdraw')).then(function (item) {
      yes.removeAttribute('aria-disabled');
      S.item = item;
      S.justWithdrawn = true;
      render();
      // Focus the confirmation, since the button that had it is gone.
      $('follow-message').focus();
    }, function (err) {
      yes.removeAttribute('aria-disabled');
      if (err instanceof VK.ApiError && err.status === 404) {
        S.item = null;
        S.problem = 'not_found';
        render();
        $('follow-message').focus();
        return;
      }
      $('withdraw-error').textContent = t('withdrawFailed');
    });
  }

  function start() {
    $('withdraw-start').addEventListener('click', showConfirm);
    $('withdraw-no').addEventListener('click', function () { hideConfirm(true); });
    $('withdraw-yes').addEventListener('click', withdraw);
    window.addEventListener('hashchange', load);
    var cats = VK.getJSON('/api/v1/categories').then(function (j) {
      ((j && j.categories) || []).forEach(function (c) { S.categories[c.id] = c; });
    }, function () { /* category ids are shown instead of names */ });
    var units = VK.getJSON('/api/v1/units').then(function (j) {
      ((j && j.units) || []).forEach(function (u) { S.units[u.code] = u; });
    }, function () { /* unit codes are shown instead of names */ });
    var strings = VK.startPage({ onLanguage: render }).catch(function () {
      return VK.setLang('fi', false).catch(function () { return null; });
    });
    Promise.all([cats, units, strings]).then(load).then(function () {
      document.body.setAttribute('data-ready', 'true');
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
