#!/nonexistent/interpreter
# Test CGI: exec fails (the #! interpreter does not exist).
