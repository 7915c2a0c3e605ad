{{%AUTOESCAPE context="HTML"}}
{{! notes.tpl: the out-of-tree test app's page: how many notes, and each one. }}
<!doctype html><title>notes</title>
<p>{{COUNT}} notes</p>
<ul>{{#NOTE}}<li>{{TEXT}}</li>{{/NOTE}}</ul>
