{{%AUTOESCAPE context="HTML"}}
{{! The dashboard: window and site choosers, summary, three server-rendered SVG charts, the alerts
    with their history, top paths and clients. Without JavaScript the page reloads itself
    (meta refresh); with it, static/refresh.js swaps <main> in place. }}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>trafficwatch: {{SITE_LABEL}}, last {{WINDOW}}</title>
<link rel="stylesheet" href="{{CSS_URL}}">
<noscript><meta http-equiv="refresh" content="10"></noscript>
<script src="{{JS_URL}}" defer></script>
</head>
<body data-refresh="5">
<header>
<h1>trafficwatch</h1>
<nav class="windows">window:{{#WINDOWS}} <a class="{{CURRENT}}" href="{{HREF}}">{{NAME}}</a>{{/WINDOWS}}</nav>
<nav class="sites">site:{{#SITES}} <a class="{{CURRENT}}" href="{{HREF}}">{{NAME}}</a>{{/SITES}}</nav>
</header>
<main>
<p class="range">{{SITE_LABEL}}, {{FROM}} to {{TO}} (UTC) &middot; updated <time id="updated">{{NOW}}</time></p>
<section id="alerts">
<h2>Alerts firing</h2>
{{#NO_FIRING}}<p class="none" id="no-firing">No alert is firing.</p>{{/NO_FIRING}}
{{#FIRING}}<div class="alert firing {{SEVERITY}}" data-alertname="{{ALERTNAME}}" data-site="{{SITE}}">
<strong>FIRING</strong> <span class="alertname">{{ALERTNAME}}</span> on <span class="site">{{SITE}}</span>
({{SEVERITY}}) since {{STARTS}}: {{SUMMARY}}</div>
{{/FIRING}}</section>
<section id="summary">
<dl>
<div><dt>requests</dt><dd id="requests">{{REQUESTS}}</dd></div>
<div><dt>rate</dt><dd>{{RATE}} req/s</dd></div>
<div><dt>5xx</dt><dd id="error-share">{{ERROR_SHARE}}</dd></div>
<div><dt>p95</dt><dd>{{P95}}</dd></div>
<div><dt>bytes sent</dt><dd>{{BYTES}}</dd></div>
<div><dt>malformed lines</dt><dd>{{MALFORMED}}</dd></div>
</dl>
</section>
<section id="charts">
<h2>Request rate</h2>
<div id="rate-chart">{{>RATE_CHART}}</div>
<h2>Status classes</h2>
<div id="status-chart">{{>STATUS_CHART}}</div>
<h2>Latency (p50 / p95 / p99)</h2>
<div id="latency-chart">{{>LATENCY_CHART}}</div>
</section>
<section id="top">
<div>
<h2>Top paths</h2>
<table id="top-paths"><tr><th>path</th><th>requests</th></tr>
{{#PATHS}}<tr><td class="key">{{KEY}}</td><td class="count">{{COUNT}}</td></tr>
{{/PATHS}}{{#NO_PATHS}}<tr><td colspan="2" class="none">no requests</td></tr>{{/NO_PATHS}}</table>
</div>
<div>
<h2>Top client addresses</h2>
<table id="top-addrs"><tr><th>address</th><th>requests</th></tr>
{{#ADDRS}}<tr><td class="key">{{KEY}}</td><td class="count">{{COUNT}}</td></tr>
{{/ADDRS}}{{#NO_ADDRS}}<tr><td colspan="2" class="none">no requests</td></tr>{{/NO_ADDRS}}</table>
</div>
<p class="json">as JSON: <a href="{{TOP_URL}}">top paths and clients</a></p>
</section>
<section id="history">
<h2>Alert history</h2>
<table id="alert-history"><tr><th>state</th><th>alert</th><th>site</th><th>severity</th><th>started</th><th>ended</th><th>summary</th></tr>
{{#HISTORY}}<tr class="alert {{STATE}}"><td class="state">{{STATE}}</td><td class="alertname">{{ALERTNAME}}</td><td>{{SITE}}</td><td>{{SEVERITY}}</td><td>{{STARTS}}</td><td>{{ENDS}}</td><td>{{SUMMARY}}</td></tr>
{{/HISTORY}}{{#NO_HISTORY}}<tr><td colspan="7" class="none">no alerts yet</td></tr>{{/NO_HISTORY}}</table>
</section>
</main>
</body>
</html>
