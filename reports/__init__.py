"""Report rendering: jinja2 templates and the functions that fill them."""
