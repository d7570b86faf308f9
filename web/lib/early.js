/*
 * lib/early.js — asks for what a page needs first (its strings and the
 * API answers listed in data-early) as soon as the page's head is read,
 * rather than after every deferred script has come and run: on a slow
 * line that is one round trip less before the page is usable (docs/phone.md,
 * "Light pages"). Loaded with `async`; vk.js takes the answers from
 * window.VK_EARLY (each once) instead of asking again, and asks itself
 * when an answer is not there. The language is chosen as vk.js's
 * initialLang() chooses it: keep the two in step.
 */
(function () {
  'use strict';

  var LANGS = ['fi', 'sv', 'en'];
  var me = document.currentScript;
  var early = window.VK_EARLY = window.VK_EARLY || {};

  function lang() {
    var q = new URLSearchParams(location.search).get('lang');
    if (q && LANGS.indexOf(q) >= 0) return q;
    try {
      var st = localStorage.getItem('vaikuta.lang');
      if (st && LANGS.indexOf(st) >= 0) return st;
    } catch (e) { /* storage may be blocked */ }
    var ls = (navigator.languages && navigator.languages.length) ? navigator.languages : [navigator.language || ''];
    for (var i = 0; i < ls.length; i++) {
      var l = String(ls[i] || '').toLowerCase().split('-')[0];
      if (LANGS.indexOf(l) >= 0) return l;
    }
    return 'fi';
  }

  // The same request as vk.js's api('GET') and fetchStrings make.
  function ask(url) {
    if (early[url]) return;
    early[url] = fetch(url, { method: 'GET', headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    early[url].catch(function () { /* vk.js sees the failure when it takes it */ });
  }

  ask('/i18n/' + lang() + '.json');
  ((me && me.getAttribute('data-early')) || '').split(/\s+/).filter(Boolean).forEach(ask);
})();
