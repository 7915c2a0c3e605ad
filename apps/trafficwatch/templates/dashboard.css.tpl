{{%AUTOESCAPE context="CSS"}}
/* dashboard.css (a template without variables, served as /static/dashboard.css): the trafficwatch
   dashboard's layout and chart colours. */
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5em 2em; color: #222; background: #fafafa; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 1.5em; border-bottom: 1px solid #ccc; }
h1 { font-size: 1.4em; margin: .5em 0; }
h2 { font-size: 1.05em; margin: 1.2em 0 .3em; }
nav a { padding: 0 .3em; text-decoration: none; color: #0645ad; }
nav a.current { font-weight: bold; color: #222; border-bottom: 2px solid #222; }
.range { color: #555; }
.none { color: #777; }
div.alert.firing { background: #fde2e1; border-left: 6px solid #c62828; padding: .5em .8em; margin: .3em 0; }
div.alert.firing.warning { background: #fff4d6; border-left-color: #e0a000; }
tr.alert.firing td.state { color: #c62828; font-weight: bold; }
tr.alert.resolved td.state { color: #2e7d32; }
#summary dl { display: flex; flex-wrap: wrap; gap: 1em; margin: .5em 0; }
#summary dl div { background: #fff; border: 1px solid #ddd; padding: .4em .8em; min-width: 7em; }
#summary dt { color: #666; font-size: .85em; }
#summary dd { margin: 0; font-size: 1.3em; }
#top { display: flex; flex-wrap: wrap; gap: 2em; }
table { border-collapse: collapse; background: #fff; }
th, td { border: 1px solid #ddd; padding: .2em .6em; text-align: left; }
td.count { text-align: right; font-variant-numeric: tabular-nums; }
td.key { max-width: 40em; overflow-wrap: anywhere; }
svg.chart { background: #fff; border: 1px solid #ddd; max-width: 100%; height: auto; }
svg .grid { stroke: #eee; }
svg .axis, svg .tick { stroke: #999; }
svg text { font-size: 11px; fill: #555; }
svg .line { stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
.rate { fill: #1565c0; stroke: #1565c0; }
.s2xx { fill: #66bb6a; } .s3xx { fill: #42a5f5; } .s4xx { fill: #ffa726; }
.s5xx { fill: #e53935; } .s1xx { fill: #ab47bc; } .s0xx { fill: #9e9e9e; }
.p50 { fill: #43a047; stroke: #43a047; } .p95 { fill: #fb8c00; stroke: #fb8c00; }
.p99 { fill: #e53935; stroke: #e53935; }
svg polyline.line { fill: none; }
