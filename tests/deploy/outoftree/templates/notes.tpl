{{%AUTOESCAPE context="HTML"}}
<!doctype html><title>notes</title>
<p>{{COUNT}} notes</p>
<ul>{{#NOTE}}<li>{{TEXT}}</li>{{/NOTE}}</ul>
