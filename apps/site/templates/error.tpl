{{%AUTOESCAPE context="HTML"}}
{{! The custom error page (404, 403, 500): no internals, only what the client may see. }}
<p class="error-status">{{STATUS}} {{REASON}}</p>
<p class="error-detail">{{DETAIL}}</p>
<p><a href="{{HOME_URL}}">Back to the home page</a></p>
