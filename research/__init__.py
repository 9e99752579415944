"""Research for chance model v2 (issues 11 and 14): prototypes, measurements, DESIGN.md."""
