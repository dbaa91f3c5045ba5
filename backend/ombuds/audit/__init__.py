"""The audit log (5.1): every change, every read of confidential data, every denial."""
