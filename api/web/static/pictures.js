// Footprint's pictures, drawn with D3 (pinned in the asset lock, served from this origin):
// who shaped what (an influence network), coverage across documents (a heat map) and a
// document's timeline. Each takes a plain model built by dashboard.js, which also writes every
// picture's text equivalent; the pictures themselves are hidden from screen readers. Colours
// come from the stylesheet's classes (status-*, series-*), never from here.
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";

  function available() { return typeof window.d3 !== "undefined"; }

  // A label cut to `max` characters, with the whole of it as a tooltip.
  function clip(selection, text, max) {
    var shown = text.length > max ? text.slice(0, max - 1) + "\u2026" : text;
    selection.text(shown);
    if (shown !== text) selection.append("title").text(text);
  }

  function svgIn(host, width, height, label) {
    host.replaceChildren();
    return window.d3.select(host).append("svg")
      .attr("xmlns", SVG_NS)
      .attr("viewBox", "0 0 " + width + " " + height)
      .attr("width", "100%")
      .attr("class", "picture")
      .attr("aria-hidden", "true")
      .attr("focusable", "false")
      .attr("data-picture", label);
  }

  function widthOf(host) { return Math.max(300, Math.round(host.clientWidth || 640)); }

  // --- who shaped what ---------------------------------------------------------------------
  // model: { left: [{id, label, heading?, missing?, statusClass?}], right: [{id, label}],
  //          edges: [{id, from, to, seriesClass, dash, title}] }
  // Left: organisations under their group's heading, and left-out groups as hollow, dashed
  // "missing" nodes; right: the document and its principles. Clicking an edge calls onSelect.
  function network(host, model, onSelect) {
    var d3 = window.d3;
    var width = widthOf(host);
    var row = 24;
    var top = 12;
    var charWidth = 7.2;  // of the 12 px labels, generously
    var clamp = function (value, low, high) { return Math.max(low, Math.min(high, Math.floor(value))); };
    var leftChars = clamp(width * 0.36 / charWidth, 10, 48);
    var rightChars = clamp(width * 0.3 / charWidth, 10, 44);
    var leftX = leftChars * charWidth + 16;
    var rightX = width - rightChars * charWidth - 18;
    var y = top;
    var place = {};
    var items = [];
    model.left.forEach(function (item) {
      if (item.heading) { y += 6; items.push({ heading: item.heading, y: y + 10 }); y += row - 4; }
      y += row / 2;
      place[item.id] = { x: leftX, y: y };
      items.push({ node: item, y: y });
      y += row / 2;
    });
    var height = Math.max(y, top + model.right.length * row * 1.4) + top;
    var step = (height - 2 * top) / Math.max(1, model.right.length);
    model.right.forEach(function (item, index) {
      place[item.id] = { x: rightX, y: top + step * (index + 0.5) };
    });
    var svg = svgIn(host, width, height, "network");

    var link = d3.linkHorizontal().x(function (p) { return p.x; }).y(function (p) { return p.y; });
    var edges = svg.append("g").attr("class", "edges").selectAll("g")
      .data(model.edges.filter(function (e) { return place[e.from] && place[e.to]; }))
      .join("g")
      .attr("class", function (e) { return "edge " + e.seriesClass; })
      .attr("data-edge", function (e) { return e.id; })
      .on("click", function (event, e) { select(e); });
    edges.append("path").attr("class", "line")
      .attr("d", function (e) { return link({ source: place[e.from], target: place[e.to] }); })
      .attr("stroke-dasharray", function (e) { return e.dash || null; });
    // A wide, invisible twin of each line, so a thin line is easy to click.
    edges.append("path").attr("class", "hit")
      .attr("d", function (e) { return link({ source: place[e.from], target: place[e.to] }); })
      .append("title").text(function (e) { return e.title; });

    function select(edge) {
      edges.classed("selected", function (e) { return e === edge; });
      onSelect(edge);
    }

    var left = svg.append("g").attr("class", "nodes left");
    items.forEach(function (entry) {
      if (entry.heading) {
        left.append("text").attr("class", "heading").attr("x", leftX - 12).attr("y", entry.y)
          .attr("text-anchor", "end").call(clip, entry.heading, leftChars - 2);
        return;
      }
      var node = entry.node;
      var g = left.append("g").attr("transform", "translate(" + leftX + "," + entry.y + ")")
        .attr("class", "node" + (node.missing ? " missing " + node.statusClass : ""));
      g.append("circle").attr("r", node.missing ? 7 : 5.5);
      g.append("text").attr("x", -12).attr("dy", "0.35em").attr("text-anchor", "end")
        .call(clip, node.label, leftChars);
    });
    var right = svg.append("g").attr("class", "nodes right");
    model.right.forEach(function (item) {
      var p = place[item.id];
      var g = right.append("g").attr("class", "node target")
        .attr("transform", "translate(" + p.x + "," + p.y + ")");
      g.append("rect").attr("x", -6).attr("y", -6).attr("width", 12).attr("height", 12);
      g.append("text").attr("x", 12).attr("dy", "0.35em").call(clip, item.label, rightChars);
    });
    return { select: function (id) {
      var found = model.edges.filter(function (e) { return e.id === id; })[0];
      if (found) select(found);
    } };
  }

  // --- coverage across documents -------------------------------------------------------------
  // model: { rows: [{label}], columns: [{label}], cells: [[{statusClass, gap, symbol, title}]] }
  function heatmap(host, model, onSelect) {
    var width = widthOf(host);
    var labelChars = width < 520 ? 14 : 30;
    var left = labelChars * 6.6 + 8;
    var size = Math.max(14, Math.min(52, (width - left - 4) / Math.max(1, model.columns.length)));
    var top = 150;
    var height = top + size * model.rows.length + 4;
    var svg = svgIn(host, width, height, "heatmap");
    svg.append("g").attr("class", "column-labels").selectAll("text").data(model.columns).join("text")
      .attr("transform", function (c, i) {
        return "translate(" + (left + size * (i + 0.5)) + "," + (top - 6) + ") rotate(-50)";
      })
      .call(function (s) { s.each(function (c) { clip(window.d3.select(this), c.label, 28); }); });
    svg.append("g").attr("class", "row-labels").selectAll("text").data(model.rows).join("text")
      .attr("x", left - 6).attr("y", function (r, i) { return top + size * (i + 0.5); })
      .attr("dy", "0.35em").attr("text-anchor", "end")
      .call(function (s) { s.each(function (r) { clip(window.d3.select(this), r.label, labelChars); }); });
    var rows = svg.append("g").attr("class", "cells").selectAll("g").data(model.cells).join("g")
      .attr("transform", function (cells, i) { return "translate(" + left + "," + (top + size * i) + ")"; });
    var cells = rows.selectAll("g").data(function (cells, i) {
      return cells.map(function (c, j) { return { cell: c, row: i, column: j }; });
    }).join("g")
      .attr("class", function (d) { return "cell status " + d.cell.statusClass + (d.cell.gap ? " gap" : ""); })
      .attr("transform", function (d) { return "translate(" + size * d.column + ",0)"; })
      .on("click", function (event, d) { onSelect(d.row, d.column); });
    cells.append("rect").attr("x", 1).attr("y", 1).attr("width", size - 2).attr("height", size - 2);
    cells.append("text").attr("x", size / 2).attr("y", size / 2).attr("dy", "0.35em")
      .attr("text-anchor", "middle").text(function (d) { return d.cell.symbol; });
    cells.append("title").text(function (d) { return d.cell.title; });
  }

  // --- a document's timeline -----------------------------------------------------------------
  // model: { lanes: [name], events: [{lane, start: Date, end: Date, label, seriesClass}] }
  // An event given to the month or year spans it; a day is a point. Labels take the first of
  // four rows (above, below, further above, further below) where they overlap no other.
  function timeline(host, model) {
    var d3 = window.d3;
    var width = widthOf(host);
    var lane = 96;
    var charWidth = 6.4;
    var margin = { top: 4, left: Math.min(170, width * 0.32), right: 16, bottom: 28 };
    var height = margin.top + lane * model.lanes.length + margin.bottom;
    var first = d3.min(model.events, function (e) { return e.start; });
    var last = d3.max(model.events, function (e) { return e.end; });
    var pad = Math.max(30, (last - first) / 86400000 * 0.08) * 86400000;
    var x = d3.scaleUtc()
      .domain([new Date(first.getTime() - pad), new Date(last.getTime() + pad)])
      .range([margin.left, width - margin.right]);
    var svg = svgIn(host, width, height, "timeline");
    svg.append("g").attr("class", "axis")
      .attr("transform", "translate(0," + (height - margin.bottom) + ")")
      .call(d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 110))));
    model.lanes.forEach(function (name, index) {
      var laneY = margin.top + lane * index;
      svg.append("line").attr("class", "lane")
        .attr("x1", margin.left).attr("x2", width - margin.right)
        .attr("y1", laneY + lane / 2).attr("y2", laneY + lane / 2);
      svg.append("text").attr("class", "heading").attr("x", margin.left - 8)
        .attr("y", laneY + lane / 2).attr("dy", "0.35em").attr("text-anchor", "end")
        .call(clip, name, Math.floor((margin.left - 10) / 7.6));  // bold
    });
    var ROWS = [-13, 21, -29, 37];
    var taken = {};  // lane -> row -> [[x0, x1], ...]
    var maxChars = Math.max(14, Math.floor(width / 28));
    model.events.forEach(function (event) {
      var index = model.lanes.indexOf(event.lane);
      var middle = margin.top + lane * index + lane / 2;
      var g = svg.append("g").attr("class", "event " + event.seriesClass);
      var start = x(event.start);
      var extent = Math.max(0, x(event.end) - start);
      if (extent > 4) {
        g.append("rect").attr("x", start).attr("y", middle - 6).attr("width", extent).attr("height", 12);
      } else {
        g.append("circle").attr("cx", start).attr("cy", middle).attr("r", 6);
      }
      var half = Math.min(event.label.length, maxChars) * charWidth / 2;
      var labelX = Math.min(Math.max(start + extent / 2, margin.left + half), width - margin.right - half);
      var rows = taken[event.lane] = taken[event.lane] || ROWS.map(function () { return []; });
      var row = 0;
      while (row < ROWS.length - 1 && rows[row].some(function (used) {
        return labelX - half < used[1] && labelX + half > used[0];
      })) row += 1;
      rows[row].push([labelX - half - 6, labelX + half + 6]);
      g.append("text").attr("x", labelX).attr("y", middle + ROWS[row])
        .attr("text-anchor", "middle").call(clip, event.label, maxChars);
      g.append("title").text(event.label);
    });
  }

  window.FootprintPictures = {
    available: available,
    network: network,
    heatmap: heatmap,
    timeline: timeline,
  };
})();
