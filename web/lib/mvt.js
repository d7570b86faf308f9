/*
 * mvt.js — reads a Mapbox Vector Tile (the server's /ogcapi tiles) into
 * plain objects: VK.mvt.decode(arrayBuffer) → { name: { extent, features:
 * [{ id, type (1 point, 2 line, 3 polygon), properties, rings }] } }, rings
 * being lists of [x, y] in tile units (0…extent, y down).
 *
 * Written here rather than taken from npm: the client has no build step,
 * and the packages that read tiles (pbf, @mapbox/vector-tile) are CommonJS
 * or ES modules with bare imports, which a plain <script> cannot load.
 * The tests decode the same tiles with those packages (tests/http/tiles).
 */
(function () {
  'use strict';

  function Reader(bytes, pos, end) {
    this.b = bytes;
    this.pos = pos;
    this.end = end;
  }

  // Varints up to 2^53 (ids), by multiplication: bit operators stop at 32.
  Reader.prototype.varint = function () {
    var v = 0, mul = 1, b;
    do {
      if (this.pos >= this.end) throw new Error('mvt: truncated varint');
      b = this.b[this.pos++];
      v += (b & 0x7f) * mul;
      mul *= 128;
    } while (b & 0x80);
    return v;
  };

  // Skips a field of wire type w.
  Reader.prototype.skip = function (w) {
    if (w === 0) this.varint();
    else if (w === 1) this.pos += 8;
    else if (w === 2) { var n = this.varint(); this.pos += n; }
    else if (w === 5) this.pos += 4;
    else throw new Error('mvt: wire type ' + w);
  };

  // The sub-message or bytes of a length-delimited field, as a Reader.
  Reader.prototype.sub = function () {
    var n = this.varint();
    var r = new Reader(this.b, this.pos, this.pos + n);
    this.pos += n;
    return r;
  };

  Reader.prototype.string = function () {
    var r = this.sub();
    return new TextDecoder().decode(this.b.subarray(r.pos, r.end));
  };

  Reader.prototype.packed = function () {
    var r = this.sub(), out = [];
    while (r.pos < r.end) out.push(r.varint());
    return out;
  };

  function zigzag(n) { return n % 2 ? -(n + 1) / 2 : n / 2; }

  function value(r) {
    var v = null;
    var view = new DataView(r.b.buffer, r.b.byteOffset);
    while (r.pos < r.end) {
      var tag = r.varint(), f = Math.floor(tag / 8), w = tag & 7;
      if (f === 1 && w === 2) v = r.string();
      else if (f === 2 && w === 5) { v = view.getFloat32(r.pos, true); r.pos += 4; }
      else if (f === 3 && w === 1) { v = view.getFloat64(r.pos, true); r.pos += 8; }
      else if ((f === 4 || f === 5) && w === 0) v = r.varint();
      else if (f === 6 && w === 0) v = zigzag(r.varint());
      else if (f === 7 && w === 0) v = r.varint() !== 0;
      else r.skip(w);
    }
    return v;
  }

  // The geometry commands into rings (MoveTo starts one, LineTo adds,
  // ClosePath closes a polygon's ring); coordinates are zigzag deltas.
  function rings(cmds) {
    var out = [], ring = null, x = 0, y = 0;
    for (var i = 0; i < cmds.length;) {
      var c = cmds[i++], id = c & 7, count = Math.floor(c / 8);
      if (id === 7) {
        if (ring && ring.length) ring.push(ring[0].slice());
        continue;
      }
      for (var k = 0; k < count && i + 1 < cmds.length; k++) {
        x += zigzag(cmds[i++]);
        y += zigzag(cmds[i++]);
        if (id === 1) { ring = []; out.push(ring); }
        if (ring) ring.push([x, y]);
      }
    }
    return out;
  }

  function layer(r) {
    var name = '', extent = 4096, keys = [], values = [], raw = [];
    while (r.pos < r.end) {
      var tag = r.varint(), f = Math.floor(tag / 8), w = tag & 7;
      if (f === 1 && w === 2) name = r.string();
      else if (f === 2 && w === 2) raw.push(r.sub());
      else if (f === 3 && w === 2) keys.push(r.string());
      else if (f === 4 && w === 2) values.push(value(r.sub()));
      else if (f === 5 && w === 0) extent = r.varint();
      else r.skip(w);
    }
    var features = raw.map(function (fr) {
      var feat = { id: null, type: 0, properties: {}, rings: [] }, tags = [], geom = [];
      while (fr.pos < fr.end) {
        var tg = fr.varint(), ff = Math.floor(tg / 8), ww = tg & 7;
        if (ff === 1 && ww === 0) feat.id = fr.varint();
        else if (ff === 2 && ww === 2) tags = fr.packed();
        else if (ff === 3 && ww === 0) feat.type = fr.varint();
        else if (ff === 4 && ww === 2) geom = fr.packed();
        else fr.skip(ww);
      }
      for (var i = 0; i + 1 < tags.length; i += 2) {
        if (keys[tags[i]] !== undefined) feat.properties[keys[tags[i]]] = values[tags[i + 1]];
      }
      feat.rings = rings(geom);
      return feat;
    });
    return { name: name, extent: extent, features: features };
  }

  function decode(buf) {
    var bytes = new Uint8Array(buf);
    var r = new Reader(bytes, 0, bytes.length), out = {};
    while (r.pos < r.end) {
      var tag = r.varint(), w = tag & 7;
      if (Math.floor(tag / 8) === 3 && w === 2) {
        var l = layer(r.sub());
        out[l.name] = l;
      } else {
        r.skip(w);
      }
    }
    return out;
  }

  window.VK = window.VK || {};
  window.VK.mvt = { decode: decode };
})();
