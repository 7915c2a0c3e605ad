{{%AUTOESCAPE context="HTML"}}
{{! The shared layout: every page is this template with its own body in BODY. }}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{TITLE}} - fcgi-host site</title>
</head>
<body>
<nav>
<a href="{{HOME_URL}}">Home</a> |
<a href="{{PAGE_URL}}">Page</a> |
<a href="{{COOKIE_URL}}">Cookie</a> |
<a href="{{REQUEST_URL}}">Request</a> |
<a href="{{COUNTER_URL}}">Counter</a> |
{{#USER}}signed in as <strong class="user">{{USERNAME}}</strong>
<form method="post" action="{{LOGOUT_URL}}" style="display:inline">
<input type="hidden" name="csrf_token" value="{{CSRF}}">
<button type="submit">Sign out</button>
</form>{{/USER}}
{{#ANONYMOUS}}<a href="{{LOGIN_URL}}">Sign in</a>{{/ANONYMOUS}}
</nav>
<main>
<h1>{{TITLE}}</h1>
{{>BODY}}
</main>
</body>
</html>
