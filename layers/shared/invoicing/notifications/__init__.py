"""Seed 003's notifications: an invoice's e-mail or text message to its customer, with consent."""
