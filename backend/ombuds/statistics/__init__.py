"""Coded facts about closed complaints, and the policy review's statistics (5.1, 6)."""
