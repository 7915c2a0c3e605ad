<?php
// hello.php: the PHP-FPM target of the benchmark matrix (pm = static), same reply as the others.
header('Content-Type: text/plain');
echo "Hello, world\n";
