"""URL patterns of this area: console_patterns are mounted under
/t/<tenant>/console/, portal_patterns under /t/<tenant>/portal/."""

console_patterns: list = []
portal_patterns: list = []
