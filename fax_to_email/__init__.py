"""Fax to email: received faxes mailed, with their document, to the people each team's rules name."""
