{{%AUTOESCAPE context="HTML"}}
<p class="welcome">Welcome to the fcgi-host demo site: one C++ source, served as a CGI binary
and as a FastCGI worker.</p>
<ul>
<li><a href="{{PAGE_URL}}">a page with variables, lists and nested dictionaries</a></li>
<li><a href="{{GREET_URL}}">a greeting that echoes its query in every escaping context</a></li>
<li><a href="{{COOKIE_URL}}">set a cookie</a>, then <a href="{{REQUEST_URL}}">read it back</a></li>
<li><a href="{{COUNTER_URL}}">a session counter</a></li>
</ul>
