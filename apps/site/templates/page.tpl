{{%AUTOESCAPE context="HTML"}}
{{! Variables, a list of scalars, a list of rows with nested dictionaries, an optional section. }}
<p class="intro">{{INTRO}}</p>
<p>Served by <code>{{SERVER}}</code> in <code>{{MODE}}</code> mode.</p>
<h2>Tags</h2>
<ul class="tags">{{#TAGS}}<li>{{VALUE}}</li>{{/TAGS}}</ul>
<h2>Team</h2>
<table class="team">
<tr><th>Name</th><th>Role</th><th>City</th><th>Skills</th></tr>
{{#PEOPLE}}<tr><td>{{NAME}}</td><td>{{ROLE}}</td>
<td>{{#ADDRESS}}{{CITY}} ({{COUNTRY}}){{/ADDRESS}}</td>
<td>{{#SKILLS}}{{VALUE}}{{#SKILLS_separator}}, {{/SKILLS_separator}}{{/SKILLS}}</td></tr>
{{/PEOPLE}}</table>
{{#EMPTY_NOTE}}<p>nobody here</p>{{/EMPTY_NOTE}}
