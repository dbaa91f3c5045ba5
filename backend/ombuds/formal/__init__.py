"""4.3-4.3.1(iii): the formal route, the signed letter, the other party's response,
and telling the table officers."""
