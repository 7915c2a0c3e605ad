{{%AUTOESCAPE context="HTML"}}
{{#HAS_COOKIE}}<p class="cookie">Your browser sent <code>{{COOKIE}}</code> = <code>{{VALUE}}</code>.</p>{{/HAS_COOKIE}}
{{#NO_COOKIE}}<p class="cookie">No <code>{{COOKIE}}</code> cookie yet: <a href="{{COOKIE_URL}}">set it</a>.</p>{{/NO_COOKIE}}
<h2>This request</h2>
<dl class="request">
<dt>Method</dt><dd>{{METHOD}}</dd>
<dt>Path</dt><dd>{{PATH}}</dd>
<dt>URL</dt><dd>{{URL}}</dd>
<dt>Remote address</dt><dd>{{REMOTE_ADDR}}</dd>
</dl>
<h2>Headers</h2>
<dl class="headers">{{#HEADERS}}<dt>{{NAME}}</dt><dd>{{VALUE}}</dd>{{/HEADERS}}</dl>
