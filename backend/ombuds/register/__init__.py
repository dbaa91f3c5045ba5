"""5.1: the register of disclosures made outside the roles, for administrators: who
disclosed, to whom, when and for which of the three purposes, never what was disclosed."""
