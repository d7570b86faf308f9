/*
 * lib/survey-preview.js — a read-only picture of one page of a survey
 * definition in one of its languages (fi, sv, en), for the editor's live
 * preview: every element drawn as the respondent's form field would be,
 * with nothing sent anywhere. Map questions are described in words (what
 * is drawn, how many, and their follow-up questions), as is the survey
 * area. The preview's own words come from i18n/surveyview.<lang>.json, so
 * the whole preview is in the language previewed.
 *
 * VK.surveyPreview.render(holder, def, pageIndex, lang) → Promise.
 */
(function () {
  'use strict';

  var VK = window.VK, el = VK.el;
  var words = {};

  function load(lang) {
    if (words[lang]) return Promise.resolve(words[lang]);
    return fetch('/i18n/surveyview.' + lang + '.json').then(function (r) {
      if (!r.ok) throw new Error('i18n surveyview ' + r.status);
      return r.json();
    }).then(function (j) { words[lang] = j; return j; });
  }

  function render(holder, def, pageIndex, lang) {
    return load(lang).then(function (w) { draw(holder, def, pageIndex, lang, w); });
  }

  function draw(holder, def, pageIndex, lang, w) {
    var seq = 0;
    function id() { return 'pv-' + (++seq); }
    function say(key, vars) {
      var s = w[key] === undefined ? key : w[key];
      return s.replace(/\{(\w+)\}/g, function (m, k) { return vars && vars[k] !== undefined ? String(vars[k]) : m; });
    }
    // A survey text in lang, else Finnish (marked as such for screen readers).
    // An unwritten text shows `fallback` (a key), so no field is unnamed.
    function text(tag, obj, cls, fallback) {
      var e = el(tag, cls || null);
      if (obj && typeof obj === 'object' && obj[lang]) {
        e.textContent = obj[lang];
      } else if (obj && typeof obj === 'object' && obj.fi) {
        e.textContent = obj.fi;
        e.lang = 'fi';
      } else {
        e.textContent = fallback || '';
      }
      return e;
    }
    function labelOf(q, forId) {
      var l = forId ? el('label') : el('legend');
      if (forId) l.htmlFor = forId;
      l.appendChild(text('span', q.text, null, q.key));
      l.appendChild(document.createTextNode(' '));
      l.appendChild(el('span', 'req', say(q.required ? 'required' : 'optional')));
      return l;
    }
    function help(wrap, q) {
      if (q.help) wrap.appendChild(text('p', q.help, 'hint'));
    }
    function options(wrap, list, type, name) {
      list.forEach(function (c) {
        var row = el('div', 'radio');
        var b = el('input', { type: type, name: name, id: id(), value: c.key });
        var l = text('label', c.text || c.name, null, c.key);
        l.htmlFor = b.id;
        row.appendChild(b);
        row.appendChild(l);
        wrap.appendChild(row);
      });
    }
    function skip(wrap, q, name) {
      if (!q.allow_skip) return;
      options(wrap, [{ key: 'skip', text: null }], q.type === 'multi-choice' ? 'checkbox' : 'radio', name);
      wrap.lastChild.querySelector('label').textContent = say('skip');
    }
    function group(q, body) {
      var fs = el('fieldset', 'field preview-question');
      fs.appendChild(labelOf(q, null));
      help(fs, q);
      body(fs);
      skip(fs, q, 'pv-' + q.key);
      return fs;
    }
    function single(q, make) {
      var wrap = el('div', 'field preview-question');
      var input = make();
      input.id = id();
      wrap.appendChild(labelOf(q, input.id));
      help(wrap, q);
      wrap.appendChild(input);
      if (q.allow_skip) {
        var s = el('div', 'preview-skip');
        options(s, [{ key: 'skip' }], 'checkbox', 'pv-' + q.key + '-skip');
        s.querySelector('label').textContent = say('skip');
        wrap.appendChild(s);
      }
      return wrap;
    }
    function placesOf(q) {
      var all = def.places || [];
      if (!q.places) return all;
      return all.filter(function (p) { return q.places.indexOf(p.key) >= 0; });
    }

    function question(q) {
      var name = 'pv-' + q.key;
      switch (q.type) {
        case 'section': return text('h4', q.text, 'preview-section');
        case 'info': {
          var box = el('div', 'preview-info');
          box.appendChild(text('p', q.text));
          if (q.image && q.image.src && /^(\/|https:\/\/)/.test(q.image.src)) {
            var img = el('img', { src: q.image.src, class: 'preview-image' });
            img.alt = (q.image.alt && (q.image.alt[lang] || q.image.alt.fi)) || '';
            box.appendChild(img);
          }
          return box;
        }
        case 'single-choice':
        case 'multi-choice':
          return group(q, function (fs) {
            options(fs, q.choices || [], q.type === 'single-choice' ? 'radio' : 'checkbox', name);
            if (q.other) {
              options(fs, [{ key: 'other' }], q.type === 'single-choice' ? 'radio' : 'checkbox', name);
              fs.lastChild.querySelector('label').textContent = say('other');
            }
          });
        case 'ranking':
          return group(q, function (fs) {
            var ol = el('ol', 'preview-ranking');
            (q.choices || []).forEach(function (c) { ol.appendChild(text('li', c.text)); });
            fs.appendChild(el('p', 'hint', say(q.rank_all === false ? 'rankSome' : 'rankAll')));
            fs.appendChild(ol);
          });
        case 'scale':
          return group(q, function (fs) {
            var list = [];
            for (var n = q.min || 0; n <= (q.max || 5); n++) list.push({ key: String(n), text: null });
            options(fs, list, 'radio', name);
            var labels = fs.querySelectorAll('.radio label');
            labels.forEach(function (l, i) { l.textContent = list[i].key; });
            if (q.min_label && labels[0]) { labels[0].appendChild(document.createTextNode(' – ')); labels[0].appendChild(text('span', q.min_label)); }
            var last = labels[labels.length - 1];
            if (q.max_label && last) { last.appendChild(document.createTextNode(' – ')); last.appendChild(text('span', q.max_label)); }
          });
        case 'matrix':
          return group(q, function (fs) {
            (q.rows || []).forEach(function (r) {
              var sub = el('fieldset', 'preview-row');
              sub.appendChild(text('legend', r.text, null, r.key));
              options(sub, q.columns || [], 'radio', name + '-' + r.key);
              fs.appendChild(sub);
            });
          });
        case 'number':
          return single(q, function () {
            var i = el('input', { type: 'text', inputmode: 'decimal' });
            return i;
          });
        case 'text':
          return single(q, function () {
            var i = q.multiline ? el('textarea', { rows: '4' }) : el('input', { type: 'text' });
            i.maxLength = q.max_length || 500;
            return i;
          });
        case 'date':
          return single(q, function () {
            var i = el('input', { type: 'date' });
            if (q.min) i.min = q.min;
            if (q.max) i.max = q.max;
            return i;
          });
        case 'consent':
          return group(q, function (fs) {
            options(fs, [{ key: 'yes' }], 'checkbox', name);
            fs.lastChild.querySelector('label').textContent = say('consentYes');
          });
        case 'place-choice':
          return group(q, function (fs) {
            options(fs, placesOf(q), 'checkbox', name);
          });
        case 'budget':
        case 'geobudget':
          return group(q, function (fs) {
            fs.appendChild(el('p', 'hint', say('budgetTotal', {
              total: VK.formatNumber(q.total || 0, 2), currency: q.currency || 'EUR' })));
            (q.items || []).forEach(function (it) {
              var row = el('div', 'field');
              var i = el('input', { type: 'number', min: '0', max: String(it.max_count || 1), id: id(), value: '0' });
              var l = text('label', it.text, null, it.key);
              l.appendChild(document.createTextNode(' (' + say('cost', { cost: VK.formatNumber(it.cost || 0, 2),
                currency: q.currency || 'EUR' }) + ')'));
              l.htmlFor = i.id;
              row.appendChild(l);
              row.appendChild(i);
              fs.appendChild(row);
            });
            if (q.type === 'geobudget') fs.appendChild(el('p', 'hint', say('geobudgetPlace')));
          });
        case 'map-point':
        case 'map-line':
        case 'map-area':
          return group(q, function (fs) {
            fs.appendChild(el('p', 'preview-map-note', say('draw_' + q.type, {
              min: q.min_features || 0, max: q.max_features || 10 })));
            fs.appendChild(el('p', 'hint', say('noMapWays')));
            if (q.followups && q.followups.length) {
              var sub = el('div', 'preview-followups');
              sub.appendChild(el('p', 'preview-followups-intro', say('followupsIntro')));
              q.followups.forEach(function (f) { sub.appendChild(question(f)); });
              fs.appendChild(sub);
            }
          });
        default:
          return el('p', 'hint', q.type);
      }
    }

    holder.textContent = '';
    holder.lang = lang;
    var pages = def.pages || [];
    var page = pages[pageIndex];
    if (pageIndex === 0) {
      holder.appendChild(text('h3', def.title, 'preview-title'));
      if (def.intro) holder.appendChild(text('p', def.intro, 'preview-intro'));
      if (def.area) holder.appendChild(el('p', 'hint', say(def.area_rule === 'outside' ? 'areaOutside' : 'areaInside')));
    }
    holder.appendChild(el('p', 'preview-progress', say('pageOf', { n: pageIndex + 1, total: pages.length })));
    if (!page) return;
    if (page.title) holder.appendChild(text('h4', page.title, 'preview-page-title'));
    if (page.show_if) holder.appendChild(el('p', 'hint', say('conditional')));
    (page.elements || []).forEach(function (q) {
      var node = question(q);
      if (q.show_if) {
        var note = el('p', 'hint preview-conditional', say('conditional'));
        var wrap = el('div');
        wrap.appendChild(note);
        wrap.appendChild(node);
        node = wrap;
      }
      holder.appendChild(node);
    });
    if (pageIndex === pages.length - 1 && def.thanks) {
      holder.appendChild(el('h4', null, say('thanksHeading')));
      holder.appendChild(text('p', def.thanks));
    }
  }

  VK.surveyPreview = { render: render };
})();
