"""Security suites: the authorization matrix, field allowlists per role, mass assignment
(and, beside them, the leak scan and the schema fuzzing). `world.py` seeds what they share."""
