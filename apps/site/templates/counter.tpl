{{%AUTOESCAPE context="HTML"}}
<p>You have seen this page <strong class="count">{{COUNT}}</strong> time(s) in this session.</p>
<p><a href="{{COUNTER_URL}}">Again</a></p>
