// Draws the dashboard charts from JSON data islands (no inline scripts: the CSP forbids them).
(function () {
  "use strict";
  function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function ready(fn) { if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); } }
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
