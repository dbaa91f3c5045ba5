"""The policy review's statistics (6), built from the coded facts each complaint leaves
when it closes (kept after its content is destroyed)."""
