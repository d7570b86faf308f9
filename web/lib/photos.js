/*
 * photos.js — photos on feedback in the browser (docs/photos.md):
 *
 * VK.photoPicker(opts): the report form's part. Two native file inputs (the
 * camera, with `capture`, and the gallery, several at once), so each is a
 * plain keyboard control with its own label; each chosen image is uploaded
 * at once (POST /api/v1/photos, the raw bytes) with a progress bar, shown as
 * a small preview with a remove button, and its id goes with the report.
 * Errors are the page's language, said in a live region.
 *
 * VK.photoThumbs(photos, opts): a list of linked thumbnails for the items'
 * JSON (properties.photos, the follow-up view, the staff view).
 *
 * Strings: photo* keys of i18n/<lang>.json (every page loads that bundle).
 */
(function () {
  'use strict';

  var VK = window.VK, t = VK.t, el = VK.el;
  var MAX = 3;
  var MAX_BYTES = 15 * 1024 * 1024;

  // A small preview drawn from the file (a data: address: the pages' policy
  // allows no blob: images); none where the browser cannot decode it.
  function preview(file, img) {
    if (typeof createImageBitmap !== 'function') return;
    createImageBitmap(file).then(function (bmp) {
      var k = 120 / Math.max(bmp.width, bmp.height);
      var c = document.createElement('canvas');
      c.width = Math.max(1, Math.round(bmp.width * k));
      c.height = Math.max(1, Math.round(bmp.height * k));
      c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
      if (bmp.close) bmp.close();
      img.src = c.toDataURL('image/jpeg', 0.7);
      img.hidden = false;
    }).catch(function () { /* not decodable here (HEIC): the name is enough */ });
  }

  // The error's sentence in the page's language, by the server's code.
  function errorText(code, name) {
    var key = 'photoErr_' + (code || 'server');
    return t(key, { name: name }) !== key ? t(key, { name: name }) : t('photoErr_server', { name: name });
  }

  // Upload one file; onProgress(0..1); resolves with the photo's JSON,
  // rejects with {code}.
  function upload(file, onProgress) {
    return new Promise(function (resolve, reject) {
      var x = new XMLHttpRequest();
      x.open('POST', '/api/v1/photos');
      x.setRequestHeader('Content-Type', file.type && /^image\//.test(file.type) ? file.type : 'application/octet-stream');
      x.setRequestHeader('Accept', 'application/json');
      x.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(e.loaded / e.total); };
      x.onload = function () {
        var j = null;
        try { j = JSON.parse(x.responseText); } catch (e) { j = null; }
        if (x.status === 201 && j && j.id) resolve(j);
        else reject({ code: j && j.error && j.error.code });
      };
      x.onerror = function () { reject({ code: 'network' }); };
      x.send(file);
    });
  }

  /* opts: { camera, gallery (input elements), list (ul), status (live p),
   *         error (p), onChange() } */
  function photoPicker(opts) {
    var items = []; // {file, name, state: 'uploading'|'done', progress, id}
    var seq = 0;

    function render() {
      var ul = opts.list;
      ul.textContent = '';
      items.forEach(function (it) {
        var li = el('li', 'photo-item');
        var img = el('img', { class: 'photo-preview', alt: t('photoPreview', { name: it.name }), width: '60', height: '60' });
        img.hidden = true;
        if (it.src) { img.src = it.src; img.hidden = false; } else preview(it.file, img);
        img.addEventListener('load', function () { if (img.src.indexOf('data:') === 0) it.src = img.src; });
        li.appendChild(img);
        var info = el('span', 'photo-info');
        info.appendChild(el('span', 'photo-name', it.name));
        if (it.state === 'uploading') {
          var p = el('progress', { max: '100', value: String(Math.round(it.progress * 100)), 'aria-label': t('photoUploading', { name: it.name }) });
          info.appendChild(p);
        } else {
          info.appendChild(el('span', 'photo-state', t('photoReady')));
        }
        li.appendChild(info);
        var del = el('button', { type: 'button', class: 'button button-secondary button-small', id: 'photo-remove-' + it.key }, t('photoRemove', { name: it.name }));
        del.addEventListener('click', function () {
          items.splice(items.indexOf(it), 1);
          render();
          say(t('photoRemoved', { name: it.name }));
          opts.gallery.focus();
        });
        li.appendChild(del);
        ul.appendChild(li);
      });
      var full = items.length >= MAX;
      [opts.camera, opts.gallery].forEach(function (inp) {
        inp.disabled = full;
      });
      opts.full.hidden = !full;
      if (opts.onChange) opts.onChange();
    }

    function say(s) { opts.status.textContent = s; }

    function showError(s) {
      opts.error.textContent = '';
      if (!s) { opts.error.hidden = true; return; }
      opts.error.appendChild(el('span', 'visually-hidden', t('errorPrefix') + ' '));
      opts.error.appendChild(document.createTextNode(s));
      opts.error.hidden = false;
    }

    function add(files) {
      showError(null);
      var errors = [];
      Array.prototype.forEach.call(files, function (file) {
        var name = file.name || t('photoN', { n: items.length + 1 });
        if (items.length >= MAX) { errors.push(t('photoErr_tooMany', { max: MAX, name: name })); return; }
        if (file.size > MAX_BYTES) { errors.push(errorText('body_too_large', name)); return; }
        var it = { key: ++seq, file: file, name: name, state: 'uploading', progress: 0, id: null };
        items.push(it);
        say(t('photoUploading', { name: name }));
        var last = 0;
        upload(file, function (f) {
          it.progress = f;
          // Redraw at every tenth, not at every event.
          if (f - last >= 0.1) { last = f; if (items.indexOf(it) >= 0) render(); }
        }).then(function (j) {
          if (items.indexOf(it) < 0) return; // removed meanwhile
          it.state = 'done';
          it.id = j.id;
          render();
          say(t('photoUploaded', { name: name }));
        }, function (e) {
          var at = items.indexOf(it);
          if (at >= 0) items.splice(at, 1);
          render();
          showError(errorText(e.code, name));
        });
      });
      render();
      if (errors.length) showError(errors.join(' '));
    }

    [opts.camera, opts.gallery].forEach(function (inp) {
      inp.addEventListener('change', function () {
        if (inp.files && inp.files.length) add(inp.files);
        inp.value = '';
      });
    });

    return {
      // The uploaded photos' ids, in order.
      ids: function () { return items.filter(function (it) { return it.id; }).map(function (it) { return it.id; }); },
      busy: function () { return items.some(function (it) { return it.state === 'uploading'; }); },
      reset: function () { items = []; showError(null); say(''); render(); },
      relabel: render,
      showError: showError
    };
  }

  /* Thumbnails linking to the display size; photos: [{id, url, thumb,
   * width, height}]; opts.alt(i) the text of each (default "Photo n"). */
  function photoThumbs(photos, opts) {
    opts = opts || {};
    var ul = el('ul', 'photo-thumbs');
    (photos || []).forEach(function (p, i) {
      var li = el('li');
      var a = el('a', { href: p.url, target: '_blank', rel: 'noopener' });
      var alt = opts.alt ? opts.alt(p, i) : t('photoN', { n: i + 1 });
      var img = el('img', { src: p.thumb, alt: alt, loading: 'lazy', class: 'photo-thumb' });
      a.appendChild(img);
      li.appendChild(a);
      if (opts.extra) opts.extra(li, p, i);
      ul.appendChild(li);
    });
    return ul;
  }

  VK.photoPicker = photoPicker;
  VK.photoThumbs = photoThumbs;
  VK.PHOTOS_MAX = MAX;
})();
