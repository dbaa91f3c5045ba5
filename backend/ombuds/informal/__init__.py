"""4.2.1 informal complaints: facilitated meetings, shuttle discussion, other methods."""
