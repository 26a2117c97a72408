// The dashboard's charts (ECharts, served by the portal itself). The page already shows every
// number as a table; this only adds the pictures. Without ECharts, or when the data cannot be
// read, the tables stay and the chart boxes say so.
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || typeof window.echarts === "undefined") { return; }
  var COLOURS = ["#8e1b1b", "#d9822b", "#3b6ea5", "#5a9e5a", "#888888", "#b35c9e"];
  var LEVEL_COLOURS = {very_satisfied: "#2e7d32", satisfied: "#7cb342", fair: "#c0ca33",
                       dissatisfied: "#fb8c00", very_dissatisfied: "#c62828"};
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    el.textContent = "";
    var chart = window.echarts.init(el, null, {renderer: "canvas"});
    chart.setOption(Object.assign({color: COLOURS, animation: false,
                                   tooltip: {trigger: "axis"}}, option));
    el.setAttribute("data-drawn", "1");
    charts.push(chart);
  }

  function values(obj) { return Object.keys(obj).map(function (k) { return obj[k]; }); }

  function render(d) {
    var q = d.questions;
    draw("chart-questions", {
      title: {text: "每日问题数（按渠道）", textStyle: {fontSize: 14}},
      legend: {bottom: 0}, grid: {top: 36, left: 40, right: 16, bottom: 56},
      xAxis: {type: "category", data: q.days.map(function (s) { return s.slice(5); })},
      yAxis: {type: "value", minInterval: 1},
      series: Object.keys(q.by_channel).map(function (ch) {
        return {name: d.channels[ch] || ch, type: "bar", stack: "q", data: q.by_channel[ch]};
      })
    });
    draw("chart-answered", {
      title: {text: "回答情况", textStyle: {fontSize: 14}}, tooltip: {trigger: "item"},
      color: ["#5a9e5a", "#d9822b", "#8e1b1b"],
      series: [{type: "pie", radius: ["40%", "65%"], top: 20,
                data: Object.keys(d.outcomes).map(function (o) {
                  return {name: d.outcomes[o], value: q.totals[o]};
                })}]
    });
    var top = d.unanswered.slice().reverse();
    draw("chart-unanswered", {
      title: {text: "未答问题组（次数）", textStyle: {fontSize: 14}},
      grid: {top: 36, left: 150, right: 24, bottom: 24},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", data: top.map(function (g) {
        return g.label + " " + (g.text.length > 10 ? g.text.slice(0, 10) + "…" : g.text);
      })},
      series: [{type: "bar", name: "次数", data: top.map(function (g) { return g.count; })}]
    });
    var r = d.ratings, levels = Object.keys(r.levels);
    function levelSeries(rows, keys) {
      return levels.map(function (lv) {
        return {name: r.levels[lv], type: "bar", stack: "r", color: LEVEL_COLOURS[lv],
                data: keys.map(function (k) { return rows[k][lv]; })};
      });
    }
    draw("chart-ratings-week", {
      title: {text: "每周评价", textStyle: {fontSize: 14}}, legend: {bottom: 0},
      grid: {top: 36, left: 40, right: 16, bottom: 56},
      xAxis: {type: "category", data: r.weeks}, yAxis: {type: "value", minInterval: 1},
      series: levelSeries(r.by_week, r.weeks)
    });
    var topics = r.topics.map(function (t) { return t.topic; });
    draw("chart-ratings-topic", {
      title: {text: "各主题评价", textStyle: {fontSize: 14}}, legend: {bottom: 0},
      grid: {top: 36, left: 120, right: 16, bottom: 56},
      yAxis: {type: "category", data: r.topics.map(function (t) { return t.topic_name; })},
      xAxis: {type: "value", minInterval: 1}, series: levelSeries(r.by_topic, topics)
    });
    var c = d.cases, statuses = Object.keys(c.statuses), counties = Object.keys(c.leads_by_county);
    draw("chart-leads", {
      title: {text: "侵权线索（县区 × 状态）", textStyle: {fontSize: 14}}, legend: {bottom: 0},
      grid: {top: 36, left: 40, right: 16, bottom: 56},
      xAxis: {type: "category", data: counties}, yAxis: {type: "value", minInterval: 1},
      series: statuses.map(function (st) {
        return {name: c.statuses[st], type: "bar", stack: "c",
                data: counties.map(function (k) { return c.leads_by_county[k][st]; })};
      })
    });
    draw("chart-callbacks", {
      title: {text: "回电请求（状态）", textStyle: {fontSize: 14}},
      grid: {top: 40, left: 40, right: 16, bottom: 30},
      xAxis: {type: "category", data: statuses.map(function (st) { return c.statuses[st]; })},
      yAxis: {type: "value", minInterval: 1},
      series: [{type: "bar", name: "回电请求", data: values(c.callbacks_by_status)}]
    });
    root.setAttribute("data-charts", String(charts.length));
  }

  var request = new XMLHttpRequest();
  request.open("GET", "/staff/dashboard/data?days=" + encodeURIComponent(root.getAttribute("data-days")));
  request.responseType = "json";
  request.onload = function () {
    if (request.status === 200 && request.response) { render(request.response); }
  };
  request.send();
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
}());
