"""6: the reviews of the policy, held and recorded by the Executive."""
