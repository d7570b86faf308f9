/*
 * common.js — what every page of the web client shares: languages and their
 * strings, the language switch, and talking to the JSON API (errors in the
 * API's {error:{code,field,message}} shape, the staff CSRF header).
 *
 * Each page loads this first and then its own script, which calls
 * VK.startPage({bundles: ['staff'], onLanguage: fn}). Strings come from
 * i18n/<lang>.json plus, per bundle, i18n/<bundle>.<lang>.json (later
 * bundles win), so a page only downloads the strings it shows.
 */
(function () {
  'use strict';

  var LANGS = ['fi', 'sv', 'en'];
  var LOCALES = { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB' };
  var STORAGE_KEY = 'vaikuta.lang';
  var CSRF_KEY = 'vaikuta.csrf';

  var state = { lang: 'fi', strings: {}, cache: {}, bundles: [], onLanguage: null };

  function t(key, vars) {
    var s;
    if (vars && typeof vars.n === 'number') {
      s = state.strings[key + (vars.n === 1 ? '_one' : '_other')];
    }
    if (s === undefined) s = state.strings[key];
    if (s === undefined) s = key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, function (m, k) {
        return vars[k] !== undefined ? String(vars[k]) : m;
      });
    }
    return s;
  }

  // A {fi, sv, en} object (or a plain string) in the page's language.
  function localName(obj) {
    if (!obj) return '';
    if (typeof obj === 'string') return obj;
    return obj[state.lang] || obj.fi || obj.en || obj.sv || '';
  }

  function fetchStrings(name) {
    if (state.cache[name]) return Promise.resolve(state.cache[name]);
    return fetch('/i18n/' + name + '.json').then(function (r) {
      if (!r.ok) throw new Error('i18n ' + name + ' ' + r.status);
      return r.json();
    }).then(function (j) { state.cache[name] = j; return j; });
  }

  function loadStrings(lang) {
    var names = [lang].concat(state.bundles.map(function (b) { return b + '.' + lang; }));
    return Promise.all(names.map(fetchStrings)).then(function (parts) {
      return Object.assign.apply(null, [{}].concat(parts));
    });
  }

  function initialLang() {
    var q = new URLSearchParams(location.search).get('lang');
    if (q && LANGS.indexOf(q) >= 0) return q;
    try {
      var st = localStorage.getItem(STORAGE_KEY);
      if (st && LANGS.indexOf(st) >= 0) return st;
    } catch (e) { /* storage may be blocked */ }
    return 'fi';
  }

  // data-i18n="key" sets the text; data-i18n-attr="attr:key;attr:key" attributes.
  function applyStaticStrings(root) {
    root = root || document;
    if (root === document) document.documentElement.lang = state.lang;
    root.querySelectorAll('[data-i18n]').forEach(function (el) {
      el.textContent = t(el.getAttribute('data-i18n'));
    });
    root.querySelectorAll('[data-i18n-attr]').forEach(function (el) {
      el.getAttribute('data-i18n-attr').split(';').forEach(function (pair) {
        var p = pair.split(':');
        el.setAttribute(p[0], t(p[1]));
      });
    });
    document.querySelectorAll('.lang-button').forEach(function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-lang') === state.lang ? 'true' : 'false');
    });
  }

  function setLang(lang, remember) {
    return loadStrings(lang).then(function (strings) {
      state.lang = lang;
      state.strings = strings;
      if (remember) {
        try { localStorage.setItem(STORAGE_KEY, lang); } catch (e) { /* ignore */ }
        var u = new URL(location.href);
        if (u.searchParams.has('lang')) {
          u.searchParams.set('lang', lang);
          history.replaceState(null, '', u.toString());
        }
      }
      applyStaticStrings(document);
      if (state.onLanguage) state.onLanguage(lang);
    });
  }

  // opts: {bundles: [...], onLanguage: fn(lang), onError: fn(err)}; resolves
  // once strings are in. onError hears of a later switch that failed to load.
  function startPage(opts) {
    opts = opts || {};
    state.bundles = opts.bundles || [];
    state.onLanguage = opts.onLanguage || null;
    document.querySelectorAll('.lang-button').forEach(function (b) {
      b.addEventListener('click', function () {
        setLang(b.getAttribute('data-lang'), true).catch(opts.onError || function () {});
      });
    });
    return setLang(initialLang(), false);
  }

  /* ---------- the API ---------- */

  // An API failure: status, and the API's error object when it sent one.
  function ApiError(status, error) {
    this.status = status;
    this.code = error && error.code;
    this.field = error && error.field;
    this.message = (error && error.message) || ('HTTP ' + status);
  }

  function csrfToken() {
    try { return sessionStorage.getItem(CSRF_KEY); } catch (e) { return null; }
  }

  function setCsrfToken(v) {
    try {
      if (v) sessionStorage.setItem(CSRF_KEY, v); else sessionStorage.removeItem(CSRF_KEY);
    } catch (e) { /* ignore */ }
  }

  // method, url, optional JSON body → parsed JSON (null for an empty body);
  // rejects with ApiError. Writes carry the staff CSRF token when there is one.
  function api(method, url, body) {
    var headers = { Accept: 'application/json' };
    var init = { method: method, headers: headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (method !== 'GET' && method !== 'HEAD' && csrfToken()) headers['X-CSRF-Token'] = csrfToken();
    return fetch(url, init).then(function (r) {
      return r.text().then(function (text) {
        var j = null;
        try { j = text ? JSON.parse(text) : null; } catch (e) { j = null; }
        if (!r.ok) throw new ApiError(r.status, j && j.error);
        return j;
      });
    });
  }

  function getJSON(url) { return api('GET', url); }

  function formatDate(iso, withTime) {
    if (!iso) return '';
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    var o = { year: 'numeric', month: 'numeric', day: 'numeric' };
    if (withTime) { o.hour = '2-digit'; o.minute = '2-digit'; }
    return d.toLocaleString(LOCALES[state.lang], o);
  }

  /* ---------- text into the DOM ---------- */

  // An element holding `text` as text only. Leaflet's bindTooltip,
  // bindPopup, setContent and divIcon({html}) parse a string as HTML
  // (innerHTML), so whatever they show is handed over as a node from here
  // (or from another builder that sets textContent): a resident's
  // "<img onerror=…>" stays those characters. tests/http/web-lint.test.mjs
  // enforces it.
  function textNode(tag, text, className) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    e.textContent = text === undefined || text === null ? '' : String(text);
    return e;
  }

  // Leaflet's attribution control takes nothing but HTML; the basemap's
  // attribution (--tiles-attribution TEXT) is plain text, escaped so that
  // it shows as written.
  function attributionHtml(text) {
    return String(text || '').replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function formatNumber(n, digits) {
    return Number(n).toLocaleString(LOCALES[state.lang], {
      maximumFractionDigits: digits === undefined ? 0 : digits
    });
  }

  window.VK = {
    LANGS: LANGS,
    LOCALES: LOCALES,
    t: t,
    localName: localName,
    lang: function () { return state.lang; },
    setLang: setLang,
    startPage: startPage,
    applyStaticStrings: applyStaticStrings,
    api: api,
    getJSON: getJSON,
    ApiError: ApiError,
    csrfToken: csrfToken,
    setCsrfToken: setCsrfToken,
    formatDate: formatDate,
    formatNumber: formatNumber,
    textNode: textNode,
    attributionHtml: attributionHtml,
    $: function (id) { return document.getElementById(id); }
  };
})();
