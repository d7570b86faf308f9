/*
 * survey.js — the resident's survey page: /s/ lists the open surveys,
 * /s/{slug} answers one (docs/surveys.md, "HTTP API"). One survey page at
 * a time with its progress, back and forward; branching as the server
 * decides it (lib/survey-logic.js); the answers kept in localStorage as
 * they are given, so a reload loses nothing; "save and continue later"
 * stores a draft and shows its private link (/s/{slug}?resume=TOKEN);
 * the response is sent with an id made here, and sent again as it was
 * when the network failed, so it is counted once.
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, el = VK.el, $ = VK.$, localName = VK.localName;
  var logic = VK.survey.logic, F = VK.survey.fields, M = VK.survey.map;
  var NOMAP_KEY = 'vaikuta.survey.nomap';
  var RETRIES = 5;
  var SERVER_CODES = {
    outside_area: 'svErr_outside', invalid_geometry: 'svErr_geometry', unsupported_geometry: 'svErr_geometry',
    invalid_coordinates: 'svErr_geometry', too_many_vertices: 'svErr_geometry'
  };

  var S = {
    slug: null, def: null, version: 1, open: true, config: null, districts: [],
    answers: {}, page: 0, id: null, started: null, token: null, done: false,
    built: {}, problems: [], what: null
  };

  function storageKey() { return 'vaikuta.survey.' + S.slug; }

  function persist() {
    try {
      localStorage.setItem(storageKey(), JSON.stringify({
        id: S.id, version: S.version, started: S.started, page: S.page, answers: S.answers, token: S.token
      }));
    } catch (e) { /* storage full or blocked: the page still works */ }
  }

  function restore() {
    try {
      var j = JSON.parse(localStorage.getItem(storageKey()) || 'null');
      if (j && typeof j === 'object') {
        S.id = j.id || null;
        S.started = j.started || null;
        S.page = typeof j.page === 'number' ? j.page : 0;
        S.answers = j.answers && typeof j.answers === 'object' ? j.answers : {};
        S.token = j.token || null;
      }
    } catch (e) { /* a broken entry is started over */ }
  }

  function noMap() {
    try { return localStorage.getItem(NOMAP_KEY) === '1'; } catch (e) { return false; }
  }

  function showLoadError(key) {
    var b = $('load-error');
    b.textContent = t(key || 'svLoadError');
    b.hidden = false;
  }

  /* ---------- the list of open surveys ---------- */

  function renderList(list) {
    var ul = $('survey-list');
    ul.textContent = '';
    list.forEach(function (s) {
      var li = el('li', 'sv-card');
      var h = el('h2', 'sv-card-title');
      h.appendChild(el('a', { href: '/s/' + encodeURIComponent(s.slug) }, localName(s.title)));
      li.appendChild(h);
      if (s.intro) F.paragraphs(li, localName(s.intro));
      if (s.open === false && s.opens) li.appendChild(el('p', 'hint', t('svOpens', { d: VK.formatDate(s.opens, true) })));
      else if (s.closes) li.appendChild(el('p', 'hint', t('svCloses', { d: VK.formatDate(s.closes, true) })));
      ul.appendChild(li);
    });
    $('survey-list-empty').hidden = list.length > 0;
    document.title = t('svListHeading') + ' – Vaikuta';
  }

  /* ---------- one survey ---------- */

  function evaluation() { return logic.evaluate(S.def, S.answers); }

  function visiblePages(ev) {
    var out = [];
    ev.pages.forEach(function (shown, i) { if (shown) out.push(i); });
    return out;
  }

  function elementId(key) { return 'q-' + key; }

  // The page's questions built; each keeps its answer in S.answers.
  function buildPage() {
    var page = S.def.pages[S.page];
    var box = $('sv-page');
    box.textContent = '';
    S.built = {};
    var ctx = {
      def: S.def, config: S.config, districts: S.districts, noMap: noMap,
      lookup: function () { return evaluation().lookup; }
    };
    page.elements.forEach(function (q) {
      var io = {
        id: elementId(q.key),
        get: function () { return S.answers[q.key]; },
        set: function (v) {
          if (v === undefined || logic.empty(v)) delete S.answers[q.key];
          else S.answers[q.key] = v;
          changed(q.key);
        }
      };
      var node;
      if (logic.isMap(q)) node = M.mapQuestion(q, io, ctx);
      else if (q.type === 'geobudget') node = M.geobudget(q, io, ctx);
      else {
        node = F.build(q, io, S.def.places);
        if (node && q.type === 'place-choice') M.placeChoiceMap(q, node, ctx);
      }
      if (!node) return;
      box.appendChild(node);
      S.built[q.key] = { node: node, q: q, ready: false };
    });
    $('sv-page-title').textContent = localName(page.title) || t('svPageN', { n: S.page + 1 });
    // The window's title names the page too: moving on is heard as a new page.
    document.title = $('sv-page-title').textContent + ' – ' + localName(S.def.title) + ' – Vaikuta';
    showVisibility();
  }

  // Elements shown or hidden by their conditions; a map is made when its
  // question is first shown (Leaflet needs the size of a shown box).
  function showVisibility() {
    var ev = evaluation();
    Object.keys(S.built).forEach(function (k) {
      var b = S.built[k];
      b.node.hidden = !ev.shown[k];
      if (!b.node.hidden && !b.ready) {
        b.ready = true;
        if (b.node.afterInsert) b.node.afterInsert();
      }
    });
    var pages = visiblePages(ev);
    var at = pages.indexOf(S.page);
    var last = at === pages.length - 1;
    $('sv-next').hidden = last;
    $('sv-submit').hidden = !last;
    $('sv-back').hidden = at <= 0;
    var n = Math.max(at, 0) + 1;
    $('sv-progress-text').textContent = t('svProgress', { n: n, total: pages.length });
    $('sv-progress-fill').style.width = Math.round(100 * n / pages.length) + '%';
  }

  // An answer changed: its errors go (the summary keeps the others).
  function changed(key) {
    S.problems = S.problems.filter(function (p) {
      if (p.key !== key) return true;
      if (!F.showError(p.id, null) && $(p.id)) $(p.id).hidden = true;
      return false;
    });
    persist();
    showVisibility();
  }

  /* ---------- checks and errors ---------- */

  // A problem: {id (of the field), key (its question), msg ({key, vars}
  // of the strings) or raw (the server's words), label (the key of the
  // question named)}: its words are made in the language of the moment.
  function problemText(p) {
    var text = p.msg ? t(p.msg.key, p.msg.vars) : p.raw;
    return { text: text, words: p.label ? labelOf(p.label) + ': ' + text : text };
  }

  function consentOf(key) {
    var found = null;
    S.def.pages.forEach(function (p) {
      p.elements.forEach(function (el) {
        if (el.type === 'consent' && (el.personal || []).indexOf(key) >= 0) found = el;
      });
    });
    return found;
  }

  // The problems of the shown questions of this page (and of their drawn
  // features' follow-ups).
  function pageProblems() {
    var ev = evaluation(), out = [];
    S.def.pages[S.page].elements.forEach(function (q) {
      if (!logic.isQuestion(q) || !ev.shown[q.key]) return;
      var v = S.answers[q.key];
      var e = logic.check(q, v);
      // Personal data only under its consent (the server refuses it otherwise).
      var consent = consentOf(q.key);
      if (!e && consent && !logic.empty(v) && ev.answers[consent.key] !== true) {
        e = { key: 'svErr_consentFirst', vars: { consent: localName(consent.text) } };
      }
      if (e) out.push({ id: elementId(q.key), msg: e, key: q.key, label: q.key });
      if (logic.isMap(q) && Array.isArray(v)) {
        v.forEach(function (f, i) {
          var scope = logic.followupScope(q, f, ev.lookup);
          (q.followups || []).forEach(function (fu) {
            if (!scope.shown[fu.key]) return;
            var fe = logic.check(fu, (f.answers || {})[fu.key]);
            if (fe) out.push({ id: elementId(q.key) + '-f' + i + '-' + fu.key, msg: fe, key: q.key, label: fu.key });
          });
        });
      }
    });
    return out;
  }

  function clearErrors() {
    document.querySelectorAll('#sv-page .field-error').forEach(function (e) { e.hidden = true; e.textContent = ''; });
    document.querySelectorAll('#sv-page .has-error').forEach(function (e) { e.classList.remove('has-error'); });
    document.querySelectorAll('#sv-page [aria-invalid]').forEach(function (e) { e.removeAttribute('aria-invalid'); });
    S.problems = [];
    $('sv-summary').hidden = true;
  }

  // Each problem next to its question, and all of them in the summary,
  // which takes the focus (unless the page is only drawn again in
  // another language).
  function showProblems(list, keepFocus) {
    clearErrors();
    S.problems = list;
    var ul = $('sv-summary-list');
    ul.textContent = '';
    list.forEach(function (p) {
      var pt = problemText(p);
      if (!F.showError(p.id, pt.text)) {
        var e = $(p.id);
        if (e) { e.textContent = pt.text; e.hidden = false; }
      }
      var li = el('li');
      var box = $(p.id + '-q') || $(p.id);
      // A drawn feature's place: the feature's item in the list.
      if (box && box.classList.contains('field-error')) box = box.closest('.sv-feature, .sv-q') || box;
      var words = pt.words;
      if (!box) {
        li.textContent = words;
        ul.appendChild(li);
        return;
      }
      var a = el('a', { href: '#' + box.id }, words);
      a.addEventListener('click', function (ev) {
        ev.preventDefault();
        var target = box.querySelector('input:not([disabled]), select, textarea, button') || box;
        target.focus();
        box.scrollIntoView({ block: 'center' });
      });
      li.appendChild(a);
      ul.appendChild(li);
    });
    $('sv-summary').hidden = false;
    if (!keepFocus) $('sv-summary').focus();
  }

  function labelOf(key) {
    var at = logic.index(S.def)[key];
    return at ? localName(at.el.text) : key;
  }

  /* ---------- moving between pages ---------- */

  function goTo(index, focusTitle) {
    S.page = index;
    persist();
    if (S.token) updateDraft();
    clearErrors();
    buildPage();
    if (focusTitle) $('sv-page-title').focus();
  }

  function step(dir) {
    var pages = visiblePages(evaluation());
    var at = pages.indexOf(S.page);
    if (dir > 0) {
      var probs = pageProblems();
      if (probs.length) {
        showProblems(probs);
        return false;
      }
    }
    var next = pages[at + dir];
    if (next === undefined) return false;
    goTo(next, true);
    window.scrollTo(0, 0);
    return true;
  }

  /* ---------- sending ---------- */

  function responseBody() {
    return {
      id: S.id, version: S.version, language: VK.lang(),
      started: S.started, answers: evaluation().answers
    };
  }

  function wait(ms) { return new Promise(function (r) { window.setTimeout(r, ms); }); }

  // Sent again, unchanged, when the network or the server failed; an
  // answer the server gave (4xx) is final.
  function send(body, attempt) {
    return VK.api('POST', '/api/v1/surveys/' + encodeURIComponent(S.slug) + '/responses', body).catch(function (e) {
      var retry = !(e instanceof VK.ApiError) || e.status >= 500 || e.status === 429;
      if (!retry || attempt >= RETRIES) throw e;
      $('sv-sending').textContent = t('svRetrying');
      return wait(500 * Math.pow(2, attempt)).then(function () { return send(body, attempt + 1); });
    });
  }

  function submit() {
    var probs = pageProblems();
    if (probs.length) {
      showProblems(probs);
      return;
    }
    var btn = $('sv-submit');
    if (btn.getAttribute('aria-disabled') === 'true') return;
    btn.setAttribute('aria-disabled', 'true');
    $('sv-sending').textContent = t('svSending');
    var body = responseBody();
    return send(body, 0).then(function () {
      thanks();
    }, function (e) {
      $('sv-sending').textContent = '';
      btn.removeAttribute('aria-disabled');
      if (e instanceof VK.ApiError && e.code === 'response_conflict') {
        // This id went with other answers before: these go under a new one.
        S.id = logic.uuid();
        persist();
        return submit();
      }
      serverError(e);
    });
  }

  // The server's refusal next to the question its field names (on that
  // question's page), or in the summary.
  function serverError(e) {
    if (!(e instanceof VK.ApiError)) {
      showProblems([{ id: 'sv-network', msg: { key: 'svNetworkError' } }]);
      return;
    }
    if (e.code === 'survey_closed') {
      showProblems([{ id: 'sv-closed-error', msg: { key: 'svClosedNow' } }]);
      return;
    }
    var f = logic.parseField(e.field);
    var at = f && logic.index(S.def)[f.question];
    if (!at) {
      showProblems([{ id: 'sv-general', msg: { key: 'svServerError', vars: { message: e.message } } }]);
      return;
    }
    if (at.page !== S.page) goTo(at.page, false);
    var id = elementId(f.question);
    if (f.index >= 0 && f.followup) id += '-f' + f.index + '-' + f.followup;
    else if (f.index >= 0) id += '-f' + f.index + '-loc-error';
    // The server's words are English; a place refused is said in the page's language too.
    var known = SERVER_CODES[e.code];
    showProblems([{ id: id, key: f.question, label: f.followup || f.question,
      raw: e.message, msg: known ? { key: known, vars: { message: e.message } } : null }]);
  }

  function thanks() {
    S.done = true;
    try {
      localStorage.removeItem(storageKey());
      // A saved draft's token opens the respondent's own answers beside
      // the published results (survey-results.js).
      if (S.token) localStorage.setItem('vaikuta.survey.mine.' + S.slug, S.token);
    } catch (e) { /* ignore */ }
    $('sv-body').hidden = true;
    showThanks();
    $('sv-thanks').focus();
  }

  function showThanks() {
    var box = $('sv-thanks-text');
    box.textContent = '';
    F.paragraphs(box, S.def.thanks ? localName(S.def.thanks) : t('svThanksDefault'));
    document.title = t('svThanksHeading') + ' – ' + localName(S.def.title) + ' – Vaikuta';
    VK.askMail($('sv-ask-mail'), '/api/v1/surveys/' + encodeURIComponent(S.slug) + '/subscriptions', 'survey');
    $('sv-thanks').hidden = false;
  }

  /* ---------- drafts ---------- */

  function draftBody() {
    return { id: S.id, version: S.version, language: VK.lang(), page: S.page, answers: evaluation().answers };
  }

  function resumeUrl(token) {
    return location.origin + '/s/' + encodeURIComponent(S.slug) + '?resume=' + encodeURIComponent(token);
  }

  function saveDraft() {
    var base = '/api/v1/surveys/' + encodeURIComponent(S.slug) + '/drafts';
    var status = $('sv-save-status');
    status.textContent = t('svSaving');
    var req = S.token ? VK.api('PUT', base + '/' + encodeURIComponent(S.token), draftBody())
      : VK.api('POST', base, draftBody());
    req.then(function (r) {
      if (r && r.token) S.token = r.token;
      persist();
      $('sv-resume-url').value = resumeUrl(S.token);
      $('sv-resume-box').hidden = false;
      status.textContent = t('svSaved');
      $('sv-resume-url').focus();
      $('sv-resume-url').select();
    }, function (e) {
      status.textContent = t('svSaveFailed', { message: e.message || '' });
    });
  }

  // A saved draft follows the answers from page to page, quietly: its
  // link then opens where the respondent left off.
  function updateDraft() {
    VK.api('PUT', '/api/v1/surveys/' + encodeURIComponent(S.slug) + '/drafts/' + encodeURIComponent(S.token), draftBody())
      .catch(function () { /* the answers are in this browser; "save" says if it fails */ });
  }

  function loadDraft(token) {
    return VK.getJSON('/api/v1/surveys/' + encodeURIComponent(S.slug) + '/drafts/' + encodeURIComponent(token)).then(function (d) {
      var draft = d && d.draft ? d.draft : d;
      S.answers = (draft && draft.answers) || {};
      S.page = typeof draft.page === 'number' && S.def.pages[draft.page] ? draft.page : 0;
      if (draft.id) S.id = draft.id;
      S.token = token;
      persist();
      // The link has done its work: a reload continues from this browser.
      history.replaceState(null, '', '/s/' + encodeURIComponent(S.slug));
      if (draft.language && VK.LANGS.indexOf(draft.language) >= 0 && draft.language !== VK.lang()) {
        return VK.setLang(draft.language, false);
      }
      return null;
    }, function () { showLoadError('svResumeFailed'); });
  }

  /* ---------- start ---------- */

  // The page drawn again (another language, the map on or off) with the
  // errors it showed.
  function redraw() {
    var shown = S.problems;
    buildPage();
    if (shown.length) showProblems(shown, true);
  }

  function renderSurvey() {
    document.title = localName(S.def.title) + ' – Vaikuta';
    $('sv-title').textContent = localName(S.def.title);
    var intro = $('sv-intro');
    intro.textContent = '';
    if (S.def.intro) F.paragraphs(intro, localName(S.def.intro));
    // "What we did with your answers", and the results once published.
    VK.results.whatWeDid($('sv-what'), S.what, 'h2', '/s/' + encodeURIComponent(S.slug) + '/results');
    if (S.done) { showThanks(); return; }
    if (!S.open) {
      $('sv-closed').hidden = false;
      $('sv-body').hidden = true;
      return;
    }
    if (S.token) {
      $('sv-resume-url').value = resumeUrl(S.token);
      $('sv-resume-box').hidden = false;
    }
    var pages = visiblePages(evaluation());
    if (pages.indexOf(S.page) < 0) S.page = pages[0] || 0;
    redraw();
  }

  function wire() {
    $('sv-form').addEventListener('submit', function (e) {
      e.preventDefault();
      if (!$('sv-next').hidden) step(1);
      else submit();
    });
    $('sv-back').addEventListener('click', function () { step(-1); });
    $('sv-submit').addEventListener('click', submit);
    $('sv-save').addEventListener('click', saveDraft);
    var nm = $('sv-nomap');
    nm.checked = noMap();
    nm.addEventListener('change', function () {
      try { localStorage.setItem(NOMAP_KEY, nm.checked ? '1' : '0'); } catch (e) { /* ignore */ }
      redraw();
    });
  }

  function onLanguage() {
    if (S.def) renderSurvey();
    else if (S.list) renderList(S.list);
  }

  function start() {
    var m = /^\/s\/([a-z0-9-]+)\/?$/.exec(location.pathname);
    S.slug = m ? m[1] : null;
    if (S.slug) VK.feedLink('/api/v1/feeds/surveys/' + S.slug + '.atom', 'Atom');
    var strings = VK.startPage({ bundles: ['survey', 'results'], onLanguage: onLanguage }).catch(function () {
      return VK.setLang('fi', false).catch(function () { return null; });
    });
    var ready = function () { document.body.setAttribute('data-ready', 'true'); };
    if (!S.slug) {
      $('list-view').hidden = false;
      Promise.all([VK.getJSON('/api/v1/surveys'), strings]).then(function (r) {
        S.list = (r[0] && r[0].surveys) || [];
        renderList(S.list);
      }, function () { showLoadError(); }).then(ready);
      return;
    }
    wire();
    $('survey-view').hidden = false;
    Promise.all([
      VK.getJSON('/api/v1/surveys/' + encodeURIComponent(S.slug)),
      VK.getJSON('/api/v1/config').catch(function () { return null; }),
      VK.getJSON('/api/v1/districts').catch(function () { return null; }),
      strings
    ]).then(function (r) {
      var s = r[0];
      S.def = s.definition;
      S.version = s.version;
      S.open = s.open !== false;
      S.what = s.what_we_did || null;
      S.config = r[1];
      S.districts = (r[2] && r[2].features) || [];
      restore();
      if (!S.id) S.id = logic.uuid();
      if (!S.started) S.started = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      var token = new URLSearchParams(location.search).get('resume');
      return token ? loadDraft(token) : null;
    }).then(function () {
      persist();
      renderSurvey();
    }, function (e) {
      $('survey-view').hidden = true;
      showLoadError(e && e.status === 404 ? 'svNotFound' : 'svLoadError');
    }).then(ready);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
