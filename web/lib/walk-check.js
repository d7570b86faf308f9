/*
 * lib/walk-check.js — a measurement against the checklist's thresholds,
 * as the participant types it: the same rules as walk_verdicts in
 * src/walk/checklist.c (docs/walks.md, "The checklist"), so the page says
 * what the server will store. And the target level of a place: erikoistaso
 * inside an accessibility area of level "special", else perustaso.
 */
(function () {
  'use strict';

  var SEVERITY = ['vaara', 'este', 'haitta']; // most severe first

  function within(r, x) {
    if (typeof r.min === 'number' && x < r.min) return false;
    if (typeof r.max === 'number' && x > r.max) return false;
    return true;
  }

  // Whether threshold th holds at level for these measurements: a level
  // of its own must match; "unless" skips it only when the other
  // measurement is given and within its range.
  function applies(th, level, ms) {
    if (th.level && th.level !== level) return false;
    if (th.unless) {
      var other = ms[th.unless.measure];
      if (typeof other === 'number' && within(th.unless, other)) return false;
    }
    return true;
  }

  // {verdict: 'ok'|'no_threshold'|grade, limits: [{min?, max?, grade,
  // source, clause, breached}]} for measure key at value x.
  function verdict(type, key, x, level, ms) {
    var limits = (type.thresholds || []).filter(function (th) {
      return th.measure === key && applies(th, level, ms);
    }).map(function (th) {
      return { min: th.min, max: th.max, grade: th.grade, source: th.source, clause: th.clause,
        breached: !within(th, x) };
    });
    var worst = -1;
    limits.forEach(function (l) {
      var g = SEVERITY.indexOf(l.grade);
      if (l.breached && g >= 0 && (worst < 0 || g < worst)) worst = g;
    });
    return { verdict: limits.length ? (worst < 0 ? 'ok' : SEVERITY[worst]) : 'no_threshold', limits: limits };
  }

  // The thresholds of a measure at a level before anything is typed.
  function thresholds(type, key, level, ms) {
    return (type.thresholds || []).filter(function (th) { return th.measure === key && applies(th, level, ms); });
  }

  /* ---------- the level of a place ---------- */

  function inRing(pt, ring) {
    var x = pt[0], y = pt[1], inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function inPolygon(pt, rings) {
    if (!inRing(pt, rings[0])) return false;
    for (var i = 1; i < rings.length; i++) if (inRing(pt, rings[i])) return false;
    return true;
  }

  function contains(geom, pt) {
    if (!geom) return false;
    if (geom.type === 'Polygon') return inPolygon(pt, geom.coordinates);
    if (geom.type === 'MultiPolygon') return geom.coordinates.some(function (p) { return inPolygon(pt, p); });
    return false;
  }

  // areas: the accessibility-areas features; → {level, area (feature or null)}.
  function levelAt(areas, lonlat) {
    if (lonlat) {
      for (var i = 0; i < (areas || []).length; i++) {
        var a = areas[i];
        if (a.properties && a.properties.level === 'special' && contains(a.geometry, lonlat)) {
          return { level: 'erikoistaso', area: a };
        }
      }
    }
    return { level: 'perustaso', area: null };
  }

  VK.walkCheck = { verdict: verdict, thresholds: thresholds, levelAt: levelAt, SEVERITY: SEVERITY };
})();
