"""4.3.1(iv)-(v): conflicts of interest and striking the Complaint Review Committee."""
