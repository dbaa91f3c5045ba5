"""The parties' portal: the member-complainant, the other party and witnesses (issue 16)."""
