"""4.3.1(iv): the table officers' non-identifying status board."""
