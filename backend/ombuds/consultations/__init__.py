"""4.1 early resolution: confidential consultations recorded without a complaint."""
