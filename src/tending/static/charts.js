// Draws the dashboard charts from JSON data islands (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }
  // Report charts: the same numbers as the PDF's image, drawn in the page's own colours.
  function drawReportChart(canvas, kind, spec) {
    var fg = css("--fg"), line = css("--line"), accent = css("--accent"), bad = css("--bad"), muted = css("--muted");
    var axes = { x: { ticks: { color: fg, maxTicksLimit: 12 }, grid: { color: line } },
                 y: { ticks: { color: fg }, grid: { color: line }, beginAtZero: kind === "bar",
                      title: { display: !!spec.ylabel, text: spec.ylabel || "", color: fg } } };
    var sets = [];
    if (kind === "bar") {
      sets.push({ type: "bar", label: spec.label || "count", data: spec.values, backgroundColor: accent, grouped: false, order: 2 });
      if (spec.highlight) {
        sets.push({ type: "bar", label: spec.highlight.label, data: spec.highlight.values, backgroundColor: bad, grouped: false, order: 1 });
      }
    } else {
      var colours = [accent, muted, bad];
      if (spec.band) {
        sets.push({ type: "line", label: spec.band.label, data: spec.band.high, borderWidth: 0, pointRadius: 0, fill: "+1", backgroundColor: line });
        sets.push({ type: "line", label: "", data: spec.band.low, borderWidth: 0, pointRadius: 0, fill: false });
      }
      spec.series.forEach(function (s, i) {
        sets.push({ type: "line", label: s.label, data: s.data, borderColor: colours[i % colours.length],
                    backgroundColor: colours[i % colours.length], borderDash: s.dashed ? [6, 4] : [], pointRadius: 0, tension: 0.2, spanGaps: false });
      });
      if (spec.hline) {
        sets.push({ type: "line", label: spec.hline.label, data: spec.labels.map(function () { return spec.hline.value; }),
                    borderColor: bad, borderDash: [2, 3], pointRadius: 0 });
      }
    }
    var labels = spec.labels.map(function (l) { return spec.vline && l === spec.vline.at ? l + " (" + spec.vline.label + ")" : l; });
    new window.Chart(canvas, {
      data: { labels: labels, datasets: sets },
      options: { animation: false, responsive: true,
                 plugins: { legend: { labels: { color: fg, filter: function (item) { return item.text !== ""; } } } },
                 scales: axes }
    });
  }
  ready(function () {
    var d = data("volume-data");
    var canvas = document.getElementById("volume-chart");
    if (d && canvas && window.Chart) {
      var fg = css("--fg"), line = css("--line"), accent = css("--accent"), bad = css("--bad");
      new window.Chart(canvas, {
        data: {
          labels: d.labels,
          datasets: [
            { type: "bar", label: "Inbound messages", data: d.volume, backgroundColor: accent, yAxisID: "y" },
            { type: "line", label: "Negative share (%)", data: d.negative_share, borderColor: bad, backgroundColor: bad, yAxisID: "y1", tension: 0.2, pointRadius: 2 }
          ]
        },
        options: {
          animation: false, responsive: true,
          plugins: { legend: { labels: { color: fg } } },
          scales: {
            x: { ticks: { color: fg, maxTicksLimit: 12 }, grid: { color: line } },
            y: { position: "left", ticks: { color: fg }, grid: { color: line }, title: { display: true, text: "messages", color: fg } },
            y1: { position: "right", min: 0, max: 100, ticks: { color: fg }, grid: { drawOnChartArea: false }, title: { display: true, text: "% negative", color: fg } }
          }
        }
      });
    }
    var kpis = data("kpi-data");
    if (kpis && window.Chart) {
      document.querySelectorAll("canvas[data-chart]").forEach(function (c) {
        var k = kpis[c.dataset.chart];
        if (!k) { return; }
        var sets = [
          { label: "measured", data: k.value, borderColor: css("--accent"), backgroundColor: css("--accent"), tension: 0.2 },
          { label: "expected path to target", data: k.expected, borderColor: css("--muted"), borderDash: [6, 4], pointRadius: 0 }
        ];
        new window.Chart(c, { type: "line", data: { labels: k.labels, datasets: sets },
          options: { animation: false, plugins: { legend: { labels: { color: css("--fg") } } },
            scales: { x: { ticks: { color: css("--fg"), maxTicksLimit: 10 } }, y: { ticks: { color: css("--fg") } } } } });
      });
    }
    document.querySelectorAll("canvas[data-report-chart]").forEach(function (c) {
      if (!window.Chart || !c.nextElementSibling) { return; }
      drawReportChart(c, c.dataset.reportChart, JSON.parse(c.nextElementSibling.textContent));
    });
    var table = document.getElementById("volume-table");
    if (d && table) {
      d.labels.forEach(function (label, i) {
        var tr = document.createElement("tr");
        [label, d.volume[i], d.negative_share[i]].forEach(function (v) { var td = document.createElement("td"); td.textContent = v; tr.appendChild(td); });
        table.appendChild(tr);
      });
    }
  });
})();
