/*
 * lib/place-search.js — "find a place": an address and place search box for
 * every map page, over GET /api/v1/geocode (docs/places.md).
 *
 * An editable combobox with a list popup, as the WAI-ARIA Authoring
 * Practices' "combobox with listbox popup" pattern: the focus stays in the
 * input; Down/Up move the active option (aria-activedescendant), Enter
 * chooses it, Escape closes the list (a second Escape clears the box), and
 * a polite live region says how many places were found. Clicking an option
 * chooses it too. Nothing is chosen until the person chooses.
 *
 *   VK.placeSearch.mount(container, { id: 'ps', onChoose: function (place) {} })
 *
 * place is a result of /api/v1/geocode: { kind, label, lon, lat, district }.
 * Strings: placeSearch* keys of i18n/<lang>.json (loaded on every page).
 * Call the returned object's relabel() after a language change.
 */
(function () {
  'use strict';

  var VK = window.VK;
  var DELAY_MS = 250; // wait for a pause in typing before asking
  var LIMIT = 8;

  function mount(container, opts) {
    var t = VK.t, el = VK.el;
    var id = (opts && opts.id) || 'place-search';
    var onChoose = (opts && opts.onChoose) || function () {};
    var state = { results: [], active: -1, timer: null, seq: 0, open: false };

    var wrap = el('div', 'place-search');
    var label = el('label', { for: id + '-input', id: id + '-label' });
    var hint = el('p', { class: 'hint', id: id + '-hint' });
    var input = el('input', {
      type: 'text', id: id + '-input', role: 'combobox', autocomplete: 'off',
      'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': id + '-list',
      'aria-describedby': id + '-hint', spellcheck: 'false'
    });
    var list = el('ul', { role: 'listbox', id: id + '-list', class: 'place-search-list', 'aria-labelledby': id + '-label' });
    list.hidden = true;
    var live = el('p', { class: 'visually-hidden', 'aria-live': 'polite', id: id + '-live' });
    wrap.appendChild(label);
    wrap.appendChild(hint);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(live);
    container.appendChild(wrap);

    function relabel() {
      label.textContent = t('placeSearchLabel');
      hint.textContent = t('placeSearchHint');
      render();
    }

    function setOpen(open) {
      state.open = open && state.results.length > 0;
      list.hidden = !state.open;
      input.setAttribute('aria-expanded', state.open ? 'true' : 'false');
      if (!state.open) setActive(-1);
    }

    function setActive(i) {
      state.active = i;
      var items = list.children;
      for (var k = 0; k < items.length; k++) {
        items[k].setAttribute('aria-selected', k === i ? 'true' : 'false');
        items[k].classList.toggle('is-active', k === i);
      }
      if (i >= 0 && items[i]) {
        input.setAttribute('aria-activedescendant', items[i].id);
        if (items[i].scrollIntoView) items[i].scrollIntoView({ block: 'nearest' });
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }

    function kindText(p) { return t('placeKind_' + p.kind); }

    function render() {
      list.textContent = '';
      state.results.forEach(function (p, i) {
        var li = el('li', { role: 'option', id: id + '-opt-' + i, 'aria-selected': 'false', class: 'place-search-option' });
        li.appendChild(el('span', 'place-search-name', p.label));
        var more = kindText(p) + (p.district && p.district.name ? ' · ' + p.district.name : '');
        li.appendChild(el('span', 'place-search-meta', more));
        // mousedown, not click: the input keeps its focus.
        li.addEventListener('mousedown', function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      if (state.open) setOpen(true);
    }

    function search() {
      var q = input.value.trim();
      var seq = ++state.seq;
      if (q.length < 2) {
        state.results = [];
        render();
        setOpen(false);
        live.textContent = '';
        return;
      }
      var url = '/api/v1/geocode?q=' + encodeURIComponent(q) + '&limit=' + LIMIT + '&lang=' + VK.lang();
      VK.getJSON(url).then(function (r) {
        if (seq !== state.seq) return; // a newer query is on its way
        state.results = (r && r.results) || [];
        render();
        setOpen(true);
        live.textContent = state.results.length
          ? t('placeSearchCount', { n: state.results.length })
          : t('placeSearchNone');
      }, function () {
        if (seq !== state.seq) return;
        state.results = [];
        render();
        setOpen(false);
        live.textContent = t('placeSearchError');
      });
    }

    function choose(i) {
      var p = state.results[i];
      if (!p) return;
      input.value = p.label;
      setOpen(false);
      live.textContent = t('placeSearchChosen', { label: p.label });
      onChoose(p);
    }

    input.addEventListener('input', function () {
      window.clearTimeout(state.timer);
      state.timer = window.setTimeout(search, DELAY_MS);
    });
    input.addEventListener('keydown', function (e) {
      var n = state.results.length;
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        if (!state.open) setOpen(true);
        if (n) setActive((state.active + 1) % n);
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        if (!state.open) setOpen(true);
        if (n) setActive(state.active <= 0 ? n - 1 : state.active - 1);
      } else if (e.key === 'Enter') {
        // Never the enclosing form's submit: Enter here means "this place".
        e.preventDefault();
        if (state.open && state.active >= 0) choose(state.active);
        else if (state.open && n === 1) choose(0);
      } else if (e.key === 'Escape') {
        if (state.open) {
          e.preventDefault();
          setOpen(false);
        } else if (input.value) {
          e.preventDefault();
          input.value = '';
          state.results = [];
          render();
          live.textContent = '';
        }
      }
    });
    input.addEventListener('blur', function () { setOpen(false); });

    relabel();
    return { input: input, relabel: relabel };
  }

  VK.placeSearch = { mount: mount };
})();
