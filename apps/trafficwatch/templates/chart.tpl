{{%AUTOESCAPE context="HTML"}}
{{! One chart as inline SVG: the geometry comes from chart.cpp, colours from dashboard.css. }}
<svg class="chart" role="img" viewBox="0 0 {{WIDTH}} {{HEIGHT}}" width="{{WIDTH}}" height="{{HEIGHT}}" xmlns="http://www.w3.org/2000/svg">
<title>{{TITLE}}</title>
{{#YTICK}}<line class="grid" x1="{{X0}}" x2="{{X1}}" y1="{{Y}}" y2="{{Y}}"></line>
<text class="ylabel" x="{{LABEL_X}}" y="{{Y}}" text-anchor="end" dominant-baseline="middle">{{LABEL}}</text>
{{/YTICK}}{{#XTICK}}<line class="tick" x1="{{X}}" x2="{{X}}" y1="{{Y1}}" y2="{{XTICK_END}}"></line>
<text class="xlabel" x="{{X}}" y="{{XLABEL_Y}}" text-anchor="middle">{{LABEL}}</text>
{{/XTICK}}{{#BAR}}<rect class="{{CLASS}}" x="{{X}}" y="{{Y}}" width="{{W}}" height="{{H}}"><title>{{TIP}}</title></rect>
{{/BAR}}{{#LINE}}<polyline class="line {{CLASS}}" fill="none" points="{{POINTS}}"><title>{{NAME}}</title></polyline>
{{/LINE}}<line class="axis" x1="{{X0}}" x2="{{X1}}" y1="{{Y1}}" y2="{{Y1}}"></line>
{{#LEGEND}}<rect class="key {{CLASS}}" x="{{LX}}" y="{{LEGEND_BOX_Y}}" width="10" height="10"></rect>
<text class="legend" x="{{TX}}" y="{{LEGEND_Y}}">{{NAME}}</text>
{{/LEGEND}}</svg>
