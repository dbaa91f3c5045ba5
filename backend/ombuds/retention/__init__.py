"""Records that end on a schedule (5.1, 6): record classes, retention, destruction."""
