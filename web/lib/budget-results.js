/*
 * lib/budget-results.js — a round's results as the public page and the
 * staff page both show them (docs/budgeting.md, "Results"): the method
 * and its explanation in plain words, and per area a table of the
 * projects by votes with what each method chose. Load after lib/vk.js
 * and lib/survey-fields.js (money, paragraphs); strings of budget.<lang>.json.
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, el = VK.el, localName = VK.localName;

  function money(n) { return VK.survey.fields.money(n, 'EUR'); }

  // res: the results answer; areaName(key) names an area; idPrefix keeps
  // the headings' ids apart from the page's own.
  function render(box, res, areaName, idPrefix) {
    box.textContent = '';
    var m = el('div', 'b-method');
    m.appendChild(el('p', 'b-method-name', t('bMethodIs', { method: t('bMethod_' + res.method) })));
    VK.survey.fields.paragraphs(m, localName(res.explanation) || t('bMethodExplain_' + res.method));
    m.appendChild(el('p', 'hint', t('bBallotsCounted', { n: res.ballots || 0 })));
    box.appendChild(m);
    (res.areas || []).forEach(function (a) {
      var hid = (idPrefix || 'res') + '-' + a.key + '-h';
      var sec = el('section', { class: 'b-result-area', 'aria-labelledby': hid });
      sec.appendChild(el('h3', { id: hid }, areaName(a.key)));
      sec.appendChild(el('p', null, t('bAreaResult', { ballots: a.ballots || 0, spent: money(a.spent || 0), budget: money(a.budget) })));
      // A region that scrolls sideways on a phone, reachable by keyboard.
      var wrap = el('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-labelledby': hid });
      var table = el('table', 'data-table b-result-table');
      table.appendChild(el('caption', 'visually-hidden', t('bResultsCaption', { area: areaName(a.key) })));
      var head = el('tr');
      ['bColProject', 'bColCost', 'bColVotes', 'bColSelected', 'bColGreedy', 'bColMes'].forEach(function (k) { head.appendChild(el('th', { scope: 'col' }, t(k))); });
      var thead = el('thead');
      thead.appendChild(head);
      table.appendChild(thead);
      var tb = el('tbody');
      (a.projects || []).forEach(function (p) {
        var tr = el('tr', p.selected ? 'is-selected' : null);
        tr.appendChild(el('th', { scope: 'row' }, localName(p.title)));
        tr.appendChild(el('td', null, money(p.cost)));
        tr.appendChild(el('td', null, VK.formatNumber(p.votes || 0)));
        [p.selected, p.selected_greedy, p.selected_mes].forEach(function (v) { tr.appendChild(el('td', null, t(v ? 'bYesChosen' : 'bNotChosen'))); });
        tb.appendChild(tr);
      });
      table.appendChild(tb);
      wrap.appendChild(table);
      sec.appendChild(wrap);
      box.appendChild(sec);
    });
  }

  VK.budget = VK.budget || {};
  VK.budget.results = { render: render, money: money };
})();
