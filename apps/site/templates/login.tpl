{{%AUTOESCAPE context="HTML"}}
{{#ERROR}}<p class="error">{{MESSAGE}}</p>{{/ERROR}}
<form method="post" action="{{LOGIN_URL}}">
<input type="hidden" name="csrf_token" value="{{CSRF}}">
<label>Email <input type="email" name="email" value="{{EMAIL}}" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Sign in</button>
</form>
