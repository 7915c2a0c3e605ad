{{%AUTOESCAPE context="HTML"}}
{{! NAME and LINK come from the query string: each use is escaped for its context. }}
<p class="greeting">Hello, {{NAME}}!</p>
<form method="get" action="{{GREET_URL}}">
<input type="text" name="name" value="{{NAME}}" title="{{NAME}}">
<button type="submit">Greet</button>
</form>
<p><a class="again" href="{{GREET_URL}}?name={{NAME:u}}">greet again</a></p>
<p><a class="link" href="{{LINK}}">your link</a></p>
<p><span onmouseover="show('{{NAME}}')">hover me</span></p>
<script>
var greetName = "{{NAME}}";
var greetLink = '{{LINK}}';
</script>
