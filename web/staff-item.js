/*
 * staff-item.js — staff-item.html?id=N: one item with everything staff may
 * see, its history and audit trail, and the forms that change it: handling
 * (status with its detail, unit, public answer, internal note), moderation
 * (hide, edit personal data out of the description) and merging into
 * another item. Moderators and admins get the forms; other roles read.
 */
(function () {
  'use strict';

  var VK = window.VK, S = window.VKStaff, t = VK.t, $ = VK.$;
  var id = Number(new URLSearchParams(location.search).get('id')) || 0;
  var ref = { categories: [], districts: [], units: [] };
  var data = null; // the last GET answer
  // The inbox's queue this page was opened from (its filters are in the
  // address): the ids in the inbox's order, for "save and next" and j/k.
  var queue = { ids: [], loaded: false };
  var QUEUE_MAX = 200;
  var nearby = [];
  var canned = []; // the category's canned replies (every status)
  var map = null, mapLayer = null;
  var HIDE_REASONS = ['spam', 'personal_data', 'offensive', 'duplicate', 'other'];

  // Which detail field each outcome needs (the API refuses it elsewhere).
  var DETAIL = { not_resolvable: 'c-reason', duplicate: 'c-duplicate', forwarded: 'c-forwarded' };
  var CHANGE_FIELDS = {
    status: 'c-status', unit: 'c-unit', public_answer: 'c-answer', internal_note: 'c-note',
    'public_answer.fi': 'c-answer', 'public_answer.sv': 'c-answer-sv', 'public_answer.en': 'c-answer-en',
    resolution_reason: 'c-reason', duplicate_of: 'c-duplicate', forwarded_to: 'c-forwarded',
    assignee: 'c-assignee', category: 'c-category', geometry: 'c-lat', 'geometry.coordinates': 'c-lat'
  };

  function canChange() {
    var me = S.me();
    return !!me && (me.role === 'moderator' || me.role === 'admin');
  }

  function nameOf(list, key, value, fallback) {
    var hit = list.filter(function (x) { return key(x) === value; })[0];
    return hit ? VK.localName(hit.name || hit.properties.name) : (value || fallback);
  }

  function staffInfo() {
    var p = data.feedback.properties, s = data.staff || {};
    return {
      visibility: s.visibility || p.visibility || 'public',
      me_too: s.me_too !== undefined ? s.me_too : (p.me_too || 0),
      contact: s.contact || null,
      assignee: s.assignee || '',
      original: s.description_original || null
    };
  }

  /* ---------- the queue ---------- */

  function inboxHref() {
    var q = S.queueParams(location.search).toString();
    return '/staff.html' + (q ? '?' + q : '');
  }

  function loadQueue() {
    var q = S.queueApiQuery(location.search);
    q.set('limit', String(QUEUE_MAX));
    var off = Number(S.queueParams(location.search).get('offset')) || 0;
    if (off) q.set('offset', String(off));
    return VK.getJSON('/api/v1/staff/feedback?' + q.toString()).then(function (fc) {
      queue.ids = fc.features.map(function (f) { return f.id; });
      queue.loaded = true;
      renderQueue();
    }, function () { queue.loaded = false; renderQueue(); });
  }

  // The item before (step -1) or after (+1) this one in the queue; an item
  // that left the queue (answered, closed) continues from its first item.
  function neighbour(step) {
    var at = queue.ids.indexOf(id);
    if (at < 0) return step > 0 ? (queue.ids[0] || 0) : 0;
    return queue.ids[at + step] || 0;
  }

  function renderQueue() {
    $('back-link').href = inboxHref();
    var at = queue.ids.indexOf(id), prev = neighbour(-1), next = neighbour(1);
    $('queue-prev').hidden = !prev;
    $('queue-next').hidden = !next;
    if (prev) $('queue-prev').href = S.itemHref(prev, location.search);
    if (next) $('queue-next').href = S.itemHref(next, location.search);
    $('queue-position').textContent = at >= 0
      ? t('queuePosition', { at: VK.formatNumber(at + 1), n: queue.ids.length, total: VK.formatNumber(queue.ids.length) })
      : t('queueOutside');
  }

  // Before the queue has loaded, "back" already keeps the filters.
  function renderQueueLinksOnly() { $('back-link').href = inboxHref(); }

  function goNext(message) {
    var next = neighbour(1);
    try { if (message) sessionStorage.setItem('vaikuta.staff.announce', message); } catch (e) { /* ignore */ }
    location.href = next ? S.itemHref(next, location.search) : inboxHref();
  }

  /* ---------- reading ---------- */

  function addRow(dl, label, value, lang) {
    if (value === null || value === undefined || value === '') return;
    dl.appendChild(VK.el('dt', {}, label));
    dl.appendChild(VK.el('dd', lang ? { lang: lang } : {}, String(value)));
  }

  // "Label: text", the text in its own language (an answer), the label in
  // the page's.
  function labelled(label, text, lang, cls) {
    var p = VK.el('p', cls ? { class: cls } : {}, label + ': ');
    p.appendChild(VK.el('span', lang ? { lang: lang } : {}, text));
    return p;
  }

  function renderDetails() {
    var f = data.feedback, p = f.properties, info = staffInfo(), dl = $('details');
    $('page-heading').textContent = t('itemHeading', { id: f.id });
    document.title = t('itemHeading', { id: f.id }) + ' – Vaikuta';
    dl.textContent = '';
    addRow(dl, t('description'), p.description);
    addRow(dl, t('place'), p.place);
    addRow(dl, t('fCategory'), nameOf(ref.categories, function (c) { return c.id; }, p.category));
    answerRows(dl, p);
    addRow(dl, t('fDistrict'), p.district ? nameOf(ref.districts, function (d) { return d.properties.code; }, p.district)
      : t('noDistrict'));
    addRow(dl, t('colCreated'), VK.formatDate(p.created, true));
    addRow(dl, t('updated'), VK.formatDate(p.updated, true));
    addRow(dl, t('fStatus'), VK.statusName(p.status));
    addRow(dl, t('resolutionReason'), p.resolution_reason);
    if (p.duplicate_of) addRow(dl, t('duplicateOf'), p.duplicate_of);
    addRow(dl, t('forwardedTo'), p.forwarded_to);
    addRow(dl, t('fUnit'), p.unit ? nameOf(ref.units, function (u) { return u.code; }, p.unit) : t('noUnit'));
    addRow(dl, t('assignee'), info.assignee || t('noAssignee'));
    addRow(dl, t('meToo'), VK.formatNumber(info.me_too));
    addRow(dl, t('fVisibility'), t('vis_' + info.visibility));
    // The answer as written (the first given of fi, sv, en), in its language.
    if (p.answer) addRow(dl, t('publicAnswer'), p.answer, VK.answerLang(p, 'answer'));
    else addRow(dl, t('publicAnswer'), t('notAnsweredShort'));
    if (p.answered) addRow(dl, t('colAnswered'), VK.formatDate(p.answered, true));
    if (info.contact) {
      var c = info.contact;
      addRow(dl, t('contact'), [c.name, c.email, c.phone].filter(Boolean).join(', ') || t('none'));
    }
    addRow(dl, t('descriptionOriginal'), info.original);
  }

  // The category's answers (properties.attributes) with the questions'
  // labels and the options' names in the page's language.
  function answerRows(dl, p) {
    var answers = p.attributes;
    if (typeof answers === 'string') { try { answers = JSON.parse(answers); } catch (e) { answers = null; } }
    if (!answers || typeof answers !== 'object') return;
    var cat = ref.categories.filter(function (c) { return c.id === p.category; })[0];
    var defs = (cat && cat.attributes) || [];
    var shown = {};
    defs.forEach(function (d) {
      if (!(d.code in answers)) return;
      shown[d.code] = true;
      var v = answers[d.code], names = d.values || [];
      var text = [].concat(v).map(function (x) {
        var o = names.filter(function (n) { return n.key === x; })[0];
        if (o) return VK.localName(o.name);
        if (typeof x === 'boolean') return t(x ? 'yes' : 'no');
        return String(x);
      }).join(', ');
      addRow(dl, VK.localName(d.description) || d.code, text);
    });
    Object.keys(answers).forEach(function (k) {
      if (!shown[k]) addRow(dl, k, [].concat(answers[k]).join(', '));
    });
  }

  /* ---------- canned replies ---------- */

  function loadCanned() {
    var cat = data.feedback.properties.category;
    return VK.getJSON('/api/v1/staff/replies' + (cat ? '?category=' + encodeURIComponent(cat) : ''))
      .then(function (j) { canned = j.replies; }, function () { canned = []; }).then(fillCanned);
  }

  // The text in the page's language, else another one it has.
  function cannedText(r) {
    var lang = document.documentElement.lang;
    return r.body[lang] || r.body.fi || r.body.sv || r.body.en || '';
  }

  // The replies for the status chosen in the form (and for every status).
  function fillCanned() {
    var sel = $('c-canned'), keep = sel.value, st = $('c-status').value;
    var fit = canned.filter(function (r) { return !r.status || r.status === st; });
    sel.textContent = '';
    sel.appendChild(S.option('', fit.length ? t('cannedChoose') : t('cannedNone'), true));
    fit.forEach(function (r) { sel.appendChild(S.option(String(r.id), r.title, String(r.id) === keep)); });
    $('c-canned-insert').disabled = !fit.length;
  }

  function appendTo(box, text) {
    if (text) box.value = box.value.trim() ? box.value.replace(/\s+$/, '') + '\n\n' + text : text;
  }

  // The reply goes in per language: Finnish (else the page's or any text it
  // has) into the answer, Swedish and English into their own fields.
  function insertCanned() {
    var r = canned.filter(function (x) { return String(x.id) === $('c-canned').value; })[0];
    if (!r) { $('c-canned').focus(); return; }
    var box = $('c-answer');
    appendTo(box, r.body.fi || cannedText(r));
    appendTo($('c-answer-sv'), r.body.sv);
    appendTo($('c-answer-en'), r.body.en);
    box.focus();
    S.announce(t('cannedInserted', { title: r.title }));
  }

  /* ---------- the map and the possible duplicates around the item ---------- */

  function loadNearby() {
    return VK.getJSON('/api/v1/staff/feedback/' + id + '/nearby').then(function (fc) {
      nearby = fc.features;
    }, function () { nearby = []; }).then(renderNearby);
  }

  function renderNearby() {
    var ul = $('nearby-list'), p = data.feedback.properties;
    ul.textContent = '';
    $('nearby-none').hidden = nearby.length > 0;
    var rw = canChange();
    nearby.forEach(function (f) {
      var q = f.properties, li = VK.el('li', {});
      var a = VK.el('a', { href: S.itemHref(f.id, location.search) }, t('itemLink', { id: f.id }));
      li.appendChild(a);
      li.appendChild(document.createTextNode(' – ' + t('nearbyWhat', {
        m: VK.formatNumber(q.distance_m), category: nameOf(ref.categories, function (c) { return c.id; }, q.category),
        status: VK.statusName(q.status)
      }) + (q.category === p.category ? ' (' + t('sameCategory') + ')' : '')));
      li.appendChild(VK.el('p', { class: 'hint' }, q.description || ''));
      if (rw) {
        var b = VK.el('button', { type: 'button', class: 'button button-secondary nearby-merge', 'data-into': String(f.id) },
          t('mergeIntoThis', { id: f.id }));
        b.addEventListener('click', function () { mergeInto(f.id); });
        li.appendChild(b);
      }
      ul.appendChild(li);
    });
    drawMap();
  }

  function drawMap() {
    if (!window.L || !data.feedback.geometry) return;
    if (!map) {
      map = VK.map.create('item-map', ref.config);
      VK.map.zoomControl(map);
      mapLayer = L.layerGroup().addTo(map);
      // A click gives the corrected place (the fields take it without the map too).
      map.on('click', function (ev) {
        if (!canChange()) return;
        $('c-lat').value = ev.latlng.lat.toFixed(6);
        $('c-lon').value = ev.latlng.lng.toFixed(6);
        S.announce(t('placePicked'));
      });
    }
    mapLayer.clearLayers();
    var mine = L.geoJSON(data.feedback, {
      pointToLayer: function (feat, ll) { return L.circleMarker(ll, { color: '#063a5e', weight: 3, fillColor: '#063a5e', fillOpacity: 0.9, radius: 9 }); },
      style: function () { return { color: '#063a5e', weight: 4 }; }
    }).bindTooltip(VK.textNode('span', t('itemHeading', { id: id }))).addTo(mapLayer);
    nearby.forEach(function (f) {
      L.geoJSON(f, {
        pointToLayer: function (feat, ll) { return L.circleMarker(ll, { color: '#8a4b00', weight: 2, fillColor: '#f0a030', fillOpacity: 0.8, radius: 7 }); }
      }).bindTooltip(VK.textNode('span', t('itemLink', { id: f.id }) + ': ' + (f.properties.description || '').slice(0, 60)))
        .addTo(mapLayer);
    });
    var b = mine.getBounds();
    if (b.isValid()) map.fitBounds(b.pad(0.5), { maxZoom: 18 });
  }

  function renderHistory() {
    var ol = $('history'), body = $('audit-body');
    ol.textContent = '';
    body.textContent = '';
    data.events.forEach(function (ev) {
      var li = VK.el('li', { class: 'history-item' });
      li.appendChild(VK.el('p', { class: 'history-when' }, VK.formatDate(ev.at, true) + ' – ' + ev.actor + ' – ' + t('kind_' + ev.kind)));
      var what = S.changes(ev.after);
      if (what) li.appendChild(VK.el('p', {}, what));
      var a = ev.after || {};
      if (ev.public_answer) {
        li.appendChild(labelled(t('publicAnswer'), ev.public_answer, VK.answerLang({ answer: ev.public_answer,
          answer_sv: a.answer_sv, answer_en: a.answer_en }, 'answer')));
      }
      if (a.answer_sv) li.appendChild(labelled(t('answerSv'), a.answer_sv, 'sv'));
      if (a.answer_en) li.appendChild(labelled(t('answerEn'), a.answer_en, 'en'));
      if (ev.internal_note) li.appendChild(VK.el('p', { class: 'note' }, t('internalNote') + ': ' + ev.internal_note));
      ol.appendChild(li);

      var tr = document.createElement('tr');
      tr.appendChild(VK.el('td', {}, VK.formatDate(ev.at, true)));
      tr.appendChild(VK.el('td', {}, ev.actor));
      tr.appendChild(VK.el('td', {}, t('kind_' + ev.kind)));
      tr.appendChild(VK.el('td', {}, S.changes(ev.before) || '–'));
      tr.appendChild(VK.el('td', {}, S.changes(ev.after) || '–'));
      body.appendChild(tr);
    });
    if (!data.events.length) {
      ol.appendChild(VK.el('li', {}, t('noEvents')));
      var tr = document.createElement('tr');
      tr.appendChild(VK.el('td', { colspan: '5' }, t('noEvents')));
      body.appendChild(tr);
    }
  }

  /* ---------- the forms ---------- */

  function fillForms() {
    var p = data.feedback.properties, info = staffInfo();
    var st = $('c-status'), keep = st.value || p.status;
    st.textContent = '';
    VK.STATUSES.forEach(function (s) { st.appendChild(S.option(s, VK.statusName(s), s === keep)); });
    var ca = $('c-category'), cv = ca.value || p.category;
    ca.textContent = '';
    ref.categories.forEach(function (c) { ca.appendChild(S.option(c.id, VK.localName(c.name), c.id === cv)); });
    var un = $('c-unit'), u = un.value || p.unit || '';
    un.textContent = '';
    un.appendChild(S.option('', t('noUnit'), !u));
    ref.units.forEach(function (x) { un.appendChild(S.option(x.code, VK.localName(x.name), x.code === u)); });
    var rs = $('m-reason'), r = rs.value;
    rs.textContent = '';
    rs.appendChild(S.option('', t('hideReasonChoose'), !r));
    HIDE_REASONS.forEach(function (x) { rs.appendChild(S.option(x, t('hideReason_' + x), x === r)); });
    $('m-hidden').checked = info.visibility === 'hidden';
    $('m-hidden').disabled = info.visibility === 'withdrawn';
    showDetailFields();
  }

  function resetForms() {
    var p = data.feedback.properties;
    $('c-status').value = p.status;
    $('c-unit').value = p.unit || '';
    ['c-reason', 'c-duplicate', 'c-forwarded', 'c-answer', 'c-answer-sv', 'c-answer-en', 'c-note', 'g-into', 'g-answer', 'm-reason', 'm-note'].forEach(function (k) { $(k).value = ''; });
    $('m-description').value = p.description;
    $('c-assignee').value = staffInfo().assignee;
    $('c-category').value = p.category;
    $('c-lat').value = '';
    $('c-lon').value = '';
    fillForms();
  }

  function showDetailFields() {
    var st = $('c-status').value;
    Object.keys(DETAIL).forEach(function (s) { $(DETAIL[s] + '-field').hidden = st !== s; });
    showHideFields();
  }

  // The reason and the note go with hiding only.
  function showHideFields() {
    var hiding = $('m-hidden').checked && staffInfo().visibility !== 'hidden';
    $('m-reason-field').hidden = !hiding;
    $('m-note-field').hidden = !hiding;
  }

  /* The item's photos, each with its state; moderators approve (public
   * with the item) or reject (deleted) one at a time. */
  function renderPhotos() {
    var ul = $('photo-review'), photos = data.photos || [], rw = canChange();
    ul.textContent = '';
    $('photos-none').hidden = photos.length > 0;
    photos.forEach(function (ph, i) {
      var n = i + 1;
      var li = VK.el('li', { class: 'photo-review-item' });
      var a = VK.el('a', { href: ph.url, target: '_blank', rel: 'noopener' });
      a.appendChild(VK.el('img', { src: ph.thumb, alt: t('photoAlt', { n: n }), class: 'photo-thumb' }));
      li.appendChild(a);
      li.appendChild(VK.el('p', { class: 'photo-state state-' + ph.state }, t('photoN', { n: n }) + ': ' + t('photoState_' + ph.state)));
      if (rw) {
        var row = VK.el('div', { class: 'button-row' });
        if (ph.state === 'pending') {
          var ok = VK.el('button', { type: 'button', class: 'button button-small', id: 'photo-approve-' + n }, t('photoApprove', { n: n }));
          ok.addEventListener('click', function () { decide(ph.id, 'approve', n); });
          row.appendChild(ok);
        }
        var no = VK.el('button', { type: 'button', class: 'button button-secondary button-small', id: 'photo-reject-' + n }, t('photoReject', { n: n }));
        no.addEventListener('click', function () { decide(ph.id, 'reject', n); });
        row.appendChild(no);
        li.appendChild(row);
      }
      ul.appendChild(li);
    });
  }

  function decide(photo, decision, n) {
    var err = $('photos-error');
    err.hidden = true;
    VK.api('POST', '/api/v1/staff/feedback/' + id + '/photos/' + photo, { decision: decision }).then(function () {
      return refresh().then(function () {
        S.announce(t(decision === 'approve' ? 'photoApproved' : 'photoRejected', { n: n }));
        // Focus stays in the list: the next photo's button, else the heading.
        var next = document.querySelector('#photo-review button');
        if (next) next.focus(); else { $('photos-heading').tabIndex = -1; $('photos-heading').focus(); }
      });
    }, function (e) {
      err.textContent = t('photoDecisionFailed') + (e && e.message ? ' ' + e.message : '');
      err.hidden = false;
    });
  }

  function refresh() {
    return VK.getJSON('/api/v1/staff/feedback/' + id).then(function (j) {
      data = j;
      renderDetails();
      renderPhotos();
      renderHistory();
      return loadNearby();
    });
  }

  function done(form, message) {
    return refresh().then(function () {
      resetForms();
      S.clearErrors(form);
      S.announce(message);
    });
  }

  function submitChange(e) {
    e.preventDefault();
    var andNext = !!(e.submitter && e.submitter.id === 'c-save-next') || e.andNext === true;
    var form = $('change-form'), p = data.feedback.properties, body = {};
    var st = $('c-status').value;
    if (st !== p.status) body.status = st;
    if ($('c-unit').value && $('c-unit').value !== (p.unit || '')) body.unit = $('c-unit').value;
    if ($('c-category').value && $('c-category').value !== p.category) body.category = $('c-category').value;
    var lat = $('c-lat').value.trim().replace(',', '.'), lon = $('c-lon').value.trim().replace(',', '.');
    if (lat || lon) {
      if (!lat || !lon || !isFinite(Number(lat)) || !isFinite(Number(lon))) {
        S.showError(form, { status: 400, field: lat && isFinite(Number(lat)) ? 'lon' : 'lat', message: t('errLatLon') },
          { lat: 'c-lat', lon: 'c-lon' });
        return;
      }
      body.geometry = { type: 'Point', coordinates: [Number(lon), Number(lat)] };
    }
    var who = $('c-assignee').value.trim();
    if (who !== staffInfo().assignee) body.assignee = who || null;
    var ans = $('c-answer').value.trim(), note = $('c-note').value.trim();
    var sv = $('c-answer-sv').value.trim(), en = $('c-answer-en').value.trim();
    // One language: the plain answer; more: an answer per language.
    if (sv || en) {
      body.public_answer = {};
      if (ans) body.public_answer.fi = ans;
      if (sv) body.public_answer.sv = sv;
      if (en) body.public_answer.en = en;
    } else if (ans) body.public_answer = ans;
    if (note) body.internal_note = note;
    if (st === 'not_resolvable' && $('c-reason').value.trim()) body.resolution_reason = $('c-reason').value.trim();
    if (st === 'forwarded' && $('c-forwarded').value.trim()) body.forwarded_to = $('c-forwarded').value.trim();
    if (st === 'duplicate' && $('c-duplicate').value.trim()) {
      var n = Number($('c-duplicate').value.trim());
      body.duplicate_of = Number.isInteger(n) && n > 0 ? n : $('c-duplicate').value.trim();
    }
    if (!Object.keys(body).length) {
      if (andNext) { goNext(null); return; }
      S.showError(form, { status: 400, field: 'status', message: t('errNothing') }, CHANGE_FIELDS);
      return;
    }
    VK.api('PATCH', '/api/v1/staff/feedback/' + id, body).then(function () {
      if (andNext) { goNext(t('changeSavedItem', { id: id })); return null; }
      return done(form, t('changeSaved'));
    }, function (err) { S.showApiError(form, err, CHANGE_FIELDS); });
  }

  function submitModeration(e) {
    e.preventDefault();
    var form = $('moderate-form'), p = data.feedback.properties, info = staffInfo(), body = {};
    var hide = $('m-hidden').checked;
    if (info.visibility !== 'withdrawn' && hide !== (info.visibility === 'hidden')) body.hidden = hide;
    var fields = { hidden: 'm-hidden', description: 'm-description', hide_reason: 'm-reason', reporter_note: 'm-note' };
    if (body.hidden === true) {
      // Hiding asks why, from the list; the note to the reporter is optional.
      if (!$('m-reason').value) {
        S.showError(form, { status: 400, field: 'hide_reason', message: t('errHideReason') }, fields);
        return;
      }
      body.hide_reason = $('m-reason').value;
      if ($('m-note').value.trim()) body.reporter_note = $('m-note').value.trim();
    }
    var desc = $('m-description').value.trim();
    if (desc !== p.description) body.description = desc;
    if (!Object.keys(body).length) {
      S.showError(form, { status: 400, field: 'description', message: t('errNothing') }, fields);
      return;
    }
    VK.api('PATCH', '/api/v1/staff/feedback/' + id, body).then(function () {
      return done(form, t('moderationSaved'));
    }, function (err) { S.showApiError(form, err, fields); });
  }

  var MERGE_FIELDS = { into: 'g-into', public_answer: 'g-answer' };

  function submitMerge(e) {
    e.preventDefault();
    var form = $('merge-form'), v = $('g-into').value.trim(), n = Number(v);
    if (!v || !Number.isInteger(n) || n <= 0) {
      S.showError(form, { status: 400, field: 'into', message: t('errId') }, MERGE_FIELDS);
      return;
    }
    mergeInto(n);
  }

  // One click from the nearby list, or the form: the public answer in the
  // merge form goes with it.
  function mergeInto(n) {
    var form = $('merge-form'), body = { into: n }, ans = $('g-answer').value.trim();
    if (ans) body.public_answer = ans;
    VK.api('POST', '/api/v1/staff/feedback/' + id + '/merge', body).then(function () {
      return done(form, t('merged', { id: n }));
    }, function (err) {
      $('g-into').value = String(n);
      S.showApiError(form, err, MERGE_FIELDS);
    });
  }

  function onSignedIn() {
    if (!id) {
      $('load-error').textContent = t('errNoItem');
      $('load-error').hidden = false;
      $('item').hidden = true;
      return null;
    }
    return Promise.all([
      VK.getJSON('/api/v1/categories'), VK.getJSON('/api/v1/districts'), VK.getJSON('/api/v1/units'),
      VK.getJSON('/api/v1/staff/feedback/' + id), VK.getJSON('/api/v1/config').catch(function () { return null; })
    ]).then(function (r) {
      ref.categories = r[0].categories;
      ref.districts = r[1].features;
      ref.units = r[2].units;
      ref.config = r[4];
      data = r[3];
      var rw = canChange();
      document.querySelectorAll('[data-moderator]').forEach(function (f) { f.hidden = !rw; });
      $('read-only').hidden = rw;
      renderDetails();
      renderPhotos();
      renderHistory();
      resetForms();
      try {
        var said = sessionStorage.getItem('vaikuta.staff.announce');
        if (said) { sessionStorage.removeItem('vaikuta.staff.announce'); S.announce(said); }
      } catch (e) { /* ignore */ }
      return Promise.all([loadQueue(), loadNearby(), rw ? loadCanned() : null]);
    }, function (err) {
      if (err.status === 401) { S.signedOut(); return; }
      $('item').hidden = true;
      $('load-error').textContent = err.status === 404 ? t('errNoItem') : t('errLoad') + ' ' + err.message;
      $('load-error').hidden = false;
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('c-status').addEventListener('change', function () { showDetailFields(); fillCanned(); });
    $('c-canned-insert').addEventListener('click', insertCanned);
    $('m-hidden').addEventListener('change', showHideFields);
    renderQueueLinksOnly();
    S.shortcuts({
      j: function () { var n = neighbour(1); if (n) location.href = S.itemHref(n, location.search); },
      k: function () { var n = neighbour(-1); if (n) location.href = S.itemHref(n, location.search); },
      a: function () { if (canChange() && !$('change-form').hidden) $('c-answer').focus(); },
      s: function () {
        if (!canChange() || $('change-form').hidden) return;
        submitChange({ preventDefault: function () {}, andNext: true });
      },
      m: function () { var b = document.querySelector('.nearby-merge') || $('g-into'); if (b) b.focus(); },
      b: function () { location.href = inboxHref(); }
    });
    $('change-form').addEventListener('submit', submitChange);
    $('moderate-form').addEventListener('submit', submitModeration);
    $('merge-form').addEventListener('submit', submitMerge);
    S.start({
      onSignedIn: onSignedIn,
      onLanguage: function () {
        if (!data) return;
        renderDetails();
        renderPhotos();
        renderHistory();
        fillForms();
        renderQueue();
        renderNearby();
        fillCanned();
      }
    });
  });
})();
