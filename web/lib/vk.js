/*
 * lib/vk.js — what every page of the web client shares: languages and their
 * strings, the language switch, talking to the JSON API (errors in the
 * API's {error:{code,field,message}} shape, the staff CSRF header), the
 * element helper, the feedback statuses and their names, and the page's
 * header, navigation and footer, written here once (see buildLayout).
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
  // Plain language (selkokieli): i18n/fi-plain.json over the Finnish
  // strings, on the pages whose header has data-plain; Swedish and English
  // have no plain version yet and keep their strings.
  var PLAIN_KEY = 'vaikuta.plain';
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

  // The city's public answer on o in the page's language: o[base] is the
  // answer as written (the first given of fi, sv, en, schema 0023 and
  // api_workflow_read_answer), o[base + '_sv'] and o[base + '_en'] the other
  // languages where written. Returns {text, lang}, lang being the language
  // the text is in, so that an answer shown in another language than the
  // reader's carries its own lang attribute (a screen reader then reads a
  // Finnish answer on a Swedish page as Finnish). As written is Swedish or
  // English only when it is that language's text too; an answer written
  // identically in Finnish and Swedish counts as Swedish, which reads the same.
  function answerIn(o, base) {
    var text = o && o[base], sv = o && o[base + '_sv'], en = o && o[base + '_en'];
    if (!text) return { text: '', lang: null };
    if (state.lang === 'sv' && sv) return { text: sv, lang: 'sv' };
    if (state.lang === 'en' && en) return { text: en, lang: 'en' };
    return { text: text, lang: answerLang(o, base) };
  }

  // The language of the answer as written, o[base] (see answerIn).
  function answerLang(o, base) {
    var text = o[base];
    return text === o[base + '_sv'] ? 'sv' : text === o[base + '_en'] ? 'en' : 'fi';
  }

  // A GET the page preloads (<link rel="preload" as="fetch" crossorigin>
  // in its head, so that the answer is on its way before the page's script
  // runs rather than a round trip after: docs/phone.md, "Light pages"), asked for
  // as the preload was — with other headers the browser would not match
  // it and would ask again — and once; null when the page does not.
  var preloadTaken = {};
  function takePreload(url) {
    if (preloadTaken[url]) return null;
    var links = document.querySelectorAll('link[rel="preload"][as="fetch"]');
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute('href') !== url) continue;
      preloadTaken[url] = true;
      return fetch(url, { credentials: 'same-origin' });
    }
    return null;
  }

  // The strings in `name`. /i18n/auto.json (preloaded by the resident
  // page) is the language the server chose from Accept-Language, that is
  // from the browser's languages: taken when it is the one the page chose,
  // else the file of that name is asked for after it.
  function fetchStrings(name) {
    if (state.cache[name]) return Promise.resolve(state.cache[name]);
    var url = '/i18n/' + name + '.json';
    var auto = LANGS.indexOf(name) >= 0 ? takePreload('/i18n/auto.json') : null;
    var got = auto ? auto.then(function (r) {
      return r.ok && r.headers.get('Content-Language') === name ? r : fetch(url);
    }, function () { return fetch(url); }) : (takePreload(url) || fetch(url));
    return got.then(function (r) {
      if (!r.ok) throw new Error('i18n ' + name + ' ' + r.status);
      return r.json();
    }).then(function (j) { state.cache[name] = j; return j; });
  }

  function plainOn() {
    if (!state.plainPage) return false;
    var q = new URLSearchParams(location.search).get('plain');
    if (q === '1' || q === '0') return q === '1';
    try { return localStorage.getItem(PLAIN_KEY) === '1'; } catch (e) { return false; }
  }

  function loadStrings(lang) {
    var names = [lang].concat(state.bundles.map(function (b) { return b + '.' + lang; }));
    if (lang === 'fi' && plainOn()) names.push('fi-plain');
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
    return browserLang() || 'fi';
  }

  // The first of the browser's languages that we have ("sv-FI" → sv).
  function browserLang() {
    var ls = (navigator.languages && navigator.languages.length) ? navigator.languages : [navigator.language || ''];
    for (var i = 0; i < ls.length; i++) {
      var l = String(ls[i] || '').toLowerCase().split('-')[0];
      if (LANGS.indexOf(l) >= 0) return l;
    }
    return null;
  }

  // A link to another page of ours, with the language in it (?lang=), so
  // that a link passed on or opened elsewhere opens in the same language.
  // Other sites, the API and in-page links are left alone.
  function langHref(href) {
    if (!href || href.charAt(0) === '#') return href;
    var u;
    try { u = new URL(href, location.href); } catch (e) { return href; }
    if (u.origin !== location.origin || u.pathname.indexOf('/api/') === 0) return href;
    if (!/(\/|\.html)$/.test(u.pathname) && !/^\/[sbw]\//.test(u.pathname)) return href;
    u.searchParams.set('lang', state.lang);
    return /^[a-z][a-z0-9+.-]*:|^\/\//i.test(href) ? u.href : u.pathname + u.search + u.hash;
  }

  function localizeLink(a) {
    if (a.hasAttribute('download') || a.getAttribute('data-keep-href') !== null) return;
    var h = a.getAttribute('href');
    var n = langHref(h);
    if (n !== h) a.setAttribute('href', n);
  }

  // Not on the staff's pages: the links made there (a walk's field link, a
  // survey's address) are handed to residents, who have their own language.
  function localizeLinks(root) {
    if (location.pathname.indexOf('/staff') === 0) return;
    (root || document).querySelectorAll('a[href]').forEach(localizeLink);
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
    document.querySelectorAll('.lang-button[data-lang]').forEach(function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-lang') === state.lang ? 'true' : 'false');
    });
    var pb = document.querySelector('.plain-button');
    if (pb) {
      pb.hidden = state.lang !== 'fi';
      pb.setAttribute('aria-pressed', plainOn() ? 'true' : 'false');
    }
    localizeLinks(root);
  }

  function setLang(lang, remember) {
    return loadStrings(lang).then(function (strings) {
      state.lang = lang;
      state.strings = strings;
      if (remember) {
        try { localStorage.setItem(STORAGE_KEY, lang); } catch (e) { /* ignore */ }
        // For the server too: /i18n/auto.json, which the resident page
        // preloads, is then this language (src/http/static.c).
        document.cookie = 'vaikuta_lang=' + lang + '; Path=/; Max-Age=31536000; SameSite=Lax';
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
    // Links drawn later (lists, popups) get the language when followed.
    if (!state.linksWired) {
      state.linksWired = true;
      ['click', 'auxclick', 'contextmenu', 'focusin'].forEach(function (type) {
        document.addEventListener(type, function (e) {
          var a = e.target && e.target.closest ? e.target.closest('a[href]') : null;
          if (a && location.pathname.indexOf('/staff') !== 0) localizeLink(a);
        }, true);
      });
    }
    var pb = document.querySelector('.plain-button');
    if (pb) {
      pb.addEventListener('click', function () {
        try { localStorage.setItem(PLAIN_KEY, plainOn() ? '0' : '1'); } catch (e) { /* ignore */ }
        var u = new URL(location.href);
        if (u.searchParams.has('plain')) {
          u.searchParams.delete('plain');
          history.replaceState(null, '', u.toString());
        }
        setLang(state.lang, false).catch(opts.onError || function () {});
      });
    }
    document.querySelectorAll('.lang-button[data-lang]').forEach(function (b) {
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
    var early = method === 'GET' && body === undefined ? takePreload(url) : null;
    return (early || fetch(url, init)).then(function (r) {
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

  // An element with its text set as text. attrs: a class name, or an
  // object of attributes ("class" sets the class name); null for none.
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (typeof attrs === 'string') {
      e.className = attrs;
    } else if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'class') e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      });
    }
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // The same for an SVG element; every attribute set as it is.
  function svg(tag, attrs, text) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  /* ---------- the feedback statuses ---------- */

  // One list and one set of names (status_<status> in i18n/<lang>.json,
  // which every page loads) for the public and the staff pages alike.
  var STATUSES = ['received', 'in_progress', 'planned', 'resolved', 'not_resolvable',
    'duplicate', 'forwarded'];
  var OPEN = ['received', 'in_progress', 'planned'];
  var CLOSED = ['resolved', 'not_resolvable', 'duplicate', 'forwarded'];
  function statusName(s) { return t('status_' + s); }

  /* ---------- header, navigation and footer ---------- */

  // Written once here instead of copied into every page. A page holds
  //   <header class="site-header" data-brand="KEY" data-nav="HREF KEY; …"
  //           data-nav-label="KEY"></header>
  // (data-staff-nav="HREF" instead of data-nav: the staff pages' own
  // navigation, HREF being the current page) and
  //   <footer class="site-footer" data-footer="KEY" [data-footer-links]></footer>.
  // Texts are data-i18n keys, filled in by applyStaticStrings.
  // Every staff link has an id: lib/staff.js shows each role the pages it
  // can use (its NAV_ROLES), none before the role is known.
  var STAFF_NAV = [
    ['/staff-planner.html', 'navPlanner', 'nav-planner'],
    ['/staff.html', 'navInbox', 'nav-inbox'],
    ['/staff-surveys.html', 'navSurveys', 'nav-surveys'],
    ['/staff-budget.html', 'navBudget', 'nav-budget'],
    ['/staff-walks.html', 'navWalks', 'nav-walks'],
    ['/staff-walk-review.html', 'navWalkReview', 'nav-walk-review'],
    ['/staff-layers.html', 'navLayers', 'nav-layers'],
    ['/stats.html', 'navStats', 'nav-stats'],
    ['/staff-users.html', 'navUsers', 'nav-users'],
    ['/staff-audit.html', 'navAudit', 'nav-audit'],
    ['/staff-replies.html', 'navReplies', 'nav-replies'],
    ['/staff-mail.html', 'navMail', 'nav-mail'],
    ['/', 'navPublic']
  ];
  var FOOTER_LINKS = [['/s/', 'surveysLink'], ['/b/', 'budgetLink'], ['/w/', 'walksLink'],
    ['/stats.html', 'statsLink'], ['/staff.html', 'staffLink']];

  function i18nEl(tag, attrs, key) {
    var e = el(tag, attrs);
    e.setAttribute('data-i18n', key);
    return e;
  }

  function navList(links, current) {
    var ul = el('ul');
    links.forEach(function (l) {
      var li = el('li');
      var a = i18nEl('a', { href: l[0] }, l[1]);
      if (l[2]) {
        // Pages for some roles only: shown once lib/staff.js knows the role.
        a.id = l[2];
        li.hidden = true;
      }
      if (l[0] === current) a.setAttribute('aria-current', 'page');
      li.appendChild(a);
      ul.appendChild(li);
    });
    return ul;
  }

  function labelledNav(attrs, labelKey) {
    var nav = el('nav', attrs);
    nav.setAttribute('data-i18n-attr', 'aria-label:' + labelKey);
    return nav;
  }

  function buildHeader(h) {
    var inner = el('div', 'header-inner');
    var brand = el('p', 'brand');
    brand.appendChild(el('span', 'brand-name', 'Vaikuta'));
    brand.appendChild(document.createTextNode(' '));
    brand.appendChild(i18nEl('span', 'brand-city', h.getAttribute('data-brand') || 'city'));
    inner.appendChild(brand);
    var sw = el('div', { class: 'lang-switch', role: 'group', 'aria-label': 'Kieli – Språk – Language' });
    [['fi', 'Suomi'], ['sv', 'Svenska'], ['en', 'English']].forEach(function (l) {
      sw.appendChild(el('button', { type: 'button', class: 'lang-button', 'data-lang': l[0], lang: l[0],
        'aria-pressed': l[0] === 'fi' ? 'true' : 'false' }, l[1]));
    });
    if (h.hasAttribute('data-plain')) {
      state.plainPage = true;
      var pb = i18nEl('button', { type: 'button', class: 'lang-button plain-button', lang: 'fi',
        'aria-pressed': 'false' }, 'plainToggle');
      sw.appendChild(pb);
    }
    inner.appendChild(sw);
    h.appendChild(inner);

    var nav;
    if (h.hasAttribute('data-staff-nav')) {
      // Shown once signed in (lib/staff.js), with who and the sign-out.
      nav = labelledNav({ id: 'staff-nav', class: 'page-nav staff-nav' }, 'navLabel');
      nav.hidden = true;
      nav.appendChild(navList(STAFF_NAV, h.getAttribute('data-staff-nav')));
      var who = el('p', 'whoami');
      who.appendChild(el('span', { id: 'whoami' }));
      who.appendChild(document.createTextNode(' '));
      who.appendChild(i18nEl('button', { type: 'button', id: 'sign-out',
        class: 'button button-secondary button-small' }, 'signOut'));
      nav.appendChild(who);
    } else if (h.hasAttribute('data-nav')) {
      nav = labelledNav('page-nav', h.getAttribute('data-nav-label') || 'navLabel');
      nav.appendChild(navList(h.getAttribute('data-nav').split(';').map(function (pair) {
        return pair.trim().split(/\s+/);
      })));
    }
    if (nav) h.appendChild(nav);
  }

  function buildFooter(f) {
    f.appendChild(i18nEl('p', null, f.getAttribute('data-footer')));
    if (!f.hasAttribute('data-footer-links')) return;
    var nav = labelledNav(null, 'footerNavLabel');
    var ul = navList(FOOTER_LINKS);
    ul.className = 'footer-links';
    nav.appendChild(ul);
    f.appendChild(nav);
  }

  function buildLayout() {
    document.querySelectorAll('header.site-header[data-brand]').forEach(buildHeader);
    document.querySelectorAll('footer.site-footer[data-footer]').forEach(buildFooter);
  }

  // <link rel="alternate" type="application/atom+xml"> in the head, so
  // browsers and feed readers find the page's Atom feed (docs/feeds.md).
  function feedLink(href, title) {
    var l = document.createElement('link');
    l.rel = 'alternate';
    l.type = 'application/atom+xml';
    l.href = href;
    if (title) l.title = title;
    document.head.appendChild(l);
  }

  window.VK = {
    feedLink: feedLink,
    LANGS: LANGS,
    LOCALES: LOCALES,
    STATUSES: STATUSES,
    OPEN: OPEN,
    CLOSED: CLOSED,
    t: t,
    localName: localName,
    answerIn: answerIn,
    answerLang: answerLang,
    lang: function () { return state.lang; },
    langHref: langHref,
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
    statusName: statusName,
    el: el,
    svg: svg,
    textNode: textNode,
    attributionHtml: attributionHtml,
    $: function (id) { return document.getElementById(id); }
  };

  // Scripts load deferred, so the page is parsed by now: the header is
  // there before any page script looks for its buttons.
  buildLayout();
})();
