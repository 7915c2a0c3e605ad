{{%AUTOESCAPE context="HTML"}}
<p class="cookie">Cookie <code>{{COOKIE}}</code> set to <code>{{VALUE}}</code> for
{{MAX_AGE}} seconds.</p>
<p><a href="{{REQUEST_URL}}">See what the next request sends back</a>.</p>
