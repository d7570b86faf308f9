/*
 * walk.js — the participant's page of an accessibility walk, made for a
 * phone on the street (docs/walks.md, "Field mode"). /w/ joins a walk
 * with its short code and lists the walks; /w/{id} is a joined walk (the
 * code kept in localStorage, so a reload stays joined) and /w/{code}
 * joins with the code in the address. The walk page shows the route and
 * the special-level areas, and records findings: a type from the
 * checklist, a grade, the groups affected, measurements checked live
 * against the thresholds of the place's level (lib/walk-check.js),
 * a description, photos and the place (lib/walk-place.js).
 *
 * Findings are never sent from the form: they go to the device's outbox
 * (lib/walk-queue.js, IndexedDB) and from there to the server, now or
 * when the connection returns; the page lists what is still waiting.
 * A service worker (walk-sw.js) keeps the page and its data for offline.
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, el = VK.el, $ = VK.$, localName = VK.localName;
  var Q = VK.walkQueue, C = VK.walkCheck;
  var NOMAP_KEY = 'vaikuta.survey.nomap';
  var CODES_KEY = 'vaikuta.walk.codes';
  var CODE_ALPHABET = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/;
  var MAX_PHOTOS = 10;
  var MAX_PHOTO_BYTES = 15728640;
  // The checklist's types in groups a participant scans quickly; a type
  // not named here goes to the last group.
  var TYPE_GROUPS = [
    ['wTG_route', ['surface', 'width', 'kerb', 'crossing', 'tactile_paving', 'lighting', 'winter', 'obstacle']],
    ['wTG_buildings', ['entrance', 'stairs', 'ramp', 'toilet']],
    ['wTG_services', ['signage', 'rest', 'parking', 'transit_stop']],
    ['wTG_other', ['other']]
  ];

  var S = {
    config: null, checklist: null, areas: [], walks: null, walk: null, code: null,
    mainMap: null, place: null, formOpen: false, entries: [],
    form: null
  };

  function emptyForm() {
    return { type: '', grade: '', groups: [], measurements: {}, surface: '', description: '', files: [], point: null, search: '' };
  }
  S.form = emptyForm();

  function noMap() {
    try { return localStorage.getItem(NOMAP_KEY) === '1'; } catch (e) { return false; }
  }
  function codes() {
    try { return JSON.parse(localStorage.getItem(CODES_KEY) || '{}') || {}; } catch (e) { return {}; }
  }
  function saveCode(id, code) {
    var c = codes();
    if (code) c[id] = code; else delete c[id];
    try { localStorage.setItem(CODES_KEY, JSON.stringify(c)); } catch (e) { /* storage blocked: joined for this visit only */ }
  }
  function normaliseCode(s) { return String(s || '').replace(/[\s-]+/g, '').toUpperCase(); }

  function typeOf(key) {
    return (S.checklist ? S.checklist.types : []).filter(function (x) { return x.key === key; })[0] || null;
  }
  function typeName(key) { var ty = typeOf(key); return ty ? localName(ty.label) : key; }
  function listed(list, key) { return (list || []).filter(function (x) { return x.key === key; })[0] || null; }

  function showLoadError(key) {
    var b = $('load-error');
    b.textContent = t(key);
    b.hidden = false;
  }

  // An API error in the page's words.
  function errorText(err) {
    var k = 'wApi_' + (err && err.code);
    var s = t(k);
    if (s !== k) return s;
    if (!err || !err.status) return t('wErrNetwork');
    if (err.status >= 500) return t('wErrServer');
    return err.message || t('wErrServer');
  }

  /* ---------- joining ---------- */

  function renderWalkList() {
    var ul = $('walk-list');
    ul.textContent = '';
    var joined = codes();
    var today = new Date().toISOString().slice(0, 10);
    var walks = (S.walks || []).slice().sort(function (a, b) {
      // Upcoming first (soonest first), then the recent ones (newest first).
      var ua = a.date >= today, ub = b.date >= today;
      if (ua !== ub) return ua ? -1 : 1;
      return ua ? (a.date < b.date ? -1 : 1) : (a.date > b.date ? -1 : 1);
    });
    walks.forEach(function (w) {
      var li = el('li', 'sv-card');
      var h = el('h3', 'sv-card-title');
      h.appendChild(el('a', { href: '/w/' + w.id }, w.title));
      li.appendChild(h);
      var facts = [VK.formatDate(w.date), w.organiser,
        t('wFindingsCount', { n: w.findings }), t(w.state === 'open' ? 'wStateOpen' : 'wStateClosed')];
      if (joined[w.id]) facts.push(t('wJoinedMark'));
      li.appendChild(el('p', 'hint', facts.join(' · ')));
      ul.appendChild(li);
    });
    $('walk-list-empty').hidden = walks.length > 0;
  }

  function joinError(text) {
    var e = $('join-code-error');
    e.textContent = text;
    e.hidden = !text;
    $('join-code').setAttribute('aria-invalid', text ? 'true' : 'false');
  }

  function join(raw) {
    var code = normaliseCode(raw);
    joinError('');
    if (!code) { joinError(t('wCodeEmpty')); $('join-code').focus(); return Promise.resolve(); }
    if (!CODE_ALPHABET.test(code)) { joinError(t('wCodeShape')); $('join-code').focus(); return Promise.resolve(); }
    $('join-status').textContent = t('wJoining');
    return VK.api('POST', '/api/v1/walks/join', { code: code }).then(function (r) {
      $('join-status').textContent = '';
      saveCode(r.walk.id, code);
      history.replaceState(null, '', '/w/' + r.walk.id + location.search);
      S.code = code;
      Q.recode(r.walk.id, code).then(function () { Q.sync(); });
      return openWalk(r.walk.id, r.walk, true);
    }, function (err) {
      $('join-status').textContent = '';
      joinError(errorText(err));
      $('join-code').focus();
    });
  }

  function showJoin(forId) {
    $('walk-view').hidden = true;
    $('join-view').hidden = false;
    var w = forId && ((S.walk && String(S.walk.id) === String(forId) && S.walk) ||
      (S.walks || []).filter(function (x) { return String(x.id) === String(forId); })[0]);
    $('join-for').hidden = !w;
    if (w) $('join-for').textContent = t('wJoinFor', { title: w.title });
    renderWalkList();
    document.title = t('wJoinHeading') + ' – Vaikuta';
  }

  /* ---------- the walk ---------- */

  function renderWalk() {
    var w = S.walk;
    $('w-title').textContent = w.title;
    var facts = [VK.formatDate(w.date), w.organiser];
    if (w.walked_m) facts.push(t('wRouteLength', { m: VK.formatNumber(w.walked_m) }));
    if (w.state !== 'open') facts.push(t('wStateClosed'));
    $('w-facts').textContent = facts.join(' · ');
    $('w-notes').textContent = w.notes || '';
    $('w-notes').hidden = !w.notes;
    $('w-joined').textContent = t('wJoinedWith', { code: S.code });
    document.title = w.title + ' – Vaikuta';
    $('w-map-section').hidden = noMap();
    drawMainMap();
  }

  function drawMainMap() {
    if (noMap() || typeof L === 'undefined') {
      if (S.mainMap) { S.mainMap.map.remove(); S.mainMap = null; }
      return;
    }
    if (!S.mainMap) {
      var box = $('w-map');
      box.textContent = '';
      var div = el('div', { class: 'w-map', id: 'w-map-leaflet', role: 'region' });
      box.appendChild(div);
      var map = VK.map.create(div.id, S.config);
      var own = VK.walkPlace.walkLayers(map, S.walk, S.areas);
      if (own.getBounds().isValid()) map.fitBounds(own.getBounds().pad(0.1));
      else map.setView(VK.map.centre(S.config), VK.map.zoom(S.config));
      S.mainMap = { map: map, zoom: null, queued: L.layerGroup().addTo(map) };
    }
    S.mainMap.zoom = VK.map.zoomControl(S.mainMap.map, S.mainMap.zoom);
    S.mainMap.map.getContainer().setAttribute('aria-label', t('wMapLabel', { title: S.walk.title }));
    drawQueuedOnMap();
  }

  // The findings this device recorded on the walk, sent or not.
  function drawQueuedOnMap() {
    if (!S.mainMap) return;
    S.mainMap.queued.clearLayers();
    S.entries.forEach(function (e) {
      var f = e.finding;
      if (String(f.walk) !== String(S.walk.id) || !f.body.geometry) return;
      var c = f.body.geometry.coordinates;
      var m = L.circleMarker([c[1], c[0]], { radius: 8, color: '#7a0019', weight: 3, fillColor: '#ffffff', fillOpacity: 1 });
      m.bindTooltip(VK.textNode('span', typeName(f.body.type)), { direction: 'top' });
      S.mainMap.queued.addLayer(m);
    });
  }

  function openWalk(id, walk, focus) {
    S.code = S.code || codes()[id];
    if (!S.code) { showJoin(id); return Promise.resolve(); }
    var got = walk ? Promise.resolve(walk) : VK.getJSON('/api/v1/walks/' + encodeURIComponent(id));
    return got.then(function (w) {
      S.walk = w;
      $('join-view').hidden = true;
      $('walk-view').hidden = false;
      renderWalk();
      renderQueue();
      cacheForOffline();
      if (focus) $('w-title').setAttribute('tabindex', '-1'), $('w-title').focus();
    }, function (err) {
      showLoadError(err && err.status === 404 ? 'wNotFound' : 'wLoadError');
    });
  }

  /* ---------- the form ---------- */

  function typeOptions() {
    var sel = $('f-type');
    var q = S.form.search.trim().toLocaleLowerCase();
    sel.textContent = '';
    var first = el('option', null, t('chooseOption'));
    first.value = '';
    sel.appendChild(first);
    var types = S.checklist.types;
    var placed = {};
    var shown = 0;
    TYPE_GROUPS.forEach(function (g, gi) {
      var keys = g[1].slice();
      if (gi === TYPE_GROUPS.length - 1) types.forEach(function (ty) { if (!placed[ty.key] && keys.indexOf(ty.key) < 0) keys.unshift(ty.key); });
      var og = el('optgroup');
      og.label = t(g[0]);
      keys.forEach(function (k) {
        var ty = typeOf(k);
        if (!ty) return;
        placed[k] = true;
        var name = localName(ty.label);
        var hay = (name + ' ' + localName(ty.help || '')).toLocaleLowerCase();
        if (q && hay.indexOf(q) < 0 && k !== S.form.type) return;
        var o = el('option', null, name);
        o.value = k;
        og.appendChild(o);
        shown++;
      });
      if (og.children.length) sel.appendChild(og);
    });
    sel.value = S.form.type;
    $('f-type-search-status').textContent = q ? t('wTypeMatches', { n: shown }) : '';
  }

  function renderGrades() {
    var box = $('f-grades');
    box.textContent = '';
    S.checklist.grades.forEach(function (g) {
      var row = el('div', 'radio w-grade');
      var id = 'f-grade-' + g.key;
      var r = el('input', { type: 'radio', name: 'f-grade', id: id, value: g.key, 'aria-describedby': id + '-help' });
      r.checked = S.form.grade === g.key;
      var lab = el('label', { for: id, class: 'w-grade-name' }, localName(g.label));
      var help = el('span', { class: 'radio-hint', id: id + '-help' }, t('wGradeHelp_' + g.key) !== 'wGradeHelp_' + g.key ? t('wGradeHelp_' + g.key) : localName(g.help));
      var text = el('div', 'w-grade-text');
      text.appendChild(lab);
      text.appendChild(help);
      row.appendChild(r);
      row.appendChild(text);
      box.appendChild(row);
    });
  }

  function renderGroups() {
    var box = $('f-groups');
    box.textContent = '';
    S.checklist.groups.forEach(function (g) {
      var row = el('div', 'radio');
      var id = 'f-group-' + g.key;
      var c = el('input', { type: 'checkbox', id: id, value: g.key });
      c.checked = S.form.groups.indexOf(g.key) >= 0;
      row.appendChild(c);
      row.appendChild(el('label', { for: id }, localName(g.label)));
      box.appendChild(row);
    });
  }

  function currentLevel() { return C.levelAt(S.areas, S.form.point); }

  function numberOf(s) {
    var v = String(s || '').trim().replace(',', '.').replace(/\s/g, '');
    if (!v) return null;
    if (!/^-?\d+(\.\d+)?$/.test(v)) return NaN;
    return Number(v);
  }

  // The measurements as numbers (only those typed and valid).
  function measurementValues() {
    var out = {};
    var ty = typeOf(S.form.type);
    if (!ty) return out;
    (ty.measures || []).forEach(function (k) {
      var x = numberOf(S.form.measurements[k]);
      if (x !== null && !isNaN(x)) out[k] = x;
    });
    return out;
  }

  function limitText(l, unit) {
    var parts = [];
    if (typeof l.min === 'number') parts.push(t('wAtLeast', { v: VK.formatNumber(l.min, 1), unit: unit }));
    if (typeof l.max === 'number') parts.push(t('wAtMost', { v: VK.formatNumber(l.max, 1), unit: unit }));
    return parts.join(', ');
  }

  function sourceName(key) {
    var s = S.checklist.sources[key];
    return s ? s.title : key;
  }

  // The thresholds of measure k at the place's level, and the verdict of
  // the value typed, into its box.
  function renderVerdict(k) {
    var box = $('f-m-' + k + '-verdict');
    var input = $('f-m-' + k);
    if (!box || !input) return;
    var ty = typeOf(S.form.type);
    var def = S.checklist.measures[k] || {};
    var unit = def.unit || '';
    var lv = currentLevel().level;
    var values = measurementValues();
    box.textContent = '';
    box.className = 'w-verdict';
    var raw = S.form.measurements[k];
    var x = numberOf(raw);
    var err = $('f-m-' + k + '-error');
    err.hidden = true;
    input.removeAttribute('aria-invalid');
    if (x !== null && (isNaN(x) || x < def.min || x > def.max || (def.integer && x !== Math.floor(x)))) {
      err.textContent = isNaN(x) ? t('wNotNumber') : t('wOutOfRange', { min: VK.formatNumber(def.min), max: VK.formatNumber(def.max), unit: unit });
      err.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      x = null;
    }
    var ths = C.thresholds(ty, k, lv, values);
    if (!ths.length) {
      box.appendChild(el('p', 'w-limit', t('wNoThreshold', { level: t('wLevel_' + lv) })));
      return;
    }
    var v = x === null ? null : C.verdict(ty, k, x, lv, values);
    if (v && v.verdict !== 'ok') {
      box.classList.add('is-breached');
      box.appendChild(el('p', 'w-verdict-head', t('wBreached', { grade: localName(listed(S.checklist.grades, v.verdict).label) })));
    } else if (v) {
      box.classList.add('is-ok');
      box.appendChild(el('p', 'w-verdict-head', t('wWithin')));
    }
    var ul = el('ul', 'w-limits');
    (v ? v.limits : ths).forEach(function (l) {
      var li = el('li', l.breached ? 'w-limit is-breached' : 'w-limit');
      var s = t('wLimit', { level: t('wLevel_' + lv), limit: limitText(l, unit), grade: localName(listed(S.checklist.grades, l.grade).label) });
      if (l.breached) s = t('wLimitBreached') + ' ' + s;
      li.appendChild(el('span', null, s + ' '));
      var src = S.checklist.sources[l.source];
      var srcText = t('wSource', { source: sourceName(l.source) }) + (l.clause ? ' (' + l.clause + ')' : '');
      if (src && src.url) {
        li.appendChild(el('a', { href: src.url, rel: 'noopener', class: 'w-source' }, srcText));
      } else li.appendChild(el('span', 'w-source', srcText));
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  function renderMeasures() {
    var ty = typeOf(S.form.type);
    var box = $('f-measures');
    box.textContent = '';
    var keys = ty ? ty.measures || [] : [];
    $('f-measures-fs').hidden = !keys.length;
    var lv = currentLevel();
    $('f-level-note').textContent = t(lv.level === 'erikoistaso' ? 'wLevelNoteSpecial' : 'wLevelNoteBasic');
    keys.forEach(function (k) {
      var def = S.checklist.measures[k] || {};
      var id = 'f-m-' + k;
      var f = el('div', 'field w-measure');
      f.appendChild(el('label', { for: id }, localName(def.label) + ' (' + def.unit + ')'));
      var desc = [id + '-error', id + '-verdict'];
      if (def.help) {
        f.appendChild(el('p', { class: 'hint', id: id + '-hint' }, localName(def.help)));
        desc.unshift(id + '-hint');
      }
      var input = el('input', { type: 'text', id: id, inputmode: 'decimal', autocomplete: 'off', class: 'w-number',
        'aria-describedby': desc.join(' ') });
      input.value = S.form.measurements[k] || '';
      input.addEventListener('input', function () {
        S.form.measurements[k] = input.value;
        // Another measurement may decide whether a threshold applies (a ramp's rise).
        keys.forEach(renderVerdict);
      });
      f.appendChild(input);
      var err = el('p', { class: 'field-error', id: id + '-error' });
      err.hidden = true;
      f.appendChild(err);
      f.appendChild(el('div', { class: 'w-verdict', id: id + '-verdict', 'aria-live': 'polite' }));
      box.appendChild(f);
    });
    keys.forEach(renderVerdict);
  }

  function renderSurface() {
    var ty = typeOf(S.form.type);
    var show = !!(ty && ty.surface);
    $('f-surface-field').hidden = !show;
    var sel = $('f-surface');
    sel.textContent = '';
    var none = el('option', null, t('wSurfaceNone'));
    none.value = '';
    sel.appendChild(none);
    (S.checklist.surfaces || []).forEach(function (s) {
      var o = el('option', null, localName(s.label));
      o.value = s.key;
      sel.appendChild(o);
    });
    sel.value = S.form.surface;
  }

  function renderTypeHelp() {
    var ty = typeOf(S.form.type);
    $('f-type-help').textContent = ty && ty.help ? localName(ty.help) : '';
  }

  function formatBytes(n) {
    return n >= 1048576 ? t('wMB', { n: VK.formatNumber(n / 1048576, 1) }) : t('wKB', { n: VK.formatNumber(Math.max(1, Math.round(n / 1024))) });
  }

  // A small preview drawn from the file (a data: address: the policy
  // allows no blob: images); none where the browser cannot decode it.
  var previews = typeof WeakMap === 'function' ? new WeakMap() : null;
  function preview(file, img) {
    var done = function (url) { if (url) { img.src = url; img.hidden = false; } };
    if (previews && previews.has(file)) { done(previews.get(file)); return; }
    if (typeof createImageBitmap !== 'function') return;
    createImageBitmap(file).then(function (bmp) {
      var k = 96 / Math.max(bmp.width, bmp.height);
      var c = document.createElement('canvas');
      c.width = Math.max(1, Math.round(bmp.width * k));
      c.height = Math.max(1, Math.round(bmp.height * k));
      c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
      if (bmp.close) bmp.close();
      var url = c.toDataURL('image/jpeg', 0.7);
      if (previews) previews.set(file, url);
      done(url);
    }).catch(function () { /* not decodable here: the name is enough */ });
  }

  function renderPhotos() {
    var ul = $('f-photo-list');
    ul.textContent = '';
    S.form.files.forEach(function (f, i) {
      var li = el('li', 'w-photo');
      var name = f.name || t('wPhotoN', { n: i + 1 });
      var img = el('img', { class: 'w-thumb', alt: t('wPhotoPreview', { name: name }), width: '96', height: '96' });
      img.hidden = true;
      preview(f, img);
      li.appendChild(img);
      li.appendChild(el('span', 'w-photo-name', name + ' (' + formatBytes(f.size) + ')'));
      var del = el('button', { type: 'button', class: 'button button-secondary button-small', id: 'f-photo-' + i + '-remove' }, t('wPhotoRemove', { name: name }));
      del.addEventListener('click', function () {
        S.form.files.splice(i, 1);
        renderPhotos();
        $('f-photos').focus();
      });
      li.appendChild(del);
      ul.appendChild(li);
    });
  }

  function photoError(text) {
    $('f-photos-error').textContent = text;
    $('f-photos-error').hidden = !text;
  }

  function renderPlace() {
    if (S.place) S.place.destroy();
    var box = $('f-place');
    box.textContent = '';
    S.place = VK.walkPlace.create({
      id: 'f-place', config: S.config, walk: S.walk, areas: S.areas, noMap: noMap(), value: S.form.point,
      onChange: function (p) {
        S.form.point = p;
        if (p) { $('f-place-error').hidden = true; }
        var lvNote = $('f-level-note');
        if (lvNote) renderMeasuresLevel();
      }
    });
    box.appendChild(S.place.node);
    if (S.formOpen) S.place.afterInsert();
  }

  // Only the level's note and the verdicts change with the place; the
  // inputs (and the focus in them) stay.
  function renderMeasuresLevel() {
    var ty = typeOf(S.form.type);
    if (!ty) return;
    var lv = currentLevel();
    $('f-level-note').textContent = t(lv.level === 'erikoistaso' ? 'wLevelNoteSpecial' : 'wLevelNoteBasic');
    (ty.measures || []).forEach(renderVerdict);
  }

  function renderForm() {
    if (!S.checklist || !S.walk) return;
    $('f-type-search').value = S.form.search;
    typeOptions();
    renderTypeHelp();
    renderGrades();
    renderGroups();
    renderMeasures();
    renderSurface();
    $('f-description').value = S.form.description;
    renderPhotos();
    renderPlace();
  }

  function openForm() {
    S.formOpen = true;
    $('w-finding').hidden = false;
    $('w-record').setAttribute('aria-expanded', 'true');
    $('w-status').hidden = true;
    renderForm();
    $('w-finding-heading').focus();
  }

  function closeForm() {
    S.formOpen = false;
    if (S.place) { S.place.destroy(); S.place = null; }
    $('w-finding').hidden = true;
    $('w-record').setAttribute('aria-expanded', 'false');
    $('f-summary').hidden = true;
  }

  function validate() {
    var errs = [];
    function fail(field, id, key) {
      errs.push({ id: id, text: t(key) });
      var p = $(field + '-error');
      if (p) { p.textContent = t(key); p.hidden = false; }
    }
    ['f-type-error', 'f-grade-error', 'f-place-error'].forEach(function (id) { $(id).hidden = true; });
    if (!S.form.type) fail('f-type', 'f-type', 'wErrType');
    if (!S.form.grade) fail('f-grade', 'f-grade-' + S.checklist.grades[0].key, 'wErrGrade');
    var ty = typeOf(S.form.type);
    (ty ? ty.measures || [] : []).forEach(function (k) {
      var x = numberOf(S.form.measurements[k]);
      var def = S.checklist.measures[k] || {};
      if (x !== null && (isNaN(x) || x < def.min || x > def.max || (def.integer && x !== Math.floor(x)))) {
        errs.push({ id: 'f-m-' + k, text: localName(def.label) + ': ' + $('f-m-' + k + '-error').textContent });
      }
    });
    if (!S.form.point) fail('f-place', 'f-place-gps', 'wErrPlace');
    $('f-type').setAttribute('aria-invalid', S.form.type ? 'false' : 'true');
    return errs;
  }

  function submit(ev) {
    ev.preventDefault();
    var errs = validate();
    var sum = $('f-summary');
    if (errs.length) {
      var ul = $('f-summary-list');
      ul.textContent = '';
      errs.forEach(function (e) {
        var li = el('li');
        var a = el('a', { href: '#' + e.id }, e.text);
        a.addEventListener('click', function (x) { x.preventDefault(); var n = $(e.id); if (n) n.focus(); });
        li.appendChild(a);
        ul.appendChild(li);
      });
      sum.hidden = false;
      sum.focus();
      return;
    }
    sum.hidden = true;
    var ms = measurementValues();
    var body = {
      id: crypto.randomUUID(),
      geometry: { type: 'Point', coordinates: S.form.point },
      type: S.form.type, grade: S.form.grade, groups: S.form.groups.slice(),
      measurements: ms, description: S.form.description,
      recorded: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
    };
    var ty = typeOf(S.form.type);
    if (ty && ty.surface && S.form.surface) body.surface = S.form.surface;
    var files = S.form.files.slice();
    $('f-submit').setAttribute('aria-disabled', 'true');
    Q.add({ walk: S.walk.id, code: S.code, body: body }, files).then(function () {
      S.form = emptyForm();
      closeForm();
      var st = $('w-status');
      st.textContent = t(navigator.onLine ? 'wSavedSending' : 'wSavedOffline', { n: files.length });
      st.hidden = false;
      st.focus();
      Q.sync();
    }, function () {
      $('f-summary-list').textContent = '';
      $('f-summary-list').appendChild(el('li', null, t('wErrStore')));
      sum.hidden = false;
      sum.focus();
    }).then(function () { $('f-submit').removeAttribute('aria-disabled'); });
  }

  function wireForm() {
    $('w-record').addEventListener('click', function () { if (S.formOpen) closeForm(); else openForm(); });
    $('f-cancel').addEventListener('click', function () { closeForm(); $('w-record').focus(); });
    $('f-form').addEventListener('submit', submit);
    $('f-type-search').addEventListener('input', function () {
      S.form.search = $('f-type-search').value;
      typeOptions();
    });
    $('f-type').addEventListener('change', function () {
      S.form.type = $('f-type').value;
      S.form.measurements = {};
      $('f-type-error').hidden = true;
      renderTypeHelp();
      renderMeasures();
      renderSurface();
    });
    $('f-grades').addEventListener('change', function (e) {
      S.form.grade = e.target.value;
      $('f-grade-error').hidden = true;
    });
    $('f-groups').addEventListener('change', function () {
      S.form.groups = Array.prototype.filter.call($('f-groups').querySelectorAll('input'), function (c) { return c.checked; })
        .map(function (c) { return c.value; });
    });
    $('f-surface').addEventListener('change', function () { S.form.surface = $('f-surface').value; });
    $('f-description').addEventListener('input', function () { S.form.description = $('f-description').value; });
    $('f-photos').addEventListener('change', function () {
      var input = $('f-photos');
      var problems = [];
      Array.prototype.forEach.call(input.files || [], function (f) {
        if (S.form.files.length >= MAX_PHOTOS) { problems.push(t('wPhotoTooMany', { n: MAX_PHOTOS })); return; }
        if (f.size > MAX_PHOTO_BYTES) { problems.push(t('wPhotoTooBig', { name: f.name })); return; }
        if (f.type && !/^image\//.test(f.type)) { problems.push(t('wPhotoNotImage', { name: f.name })); return; }
        S.form.files.push(f);
      });
      input.value = '';
      photoError(problems.filter(function (p, i) { return problems.indexOf(p) === i; }).join(' '));
      renderPhotos();
    });
  }

  /* ---------- the outbox ---------- */

  function entryLabel(e) {
    var f = e.finding;
    var s = typeName(f.body.type) + ' · ' + localName(listed(S.checklist.grades, f.body.grade).label) + ' · ' + VK.formatDate(f.created, true);
    if (e.photos.length) s += ' · ' + t('wPhotosCount', { n: e.photos.length });
    if (S.walk && String(f.walk) !== String(S.walk.id)) s += ' · ' + t('wOtherWalk', { id: f.walk });
    return s;
  }

  function entryState(e) {
    var f = e.finding;
    if (f.state === 'error') return t('wStateError', { reason: errorText(f.error) });
    var bad = e.photos.filter(function (p) { return p.state === 'error'; });
    if (bad.length) return t('wStatePhotoError', { reason: errorText(bad[0].error) });
    if (f.state === 'waiting') return t('wStateWaiting');
    var left = e.photos.filter(function (p) { return p.state === 'waiting' || p.state === 'uploaded'; }).length;
    if (left) return t('wStatePhotosWaiting', { n: left });
    return t('wStateSent');
  }

  function renderQueue() {
    if (!S.checklist) return;
    var waiting = S.entries.filter(Q.isWaiting);
    var errors = S.entries.filter(function (e) { return !Q.isWaiting(e) && Q.hasError(e); });
    var sent = S.entries.filter(function (e) { return !Q.isWaiting(e) && !Q.hasError(e); });
    var photos = 0;
    waiting.forEach(function (e) { photos += e.photos.filter(function (p) { return p.state === 'waiting' || p.state === 'uploaded'; }).length; });
    var count = $('w-queue-count');
    count.setAttribute('data-waiting', String(waiting.length));
    count.setAttribute('data-errors', String(errors.length));
    count.setAttribute('data-sent', String(sent.length));
    var text = waiting.length ? t('wWaiting', { n: waiting.length }) + ' ' + t('wWaitingPhotos', { n: photos }) +
      ' ' + t(navigator.onLine ? 'wWillSend' : 'wWillSendOnline') : t('wNothingWaiting');
    if (errors.length) text += ' ' + t('wErrorsCount', { n: errors.length });
    count.textContent = text;
    count.classList.toggle('is-waiting', waiting.length > 0);

    var ul = $('w-queue-list');
    ul.textContent = '';
    waiting.concat(errors).forEach(function (e) {
      var f = e.finding;
      var li = el('li', Q.hasError(e) ? 'w-entry is-error' : 'w-entry');
      li.appendChild(el('span', 'w-entry-what', entryLabel(e)));
      li.appendChild(el('span', 'w-entry-state', entryState(e)));
      if (f.state === 'error' && f.error && f.error.code === 'invalid_walk_code' && S.walk && String(f.walk) === String(S.walk.id)) {
        var again = el('button', { type: 'button', class: 'button button-small' }, t('wNewCode'));
        again.addEventListener('click', function () {
          saveCode(S.walk.id, null);
          S.code = null;
          showJoin(S.walk.id);
          $('join-code').focus();
        });
        li.appendChild(again);
      }
      if (Q.hasError(e)) {
        var del = el('button', { type: 'button', class: 'button button-secondary button-small' }, t('wDiscard'));
        del.addEventListener('click', function () {
          if (window.confirm(t('wDiscardConfirm'))) Q.discard(e.finding.id).then(function () { $('w-send-now').focus(); });
        });
        li.appendChild(del);
      }
      ul.appendChild(li);
    });

    var sl = $('w-sent-list');
    sl.textContent = '';
    sent.slice().reverse().forEach(function (e) {
      sl.appendChild(el('li', 'w-entry', entryLabel(e) + ' · ' + entryState(e)));
    });
    $('w-sent-box').hidden = sent.length === 0;
    $('w-sent-summary').textContent = t('wSentCount', { n: sent.length });
    drawQueuedOnMap();
  }

  function refreshQueue() {
    return Q.list().then(function (entries) {
      S.entries = entries;
      renderQueue();
    });
  }

  // While a long outbox is being sent every step changes the store: the
  // list is read and drawn again at most every 300 ms, not per request.
  // The first change is drawn at once (a save shows in the count
  // straight away), the rest of a burst once at its end.
  var refreshTimer = null, refreshedAt = 0;
  function refreshSoon() {
    if (refreshTimer) return;
    var wait = Math.max(0, refreshedAt + 300 - Date.now());
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      refreshedAt = Date.now();
      refreshQueue();
    }, wait);
  }

  function showOnline() {
    $('w-offline').hidden = navigator.onLine;
    renderQueue();
  }

  /* ---------- offline ---------- */

  // The service worker keeps the page and the data it needs; it is told
  // the walk's own addresses once the walk is open. body[data-offline]
  // says when they are kept (the test waits for it).
  function registerWorker() {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.register('/walk-sw.js', { scope: '/w/' }).catch(function () { /* the page works online without it */ });
    navigator.serviceWorker.addEventListener('message', function (e) {
      if (e.data && e.data.type === 'cached' && S.walk && String(e.data.walk) === String(S.walk.id)) {
        document.body.setAttribute('data-offline', e.data.ok ? 'ready' : 'partial');
      }
    });
  }

  function cacheForOffline() {
    if (!('serviceWorker' in navigator) || !S.walk) return;
    navigator.serviceWorker.ready.then(function (reg) {
      var sw = reg.active;
      if (!sw) return;
      sw.postMessage({ type: 'cache', walk: S.walk.id,
        urls: ['/api/v1/walks/' + S.walk.id, '/api/v1/walks/' + S.walk.id + '/findings', '/w/' + S.walk.id] });
    });
  }

  /* ---------- start ---------- */

  function render() {
    if (S.walk && !$('walk-view').hidden) {
      renderWalk();
      if (S.formOpen) renderForm();
      renderQueue();
    } else if (!$('join-view').hidden) {
      showJoin(S.joinFor);
    }
  }

  function start() {
    registerWorker();
    var m = /^\/w\/([^/]+)\/?$/.exec(location.pathname);
    var arg = m ? decodeURIComponent(m[1]) : '';
    var ready = function () { document.body.setAttribute('data-ready', 'true'); };
    var strings = VK.startPage({ bundles: ['survey', 'walk'], onLanguage: render, onError: function () { showLoadError('wLoadError'); } });

    $('join-form').addEventListener('submit', function (e) { e.preventDefault(); join($('join-code').value); });
    var nm = $('w-nomap');
    nm.checked = noMap();
    nm.addEventListener('change', function () {
      try { localStorage.setItem(NOMAP_KEY, nm.checked ? '1' : '0'); } catch (e) { /* ignore */ }
      if (S.walk) {
        renderWalk();
        if (S.formOpen) renderPlace();
      }
    });
    $('w-send-now').addEventListener('click', function () { Q.sync(); });
    wireForm();
    window.addEventListener('online', showOnline);
    window.addEventListener('offline', showOnline);
    $('w-offline').hidden = navigator.onLine;

    var base = Promise.all([
      VK.getJSON('/api/v1/config').catch(function () { return {}; }),
      VK.getJSON('/api/v1/walks/checklist'),
      VK.getJSON('/ogcapi/collections/accessibility-areas/items?limit=100').catch(function () { return { features: [] }; }),
      strings
    ]).then(function (r) {
      S.config = r[0];
      S.checklist = r[1];
      S.areas = r[2].features || [];
    });
    var queue = base.then(function () {
      Q.onChange(refreshSoon);
      return refreshQueue().then(function () { Q.start(); });
    });

    var page;
    if (/^\d+$/.test(arg)) {
      S.joinFor = arg;
      page = base.then(function () {
        if (codes()[arg]) return openWalk(arg, null, false);
        return VK.getJSON('/api/v1/walks').then(function (r) { S.walks = r.walks || []; }, function () { S.walks = []; })
          .then(function () { showJoin(arg); });
      });
    } else {
      page = base.then(function () {
        return VK.getJSON('/api/v1/walks').then(function (r) { S.walks = r.walks || []; }, function () { S.walks = []; });
      }).then(function () {
        showJoin(null);
        if (arg) {
          $('join-code').value = arg;
          return join(arg);
        }
      });
    }
    Promise.all([page, queue]).catch(function () {
      strings.then(function () { showLoadError('wLoadError'); });
    }).then(ready);
  }

  start();
})();
