"""First login (eerste keer inloggen): the invitation link, password, phone, factors, codes."""
