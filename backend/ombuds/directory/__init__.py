"""Units, the member directory, the ombudsperson roster (3.1) and training records."""
